"""PostgreSQL profiling: pg_stats in one query, then one block-sampled (or full) query per table.

Tier 0 reads pg_stats (null fractions, distinct estimates, most common values, histogram ends),
which ANALYZE keeps anyway: it costs the server nothing. Tier 1 reads about `page_budget` heap pages
of each table: `TABLESAMPLE SYSTEM (p)` picks whole pages at random, so the server reads only those
(BERNOULLI and ORDER BY random() read every page). A table no bigger than the budget is read whole.
Tier 2 reads every row once. Either way rows come through a server-side cursor, FETCH by FETCH, into
dayone.profile.profile_rows: memory stays bounded.

Each table is read in its own short read-only transaction; a table that is locked, too slow for the
statement timeout or not readable is rolled back and reported, and the next table is read.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import replace
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from dayone.catalog.model import Schema, Table
from dayone.connect.session import Session
from dayone.dialects.base import KeyLookup
from dayone.dialects.profiling import FETCH_ROWS, Unreadable, aggregate, batches, skipped, timeout_reason
from dayone.errors import DayoneError
from dayone.profile.accumulate import LOW_CARDINALITY, MAX_VALUE_LENGTH
from dayone.profile.model import ColumnProfile, TableProfile, ValueCount
from dayone.profile.options import TableRequest, TableSize

CURSOR_NAME = "dayone_profile"
PUSHDOWN_WORK_MEM = "64MB"  # --full's grouped statement, per transaction (PostgreSQL's default is 4MB)
# Types whose values psycopg turns into Python objects that cannot hold every PostgreSQL value
# (infinity, BC dates, year 10000, intervals beyond timedelta): such a value arrives as its text.
TOLERANT_TYPES = ("date", "timestamp", "timestamptz", "interval", "time", "timetz")

# Statistics of the table's own rows; a partitioned table's statistics cover its partitions
# (pg_stats.inherited). Common values travel only where they can be used: a low-cardinality
# column's value set (when values may be kept), or the minimum and maximum of a number or time.
STATISTICS_SQL = """
SELECT s.schemaname, s.tablename, s.attname, s.null_frac, s.n_distinct, c.reltuples,
       CASE WHEN (%(values)s AND d.estimate <= %(low)s) OR t.typcategory IN ('N', 'D')
            THEN s.most_common_vals::text::text[] END,
       CASE WHEN (%(values)s AND d.estimate <= %(low)s) OR t.typcategory IN ('N', 'D')
            THEN s.most_common_freqs END,
       CASE WHEN t.typcategory IN ('N', 'D') THEN h.bounds[1] END,
       CASE WHEN t.typcategory IN ('N', 'D') THEN h.bounds[array_length(h.bounds, 1)] END,
       greatest(st.last_analyze, st.last_autoanalyze)
FROM pg_stats s
JOIN pg_namespace n ON n.nspname = s.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_stat_user_tables st ON st.relid = c.oid
CROSS JOIN LATERAL (SELECT CASE WHEN s.n_distinct >= 0 THEN s.n_distinct
                                ELSE -s.n_distinct * greatest(c.reltuples, 0) END AS estimate) d
CROSS JOIN LATERAL (SELECT CASE WHEN t.typcategory IN ('N', 'D')
                                THEN s.histogram_bounds::text::text[] END AS bounds) h
WHERE s.schemaname = ANY(%(schemas)s::text[]) AND c.relkind IN ('r', 'p', 'm')
  AND s.inherited = (c.relkind = 'p')
"""

# Heap pages per table from the planner's statistics (a partitioned table: its partitions' sum).
# A table never vacuumed nor analyzed (reltuples -1) may hold far more than relpages says: its file
# size is asked for instead, except of a table locked right now (asking would wait for the lock).
SIZES_SQL = """
WITH RECURSIVE roots AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND n.nspname = ANY(%(schemas)s::text[])
), members AS (
    SELECT oid AS root, oid AS rel FROM roots
    UNION ALL
    SELECT m.root, i.inhrelid FROM members m JOIN pg_inherits i ON i.inhparent = m.rel
    JOIN pg_class child ON child.oid = i.inhrelid AND child.relispartition
)
SELECT r.nspname, r.relname,
       coalesce(sum(p.pages), 0)::bigint, bool_or(c.oid IS NOT NULL AND p.pages IS NULL),
       coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint, bool_or(c.reltuples < 0)
