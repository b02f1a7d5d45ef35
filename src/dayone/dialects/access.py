"""Access facts for any engine: the dialect's own bulk reader, chosen by the session's engine."""

from __future__ import annotations

from collections.abc import Sequence

from dayone.catalog.access import AccessFacts
from dayone.connect.session import Session


def read_access(session: Session, schemas: Sequence[str] | None = None) -> AccessFacts:
    """What the login and the server allow, in a constant number of read-only queries; a fact the
    server refuses to give is left unknown (AccessFacts.unknown says why), never an error."""
    engine = session.target.engine
    if engine == "postgresql":
        from dayone.dialects.postgres_access import read_access as read
    elif engine == "mysql":
        from dayone.dialects.mysql_access import read_access as read
    elif engine == "sqlite":
        from dayone.dialects.sqlite_access import read_access as read

        return read(session)
    else:
        raise ValueError(f"no access reader for engine {engine!r}")
    return read(session, schemas)
