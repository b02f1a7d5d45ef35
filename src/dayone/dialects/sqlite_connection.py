"""A sqlite3 connection that tells Ctrl-C from the statement timeout.

dayone's statement timeout on SQLite is a progress handler, Python code that SQLite calls while a
statement runs. A Ctrl-C that lands inside it becomes a KeyboardInterrupt there, which Python's
sqlite3 swallows, stopping the statement as "interrupted", exactly as the timeout does. Unless the
handler says the timeout fired, such an interruption is the user's Ctrl-C again: exit 130, one line,
not a statement timeout nor an internal error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class InterruptibleConnection(sqlite3.Connection):
    timed_out = False  # set by the statement timeout's progress handler when it stops a statement

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or InterruptibleCursor)

    def execute(self, *args: Any) -> Any:
        return self.cursor().execute(*args)


class InterruptibleCursor(sqlite3.Cursor):
    def execute(self, *args: Any) -> Any:
        return _user_interrupts(self, super().execute, *args)

    def fetchone(self) -> Any:
        return _user_interrupts(self, super().fetchone)

    def fetchmany(self, *args: Any) -> Any:
        return _user_interrupts(self, super().fetchmany, *args)

    def fetchall(self) -> Any:
        return _user_interrupts(self, super().fetchall)


def _user_interrupts(cursor: sqlite3.Cursor, step: Callable[..., T], *args: Any) -> T:
    try:
        return step(*args)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc) and not getattr(cursor.connection, "timed_out", True):
            raise KeyboardInterrupt from None
        raise
