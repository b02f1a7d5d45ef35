"""The project's state, beside dayone.yml: the running log and what audits and checks found.

Everything here is written so that git merges it without conflicts and no crash or second process
can lose or corrupt it:

- every log entry is a file of its own, named by its time and a random part, written once and never
  rewritten: two people adding entries on two branches add different files; an answer or a closing
  is a new entry that refers to the one it answers;
- a file appears whole or not at all: it is written to a temporary file, then linked to its name
  (`os.link` fails rather than replace an existing file), then the temporary name is removed;
- results (catalog snapshots, audits, checks, metric values) are files named by the time they were
  taken: the latest is the one whose name sorts last, and older ones stay for history and drift.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dayone.errors import DayoneError

STATE_DIR = "state"
KINDS = ("note", "todo", "ask", "answer", "done", "closed", "reopened")


@dataclass(frozen=True)
class Entry:
    """One line of the running log. `refers` names the entry or question it answers, closes or ticks."""

    id: str
    kind: str
    text: str
    at: str  # ISO-8601 UTC
    by: str
    refers: str | None = None
    source: str | None = None
    to: str | None = None  # ask: the person asked
    owner: str | None = None  # todo: who does it
    due: str | None = None  # todo: by when (ISO date)
    data: dict[str, Any] = field(default_factory=dict)  # what dayone recorded with it (a question's facts)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """A file-name-safe UTC time that sorts as time does: 20261203T142501.123456Z."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


class State:
    def __init__(self, root: Path):
        self.root = root  # the project folder's state/ directory

    # -- the log ----------------------------------------------------------------------------

    def add(self, kind: str, text: str, by: str, **fields: Any) -> Entry:
        if kind not in KINDS:
            raise ValueError(f"unknown log entry kind {kind!r}")
        moment = now()
        prefix = {"note": "N", "todo": "T", "ask": "Q", "answer": "A", "done": "D", "closed": "C", "reopened": "R"}[kind]
        folder = self.root / "log"
        while True:  # six hex digits are short to type; one already in the log is drawn again
            entry_id = f"{prefix}-{secrets.token_hex(3)}"
            if not folder.is_dir() or next(folder.glob(f"*-?-{entry_id[2:]}.json"), None) is None:
                break
        entry = Entry(id=entry_id, kind=kind, text=text, at=moment.isoformat(timespec="seconds"), by=by, **fields)
        name = f"{stamp(moment)}-{entry.id}.json"
        _create(self.root / "log" / name, _json(entry.as_dict()))
        return entry

    def entries(self) -> list[Entry]:
        """Every log entry, oldest first. A file that cannot be read (a merge conflict marker, a
        half-resolved edit by hand) is named in one line, not skipped in silence."""
        folder = self.root / "log"
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(Entry(**{k: v for k, v in data.items() if k in Entry.__dataclass_fields__}))
            except (OSError, ValueError, TypeError) as exc:
                raise DayoneError(f"log entry {path} cannot be read ({type(exc).__name__}): fix or remove the file") from None
        return found

    # -- results ----------------------------------------------------------------------------

    def save_result(self, source: str, env: str, kind: str, text: str) -> Path:
        """Keep a result (`kind`: snapshot, audit, check) of one source's environment."""
        from dayone.fileio import write_atomically

        path = self.root / "results" / source / env / f"{stamp(now())}-{kind}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
        return path

    def results(self, source: str, env: str, kind: str) -> list[Path]:
        """The results of that kind, oldest first."""
        folder = self.root / "results" / source / env
        return sorted(folder.glob(f"*-{kind}.json")) if folder.is_dir() else []

    def latest(self, source: str, env: str, kind: str) -> Path | None:
        found = self.results(source, env, kind)
        return found[-1] if found else None

    def save_value(self, metric: str, value: dict[str, Any]) -> Path:
        path = self.root / "metrics" / metric / f"{stamp(now())}-{secrets.token_hex(2)}.json"
        _create(path, _json(value))
        return path

    def values(self, metric: str) -> list[dict[str, Any]]:
        folder = self.root / "metrics" / metric
        if not folder.is_dir():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _create(path: Path, text: str) -> None:
    """Write a new file whole or not at all, never over an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)  # fails (FileExistsError) rather than replace: names are unique anyway
    except OSError as exc:
        raise DayoneError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass
