"""How dayone opens a SQLite file: read-only, and never creating a file beside it.

`mode=ro` alone is not enough for a database in WAL mode: to read one, SQLite opens its -wal and
-shm files and creates them when they are missing (and, being read-only, never deletes them), or
fails where the folder is read-only. What dayone does instead, by what lies beside the database:

- -wal and -shm both there (an application has it open, or left them): SQLite's own reader
  protocol through them, with locks, a consistent view that includes the changes still in the
  -wal. Nothing is created; a -shm dayone may not write is read into memory (SQLite 3.22+).
- no -wal, or an empty one without its -shm, in a WAL database: no program has it open, and every
  change is in the file itself. It is read as `immutable=1`: no lock, no -wal, no -shm. Should a
  program open it and write it back meanwhile (a checkpoint), the read could mix two states, so
  dayone compares the file before and after each read and stops with an error when it changed.
- a -wal holding changes but no -shm (a copy, or a crash that lost it): reading those changes would
  need SQLite to create the -shm, which dayone does not do; it says so and reads nothing.
- a rollback-journal database: `mode=ro`, with the usual shared locks.

References: https://www.sqlite.org/wal.html (Read-Only Databases) and the `immutable` URI
parameter, https://www.sqlite.org/uri.html.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from dayone.errors import ConnectError, DayoneError
from dayone.dialects.sqlite_connection import InterruptibleConnection  # Ctrl-C stays Ctrl-C

_WAL_HEADER = b"\x02\x02"  # file format write and read versions (header bytes 18-19): 2 is WAL


class ReadConnection(InterruptibleConnection):
    """A sqlite3 connection that remembers how the file looked when it was opened without locks, and
    tells Ctrl-C from the statement timeout (sqlite_connection)."""

    unlocked_file: tuple[int, int, int] | None = None


def open_read_only(path: Path, timeout: float) -> ReadConnection:
    before = _fingerprint(path)
    unlocked = _needs_no_lock(path)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if unlocked else "")
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, factory=ReadConnection)
    conn.unlocked_file = before if unlocked else None
    return conn


def check_unchanged(conn: ReadConnection, path: Path) -> None:
    """After a read without locks: stop if a program wrote the file meanwhile."""
    if conn.unlocked_file is not None and _fingerprint(path) != conn.unlocked_file:
        raise DayoneError(
            f"sqlite database {path} changed while dayone read it (no program had it open, so dayone read it "
            "without locks, and one has written it since): run dayone again"
        )


def _needs_no_lock(path: Path) -> bool:
    """True for a WAL database no program has open (read it as immutable); False to read it with
    `mode=ro` alone; ConnectError when it cannot be read without creating its -shm."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    wal_size = wal.stat().st_size if wal.exists() else None
    if wal_size is not None and shm.exists():
        return False
    if wal_size:
        raise ConnectError(
            f"{wal} holds changes to sqlite database {path} but {shm} is missing: reading them needs SQLite to "
            f"create {shm}, and dayone creates no file beside a database. Open it once with the application or "
            "the sqlite3 shell (which folds the changes in), or audit a copy of both files"
        )
    with open(path, "rb") as handle:
        header = handle.read(20)
    return header[18:20] == _WAL_HEADER


def _fingerprint(path: Path) -> tuple[int, int, int]:
    status = os.stat(path)
    return status.st_ino, status.st_size, status.st_mtime_ns