FROM roots r
JOIN members m ON m.root = r.oid
LEFT JOIN pg_class c ON c.oid = m.rel AND c.relkind IN ('r', 'm')  -- a partitioned table without partitions: 0 pages
LEFT JOIN LATERAL (
    SELECT CASE WHEN c.reltuples >= 0 THEN c.relpages::bigint
                WHEN %(measure)s AND NOT EXISTS (
                    SELECT 1 FROM pg_locks l WHERE l.relation = c.oid AND l.mode = 'AccessExclusiveLock'
                                               AND l.pid <> pg_backend_pid())
                THEN pg_relation_size(c.oid) / current_setting('block_size')::bigint
           END AS pages) p ON c.oid IS NOT NULL
GROUP BY r.nspname, r.relname
"""


def read_statistics(session: Session, tables: Sequence[tuple[Schema, Table]], keep_values: bool) -> dict[tuple[str, str], TableProfile]:
    import psycopg

    wanted = {(s.name, t.name): t for s, t in tables}
    if not wanted:
        return {}
    params = {"schemas": sorted({s for s, _ in wanted}), "values": keep_values, "low": LOW_CARDINALITY}
    try:
        rows = session.query(STATISTICS_SQL, params)
    except psycopg.Error:
        session.connection.rollback()
        return {}  # statistics are a bonus: without them the sample says the same, read
    finally:
        _end_transaction(session)
    found: dict[tuple[str, str], list] = {}
    for row in rows:
        if (row[0], row[1]) in wanted:
            found.setdefault((row[0], row[1]), []).append(row)
    profiles = {}
    for key, column_rows in found.items():
        table = wanted[key]
        reltuples = column_rows[0][5]
        rows_estimated = int(reltuples) if reltuples is not None and reltuples >= 0 else None
        analyzed = column_rows[0][10]
        by_name = {row[2]: row for row in column_rows}
        columns = tuple(
            _column_statistics(column.name, column.normalized_type, by_name[column.name], rows_estimated or 0, keep_values)
            for column in table.columns
            if column.name in by_name
        )
        note = "pg_stats" + (f", last analyzed {analyzed:%Y-%m-%d %H:%M} UTC" if analyzed else "")
        profiles[key] = TableProfile(
            schema=key[0], table=key[1], method="statistics", rows_estimated=rows_estimated, columns=columns, note=note
        )
    return profiles


def _column_statistics(name: str, kind: str, row: tuple, rows: int, keep_values: bool) -> ColumnProfile:
    _, _, _, null_frac, n_distinct, _, common, freqs, low, high, _ = row
    nulls = round((null_frac or 0) * rows)
    estimate = n_distinct if n_distinct >= 0 else -n_distinct * rows
    top: tuple[ValueCount, ...] = ()
    if keep_values and common and estimate <= LOW_CARDINALITY and all(len(v) <= MAX_VALUE_LENGTH for v in common):
        pairs = sorted(zip(common, freqs or (), strict=False), key=lambda p: (-p[1], p[0]))
        top = tuple(ValueCount(_as_sampled(value, kind), round(freq * rows)) for value, freq in pairs)
    candidates = [v for v in (low, high, *(common or ())) if v is not None]
    ordered = sorted((key, value) for value in candidates if (key := _order_key(value, kind)) is not None)
    return ColumnProfile(
        name=name,
        non_null=rows - nulls,
        nulls=nulls,
        distinct_estimate=round(estimate, 1),
        minimum=_as_text(ordered[0], kind) if ordered else None,
        maximum=_as_text(ordered[-1], kind) if ordered else None,
        top_values=top,
    )


def _order_key(value: str, kind: str):
    if kind in ("integer", "decimal", "float"):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if kind in ("timestamp", "timestamptz", "date"):
        try:
            return date.fromisoformat(value) if kind == "date" else datetime.fromisoformat(value)
        except ValueError:
            return None  # infinity, BC dates
    return None


def _as_text(pair: tuple, kind: str) -> str:
    key, _ = pair
    return key.isoformat() if isinstance(key, date) else str(key)


def _as_sampled(value: str, kind: str) -> str:
    """A value as pg_stats prints it, written as a sample of the same column would show it."""
    if kind == "boolean":
        return {"t": "True", "f": "False"}.get(value, value)
    key = _order_key(value, kind) if kind in ("timestamp", "timestamptz", "date") else None
    return key.isoformat() if key is not None else value


def table_sizes(session: Session, tables: Sequence[tuple[Schema, Table]]) -> dict[tuple[str, str], TableSize]:
    import psycopg

    wanted = {(s.name, t.name) for s, t in tables}
    if not wanted:
        return {}
    params = {"schemas": sorted({s for s, _ in wanted}), "measure": True}
    try:
        rows = session.query(SIZES_SQL, params)
    except psycopg.errors.LockNotAvailable:  # a table was locked in the moment between: planner figures only
        session.connection.rollback()
        rows = session.query(SIZES_SQL, {**params, "measure": False})
    finally:
        _end_transaction(session)
    sizes = {}
    for schema, name, pages, pages_unknown, reltuples, never_analyzed in rows:
        if (schema, name) in wanted:
            # pages unknown: the table is sampled (never read whole on a guess); rows unknown: not estimated
            sizes[(schema, name)] = TableSize(pages=None if pages_unknown else pages, rows=None if never_analyzed else reltuples)
    return sizes


def profile_table(session: Session, schema: Schema, table: Table, request: TableRequest) -> TableProfile:
    from psycopg import sql

    connection = session.connection
    timeout = session.options.statement_timeout
    size = request.size or TableSize(pages=None, rows=table.estimated_rows)
    relation = sql.SQL("{}{}.{}").format(
        sql.SQL("") if table.kind == "partitioned table" else sql.SQL("ONLY "),  # inheritance children are read on their own
        sql.Identifier(schema.name),
        sql.Identifier(table.name),
    )
    columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    method, share, note = "full", 1.0, None
    query = sql.SQL("SELECT {} FROM {}").format(columns, relation)
    budget = size.budget_pages(request)
    if request.tier == "sample" and (size.pages is None or size.pages > budget):
        # pages unknown (never analyzed, size not measurable): a 1 % sample, which a 100-page budget
        # would ask of a 10,000-page table
        percent = _sample_percent(budget, size.pages)
        method, share = "sample", percent / 100
        query = sql.SQL("SELECT {} FROM {} TABLESAMPLE SYSTEM ({}) REPEATABLE ({})").format(
            columns, relation, sql.Literal(percent), sql.Literal(request.seed)
        )
        if size.pages is None:
            note = "1 % of the pages: the table's size is unknown (never analyzed)"
    if request.tier == "full" and request.pushdown and size.pages and size.pages > budget:
        pushed = _push_down(session, schema, table, request, relation, size, budget)
        if pushed is not None:
            return pushed
    # A sample is bounded by the page budget: one statement in its own read-only transaction, one
    # round trip. A full pass (or a sample of a table of unknown size) streams through a server-side
    # cursor in a short transaction, FETCH by FETCH, the whole read held to the statement timeout.
    streamed = request.tier == "full" or size.pages is None
    text = query.as_string(connection)
    session.statements.append(text)
    _tolerate_odd_values(connection)
    started = time.monotonic()
    if not streamed:
        connection.autocommit = True
    cursor = connection.cursor(name=CURSOR_NAME) if streamed else connection.cursor()
    try:
        cursor.execute(text)
        deadline = started + timeout if streamed else None
        rows = batches(cursor.fetchmany, deadline=deadline, timeout=timeout_reason(timeout, request.tier))
        profile = aggregate(schema, table, rows, request, method=method, rows_estimated=size.rows,
                            pages_read_share=share, note=note, started=started)  # fmt: skip
        cursor.close()
        if streamed:
            connection.commit()
        session.rest_after(time.monotonic() - started)
        return profile
    except Exception as exc:  # noqa: BLE001 - _unread reports a read that failed, and raises anything else
        _abandon(session, cursor)
        return _unread(exc, session, schema, table, request, started)
    except BaseException:
        _abandon(session, cursor)  # Ctrl-C: psycopg has cancelled the statement on the server already
        raise
    finally:
        if not streamed:
            try:
                connection.autocommit = False
            except Exception:  # noqa: BLE001 - a closed connection: the error that closed it is on its way
                pass


def _sample_percent(budget: int, pages: int | None) -> float:
    """The share of the pages TABLESAMPLE SYSTEM reads for a page budget (1 % when the size is unknown)."""
    percent = 100.0 * budget / pages if pages else 1.0
    return float(f"{min(percent, 100.0):.4g}")


def _push_down(session: Session, schema: Schema, table: Table, request: TableRequest, relation, size: TableSize,
               budget: int) -> TableProfile | None:
    """--full computed by the server (dayone.dialects.pushdown), in one read-only transaction: the
    sample's distinct counts say which columns are grouped by, then one aggregate statement reads the
    table once. None when the table needs the streamed pass (or the server refused a statement)."""
    import psycopg
    from psycopg import sql

    from dayone.dialects import pushdown

    connection = session.connection
    flavor = pushdown.Flavor("postgresql", lambda name: sql.Identifier(name).as_string(connection))
    relation_text = relation.as_string(connection)
    percent = _sample_percent(budget, size.pages)
    sample = f"{relation_text} TABLESAMPLE SYSTEM ({percent}) REPEATABLE ({request.seed})"
    _tolerate_odd_values(connection)
    started = time.monotonic()
    cursors: list = []

    def query(text: str):
        session.statements.append(text)
        begun = time.monotonic()
        cursor = connection.cursor(name=f"{CURSOR_NAME}_{len(cursors)}")
        cursors.append(cursor)
        cursor.execute(text)
        while chunk := cursor.fetchmany(FETCH_ROWS):
            yield from chunk
        cursor.close()
        session.rest_after(time.monotonic() - begun)

    try:
        # the main statement's hash table (one entry per combination of grouped values) in memory, not
        # spilled to disk in many passes: this transaction only, at most WORK_MEM on the server
        # and hashed, not sorted: the planner cannot foresee how few combinations there are, and sorting
        # the table by text compares every row by collation (several times the whole aggregate)
        for setting in (f"SET LOCAL work_mem = '{PUSHDOWN_WORK_MEM}'", "SET LOCAL enable_sort = off"):
            session.statements.append(setting)
            connection.execute(setting)
        distinct = list(query(pushdown.classify_statement(flavor, table, sample)))[0]
        found = pushdown.plan(flavor, relation_text, table, request, *pushdown.choose(table, distinct))
        if found is None:
            connection.rollback()
            return None
        profile = pushdown.run(schema.name, table, request, found, query, rows_estimated=size.rows)
        connection.commit()
    except (psycopg.errors.UndefinedFunction, psycopg.errors.FeatureNotSupported, psycopg.errors.DatatypeMismatch):
        _abandon(session, cursors[-1] if cursors else connection.cursor())
        return None  # a type without equality or ordering (point, xml): the streamed pass reads it
    except Exception as exc:  # noqa: BLE001 - reported as the streamed pass reports it
        _abandon(session, cursors[-1] if cursors else connection.cursor())
        return _unread(exc, session, schema, table, request, started)
    return replace(profile, seconds=round(time.monotonic() - started, 3))


def _unread(exc: BaseException, session: Session, schema: Schema, table: Table, request: TableRequest, started: float) -> TableProfile:
    """A table whose read failed, as the report says it (or the error, when the connection is lost)."""
    import psycopg

    connection = session.connection
    timeout = session.options.statement_timeout
    elapsed = time.monotonic() - started
    if isinstance(exc, Unreadable):
        return skipped(schema, table, str(exc), elapsed)
    if isinstance(exc, psycopg.errors.QueryCanceled):
        reason = timeout_reason(timeout, request.tier) if "timeout" in str(exc) else _first_line(exc)
        return skipped(schema, table, reason, elapsed)
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return skipped(schema, table, f"locked by another session: not read, rather than waiting longer than "
                                      f"{session.options.lock_timeout:g} s", elapsed)  # fmt: skip
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return skipped(schema, table, f"permission denied: {_first_line(exc)}", elapsed)
    if isinstance(exc, psycopg.Error):
        if connection.closed or connection.broken:
            raise DayoneError(f"the connection was lost while profiling {schema.name}.{table.name}: {_first_line(exc)}") from None
        return skipped(schema, table, f"the server could not read it: {_first_line(exc)}", elapsed)
    raise exc


def look_up_keys(session: Session, lookups: Sequence[KeyLookup]) -> list[set | None]:
    """Which of each lookup's values are keys of its table: one statement, each part an index scan
    of the primary key for a bounded list of values (an array parameter), keys returned as text."""
    import psycopg
    from psycopg import sql

    if not lookups:
        return []
    parts = [
        sql.SQL("SELECT {}::int, {}::text FROM {}.{} WHERE {} = ANY({})").format(
            sql.Literal(i), sql.Identifier(lookup.column), sql.Identifier(lookup.schema), sql.Identifier(lookup.table),
            sql.Identifier(lookup.column), sql.Placeholder(),
        )
        for i, lookup in enumerate(lookups)
    ]  # fmt: skip
    connection = session.connection
    text = sql.SQL(" UNION ALL ").join(parts).as_string(connection)
    session.statements.append(text)
    connection.autocommit = True  # one statement: no transaction left open
    try:
        with connection.cursor() as cursor:
            cursor.execute(text, [list(lookup.values) for lookup in lookups])
            rows = cursor.fetchall()
    except psycopg.Error as exc:
        if connection.closed or connection.broken:
            raise DayoneError(f"the connection was lost while looking up keys: {_first_line(exc)}") from None
        return [None] * len(lookups)  # locked, timed out, not allowed: nothing is known of these references
    finally:
        if not connection.closed:
            connection.autocommit = False
    found: list[set | None] = [set() for _ in lookups]
    for position, key in rows:
        found[position].add(key)
    return found


def interrupt(session: Session) -> None:
    """psycopg 3 answers Ctrl-C during a statement by cancelling it on the server and waiting for the
    cancellation (psycopg.Connection.wait); this makes sure of it for a statement still active."""
    import psycopg

    try:
        connection = session.connection
        if not connection.closed and connection.info.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
            connection.cancel_safe(timeout=5.0)
    except Exception:  # noqa: BLE001 - the connection is closed next anyway
        pass


def _abandon(session: Session, cursor) -> None:
    try:
        cursor.close()
    except Exception:  # noqa: BLE001 - a failed transaction cannot CLOSE: the rollback closes it
        pass
    try:
        if not session.connection.closed:
            session.connection.rollback()
    except Exception:  # noqa: BLE001
        pass


def _end_transaction(session: Session) -> None:
    import psycopg

    if session.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        session.connection.rollback()


def _tolerate_odd_values(connection) -> None:
    """Loaders that hand over a value psycopg cannot turn into a Python object as its text, for the
    connection's later cursors (only profiling reads data: the catalog is read by then)."""
    if connection in _TOLERANT:
        return
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    adapters = connection.adapters
    for name in TOLERANT_TYPES:
        info = adapters.types.get(name)
        base = adapters.get_loader(info.oid, Format.TEXT) if info is not None else None
        if base is None:
            continue

        class Tolerant(Loader):
            inner_class = base

            def __init__(self, oid, context=None):
                super().__init__(oid, context)
                self.inner = self.inner_class(oid, context)

            def load(self, data):
                try:
                    return self.inner.load(data)
                except Exception:  # psycopg.DataError, ValueError, OverflowError
                    return bytes(data).decode("utf-8", errors="replace")

        adapters.register_loader(info.oid, Tolerant)
    _TOLERANT.add(connection)


_TOLERANT: weakref.WeakSet = weakref.WeakSet()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
