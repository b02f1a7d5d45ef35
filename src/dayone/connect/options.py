"""Session guard settings: how long dayone may wait for anything on someone else's server."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionOptions:
    connect_timeout: float = 10.0  # seconds to reach the server and log in
    statement_timeout: float = 60.0  # seconds any one statement may run
    lock_timeout: float = 2.0  # seconds to wait for a lock before giving up on a table
    idle_timeout: float = 120.0  # server closes our session if it sits idle inside a transaction
    application_name: str = "dayone"
