"""Session guard settings: how long dayone may wait for anything on someone else's server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


MIN_GRACE = 2.0  # network latency and the rows still on their way when the server's timeout fires
MAX_GRACE = 15.0
BUSY_PACE = 4.0  # at most a fifth of one server core while others are at work


@dataclass(frozen=True)
class TunnelOptions:
    """An SSH bastion to reach the database through (`--ssh`): key login only, its host key checked
    against known_hosts, forwarding from 127.0.0.1 on an ephemeral port."""

    host: str
    port: int = 22
    username: str | None = None  # None: the local user name, as ssh does
    key_file: str | None = None  # None: ssh-agent and ~/.ssh/id_*, as ssh does
    known_hosts: str | None = None  # None: ~/.ssh/known_hosts
    trusted_fingerprint: str | None = None  # SHA256:... the user checked: accepted even if known_hosts disagrees
    keepalive: float = 15.0  # seconds between keepalives; a bastion silent for 3 of them is given up


@dataclass(frozen=True)
class SessionOptions:
    connect_timeout: float = 10.0  # seconds to reach the server and log in
    statement_timeout: float = 60.0  # seconds any one statement may run
    lock_timeout: float = 2.0  # seconds to wait for a lock before giving up on a table
    idle_timeout: float = 120.0  # server closes our session if it sits idle inside a transaction
    application_name: str = "dayone"
    ssh: TunnelOptions | None = None  # reach the server through this bastion
    # Rest after each statement for this multiple of its time, so that dayone keeps at most 1/(1+pace)
    # of one server core (pt-archiver's --sleep-coef). None: BUSY_PACE when other sessions are at
    # work on the server (see Session.settle_pace), none on a quiet one.
    pace: float | None = None
    # Told (other sessions at work, the rest chosen) when `pace` is None and the server turns out busy
    on_busy: Callable[[int, float], None] | None = field(default=None, compare=False, repr=False)
    # Seconds past the statement timeout that dayone waits for an answer before it gives up on a
    # connection that went silent (see answer_limit); None: a quarter of the statement timeout, 2 to 15 s.
    grace: float | None = None

    @property
    def answer_grace(self) -> float:
        if self.grace is not None:
            return self.grace
        return min(MAX_GRACE, max(MIN_GRACE, self.statement_timeout / 4))

    @property
    def answer_limit(self) -> float:
        """How long dayone waits for the server's answer to one statement. The server ends a statement
        at the statement timeout, sending included (it waits for the client to take the rows), so a
        connection still silent a grace period later lost the statement or its answer on the way (a
        NAT or firewall that dropped the connection's state, a failover, a half-open TCP connection):
        the server-side timeout cannot fire for a statement the server never received."""
        return self.statement_timeout + self.answer_grace
