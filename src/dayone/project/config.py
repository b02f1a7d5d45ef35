"""Reading and editing dayone.yml without losing what a person wrote in it.

ruamel.yaml reads the file as a document that remembers its comments, order and style, so dayone
can add a source or a person and write the file back with every comment kept; it also knows each
key's line, which validation errors name.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from dayone.errors import DayoneError
from dayone.project.model import ProjectFile

FILE_NAME = "dayone.yml"

TEMPLATE = """\
# dayone project: the databases of a launch, who owns them, and the metrics wanted from day 1.
# No password belongs here (this folder goes to git): dayone takes it from DAYONE_PASSWORD_<SOURCE>,
# DAYONE_PASSWORD_COMMAND, the keyring or .pgpass / .my.cnf. See `dayone --help`.
project: {name}
# go_live: 2026-11-02
sources: {{}}
  # grading:                       # a name, used as TARGET: dayone audit grading
  #   prod:
  #     url: postgresql://analyst@grading-db.internal/grading
  #     ssh: ssh://me@bastion.example.com
  #   dev:
  #     url: postgresql://analyst@grading-dev.internal/grading
people: {{}}
  # Priya Shah:
  #   role: engineering lead, grading
  #   contact: priya@example.com
  #   owns: [grading]
metrics: {{}}
  # submissions_per_day:
  #   source: grading
  #   priority: day-1
  #   question: How many cards are submitted for grading per day?
  #   sql: SELECT date_trunc('day', created_at), count(*) FROM submissions GROUP BY 1
"""


def _yaml() -> YAML:
    from dayone.project.yamledit import yaml

    return yaml()


class ConfigFile:
    """dayone.yml as a document (comments kept) and as a validated ProjectFile."""

    def __init__(self, path: Path):
        self.path = path
        self.text = ""  # as read: edits are spliced into it (dayone.project.yamledit)
        self.document = self._read()
        self.project = self._validate()
        self._edits: list[tuple[Sequence[str], Any] | tuple[Sequence[str]]] = []

    def _read(self) -> CommentedMap:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DayoneError(f"{self.path} does not exist: `dayone init` creates it") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DayoneError(f"cannot read {self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        self.text = text
        try:
            document = _yaml().load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise DayoneError(f"{self.path.name}{where}: not valid YAML: {exc.problem or exc.context}") from None
        if document is None:
            document = CommentedMap()
        if not isinstance(document, CommentedMap):
            raise DayoneError(f"{self.path.name} line 1: expected keys such as project, sources, people, metrics")
        return document

    def _validate(self) -> ProjectFile:
        data = _plain(self.document)
        for key in ("sources", "people", "metrics"):  # `sources:` with nothing under it is an empty map
            if key in data and data[key] is None:
                data[key] = {}
        try:
            project = ProjectFile.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise DayoneError(self._located(error["loc"], _said(error))) from None
        problems = project.check_references()
        if problems:
            path, problem = problems[0]
            raise DayoneError(self._located(path, problem))
        return project

    def _located(self, loc: Sequence[Any], problem: str) -> str:
        """'dayone.yml line 12: sources.grading.prod.url: problem' for a pydantic location."""
        keys = [str(part) for part in loc if not str(part).startswith("function-") and str(part) != "[key]"]
        if len(keys) > 1 and keys[0] == "sources":  # a password found in a source: name its own variable
            from dayone.connect.secrets import source_variable

            problem = problem.replace("DAYONE_PASSWORD_<SOURCE>", source_variable(keys[1]) or "DAYONE_PASSWORD_<SOURCE>")
        return f"{self.path.name} line {self.line_of(keys)}: {'.'.join(keys) or 'the file'}: {problem}"

    def line_of(self, keys: Sequence[str]) -> int:
        node: Any = self.document
        line = 1
        for key in keys:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                line = node.lc.item(int(key))[0] + 1
                node = node[int(key)]
            else:
                break
        return line

    # -- edits: the document changes, then the file is written whole, comments kept ------------

    def set(self, keys: Sequence[str], value: Any) -> None:
        from dayone.project.yamledit import commented

        value = commented(value)
        node = self.document
        for key in keys[:-1]:
            if not isinstance(node.get(key), CommentedMap):
                node[key] = CommentedMap()
            node = node[key]
        node[keys[-1]] = value
        self._edits.append((tuple(keys), value))

    def delete(self, keys: Sequence[str]) -> bool:
        node = self.document
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node, CommentedMap) else None
            if node is None:
                return False
        if not isinstance(node, CommentedMap) or keys[-1] not in node:
            return False
        del node[keys[-1]]
        self._edits.append((tuple(keys),))
        return True

    def save(self) -> None:
        """Validate the edited document, then write it atomically: an edit that would make the file
        invalid is refused and the file is left as it was. Each edit is spliced into the text as
        read, so every line it does not change stays byte for byte; if the result does not read
        back as the edited document, ruamel writes the document (comments kept, layout redone)."""
        from dayone.fileio import write_atomically
        from dayone.project import yamledit

        self.project = self._validate()
        text: str | None = self.text
        for edit in self._edits:
            if text is None:
                break
            text = yamledit.set_text(text, *edit) if len(edit) == 2 else yamledit.delete_text(text, edit[0])
        if text is None or not _reads_as(text, self.document):
            buffer = io.StringIO()
            _yaml().dump(self.document, buffer)
            text = buffer.getvalue()
        try:
            changed = self.path.read_text(encoding="utf-8") != self.text
        except (OSError, UnicodeDecodeError):
            changed = True
        if changed:  # another dayone, or an editor, wrote it meanwhile: never write over what they wrote
            raise DayoneError(f"{self.path} changed while dayone was editing it: run the command again")
        write_atomically(self.path, text)
        self.text, self._edits = text, []


def _reads_as(text: str, document: CommentedMap) -> bool:
    try:
        found = _yaml().load(text)
    except MarkedYAMLError:
        return False
    return _plain(found if found is not None else CommentedMap()) == _plain(document)


def _plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists, for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _said(error: dict) -> str:
    kind, message = error.get("type", ""), error.get("msg", "")
    if kind == "extra_forbidden":
        return "unknown field (a typo?)"
    if kind == "missing":
        return "missing"
    if kind.startswith("literal_error"):
        return f"{message.lower()}, not {error.get('input')!r}"
    return message.removeprefix("Value error, ")
