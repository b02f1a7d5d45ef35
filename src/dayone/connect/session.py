"""A guarded, read-only session on someone else's production database.

Every statement dayone sends goes through `Session.query`, which records it: tests check the list
against the allowed kinds of statement, and `--verbose` can show it.

On a server that is serving others, the session is gentle (`rest`): after each statement it rests
for a multiple of the time the statement took, and it holds one connection, never two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dayone.connect.options import BUSY_PACE, SessionOptions
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
    rest: float = 0.0  # after each statement, rest for this multiple of its time (see settle_pace)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        self.statements.append(sql)
        started = time.perf_counter()
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params) if params is not None else cursor.execute(sql)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()
            self.rest_after(time.perf_counter() - started)

    def rest_after(self, elapsed: float) -> None:
        """The rest a gentle session takes after a statement that took `elapsed` seconds; statements
        read outside `query` (a table's profile, streamed) call it too."""
        if self.rest:
            # shorter than the server's idle-in-transaction timeout, which would end the session
            time.sleep(min(self.rest * elapsed, self.options.idle_timeout / 4))

    def settle_pace(self, others_at_work: int) -> None:
        """How gentle to be, once the dialect has counted the other sessions at work on the server
        (running a statement, inside a transaction, or done with one less than a second ago)."""
        if self.options.pace is not None:
            self.rest = self.options.pace
        else:
            self.rest = BUSY_PACE if others_at_work else 0.0
            if self.rest and self.options.on_busy is not None:
                self.options.on_busy(others_at_work, self.rest)

    def open_second(self) -> Session | None:
        """The second of the two sessions dayone may hold, sharing this one's statement log; None
        when there is no way to open it or the server refuses it (a connection limit, say): the
        caller then does the work on this session alone. A gentle session holds one connection."""
        if self.reopen is None or self.rest:
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
