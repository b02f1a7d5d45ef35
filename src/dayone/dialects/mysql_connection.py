"""A PyMySQL connection that never waits on the server for longer than the statement timeout plus a
grace period, and that can be dropped in the middle of a streamed result without a traceback.

PyMySQL reads with a socket timeout (read_timeout): once logged in, it is SessionOptions.answer_limit,
and a read that times out means the connection went silent (the server never got the statement, or
its answer is lost on the way), which the server's max_statement_time cannot notice. PyMySQL then
closes the socket; this subclass raises ConnectionSilent instead of "Lost connection ... (timed
out)", and every later use of the connection raises it again, so no clean-up on the way out replaces
it with a vaguer error. No KILL QUERY is sent: by then the server's own timeout has ended the
statement if it ever arrived, its wait_timeout ends the session, and a KILL would need a new login
through the path that just went silent.

A connection closed while an unbuffered (SSCursor) result is still streaming, by Ctrl-C, a killed
session or a silent network, has no rows left to read: PyMySQL would still try to read them when the
cursor is garbage-collected, and print "Exception ignored in: SSCursor.close ... AttributeError"
after dayone's one line. Closing marks the result finished.
"""

from __future__ import annotations

from typing import Any

import pymysql
import pymysql.connections

from dayone.connect.options import SessionOptions
from dayone.errors import ConnectionSilent, connection_silent


class WatchedConnection(pymysql.connections.Connection):
    _limits: SessionOptions | None = None  # set by watch(), after the login (connect_timeout bounds that)
    _where = ""
    _silence: ConnectionSilent | None = None

    def watch(self, where: str, options: SessionOptions) -> None:
        """From now on, give up on any read or write past options.answer_limit; `where` names the server."""
        self._where = where
        self._limits = options
        # PyMySQL has no public setter: it applies these to the socket before each read and write
        self._read_timeout = self._write_timeout = options.answer_limit

    def _read_bytes(self, num_bytes: int) -> bytes:
        try:
            return super()._read_bytes(num_bytes)
        except pymysql.err.OperationalError as exc:
            options = self._limits
            if options is None or not isinstance(exc.__context__, TimeoutError):
                raise
            self._silence = connection_silent(self._where, options.statement_timeout, options.answer_grace)
            raise type(self._silence)(str(self._silence)) from None

    def _raise_if_silent(self) -> None:
        if self._silence is not None:
            raise type(self._silence)(str(self._silence)) from None

    def query(self, sql: Any, unbuffered: bool = False) -> int:
        self._raise_if_silent()  # rather than PyMySQL's "(0, '')" for a closed connection
        return super().query(sql, unbuffered)

    def _force_close(self) -> None:
        self._end_streaming()
        super()._force_close()

    def close(self) -> None:
        self._end_streaming()
        super().close()

    def _end_streaming(self) -> None:
        """The unbuffered result in flight, if any, is over: the rows left of it will never be read."""
        result = getattr(self, "_result", None)
        if result is not None:
            result.unbuffered_active = False
