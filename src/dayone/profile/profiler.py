"""Profiling a catalog's tables: which tier, which tables, in which order, and what to report.

The profiler decides; the dialect reads (only dialects talk to databases). Per database: the
statistics the server keeps (tier 0, one query, always: they cost nothing and give whole-table
estimates), the tables' sizes (tier 1, a constant number of queries), then one query per table.

Tables that hold the application's data are profiled: tables and partitioned tables (through the
parent, which reads every partition; partitions are not profiled again). Views are not data of
their own and are left out. A table the catalog could not read (locked) and a foreign table (its
rows live on another server) are reported as skipped without a query.

Ctrl-C: the dialect stops the running statement on the server (psycopg cancels it itself; PyMySQL
needs KILL QUERY from a second connection), then KeyboardInterrupt goes on up to the CLI.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from dayone.catalog.model import Catalog, Schema, Table
from dayone.connect.session import Session
from dayone.dialects.base import Dialect
from dayone.profile.model import Profile, TableProfile
from dayone.profile.options import ProfileOptions, TableRequest

PROFILED_KINDS = ("table", "partitioned table")
FOREIGN_REASON = "foreign table: its rows live on another server, which dayone does not read through this one"


@dataclass(frozen=True)
class Progress:
    """One step: `result` is None when the table's read starts, the TableProfile when it ends."""

    position: int  # 1-based
    total: int
    schema: str
    table: str
    result: TableProfile | None = None


ProgressCallback = Callable[[Progress], None]


def profile_catalog(
    session: Session,
    dialect: Dialect,
    catalog: Catalog,
    options: ProfileOptions,
    progress: ProgressCallback | None = None,
) -> Profile:
    """Profile every table of `catalog` (narrowed to options.schemas) at options.tier."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    wanted = set(options.schemas) if options.schemas else None
    readable: list[tuple[Schema, Table]] = []
    results: dict[tuple[str, str], TableProfile] = {}
    for schema, table in catalog.tables():
        if (wanted is not None and schema.name not in wanted) or (schema.name, table.name) in options.skip:
            continue
        if table.kind == "foreign table":
            results[(schema.name, table.name)] = _skipped(schema, table, FOREIGN_REASON)
        elif table.kind in PROFILED_KINDS:
            if table.skipped:
                results[(schema.name, table.name)] = _skipped(schema, table, _catalog_reason(table.skipped))
            else:
                readable.append((schema, table))

    try:
        _read_tables(session, dialect, options, readable, results, now, progress)
    except KeyboardInterrupt:
        dialect.interrupt(session)  # stop the statement on the server before the session closes
        raise

    order = {(s.name, t.name): i for i, (s, t) in enumerate(catalog.tables())}
    tables = tuple(sorted(results.values(), key=lambda p: order[(p.schema, p.table)]))
    return Profile(tier=options.tier, profiled_at=now.isoformat(), tables=tables, keep_values=options.keep_values)


def _read_tables(
    session: Session,
    dialect: Dialect,
    options: ProfileOptions,
    readable: list[tuple[Schema, Table]],
    results: dict[tuple[str, str], TableProfile],
    now: datetime,
    progress: ProgressCallback | None,
) -> None:
    statistics = dialect.read_statistics(session, readable, options.keep_values)
    if options.tier == "statistics":
        for schema, table in readable:
            key = (schema.name, table.name)
            results[key] = statistics.get(key) or _skipped(schema, table, _no_statistics(dialect))
    else:
        sizes = dialect.table_sizes(session, readable)
        total = len(readable)
        for position, (schema, table) in enumerate(readable, start=1):
            key = (schema.name, table.name)
            if progress:
                progress(Progress(position, total, schema.name, table.name))
            request = TableRequest(
                tier=options.tier,
                page_budget=options.page_budget,
                sample_rows=options.sample_rows,
                keep_values=options.keep_values,
                now=now,
                spike_columns=_spike_columns(table),
                size=sizes.get(key),
                seed=zlib.crc32(f"{schema.name}.{table.name}".encode()) % 100_000,
            )
            if options.tier == "sample" and request.size is not None and request.size.pages == 0:
                # No page at all: nothing to sample. A database before go-live has many such tables,
                # and a query each would double the audit of a big empty schema. (--full still reads them.)
                found = TableProfile(schema=schema.name, table=table.name, method="statistics", rows_estimated=0)
            else:
                found = dialect.profile_table(session, schema, table, request)
            results[key] = _with_estimates(found, statistics.get(key))
            if progress:
                progress(Progress(position, total, schema.name, table.name, results[key]))


def _spike_columns(table: Table) -> tuple[str, ...]:
    from dayone.rules.naming import created_columns

    return tuple(c.name for c in created_columns(table))


def _with_estimates(found: TableProfile, statistics: TableProfile | None) -> TableProfile:
    """A sample counts what it read; the server's statistics add whole-table distinct estimates."""
    if statistics is None or found.method == "skipped":
        return found
    estimates = {c.name: c.distinct_estimate for c in statistics.columns}
    columns = tuple(
        replace(c, distinct_estimate=estimates.get(c.name)) if estimates.get(c.name) is not None else c for c in found.columns
    )
    rows_estimated = found.rows_estimated if found.rows_estimated is not None else statistics.rows_estimated
    return replace(found, columns=columns, rows_estimated=rows_estimated)


def _no_statistics(dialect: Dialect) -> str:
    if not dialect.has_column_statistics:
        return f"{dialect.engine} keeps no column statistics: --profile sample reads a sample"
    return "the server keeps no column statistics of it that dayone may read (not analyzed): --profile sample reads a sample"


def _skipped(schema: Schema, table: Table, reason: str) -> TableProfile:
    return TableProfile(schema=schema.name, table=table.name, method="skipped", rows_estimated=table.estimated_rows, skipped=reason)


def _catalog_reason(reason: str) -> str:
    if reason.startswith("locked"):
        # "locked by another session (ACCESS EXCLUSIVE lock, pid 123): defaults ... were not read"
        return reason.split(":", 1)[0] + ": its rows were not read, rather than waiting"
    return f"its catalog could not be read ({reason}): its rows were not read"
