"""`--full` computed by the server: one aggregate statement per table instead of every row in Python.

The streamed full pass (every row through dayone.profile.accumulate) costs hundreds of times a
`count(*)`. Here the server computes what the accumulator would, and sends back a few rows:

- Which columns have few values is learnt first from the tier-1 sample (at most the sample's pages):
  a column with more than MAX_DISTINCT distinct values in the sample has more in the table (the
  sample is a subset of it), so its value set is not wanted, and it is aggregated on the server.
  Every other column (`value_columns`) is grouped by: the main statement is
  `SELECT <value columns>, count(*), <aggregates of the other columns> ... GROUP BY <value columns>`,
  one scan of the table, one row per combination of values. Each value then goes through the same
  accumulator as before, weighted by its rows: value sets, shapes, JSON paths and flags are exact.
- The other columns' figures are SQL aggregates: non-null counts, minimum and maximum, lengths,
  future times, floats with more than two decimals, e-mail and test-data patterns (the accumulator's
  regular expressions, in the server's dialect), created-vs-updated comparisons.
- Text whose sample has few signatures (Flavor.signature) is grouped by signature (with the values
  on PostgreSQL; in a statement of its own on MariaDB/MySQL, whose temporary table of every
  combination would outgrow memory), and its patterns counted in Python once per signature.
- Two things need values, read again only where they occur: text that may have a shape (starts
  with a digit, '+' or '(', or holds ':') or starts like a JSON document, grouped by value, and
  JSON columns with many distinct documents; and the minute histogram of creation times, whose
  densest hour is a spike (grouped by minute on the server, coarsened there like the accumulator).
- On PostgreSQL the statements that read the whole table are split by ctid range (Flavor.parts) in
  one UNION ALL, which the server may run in parallel; the parts' rows are merged here.

How each server spells all this: dayone.dialects.pushdown_sql.

What this cannot do the streamed pass does (`plan` returns None): a migration marker, an implicit
reference or a declared value list on a column of many values, text read as creation times.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from dayone.catalog.model import Column, Table
from dayone.dialects.pushdown_sql import NUMBERS, TEXTS, TIMES, Flavor, gated, pattern_gate, spike_statements, value_gate
from dayone.profile.accumulate import (
    MAX_DISTINCT,
    MAX_TIME_BUCKETS,
    TEST_PATTERNS,
    ColumnAccumulator,
    TimeOrderAccumulator,
    time_pairs,
)
from dayone.profile.model import TableProfile
from dayone.profile.options import TableRequest

__all__ = ["Flavor", "Plan", "choose", "classify_statement", "plan", "run"]

@dataclass
class Plan:
    """The statements of one table's pushed-down pass, and where each figure lands."""

    main: str
    value_columns: list[Column]
    signature_columns: list[Column] = field(default_factory=list)
    # per aggregated column: (figure, position in the main statement's row)
    figures: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # per (created, updated) pair: positions of its counts compared, later, earlier
    orders: list[tuple[tuple[str, str], tuple[int, int, int]]] = field(default_factory=list)
    details: list[tuple[Column, str]] = field(default_factory=list)  # (column, statement of its values)
    gates: dict[str, int] = field(default_factory=dict)  # column -> position of its count of values to read again
    spikes: list[tuple[Column, tuple[str, Callable[[int], str]]]] = field(default_factory=list)  # (hours, buckets of a width)
    documents_as_text: bool = False  # JSON arrives as text (PostgreSQL: see its dialect), parsed here
    signature_statement: str | None = None  # the signatures grouped on their own, when not in `main`
    # value columns grouped by a prefix: column -> (position of its count of longer values, statement of those)
    longer: dict[str, tuple[int, str]] = field(default_factory=dict)


