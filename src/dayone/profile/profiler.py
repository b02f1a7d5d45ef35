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
from dayone.dialects.base import Dialect, KeyLookup
from dayone.profile.model import Profile, ReferenceCheck, TableProfile
from dayone.profile.options import ProfileOptions, TableRequest

PROFILED_KINDS = ("table", "partitioned table")
# Implicit references (columns named like another table's key, without a foreign key) whose values
# are looked up in that key, per table: one statement for them all, after the table's read.
MAX_REFERENCE_CHECKS = 5
_LOOKUP_TYPES = ("integer", "decimal", "string", "text", "uuid")
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
        _read_tables(session, dialect, options, readable, results, now, progress, catalog)
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
    catalog: Catalog,
) -> None:
    from dayone.rules.personal import personal_columns

    statistics = dialect.read_statistics(session, readable, options.keep_values)
    if options.tier == "statistics":
        for schema, table in readable:
            key = (schema.name, table.name)
            found = statistics.get(key)
            results[key] = _without_values(found, personal_columns(table)) if found else _skipped(schema, table, _no_statistics(dialect))
    else:
        sizes = dialect.table_sizes(session, readable)
        total = len(readable)
        references: dict | None = None  # found when the first table is read: a big empty schema never needs them
        for position, (schema, table) in enumerate(readable, start=1):
            key = (schema.name, table.name)
            if progress:
                progress(Progress(position, total, schema.name, table.name))
            request = TableRequest(
                tier=options.tier,
                pushdown=options.pushdown,
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
                if references is None:
                    references = _references(catalog, options)
                lookups = references.get(key, {})
                request = replace(request, **_what_else_to_count(dialect, table), lookup_columns=tuple(lookups))
                found = dialect.profile_table(session, schema, table, request)
                if found.lookup_values:
                    found = _check_references(session, dialect, found, lookups)
            results[key] = _without_values(_with_estimates(found, statistics.get(key)), request.private_columns)
            if progress:
                progress(Progress(position, total, schema.name, table.name, results[key]))


def _what_else_to_count(dialect: Dialect, table: Table) -> dict:
    """What a table's read counts besides the basics: personal columns (whose values are never kept),
    declared value lists (values outside them), the migration marker (marked rows apart)."""
    from dayone.catalog.checks import declared_lists
    from dayone.rules.markers import splitting_marker
    from dayone.rules.personal import personal_columns

    return {
        "private_columns": tuple(personal_columns(table)),
        "value_lists": tuple(declared_lists(table, dialect.sqlglot_dialect).items()),
        "fold_case": dialect.text_ignores_case,
        "marker": splitting_marker(table),
    }


def _references(catalog: Catalog, options: ProfileOptions) -> dict[tuple[str, str], dict]:
    """(schema, table) -> {column: Candidate}: the implicit references whose values are looked up in
    the referenced key, at most MAX_REFERENCE_CHECKS per table. Only where the lookup is an index
    lookup of like values: the referenced key is the table's primary key, and both sides are of one
    kind (integers, text, uuids); a referenced table that was locked when the catalog was read is
    left alone."""
    from dayone.rules.references import implicit_references
    from dayone.scope import AuditScope

    found: dict[tuple[str, str], dict] = {}
    for candidate in implicit_references(catalog, AuditScope(excluded=dict.fromkeys(options.skip, "not profiled"))):
        kind, ref_kind = candidate.column.normalized_type, candidate.ref_column.normalized_type
        alike = (kind == ref_kind and kind in _LOOKUP_TYPES) or {kind, ref_kind} <= {"string", "text"}
        if not alike or candidate.ref_table.skipped or candidate.ref_table.kind not in PROFILED_KINDS:
            continue
        columns = found.setdefault((candidate.schema.name, candidate.table.name), {})
        if len(columns) < MAX_REFERENCE_CHECKS:
            columns.setdefault(candidate.column.name, candidate)
    return found


def _check_references(session: Session, dialect: Dialect, found: TableProfile, candidates: dict) -> TableProfile:
    """The values read of each implicit reference, looked up in the referenced key (one statement);
    the values themselves leave the profile here."""
    values = found.lookup_values or {}
    asked = [(name, candidates[name], values[name]) for name in candidates if values.get(name)]
    answers = dialect.look_up_keys(session, [
        KeyLookup(c.ref_schema.name, c.ref_table.name, c.ref_column.name, list(read)) for _, c, read in asked
    ])  # fmt: skip
    fold = (lambda text: text.casefold().rstrip(" ")) if dialect.text_ignores_case else (lambda text: text)
    checks = []
    for (name, candidate, read), keys in zip(asked, answers, strict=True):
        if keys is None:
            continue  # not answered (locked, timed out): nothing is claimed about this reference
        present = {fold(key) for key in keys}
        missing = [rows for value, rows in read.items() if fold(str(value)) not in present]
        checks.append(ReferenceCheck(name, candidate.ref_schema.name, candidate.ref_table.name, candidate.ref_column.name,
                                     values_checked=len(read), values_missing=len(missing),
                                     rows_checked=sum(read.values()), rows_missing=sum(missing)))  # fmt: skip
    return replace(found, lookup_values=None, reference_checks=tuple(checks))


def _without_values(found: TableProfile, private) -> TableProfile:
    """No value of a personal column stays in the profile: whatever read it (the server's statistics
    included), its value set, minimum and maximum are dropped."""
    if found.lookup_values is not None:
        found = replace(found, lookup_values=None)  # values read never outlive the read
    if not private or found.method == "skipped":
        return found
    columns = tuple(replace(c, top_values=(), minimum=None, maximum=None) if c.name in private else c for c in found.columns)
    return replace(found, columns=columns)


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
