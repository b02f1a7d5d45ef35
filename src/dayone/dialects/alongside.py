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
    """The result of work running on the second session; `result()` waits for it and re-raises its error."""

    def __init__(self, second: Session, work: Callable[[Session], T]):
        self.second = second
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="dayone-second-session", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[Session], T]) -> None:
        try:
            self._value = work(self.second)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def running(self) -> bool:
        return self._thread.is_alive()


@contextmanager
def alongside(
    session: Session,
    work: Callable[[Session], T],
    interrupt: Callable[[Session], None] | None = None,
) -> Iterator[Pending[T] | None]:
    """Start `work(second_session)` on a thread; None when no second session could be opened (the
    caller then does the work itself). On the way out (an error, Ctrl-C) the work still running is
    interrupted on the server, waited for, and its session closed."""
    second = session.open_second()
    if second is None:
        yield None
        return
    pending = Pending(second, work)
    try:
        yield pending
    finally:
        if pending.running() and interrupt is not None:
            interrupt(second)
        pending._thread.join()
        second.close()