def plan(flavor: Flavor, relation: str, table: Table, request: TableRequest, value_names: set[str],
         signature_names: Sequence[str] = ()) -> Plan | None:
    """The pushed-down statements of `table`, or None when the streamed pass must do it.
    `signature_names`: text columns grouped by their signature (Flavor.signature), whose e-mail and
    test-data patterns and lengths are then counted here, once per signature."""
    columns = list(table.columns)
    names = {c.name for c in columns}
    if request.marker is not None:
        return None
    if not set(request.lookup_columns) <= value_names or not {c for c, _ in request.value_lists if c in names} <= value_names:
        return None
    spiky = set(request.spike_columns)
    for column in columns:
        if column.name in spiky and column.name not in value_names and column.normalized_type not in TIMES:
            return None  # text read as times: the streamed pass parses them
    pairs = time_pairs(columns)
    kinds = {c.name: c.normalized_type for c in columns}
    for created, updated in pairs:
        if not (kinds[created] == kinds[updated] and kinds[created] in TIMES + NUMBERS):
            return None
    value_columns = [c for c in columns if c.name in value_names]
    signed = [c for c in columns if c.name in set(signature_names) and c.name not in value_names and c.normalized_type in TEXTS]
    grouped = [flavor.group_key(c) for c in value_columns]
    signatures = [flavor.signature(flavor.quote(c.name)) for c in signed]
    keys = [key for key, _ in grouped]
    result = Plan(main="", value_columns=value_columns, signature_columns=signed, documents_as_text=flavor.postgres)
    if flavor.postgres:
        keys += signatures  # one hash table of every combination (in memory: work_mem)
    elif signatures:
        # MariaDB/MySQL: a temporary table of every combination of values and signatures outgrows memory
        # (the sample sees a fraction of the signatures) and goes to disk: the signatures on their own
        group = ", ".join(str(i + 1) for i in range(len(signatures)))
        result.signature_statement = f"SELECT {', '.join(signatures)}, count(*) FROM {relation} GROUP BY {group} ORDER BY NULL"
    select = keys + ["count(*)"]
    for column, (_, longer) in zip(value_columns, grouped, strict=True):
        if longer is not None:  # values cut short in the main statement: those grouped whole, read again if any
            whole = flavor.whole_key(column)
            result.longer[column.name] = (len(select), f"SELECT {whole}, count(*) FROM {relation} WHERE {longer} GROUP BY 1")
            select.append(flavor.count_if(longer))

    def add(column: str, figure: str, sql: str) -> None:
        if sql in select[len(keys):]:  # the same aggregate for two figures (count(id): non-null and numbers): once
            result.figures.setdefault(column, []).append((figure, select.index(sql, len(keys))))
            return
        result.figures.setdefault(column, []).append((figure, len(select)))
        select.append(sql)

    for column in columns:
        if column.name in value_names:
            continue
        q = flavor.quote(column.name)
        kind = column.normalized_type
        add(column.name, "non_null", f"count({q})")
        if kind in NUMBERS:
            guard = flavor.not_nan(column, q)
            value = f"CASE WHEN {guard} THEN {q} END" if guard else q
            add(column.name, "minimum", f"min({value})")
            add(column.name, "maximum", f"max({value})")
            add(column.name, "numbers", f"count({value})")
            if kind == "float":
                add(column.name, "beyond_cents", flavor.count_if(flavor.beyond_cents(q)))
        elif kind in TIMES:
            finite = flavor.moment(column, q)
            add(column.name, "minimum", f"min(CASE WHEN {finite} THEN {q} END)")
            add(column.name, "maximum", f"max(CASE WHEN {finite} THEN {q} END)")
            add(column.name, "numbers", flavor.count_if(finite))
            add(column.name, "future", flavor.count_if(f"{finite} AND {q} > {flavor.literal_time(column, request.now)}"))
            if column.name in spiky:
                result.spikes.append((column, spike_statements(flavor, relation, column)))
        elif kind in TEXTS and column in signed:
            # the signature keeps what the gate looks at (digits stay digits): gated signatures, in Python
            gate = value_gate(flavor, q)
            result.details.append((column, f"SELECT {q}, count(*) FROM {relation} WHERE {gate} GROUP BY {q}"))
        elif kind in TEXTS:
            add(column.name, "min_length", f"min({flavor.length(q)})")
            add(column.name, "max_length", f"max({flavor.length(q)})")
            at = flavor.holds(q, "@")
            add(column.name, "email_like", flavor.count_if(f"{at} AND {flavor.email(q)}"))
            # each pattern behind a test that costs no regular expression, where one can say no
            tests = [f"({pattern_gate(flavor, q, pattern.pattern)}{flavor.matches(q, pattern.pattern)})" for _, pattern in TEST_PATTERNS]
            for (label, _), test in zip(TEST_PATTERNS, tests, strict=True):
                add(column.name, f"test:{label}", flavor.count_if(test))
            add(column.name, "test_like", flavor.count_if("(" + " OR ".join(tests) + ")"))
            gate = value_gate(flavor, q)
            result.gates[column.name] = len(select)
            select.append(flavor.count_if(gate))
            result.details.append((column, f"SELECT {q}, count(*) FROM {relation} WHERE {gate} GROUP BY {q}"))
        elif kind == "json":
            expr = flavor.value_expr(column)
            result.details.append((column, f"SELECT {expr}, count(*) FROM {relation} WHERE {q} IS NOT NULL GROUP BY {expr}"))
        elif kind == "other" and flavor.postgres and column.declared_type.split("(")[0] in ("inet", "cidr"):
            add(column.name, "ip_like", f"count({q})")
    for created, updated in pairs:
        c, u = flavor.quote(created), flavor.quote(updated)
        column = next(col for col in columns if col.name == created)
        if kinds[created] in TIMES:
            both = f"{flavor.moment(column, c)} AND {flavor.moment(column, u)}"
            second = "interval '1 second'" if flavor.postgres else "INTERVAL 1 SECOND"
            later, earlier = f"{u} > {c} + {second}", f"{u} < {c} - {second}"
        else:
            guard_c, guard_u = flavor.not_nan(column, c), flavor.not_nan(column, u)
            both = " AND ".join([f"{c} IS NOT NULL AND {u} IS NOT NULL"] + [g for g in (guard_c, guard_u) if g])
            later, earlier = f"{u} - {c} > 1", f"{u} - {c} < -1"
        start = len(select)
        select.extend([flavor.count_if(both), flavor.count_if(f"{both} AND {later}"), flavor.count_if(f"{both} AND {earlier}")])
        result.orders.append(((created, updated), (start, start + 1, start + 2)))
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    if keys and not flavor.postgres:
        group += " ORDER BY NULL"  # MariaDB/MySQL would sort the groups: no order is needed
    result.main = flavor.split(lambda part: f"SELECT {', '.join(select)} FROM {relation} WHERE {part}{group}")
    return result




