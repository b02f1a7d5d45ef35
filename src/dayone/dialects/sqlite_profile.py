"""SQLite profiling: rowid ranges for a sample, one pass for a full profile.

SQLite keeps no column statistics worth reading (sqlite_stat1 holds index shapes, and only where
someone ran ANALYZE), so tier 0 has nothing to give. The key range of every rowid table comes from
one compound query (MIN and MAX of a rowid are two B-tree seeks); a sample then reads a few ranges of
consecutive rowids from random starting points, one statement per table. WITHOUT ROWID tables are
ranged by an integer leading primary-key column when they have one, otherwise their first rows are
read and the profile says so. The file is open read-only; the statement time limit is the catalog
session's progress handler.
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections.abc import Sequence

from dayone.catalog.model import Column, Schema, Table
from dayone.connect.session import Session
from dayone.dialects import sqlite_ddl
from dayone.dialects.base import KeyLookup
from dayone.dialects.profiling import aggregate, batches, skipped, timeout_reason
from dayone.profile.model import ROWID, TableProfile
from dayone.profile.options import TableRequest, TableSize

RANGES = 10
ROW_BYTES = 100  # SQLite keeps no row sizes: a page budget of N pages is N * page_size / 100 rows
COMPOUND_LIMIT = 400  # SQLITE_MAX_COMPOUND_SELECT is 500 by default
ROWID_NAMES = ("rowid", "_rowid_", "oid")


def _quote(name: str) -> str:
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True).sql(dialect="sqlite")


def _key(table: Table, without_rowid: bool) -> str | None:
    """What ranges of a table are taken by: its rowid (under a name no column hides), or the integer
    leading primary-key column of a WITHOUT ROWID table; None: no such key."""
    if not without_rowid:
        names = {c.name.lower() for c in table.columns}
        return next((name for name in ROWID_NAMES if name not in names), None)
    key = table.primary_key
    first = table.column(key.columns[0]) if key and key.columns else None
    return _quote(first.name) if first is not None and first.normalized_type == "integer" else None


def table_sizes(session: Session, tables: Sequence[tuple[Schema, Table]]) -> dict[tuple[str, str], TableSize]:
    if not tables:
        return {}
    ddl = dict(session.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    keys = {}
    for schema, table in tables:
        parsed = sqlite_ddl.parse_create_table(ddl.get(table.name) or "")
        key = _key(table, parsed.without_rowid)
        if key is not None:
            keys[(schema.name, table.name)] = key
    found: dict[tuple[str, str], tuple] = {}
    pending = list(keys.items())
    for start in range(0, len(pending), COMPOUND_LIMIT):
        chunk = pending[start : start + COMPOUND_LIMIT]
        parts = [f"SELECT ?, ?, min({key}), max({key}) FROM {_quote(name)}" for (_, name), key in chunk]
        params = [value for (schema, name), _ in chunk for value in (schema, name)]
        try:
            rows = session.query(" UNION ALL ".join(parts), params)
        except sqlite3.OperationalError:
            # one table sqlite cannot read (a missing virtual-table module), or the statement timeout
            # (Ctrl-C is a KeyboardInterrupt by now, see sqlite_connection): ask each alone; a table
            # whose key range cannot be had in time is sampled without it
            rows = []
            for (schema, name), key in chunk:
                try:
                    rows += session.query(f"SELECT ?, ?, min({key}), max({key}) FROM {_quote(name)}", (schema, name))
                except sqlite3.OperationalError:
                    pass
        for schema, name, low, high in rows:
            found[(schema, name)] = (low, high)
    page_size = session.query("PRAGMA page_size")[0][0]
    sizes = {}
    for schema, table in tables:
        name = (schema.name, table.name)
        low, high = found.get(name, (None, None))
        ranged = isinstance(low, int) and isinstance(high, int)
        # rows: what sqlite_stat1 says, where someone ran ANALYZE (the key range only bounds it)
        sizes[name] = TableSize(pages=None, rows=table.estimated_rows, rows_per_page=page_size / ROW_BYTES,
                                key=keys.get(name), low=low if ranged else None, high=high if ranged else None)  # fmt: skip
    return sizes


def profile_table(session: Session, schema: Schema, table: Table, request: TableRequest) -> TableProfile:
    size = request.size or TableSize(pages=None, rows=table.estimated_rows)
    budget_rows = max(RANGES, size.budget_rows(request, 4096 / ROW_BYTES))
    relation = _quote(table.name)
    read = list(table.columns)
    selected = [_quote(c.name) for c in table.columns]
    if size.key in ROWID_NAMES and table.column(ROWID) is None and not any(c.identity == "rowid" for c in table.columns):
        # no INTEGER PRIMARY KEY names the rowid: read it too, its range shows deleted rows
        read.append(Column(name=ROWID, position=len(read) + 1, declared_type="rowid", normalized_type="integer", nullable=False))
        selected.append(size.key)
    columns = ", ".join(selected) or "NULL"
    statement, params = f"SELECT {columns} FROM {relation}", []
    method, share, note = "full", 1.0, None
    ranges: list[tuple[int, int, int]] = []  # a range sample's (start, end, row limit) per range
    span = size.high - size.low + 1 if size.low is not None and size.high is not None else None  # bounds the rows
    if request.tier == "sample":
        if size.key is not None and (span or 0) <= budget_rows:
            pass  # no more keys than the budget's rows (or none at all): read whole
        elif size.key is not None and span is not None:
            statement, params, ranges = _key_ranges(columns, relation, size.key, size.low, size.high, budget_rows, request.seed)
            method, share = "sample", min(1.0, budget_rows / span)  # until the rows say which keys they covered
            what = "rowids" if size.key in ROWID_NAMES else "primary keys"
            note = f"{RANGES} ranges of consecutive {what} from random starting points"
        else:
            statement += f" LIMIT {budget_rows}"
            method, share = "sample", None
            note = "the first rows of a plain scan, not a random sample: no rowid or integer primary key to sample ranges of"
    started = time.monotonic()
    try:
        cursor = session.connection.cursor()
        session.statements.append(statement)
        cursor.execute(statement, params)
        rows = batches(cursor.fetchmany)
        if ranges:
            coverage = _Coverage(ranges)
            rows = coverage.rows(rows)
        profile = aggregate(schema, table, rows, request, method=method, rows_estimated=size.rows,
                            pages_read_share=share, note=note, started=started, columns=read)  # fmt: skip
        cursor.close()
        if ranges:
            profile = _with(profile, pages_read_share=coverage.share(span))
    except sqlite3.OperationalError as exc:
        elapsed = time.monotonic() - started
        timeout = session.options.statement_timeout
        if "interrupted" in str(exc):
            if elapsed < timeout - 0.05:
                # The progress handler interrupts only past the timeout; sooner, it was Ctrl-C, which
                # Python's sqlite3 turns into an interruption when it lands inside the handler.
                raise KeyboardInterrupt from None
            return skipped(schema, table, timeout_reason(timeout, request.tier), elapsed)
        if "locked" in str(exc) or "busy" in str(exc):
            return skipped(schema, table, f"locked by another process: not read, rather than waiting longer than "
                                          f"{session.options.lock_timeout:g} s", elapsed)  # fmt: skip
        return skipped(schema, table, f"sqlite could not read it: {exc}", elapsed)
    if method == "sample" and share is None and profile.rows_read < budget_rows:
        profile = _with(profile, method="full", pages_read_share=1.0, note=None)  # the plain scan reached the end
    return profile


def look_up_keys(session: Session, lookups: Sequence[KeyLookup]) -> list[set | None]:
    """Which of each lookup's values are keys of its table: one statement, each part a primary-key
    lookup of a bounded IN list of parameters."""
    if not lookups:
        return []
    parts, params = [], []
    for i, lookup in enumerate(lookups):
        key = _quote(lookup.column)
        parts.append(f"SELECT {i}, {key} FROM {_quote(lookup.table)} WHERE {key} IN ({', '.join('?' * len(lookup.values))})")
        params += list(lookup.values)
    statement = " UNION ALL ".join(parts)
    session.statements.append(statement)
    started = time.monotonic()
    try:
        rows = session.connection.execute(statement, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc) and time.monotonic() - started < session.options.statement_timeout - 0.05:
            raise KeyboardInterrupt from None  # Ctrl-C, as in profile_table
        return [None] * len(lookups)  # locked, too many values for an old SQLite, timed out
    found: list[set | None] = [set() for _ in lookups]
    for position, key in rows:
        found[position].add(str(key))
    return found


def _key_ranges(columns: str, relation: str, key: str, low: int, high: int, budget_rows: int,
                seed: int) -> tuple[str, list, list[tuple[int, int, int]]]:  # fmt: skip
    """RANGES slices of consecutive keys from random starting points, each row followed by its key
    and its slice's number, and each slice's (start, end, row limit)."""
    per_range = max(1, math.ceil(budget_rows / RANGES))
    draw = random.Random(seed)
    span = high - low + 1
    parts, params, ranges = [], [], []
    for i in range(RANGES):
        start = low + int(span * (i + draw.random() * 0.5) / RANGES)
        end = low + int(span * (i + 1) / RANGES) if i + 1 < RANGES else high + 1
        parts.append(f"SELECT *, {i} FROM (SELECT {columns}, {key} FROM {relation} WHERE {key} >= ? AND {key} < ? "
                     f"ORDER BY {key} LIMIT ?)")
        params += [start, end, per_range]
        ranges.append((start, end, per_range))
    return " UNION ALL ".join(parts), params, ranges


class _Coverage:
    """Which keys a range sample covered: a slice that reached its row limit covered its keys up to
    the last one read, one that did not covered its whole range. Rows read over the keys covered is
    then the density of the table, so rows read / share estimates its rows (the evidence of deleted
    rows in key gaps), where the share of keys asked for would give back the span."""

    def __init__(self, ranges: list[tuple[int, int, int]]):
        self.ranges = ranges
        self.read = [0] * len(ranges)
        self.last: list[int | None] = [None] * len(ranges)

    def rows(self, rows):
        """The rows without their key and range number, counted per range as they pass."""
        for row in rows:
            index = row[-1]
            self.read[index] += 1
            self.last[index] = row[-2]
            yield row[:-2]

    def share(self, span: int) -> float:
        covered = 0
        for (start, end, limit), read, last in zip(self.ranges, self.read, self.last):
            covered += (last - start + 1) if read >= limit and isinstance(last, int) else end - start
        return min(1.0, max(covered, 1) / span)


def _with(profile: TableProfile, **changes) -> TableProfile:
    from dataclasses import replace

    return replace(profile, **changes)
