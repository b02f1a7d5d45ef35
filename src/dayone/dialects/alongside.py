"""Work on the second connection while the first goes on: big catalogs are read in two halves.

The server does most of the work of a catalog read (deparsing expressions, opening table definitions),
and a driver waiting for rows releases the GIL, so two sessions querying side by side take the time of
the slower half instead of the sum. dayone holds at most two connections; this is the second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from dayone.connect.session import Session

T = TypeVar("T")


class Pending(Generic[T]):
    """`work` running on a thread over a second session, opened on that thread too. `result()` waits
    for it and re-raises its error; if no second session could be opened, `result()` does the work
    on the first session instead, once the caller is done with it."""

    def __init__(self, session: Session, work: Callable[[Session], T]):
        self._session = session
        self._work = work
        self.second: Session | None = None
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="dayone-second-session", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.second = self._session.open_second()
            if self.second is not None:
                self._value = self._work(self.second)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self.second is None:  # a connection limit, say: one connection does it all, only slower
            return self._work(self._session)
        return self._value  # type: ignore[return-value]

    def running(self) -> bool:
        return self._thread.is_alive()


@contextmanager
def alongside(
    session: Session,
    work: Callable[[Session], T],
    interrupt: Callable[[Session], None] | None = None,
) -> Iterator[Pending[T]]:
    """Start `work(second_session)` on a thread. On the way out (an error, Ctrl-C) work still running
    is interrupted on the server, waited for, and the second session closed."""
    pending = Pending(session, work)
    try:
        yield pending
    finally:
        if pending.running() and pending.second is not None and interrupt is not None:
            interrupt(pending.second)
        pending._thread.join()
        if pending.second is not None:
            pending.second.close()