def _decoded(value, column: Column, documents: bool = False):
    """A text key grouped as bytes (Flavor.group_key, Flavor.signature) as the driver hands text over;
    with `documents`, a JSON document read as text (PostgreSQL) as the driver would parse it."""
    if isinstance(value, bytes | bytearray) and column.normalized_type in TEXTS + ("enum", "json"):
        value = value.decode("utf-8")
    if documents and isinstance(value, str) and column.normalized_type == "json":
        return json.loads(value)
    return value


def _merged(rows) -> list[list]:
    """Time buckets (start, rows, earliest, latest[, bitmap of minutes]) of several parts, one per start."""
    buckets: dict = {}
    for row in rows:
        known = buckets.get(row[0])
        if known is None:
            buckets[row[0]] = list(row)
            continue
        known[1] += row[1]
        known[2], known[3] = min(known[2], row[2]), max(known[3], row[3])
        if len(row) > 4:
            known[4] = int(known[4]) | int(row[4])
    return list(buckets.values())




def classify_statement(flavor: Flavor, table: Table, sample_from: str) -> str:
    """Distinct values of each column in a bounded sample (more than MAX_DISTINCT there: more in the
    table), then distinct signatures of each text column."""
    parts = []
    for column in table.columns:
        q = flavor.quote(column.name)
        if column.normalized_type == "binary":
            expr = f"octet_length({q})" if flavor.postgres else f"LENGTH({q})"  # a value set of bytes shows lengths
        elif flavor.postgres:
            expr = f"{q}::text"
        else:
            expr = q
        parts.append(f"count(DISTINCT {expr})")
    for column in table.columns:
        if column.normalized_type in TEXTS:
            parts.append(f"count(DISTINCT {flavor.signature(flavor.quote(column.name))})")
    return f"SELECT {', '.join(parts) or '0'} FROM {sample_from}"


