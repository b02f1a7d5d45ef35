"""MySQL and MariaDB profiling: statistics the server keeps, then one sampled (or full) query per table.

Tier 0: information_schema.STATISTICS (distinct estimates of indexed columns) and, where the user may
read them, MariaDB's engine-independent statistics (mysql.column_stats: null ratio, distinct values,
minimum and maximum) or MySQL 8's histograms (information_schema.COLUMN_STATISTICS). Nothing is ever
analyzed: where nobody ran ANALYZE ... PERSISTENT / UPDATE HISTOGRAM, there is simply less to say.

Tier 1: InnoDB keeps rows in primary-key order, so a few ranges of consecutive keys starting at
random points (one UNION ALL statement: each range an index range scan of a bounded number of rows,
its start found from MIN/MAX of the key, which the index answers without a scan) read a bounded
number of pages spread over the whole table. A table without an integer leading primary-key column
has no such ranges: its first rows are read (LIMIT), and the profile says so. A table no bigger
than the budget is read whole.

Tier 2: one unbuffered SELECT per table (PyMySQL SSCursor): rows stream through in bounded memory.

Every statement runs under the session's max_statement_time / max_execution_time. Ctrl-C: PyMySQL
cannot cancel a statement; `interrupt` opens a second connection (dayone's limit is two) and sends
KILL QUERY for dayone's own connection id, the only statement dayone sends that is not a read.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from dayone.catalog.model import Schema, Table
from dayone.connect.session import Session
from dayone.dialects.base import KeyLookup
from dayone.dialects.mysql_errors import LOCK_WAIT_TIMEOUT, PERMISSION_ERRORS, SERVER_GONE, SERVER_LOST, STATEMENT_TIMEOUT
from dayone.dialects.mysql_rows import NO_LOCK_WAIT
from dayone.dialects.mysql_rows import text as _text
from dayone.dialects.profiling import Unreadable, aggregate, batches, skipped, timeout_reason
from dayone.errors import DayoneError
from dayone.profile.model import ColumnProfile, TableProfile
from dayone.profile.options import TableRequest, TableSize

RANGES = 10  # key ranges per sample
PAGE_BYTES = 16384  # InnoDB's default page; sizes are read in bytes and turned into pages of this size
ROWS_PER_PAGE_UNKNOWN = 100  # when the statistics give no average row length

INDEX_STATISTICS_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, MAX(CARDINALITY)
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN ({schemas}) AND SEQ_IN_INDEX = 1 AND CARDINALITY IS NOT NULL
GROUP BY TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME
"""
# MariaDB engine-independent statistics: collected by ANALYZE TABLE ... PERSISTENT FOR ..., readable
# with SELECT on the mysql database (often not granted: then there are none to use).
COLUMN_STATS_SQL = """
SELECT c.db_name, c.table_name, c.column_name, c.min_value, c.max_value, c.nulls_ratio, c.avg_frequency,
       t.cardinality
FROM mysql.column_stats c
LEFT JOIN mysql.table_stats t ON t.db_name = c.db_name AND t.table_name = c.table_name
WHERE c.db_name IN ({schemas})
"""
# MySQL 8 histograms (ANALYZE TABLE ... UPDATE HISTOGRAM): the share of NULLs and the value range.
HISTOGRAMS_SQL = """
SELECT SCHEMA_NAME, TABLE_NAME, COLUMN_NAME,
       JSON_EXTRACT(HISTOGRAM, '$."null-values"'), JSON_EXTRACT(HISTOGRAM, '$."histogram-type"'),
       JSON_EXTRACT(HISTOGRAM, '$.buckets[0][0]'), JSON_EXTRACT(HISTOGRAM, '$.buckets[last][last]'),
       JSON_LENGTH(HISTOGRAM, '$.buckets')
FROM information_schema.COLUMN_STATISTICS WHERE SCHEMA_NAME IN ({schemas})
"""
SIZES_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, DATA_LENGTH, AVG_ROW_LENGTH
FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ({schemas}) AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
"""
INTEGER_TYPES = ("integer",)


def _in(sql: str, names: Sequence[str]) -> str:
    return sql.format(schemas=", ".join(["%s"] * len(names))).strip()


def read_statistics(session: Session, tables: Sequence[tuple[Schema, Table]], keep_values: bool, mariadb: bool) -> dict[tuple[str, str], TableProfile]:
    import pymysql

    wanted = {(s.name, t.name): t for s, t in tables}
    if not wanted:
        return {}
    names = sorted({s for s, _ in wanted})
    facts: dict[tuple[str, str], dict[str, dict]] = {}

    def note(schema, table, column, **values):
        key = (_text(schema), _text(table))
        if key in wanted:
            facts.setdefault(key, {}).setdefault(_text(column), {}).update(values)

    try:
        for schema, table, column, cardinality in session.query(_in(INDEX_STATISTICS_SQL, names), names):
            note(schema, table, column, distinct=float(cardinality))
    except pymysql.Error:
        pass
    extended = COLUMN_STATS_SQL if mariadb else HISTOGRAMS_SQL
    try:
        rows = session.query(_in(extended, names), names)
    except pymysql.Error:  # no SELECT on mysql.*, or no COLUMN_STATISTICS (MySQL 5.7): nothing more to use
        rows = []
    for row in rows:
        if mariadb:
            schema, table, column, low, high, nulls_ratio, avg_frequency, cardinality = row
            known = {"low": _text(low), "high": _text(high), "nulls_ratio": nulls_ratio, "source": "mysql.column_stats"}
            if cardinality is not None:
                known["rows"] = int(cardinality)
                if avg_frequency:
                    known["distinct"] = float(cardinality) * (1 - float(nulls_ratio or 0)) / float(avg_frequency)
            note(schema, table, column, **known)
        else:
            schema, table, column, null_values, kind, low, high, _ = row
            note(schema, table, column, nulls_ratio=_number(null_values), low=_json_text(low), high=_json_text(high),
                 source="information_schema.COLUMN_STATISTICS")  # fmt: skip
    profiles = {}
    for key, columns in facts.items():
        table = wanted[key]
        rows_estimated = next((c["rows"] for c in columns.values() if "rows" in c), table.estimated_rows)
        sources = sorted({c.get("source", "information_schema.STATISTICS") for c in columns.values()})
        profiles[key] = TableProfile(
            schema=key[0],
            table=key[1],
            method="statistics",
            rows_estimated=rows_estimated,
            columns=tuple(
                _column_statistics(column.name, column.normalized_type, columns[column.name], rows_estimated)
                for column in table.columns
                if column.name in columns
            ),
            note=", ".join(sources),
        )
    return profiles


def _column_statistics(name: str, kind: str, known: dict, rows: int | None) -> ColumnProfile:
    nulls = non_null = 0
    if rows is not None and known.get("nulls_ratio") is not None:
        nulls = round(float(known["nulls_ratio"]) * rows)
        non_null = rows - nulls
    ordered = kind in ("integer", "decimal", "float", "date", "timestamp", "timestamptz")
    return ColumnProfile(
        name=name,
        non_null=non_null,
        nulls=nulls,
        distinct_estimate=round(known["distinct"], 1) if known.get("distinct") is not None else None,
        minimum=known.get("low") if ordered else None,
        maximum=known.get("high") if ordered else None,
    )


def table_sizes(session: Session, tables: Sequence[tuple[Schema, Table]], mariadb: bool) -> dict[tuple[str, str], TableSize]:
    import pymysql

    wanted = {(s.name, t.name) for s, t in tables}
    if not wanted:
        return {}
    names = sorted({s for s, _ in wanted})
    try:
        rows = session.query((NO_LOCK_WAIT if mariadb else "") + _in(SIZES_SQL, names), names)
    except pymysql.Error:
        return {}
    sizes = {}
    for schema, name, table_rows, data_length, avg_row_length in rows:
        key = (_text(schema), _text(name))
        if key in wanted:
            pages = math.ceil(int(data_length) / PAGE_BYTES) if data_length is not None else None
            sizes[key] = TableSize(pages=pages, rows=int(table_rows) if table_rows is not None else None,
                                   rows_per_page=PAGE_BYTES / int(avg_row_length) if avg_row_length else None)  # fmt: skip
    return sizes


def profile_table(session: Session, schema: Schema, table: Table, request: TableRequest) -> TableProfile:
    import pymysql
    import pymysql.cursors

    size = request.size or TableSize(pages=None, rows=table.estimated_rows)
    budget_rows = max(RANGES, size.budget_rows(request, ROWS_PER_PAGE_UNKNOWN))
    relation = f"{_quote(schema.name)}.{_quote(table.name)}"
    columns = ", ".join(_quote(c.name) for c in table.columns) or "NULL"
    method, share, note, cap = "full", 1.0, None, None
    statement = f"SELECT {columns} FROM {relation}"
    key = _sampling_key(table)
    if request.tier == "full" and request.pushdown and size.rows and size.rows > budget_rows:
        pushed = _push_down(session, schema, table, request, relation, columns, key, budget_rows, size)
        if pushed is not None:
            return pushed
    if request.tier == "sample":
        small = size.pages is not None and size.pages <= request.page_budget and (size.rows or 0) <= budget_rows
        if small:
            # the statistics say it is small; should they be stale, the read still stops at the budget
            cap = budget_rows
            statement += f" LIMIT {cap}"
        elif key is not None:
            statement = _key_ranges(columns, relation, table, key, budget_rows, request.seed)
            method = "sample"
            share = min(1.0, budget_rows / size.rows) if size.rows else None
            note = f"{RANGES} ranges of consecutive primary keys from random starting points"
        else:
            statement += f" LIMIT {budget_rows}"
            method = "sample"
            share = min(1.0, budget_rows / size.rows) if size.rows else None
            note = "the first rows of a plain scan, not a random sample: no integer primary key to sample ranges of"
    session.statements.append(statement)
    started = time.monotonic()
    cursor = session.connection.cursor(pymysql.cursors.SSCursor)
    try:
        cursor.execute(statement)
        profile = aggregate(schema, table, batches(cursor.fetchmany), request, method=method,
                            rows_estimated=size.rows, pages_read_share=share, note=note, started=started)  # fmt: skip
        cursor.close()
        session.rest_after(time.monotonic() - started)
    except Unreadable as exc:
        _close(cursor)
        return skipped(schema, table, str(exc), time.monotonic() - started)
    except pymysql.Error as exc:
        return _unread(exc, session, cursor, schema, table, request, started)
    if cap is not None and profile.rows_read >= cap:
        profile = _replace(profile, method="sample", pages_read_share=None,
                           note="the first rows of a plain scan: the table is larger than its statistics say")  # fmt: skip
    elif method == "sample" and key is None and profile.rows_read < budget_rows:
        profile = _replace(profile, method="full", pages_read_share=1.0, note=None)  # the plain scan reached the end
    return profile


def _unread(exc, session: Session, cursor, schema: Schema, table: Table, request: TableRequest, started: float) -> TableProfile:
    """A table whose read failed, as the report says it (or the error, when the connection is lost)."""
    import pymysql

    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    elapsed = time.monotonic() - started
    if code in (SERVER_GONE, SERVER_LOST) or isinstance(exc, pymysql.err.InterfaceError):
        raise DayoneError(f"the connection was lost while profiling {schema.name}.{table.name}: {text}") from None
    _close(cursor)
    if code in STATEMENT_TIMEOUT:
        return skipped(schema, table, timeout_reason(session.options.statement_timeout, request.tier), elapsed)
    if code == LOCK_WAIT_TIMEOUT:
        return skipped(schema, table, f"locked by another session: not read, rather than waiting longer than "
                                      f"{math.ceil(session.options.lock_timeout)} s", elapsed)  # fmt: skip
    if code in PERMISSION_ERRORS:
        return skipped(schema, table, f"permission denied: {text}", elapsed)
    return skipped(schema, table, f"the server could not read it: {text}" + (f" (error {code})" if code else ""), elapsed)


def _push_down(session: Session, schema: Schema, table: Table, request: TableRequest, relation: str, columns: str,
               key: list[str] | None, budget_rows: int, size: TableSize) -> TableProfile | None:
    """--full computed by the server (dayone.dialects.pushdown): the sample's distinct counts say which
    columns are grouped by, then one aggregate statement reads the table once. None when the table
    needs the streamed pass."""
    import pymysql
    import pymysql.cursors

    from dayone.dialects import pushdown

    flavor = pushdown.Flavor("mysql", _quote)
    if key is not None:
        sample = f"({_key_ranges(columns, relation, table, key, budget_rows, request.seed)}) sampled"
    else:
        sample = f"(SELECT {columns} FROM {relation} LIMIT {budget_rows}) sampled"
    started = time.monotonic()
    cursor = None

    def query(text: str):
        nonlocal cursor
        session.statements.append(text)
        begun = time.monotonic()
        cursor = session.connection.cursor(pymysql.cursors.SSCursor)
        cursor.execute(text)
        yield from batches(cursor.fetchmany)
        cursor.close()
        session.rest_after(time.monotonic() - begun)

    try:
        distinct = list(query(pushdown.classify_statement(flavor, table, sample)))[0]
        found = pushdown.plan(flavor, relation, table, request, *pushdown.choose(table, distinct))
        if found is None:
            return None
        profile = pushdown.run(schema.name, table, request, found, query, rows_estimated=size.rows)
    except pymysql.err.ProgrammingError:
        if cursor is not None:
            _close(cursor)
        return None  # a statement this server does not take (MySQL without PCRE features): the streamed pass
    except pymysql.Error as exc:
        return _unread(exc, session, cursor, schema, table, request, started)
    return _replace(profile, seconds=round(time.monotonic() - started, 3))


def _sampling_key(table: Table) -> list[str] | None:
    """The primary key, when its leading column is an integer: ranges of it are index range scans."""
    key = table.primary_key
    if key is None or not key.columns:
        return None
    first = table.column(key.columns[0])
    if first is None or first.normalized_type not in INTEGER_TYPES:
        return None
    return list(key.columns)


def _key_ranges(columns: str, relation: str, table: Table, key: list[str], budget_rows: int, seed: int) -> str:
    """RANGES index range scans, one per stratum of the key space, each from a random starting point
    within its stratum up to the next stratum's start, at most budget_rows / RANGES rows each."""
    lead = _quote(key[0])
    order = ", ".join(_quote(k) for k in key)
    per_range = max(1, math.ceil(budget_rows / RANGES))
    draw = random.Random(seed)
    starts = [(i + draw.random() * 0.5) / RANGES for i in range(RANGES)]  # in the first half of each stratum

    def point(fraction: float) -> str:
        return (f"(SELECT MIN({lead}) + FLOOR({fraction:.6f} * (CAST(MAX({lead}) AS DECIMAL(20, 0)) - MIN({lead}))) "
                f"FROM {relation})")  # fmt: skip

    parts = []
    for i, start in enumerate(starts):
        upper = f" AND {lead} < {point((i + 1) / RANGES)}" if i + 1 < RANGES else ""
        parts.append(f"(SELECT {columns} FROM {relation} WHERE {lead} >= {point(start)}{upper} ORDER BY {order} LIMIT {per_range})")
    return " UNION ALL ".join(parts)


