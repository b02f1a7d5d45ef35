"""A guarded, read-only session on someone else's production database.

Every statement dayone sends goes through `Session.query`, which records it: tests check the list
against the allowed kinds of statement, and `--verbose` can show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dayone.connect.options import SessionOptions
from dayone.connect.target import DatabaseTarget


@dataclass
class Session:
    target: DatabaseTarget
    options: SessionOptions
    connection: Any  # the DB-API connection the dialect opened, guards already applied
    statements: list[str] = field(default_factory=list)
    # Opens a second session like this one (same login, guards and tunnel). dayone holds at most two
    # connections: the second session gets none.
    reopen: Callable[[], Session] | None = field(default=None, repr=False)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        self.statements.append(sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params) if params is not None else cursor.execute(sql)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()

    def open_second(self) -> Session | None:
        """The second of the two sessions dayone may hold, sharing this one's statement log; None
        when there is no way to open it or the server refuses it (a connection limit, say): the
        caller then does the work on this session alone."""
        if self.reopen is None:
            return None
        try:
            second = self.reopen()
        except Exception:  # noqa: BLE001 - one connection is enough to do the work, only slower
            return None
        second.statements = self.statements  # list.append is atomic: both threads may log
        return second

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # closing a broken connection must not hide the error that broke it
            pass

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
