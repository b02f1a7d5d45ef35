"""A psycopg connection that never waits on the server for longer than the statement timeout plus a
grace period.

Every network wait of psycopg (a statement, a FETCH from a server-side cursor, COMMIT, ROLLBACK,
CLOSE) goes through Connection.wait: this subclass gives each one the deadline of
SessionOptions.answer_limit. A wait past it means the connection went silent (the server never got
the statement, or its answer is lost on the way), which no server-side timeout and no TCP keepalive
notices while the path still acknowledges packets. dayone then sends a cancel request (a short
connection of its own, bounded too: it may go through the same silent path), closes the connection
and raises ConnectionSilent. Every later use of the connection raises the same error, so no
clean-up code on the way out (a rollback in a `finally`) can replace it with a vaguer one.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from dayone.connect.options import SessionOptions
from dayone.errors import ConnectionSilent, connection_silent

WAIT_INTERVAL = 0.1  # psycopg's own: how often a wait wakes up to let Ctrl-C through


class WatchedConnection(psycopg.Connection):
    _limits: SessionOptions | None = None  # set by watch(), after the login (connect_timeout bounds that)
    _where = ""
    _silence: ConnectionSilent | None = None

    def watch(self, where: str, options: SessionOptions) -> None:
        """From now on, give up on any wait past options.answer_limit; `where` names the server."""
        self._where = where
        self._limits = options

    def wait(self, gen: Any, interval: float = WAIT_INTERVAL, timeout: float | None = None) -> Any:
        self._raise_if_silent()
        options = self._limits
        if options is None or timeout is not None:  # a caller's own bound (psycopg's notifies) stands
            return super().wait(gen, interval=interval, timeout=timeout)
        limit = options.answer_limit
        started = time.monotonic()
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except psycopg.OperationalError as exc:
            if not _wait_timed_out(exc, time.monotonic() - started, limit):
                raise
        self._give_up(options)
        self._raise_if_silent()

    def _give_up(self, options: SessionOptions) -> None:
        self._silence = connection_silent(self._where, options.statement_timeout, options.answer_grace)
        # The server may hold the statement (an answer lost on the way back): ask it to stop. The
        # request is a new connection, bounded: the path to the server may be as silent as this one.
        # libpq before 17 has only a blocking cancel, with no bound: the statement timeout ends it then.
        if psycopg.capabilities.has_cancel_safe():
            try:
                self.cancel_safe(timeout=min(options.connect_timeout, options.answer_grace))
            except Exception:  # noqa: BLE001 - no answer to the cancel either: the statement timeout ends it
                pass
        self.close()

    def _raise_if_silent(self) -> None:
        if self._silence is not None:
            raise type(self._silence)(str(self._silence)) from None

    # A closed connection would say "the connection is closed": say why it was closed instead.
    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        self._raise_if_silent()
        return super().cursor(*args, **kwargs)

    def commit(self) -> None:
        self._raise_if_silent()
        super().commit()

    def rollback(self) -> None:
        self._raise_if_silent()
        super().rollback()


def _wait_timed_out(exc: Exception, waited: float, limit: float) -> bool:
    """Whether psycopg gave up the wait at the deadline it was given ("wait timeout expired", raised as
    a private class: should it be renamed, the time waited tells)."""
    timeout_class = getattr(psycopg.errors, "_WaitTimeout", None)
    if isinstance(timeout_class, type):
        return isinstance(exc, timeout_class)
    return waited >= limit
