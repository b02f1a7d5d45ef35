"""What the MySQL/MariaDB modules (catalog, access facts, profiling) read the same way: rows decoded
to text, the statement prefix that never waits on a lock, and server versions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dayone.connect.session import Session

# MariaDB: look at each table once, without waiting for a lock (SET STATEMENT needs no restore).
NO_LOCK_WAIT = "SET STATEMENT lock_wait_timeout = 0 FOR "


def text(value: Any) -> Any:
    """A value as text where the driver gave bytes: some MySQL 8 information_schema columns are binary."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return value


def rows(session: Session, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    return [tuple(text(v) for v in row) for row in session.query(sql, params)]


def numeric_version(version_text: str | None) -> str:
    """'10.11.6-MariaDB-log' -> '10.11.6'. (MariaDB before 11 may prefix "5.5.5-" on the wire, but
    VERSION() has no prefix.)"""
    match = re.match(r"\d+(?:\.\d+)*", version_text or "")
    return match.group(0) if match else (version_text or "")


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