def choose(table: Table, counts: Sequence[int]) -> tuple[set[str], list[str]]:
    """From the classifying statement's row: the columns grouped by value, and the text columns grouped
    by signature (few signatures in the sample, and not too many combinations with the others)."""
    counts = [int(n) for n in counts]
    columns = list(table.columns)
    values = {c.name for c, n in zip(columns, counts, strict=False) if n <= MAX_DISTINCT}
    combinations = 1
    for column, n in zip(columns, counts, strict=False):
        if column.name in values:
            combinations *= max(1, n)
    texts = [c for c in columns if c.normalized_type in TEXTS]
    signed = []
    for n, column in sorted(zip(counts[len(columns):], texts, strict=True), key=lambda pair: pair[0]):
        if column.name not in values and n <= MAX_SIGNATURES and combinations * max(1, n) <= MAX_COMBINATIONS:
            signed.append(column.name)
            combinations *= max(1, n)
    return values, signed


MAX_SIGNATURES = 500  # signatures of a text column in the sample, at most, to group by them
MAX_COMBINATIONS = 20_000  # rows the main statement may return, as the sample foresees them


def run(
    schema: str,
    table: Table,
    request: TableRequest,
    found: Plan,
    query: Callable[[str], object],
    *,
    rows_estimated: int | None,
) -> TableProfile:
    """Run the plan's statements through `query` (an iterable of rows per statement) into the profile."""
    from dayone.profile.accumulate import _as_datetime

    keys = set(table.primary_key.columns) if table.primary_key else set()
    private = set(request.private_columns)
    lists = dict(request.value_lists)
    collected = set(request.lookup_columns)
    spiky = set(request.spike_columns)
    accumulators = {
        c.name: ColumnAccumulator(c, request.now, request.keep_values, c.name in spiky, c.name in keys, private=c.name in private,
                                  allowed=lists.get(c.name), fold_case=request.fold_case, collect=c.name in collected)
        for c in table.columns
    }  # fmt: skip
    joint = found.signature_columns if found.signature_statement is None else []  # signatures grouped in `main`
    width = len(found.value_columns) + len(joint)
    signatures: dict[str, Counter] = {c.name: Counter() for c in found.signature_columns}
    rows_read = 0
    merged: dict[int, object] = {}
    kinds = {position: "min" if figure in ("minimum", "min_length") else "max" if figure in ("maximum", "max_length") else "sum"
             for figures in found.figures.values() for figure, position in figures}  # fmt: skip
    longer = {column.name: found.longer.get(column.name, (None, ""))[0] for column in found.value_columns}
    # each value column's rows per value, added to its accumulator once per value (not once per
    # combination: a JSON document is parsed and walked once)
    weights: dict[str, dict] = {column.name: {} for column in found.value_columns}
    for row in query(found.main):
        weight = row[width]
        rows_read += weight
        for column, value in zip(found.value_columns, row, strict=False):
            position = longer[column.name]
            cut = int(row[position] or 0) if position is not None else 0  # values longer than their key: read again
            if weight > cut:
                counted = weights[column.name]
                try:
                    counted[value] = counted.get(value, 0) + weight - cut
                except TypeError:  # unhashable (an array): added as it comes
                    accumulators[column.name].add(_decoded(value, column, found.documents_as_text), weight - cut)
        for column, value in zip(joint, row[len(found.value_columns):width], strict=True):
            if value is not None:
                signatures[column.name][_decoded(value, column)] += weight
        for position in range(width + 1, len(row)):
            value = row[position]
            if value is None:
                continue
            kind = kinds.get(position, "sum")
            known = merged.get(position)
            if known is None:
                merged[position] = value
            elif kind == "min":
                merged[position] = min(known, value)
            elif kind == "max":
                merged[position] = max(known, value)
            else:
                merged[position] = known + value
    for column in found.value_columns:
        for value, weight in weights[column.name].items():
            accumulators[column.name].add(_decoded(value, column, found.documents_as_text), weight)
    if found.signature_statement is not None:
        for *values, weight in query(found.signature_statement):
            for column, value in zip(found.signature_columns, values, strict=True):
                if value is not None:
                    signatures[column.name][_decoded(value, column)] += weight
    for name, (position, statement) in found.longer.items():
        if merged.get(position):
            column = next(c for c in found.value_columns if c.name == name)
            for value, weight in query(statement):
                accumulators[name].add(_decoded(value, column), int(weight))
    for name, figures in found.figures.items():
        accumulator = accumulators[name]
        accumulator.counts = None  # more distinct values than MAX_DISTINCT: the sample showed it
        for figure, position in figures:
            value = merged.get(position)
            if figure == "non_null":
                accumulator.non_null = int(value or 0)
                accumulator.nulls = rows_read - accumulator.non_null
            elif figure in ("minimum", "maximum", "min_length", "max_length"):
                setattr(accumulator, figure, value)
            elif figure in ("numbers", "future", "email_like", "test_like"):
                setattr(accumulator, figure, int(value or 0))
            elif figure.startswith("test:"):
                if value:
                    accumulator.test_labels[figure[5:]] += int(value)
            else:  # beyond_cents, ip_like
                if value:
                    accumulator.shapes[figure] += int(value)
    for name, counted in signatures.items():
        accumulator = accumulators[name]
        for signature, weight in counted.items():
            accumulator._text_counted(signature, weight)
    for column, statement in found.details:
        if column.name in signatures:
            wanted = any(map(gated, signatures[column.name]))
        else:
            wanted = column.normalized_type not in TEXTS or merged.get(found.gates[column.name])
        if not wanted:
            continue  # no value of it has a shape or starts like a JSON document: nothing to read again
        accumulator = accumulators[column.name]
        for value, weight in query(statement):
            if column.normalized_type in TEXTS:
                accumulator._text(value, weight, server_counted=True)
            else:
                accumulator._json(accumulator._parse(value) if isinstance(value, str | bytes) else value, weight)
    for column, (hours_sql, buckets_sql) in found.spikes:
        accumulator = accumulators[column.name]
        hours = _merged(query(hours_sql))  # each part's hours (an hour may span two parts)
        if len(hours) > MAX_TIME_BUCKETS:
            accumulator.minutes = None  # more hours than the accumulator keeps: no spike is looked for
            continue
        minutes = sum(bin(int(bits)).count("1") for *_, bits in hours)
        tens = sum(1 for *_, bits in hours for k in range(6) if (int(bits) >> (10 * k)) & 0x3FF)
        granularity = 1 if minutes <= MAX_TIME_BUCKETS else 10 if tens <= MAX_TIME_BUCKETS else 60
        rows = [row[:4] for row in hours] if granularity == 60 else _merged(query(buckets_sql(60 * granularity)))
        for start, count, low, high in rows:
            first, last = _as_datetime(low), _as_datetime(high)
            key = datetime.fromtimestamp(int(start), first.tzinfo or timezone.utc)
            accumulator.minutes[key] += int(count)
            accumulator.minute_bounds[key] = [first, low, last, high]
        accumulator.bucket = timedelta(minutes=granularity)
    orders = []
    for names, (compared, later, earlier) in found.orders:
        done = TimeOrderAccumulator(0, 0, names)
        done.compared, done.later, done.earlier = (int(merged.get(p) or 0) for p in (compared, later, earlier))
        done.same = done.compared - done.later - done.earlier
        orders.append(done.result())
    return TableProfile(
        schema=schema,
        table=table.name,
        method="full",
        rows_read=rows_read,
        rows_estimated=rows_estimated,
        pages_read_share=1.0,
        columns=tuple(accumulators[c.name].result() for c in table.columns),
        time_orders=tuple(orders),
        lookup_values={n: v for n in collected if (v := accumulators[n].lookup_values())} or None,
    )
