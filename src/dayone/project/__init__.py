"""The integration workspace: a project folder under git, beside the audit's flow, never inside it.

    dayone.yml      sources (a database per environment), people, metrics: written by people
    state/log/      the running log: one file per entry, never rewritten (notes, to-dos, questions,
                    answers, closings)
    state/results/  each source's catalog snapshots, audits and checks, one file per run
    state/metrics/  each metric's values, one file per run

A project reads catalogs and findings and writes only its own folder, atomically. It knows no SQL:
metric SQL is parsed with sqlglot and run through the dialect layer.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dayone.errors import DayoneError
from dayone.project.config import FILE_NAME, TEMPLATE, ConfigFile
from dayone.project.model import ENVIRONMENTS, Database, ProjectFile
from dayone.project.state import STATE_DIR, State

__all__ = ["FILE_NAME", "Project", "find_project", "init_project"]


@dataclass
class Project:
    folder: Path
    config: ConfigFile

    @property
    def file(self) -> ProjectFile:
        return self.config.project

    @property
    def state(self) -> State:
        return State(self.folder / STATE_DIR)

    def environments(self, source: str) -> dict[str, Database]:
        found = self.file.sources.get(source)
        if found is None:
            known = ", ".join(sorted(self.file.sources)) or "none yet: `dayone source add NAME URL`"
            raise DayoneError(f"no source named {source!r} in {self.config.path}: sources are {known}")
        return dict(found)

    def database(self, source: str, env: str | None = None) -> tuple[str, Database]:
        """The environment asked for, else prod, else the only one there is."""
        environments = self.environments(source)
        if env is not None:
            if env not in environments:
                raise DayoneError(f"source {source!r} has no {env} database: it has {', '.join(environments)}")
            return env, environments[env]
        for preferred in ENVIRONMENTS:
            if preferred in environments:
                return preferred, environments[preferred]
        raise DayoneError(f"source {source!r} names no database")

    def resolve_path(self, url: str) -> str:
        """A SQLite path or snapshot in dayone.yml is relative to the project folder."""
        if "://" in url:
            if url.startswith(("sqlite:///", "sqlite+pysqlite:///")) and not url.split(":///", 1)[1].startswith("/"):
                scheme, rest = url.split(":///", 1)
                return f"{scheme}:///{self.folder / rest}"
            return url
        return str(self.folder / url) if not os.path.isabs(url) else url


def find_project(start: Path | None = None, explicit: str | None = None) -> Project | None:
    """The project whose dayone.yml is in `explicit` (--project, DAYONE_PROJECT), else in the
    current folder or one above it; None when there is none."""
    explicit = explicit or os.environ.get("DAYONE_PROJECT")
    if explicit:
        folder = Path(explicit)
        if folder.name == FILE_NAME:
            folder = folder.parent
        if not (folder / FILE_NAME).is_file():
            raise DayoneError(f"no {FILE_NAME} in {folder}: `dayone init {folder}` creates one")
        return Project(folder.resolve(), ConfigFile(folder / FILE_NAME))
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / FILE_NAME).is_file():
            return Project(folder, ConfigFile(folder / FILE_NAME))
    return None


def require_project(explicit: str | None = None) -> Project:
    project = find_project(explicit=explicit)
    if project is None:
        raise DayoneError(f"no {FILE_NAME} here or in a folder above: `dayone init` creates a project")
    return project


def init_project(folder: Path, name: str | None = None) -> Project:
    from dayone.fileio import write_atomically

    path = folder / FILE_NAME
    if path.exists():
        raise DayoneError(f"{path} exists already: dayone init leaves it as it is")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STATE_DIR / "log").mkdir(parents=True, exist_ok=True)
        (folder / STATE_DIR / "log" / ".gitkeep").touch()
    except OSError as exc:
        raise DayoneError(f"cannot create the project in {folder}: {exc.strerror or exc}") from None
    write_atomically(path, TEMPLATE.format(name=_yaml_scalar(name or folder.resolve().name)))
    return Project(folder.resolve(), ConfigFile(path))


def _yaml_scalar(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML scalar, whatever it holds


def author(explicit: str | None = None) -> str:
    """Who writes an entry: --by, else git's user.name, else the login name."""
    if explicit:
        return explicit
    try:
        found = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found:
        return found
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a container: an honest placeholder
        return "unknown"
