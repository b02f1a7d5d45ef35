"""Connecting for the pre-flight: time the login and a few round trips, then read the access facts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from dayone.catalog.access import AccessFacts
from dayone.connect.options import SessionOptions
from dayone.connect.target import DatabaseTarget, SnapshotTarget, Target, parse_target
from dayone.errors import ConnectError, redact
from dayone.preflight.items import evaluate
from dayone.preflight.model import CheckReport, Connection

ROUND_TRIPS = 3  # SELECT 1, the best of three: the network, not the server's first-query work


def check(target: str | Target, options: SessionOptions | None = None, schemas: Sequence[str] | None = None) -> CheckReport:
    """Check TARGET's infrastructure and access: a live database, or the facts saved in a snapshot.

    An unreachable server is a failed check (reachability), not an error: the report says why."""
    if isinstance(target, str):
        target = parse_target(target)
    if isinstance(target, SnapshotTarget):
        from dayone import api

        facts = api.read_catalog(target, options=options).access  # refuses --ssh for a file, as every command does
        return evaluate(Connection(target=target.display, live=False), _narrow(facts, schemas))
    return _check_live(target, options or SessionOptions(), schemas)


def _check_live(target: DatabaseTarget, options: SessionOptions, schemas: Sequence[str] | None) -> CheckReport:
    from dayone import api
    from dayone.dialects.base import dialect_for

    dialect = dialect_for(target.engine)
    schemas = dialect.schemas_to_read(target, schemas)
    started = time.perf_counter()
    try:
        with api.open_session(target, options) as session:
            connect_ms = (time.perf_counter() - started) * 1000
            round_trips = []
            for _ in range(ROUND_TRIPS):
                sent = time.perf_counter()
                session.query("SELECT 1")
                round_trips.append((time.perf_counter() - sent) * 1000)
            facts = dialect.read_access(session, schemas)
    except ConnectError as exc:
        connection = Connection(target=target.display, live=True, reached=False, error=redact(str(exc)))
        return evaluate(connection, None)
    connection = Connection(target=target.display, live=True, reached=True, connect_ms=connect_ms, round_trip_ms=min(round_trips))
    return evaluate(connection, facts)


def _narrow(facts: AccessFacts | None, schemas: Sequence[str] | None) -> AccessFacts | None:
    if facts is None or not schemas or facts.schemas is None:
        return facts
    wanted = set(schemas)
    return replace(
        facts,
        schemas=tuple(s for s in facts.schemas if s.name in wanted),
        replica_identity=None if facts.replica_identity is None else tuple(r for r in facts.replica_identity if r.schema in wanted),
    )