def look_up_keys(session: Session, lookups: Sequence[KeyLookup]) -> list[set | None]:
    """Which of each lookup's values are keys of its table: one statement, each part a primary-key
    lookup of a bounded IN list whose values the driver escapes; keys returned as text."""
    import pymysql

    if not lookups:
        return []
    parts, params = [], []
    for i, lookup in enumerate(lookups):
        key = _quote(lookup.column).replace("%", "%%")  # the driver formats %s: a % in a name must not count
        relation = f"{_quote(lookup.schema)}.{_quote(lookup.table)}".replace("%", "%%")
        marks = ", ".join(["%s"] * len(lookup.values))
        parts.append(f"SELECT {i}, CAST({key} AS CHAR) FROM {relation} WHERE {key} IN ({marks})")
        params += list(lookup.values)
    statement = " UNION ALL ".join(parts)
    session.statements.append(statement)
    cursor = session.connection.cursor()
    try:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    except pymysql.Error as exc:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        if code in (SERVER_GONE, SERVER_LOST) or isinstance(exc, pymysql.err.InterfaceError):
            raise DayoneError(f"the connection was lost while looking up keys: {exc}") from None
        return [None] * len(lookups)  # locked, timed out, not allowed, collations that do not compare
    finally:
        _close(cursor)
    found: list[set | None] = [set() for _ in lookups]
    for position, key in rows:
        found[int(position)].add(_text(key))
    return found


def interrupt(session: Session) -> None:
    """KILL QUERY for dayone's own statement, from a second, short-lived connection opened the way
    the first was (same login, TLS and guards; through the same tunnel end, if any): PyMySQL has no
    cancel request, and the server would otherwise run the statement on until its timeout (it does
    not notice a closed client while it computes rows it has not sent)."""
    from dataclasses import replace

    from dayone.dialects.mysql import MySQLDialect

    connection = session.connection
    try:
        thread_id = int(connection.thread_id())
        target = replace(session.target, host=connection.host, port=connection.port)
        # a few seconds at most for the login and the KILL: the user asked to stop
        options = replace(session.options, connect_timeout=min(5.0, session.options.connect_timeout),
                          statement_timeout=min(5.0, session.options.statement_timeout))  # fmt: skip
        killer = MySQLDialect().connect(target, options)
    except Exception:  # noqa: BLE001 - then the statement timeout ends the statement
        return
    try:
        killer.query(f"KILL QUERY {thread_id}")
        session.statements.append(killer.statements[-1])
    except Exception:  # noqa: BLE001 - it had finished
        pass
    finally:
        killer.close()


def _close(cursor) -> None:
    try:
        cursor.close()
    except Exception:  # noqa: BLE001 - after an error the result is already ended
        pass


def _replace(profile: TableProfile, **changes) -> TableProfile:
    from dataclasses import replace

    return replace(profile, **changes)


def _quote(name: str) -> str:
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True).sql(dialect="mysql")


def _number(value) -> float | None:
    try:
        return float(Decimal(_text(value))) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def _json_text(value) -> str | None:
    """A JSON scalar as text: '"2024-01-01 00:00:00.000000"' -> '2024-01-01 00:00:00.000000'."""
    value = _text(value)
    if value is None:
        return None
    import json

    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return None if isinstance(parsed, dict | list) else str(parsed)


__all__ = ["interrupt", "look_up_keys", "profile_table", "read_statistics", "table_sizes"]
