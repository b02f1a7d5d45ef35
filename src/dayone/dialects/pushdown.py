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
- Two things need values, read again only where they occur: text that may have a shape (starts
  with a digit, '+' or '(', or holds ':') or starts like a JSON document, grouped by value, and
  JSON columns with many distinct documents; and the minute histogram of creation times, whose
  densest hour is a spike (grouped by minute on the server, coarsened there like the accumulator).

What this cannot do the streamed pass does (`plan` returns None): a migration marker, an implicit
reference or a declared value list on a column of many values, text read as creation times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from dayone.catalog.model import Column, Table
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

NUMBERS = ("integer", "decimal", "float")
TIMES = ("timestamp", "timestamptz", "date")
TEXTS = ("string", "text")
# The accumulator's patterns, as each server's regular expressions spell them. Python's `$` also
# matches before a final newline; PostgreSQL's does not: `\n?$`. PostgreSQL's word boundary is \y.
EMAIL_PG = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}\n?$"
EMAIL_MY = r"(?i)^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
SHAPE_GATE_PG = r"^[0-9+(]|:"  # the accumulator looks for a shape only in such text
JSON_GATE_PG = r"^\s*[{[]"
SHAPE_GATE_MY = r"^[0-9+(]|:"
JSON_GATE_MY = r"^\s*[{\[]"


def _pg_pattern(pattern: str) -> str:
    return pattern.replace(r"\b", r"\y").replace("$", r"\n?$")


@dataclass(frozen=True)
class Flavor:
    """What differs between the servers: quoting, regular expressions, lengths, times."""

    engine: str
    quote: Callable[[str], str]

    @property
    def postgres(self) -> bool:
        return self.engine == "postgresql"

    def literal(self, text: str) -> str:
        # MariaDB/MySQL strings take backslash escapes (unless NO_BACKSLASH_ESCAPES); PostgreSQL's do not
        text = text.replace("'", "''")
        return f"'{text}'" if self.postgres else "'" + text.replace("\\", "\\\\") + "'"

    def matches(self, expr: str, pattern: str) -> str:
        """Case-insensitive search with one of the accumulator's (re.IGNORECASE) patterns."""
        if self.postgres:
            return f"{expr} ~* {self.literal(_pg_pattern(pattern))}"
        return f"{expr} REGEXP {self.literal('(?i)' + pattern)}"

    def signature(self, expr: str) -> str:
        """The value with the digits 2 to 9 written 2: EMAIL and every pattern of TEST_PATTERNS give the
        same answer for both (they tell digits apart only in '10minutemail'), and the lengths are the
        same, so those are counted once per signature, in Python, with the accumulator's own code."""
        for digit in "3456789":  # nested replace(): a third of what translate() costs on PostgreSQL
            expr = f"REPLACE({expr}, '{digit}', '2')"
        return expr

    def holds(self, expr: str, character: str) -> str:
        return f"strpos({expr}, '{character}') > 0" if self.postgres else f"LOCATE('{character}', {expr}) > 0"

    def email(self, expr: str) -> str:
        if self.postgres:
            return f"{expr} ~* {self.literal(EMAIL_PG)}"
        return f"{expr} REGEXP {self.literal(EMAIL_MY)}"

    def length(self, expr: str) -> str:
        return f"char_length({expr})"

    def count_if(self, condition: str) -> str:
        return f"count(*) FILTER (WHERE {condition})" if self.postgres else f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def value_expr(self, column: Column) -> str:
        """A value-set column as grouped: exactly as the driver would hand over its values."""
        q = self.quote(column.name)
        if self.postgres:
            return f"{q}::jsonb" if column.declared_type == "json" else q
        if column.normalized_type in TEXTS or column.normalized_type == "enum":
            # the column's collation may ignore case and trailing spaces: 'A' and 'a ' are two values
            return f"CONVERT({q} USING utf8mb4) COLLATE utf8mb4_bin"
        return q

    def moment(self, column: Column, expr: str) -> str:
        """A time as the accumulator reads it: finite, in years 1 to 9999 (else the driver hands over text)."""
        if self.postgres:
            return f"(isfinite({expr}) AND {expr} >= '0001-01-01' AND {expr} < '10000-01-01')"
        return f"({expr} >= '0001-01-01')"  # zero dates arrive as text

    def epoch_seconds(self, expr: str) -> str:
        """Seconds since 1970 of a time, naive times read as UTC (as the accumulator reads them)."""
        if self.postgres:
            return f"extract(epoch FROM {expr})"
        return f"TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {expr})"

    def literal_time(self, column: Column, now: datetime) -> str:
        if column.normalized_type == "date":
            return self.literal(now.astimezone(timezone.utc).date().isoformat())
        if column.normalized_type == "timestamptz" and self.postgres:
            return self.literal(now.isoformat()) + "::timestamptz"
        naive = now.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
        return self.literal(naive) + ("::timestamp" if self.postgres else "")

    def not_nan(self, column: Column, expr: str) -> str | None:
        if self.postgres and column.normalized_type in ("decimal", "float"):
            return f"{expr} <> 'NaN'"
        return None

    def beyond_cents(self, expr: str) -> str:
        """A float whose shortest decimal form has more than two decimals: value != round(value, 2)."""
        if self.postgres:
            return f"({expr} <> 'NaN' AND {expr}::text::numeric <> round({expr}::text::numeric, 2))"
        return f"(CAST(CAST({expr} AS CHAR) AS DECIMAL(65, 30)) <> ROUND(CAST(CAST({expr} AS CHAR) AS DECIMAL(65, 30)), 2))"


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
    keys = [flavor.value_expr(c) for c in value_columns] + [flavor.signature(flavor.quote(c.name)) for c in signed]
    select = keys + ["count(*)"]
    result = Plan(main="", value_columns=value_columns, signature_columns=signed)

    def add(column: str, figure: str, sql: str) -> None:
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
                result.spikes.append((column, _spike_statement(flavor, relation, column)))
        elif kind in TEXTS and column in signed:
            gate = _gate(flavor, q)
            result.gates[column.name] = len(select)
            select.append(flavor.count_if(gate))
            result.details.append((column, f"SELECT {q}, count(*) FROM {relation} WHERE {gate} GROUP BY {q}"))
        elif kind in TEXTS:
            add(column.name, "min_length", f"min({flavor.length(q)})")
            add(column.name, "max_length", f"max({flavor.length(q)})")
            at = flavor.holds(q, "@")
            add(column.name, "email_like", flavor.count_if(f"{at} AND {flavor.email(q)}"))
            # each pattern behind a test that costs no regular expression, where one can say no
            tests = [f"({_gate_of(flavor, q, pattern.pattern)}{flavor.matches(q, pattern.pattern)})" for _, pattern in TEST_PATTERNS]
            for (label, _), test in zip(TEST_PATTERNS, tests, strict=True):
                add(column.name, f"test:{label}", flavor.count_if(test))
            add(column.name, "test_like", flavor.count_if("(" + " OR ".join(tests) + ")"))
            gate = _gate(flavor, q)
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
    result.main = f"SELECT {', '.join(select)} FROM {relation}{group}"
    return result


def _gate_of(flavor: Flavor, q: str, pattern: str) -> str:
    """A cheap necessary condition of a test pattern (its first character or its '@' / '+'), and AND."""
    if pattern.startswith("@"):
        return f"{flavor.holds(q, '@')} AND "
    if pattern.startswith("^(qa|test|testing|dev)"):
        return f"{flavor.holds(q, '+')} AND "
    if pattern.startswith("^(qa[ _-]?)?"):
        return f"upper(left({q}, 1)) IN ('Q', 'T', 'D', 'F', 'A', 'L', 'B', 'X') AND "
    return ""


def _gate(flavor: Flavor, q: str) -> str:
    """Text the accumulator must see value by value (it may have a shape, or be a JSON document): a
    cheap superset of its test (a digit, '+' or '(' first, or ':', '{' or '[' anywhere)."""
    first = ", ".join(f"'{c}'" for c in "0123456789+(")
    holds = " OR ".join(flavor.holds(q, c) for c in ":{[")
    return f"(left({q}, 1) IN ({first}) OR {holds})"


def _spike_statement(flavor: Flavor, relation: str, column: Column) -> tuple[str, Callable[[int], str]]:
    """Creation times, bucketed as the accumulator buckets them (minutes; 10 minutes, then hours, past
    MAX_TIME_BUCKETS; past that, none). First the hours, each with a bitmap of its minutes: how many
    minutes and 10-minute buckets there are follows, and the hours are the buckets when neither fits.
    Then, when minutes or 10-minute buckets fit, those (at most MAX_TIME_BUCKETS groups either way)."""
    q = flavor.quote(column.name)
    if flavor.postgres:  # timestamp arithmetic: extract(epoch ...) is numeric, several times slower
        kind = "timestamptz" if column.normalized_type == "timestamptz" else "timestamp"
        origin, moment = f"{kind} 'epoch'", f"{q}::{kind}"
        rows = f"SELECT {q} AS v, date_bin('1 hour', {moment}, {origin}) AS h FROM {relation} WHERE {flavor.moment(column, q)}"
        hours = (f"SELECT extract(epoch FROM h), count(*), min(v), max(v), bit_or(1::int8 << date_part('minute', v::{kind} - h)::int) "
                 f"FROM ({rows}) s GROUP BY h LIMIT {MAX_TIME_BUCKETS + 1}")  # fmt: skip

        def buckets(width: int) -> str:
            bucket = f"date_bin('{width} seconds', {moment}, {origin})"
            return f"SELECT extract(epoch FROM {bucket}), count(*), min({q}), max({q}) FROM {relation} WHERE {flavor.moment(column, q)} GROUP BY {bucket}"

        return hours, buckets
    seconds = f"SELECT {q} AS v, {flavor.epoch_seconds(q)} AS e FROM {relation} WHERE {flavor.moment(column, q)}"
    bit = "(1 << (FLOOR(e / 60) - 60 * FLOOR(e / 3600)))"
    hours = (f"SELECT floor(e / 3600) * 3600, count(*), min(v), max(v), bit_or({bit}) FROM ({seconds}) s "
             f"GROUP BY floor(e / 3600) LIMIT {MAX_TIME_BUCKETS + 1}")  # fmt: skip

    def buckets(width: int) -> str:
        return f"SELECT floor(e / {width}) * {width}, count(*), min(v), max(v) FROM ({seconds}) s GROUP BY floor(e / {width})"

    return hours, buckets


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
    width = len(found.value_columns) + len(found.signature_columns)
    signatures: dict[str, Counter] = {c.name: Counter() for c in found.signature_columns}
    rows_read = 0
    merged: dict[int, object] = {}
    kinds = {position: "min" if figure in ("minimum", "min_length") else "max" if figure in ("maximum", "max_length") else "sum"
             for figures in found.figures.values() for figure, position in figures}  # fmt: skip
    for row in query(found.main):
        weight = row[width]
        rows_read += weight
        for column, value in zip(found.value_columns, row, strict=False):
            accumulators[column.name].add(value, weight)
        for column, value in zip(found.signature_columns, row[len(found.value_columns):width], strict=True):
            if value is not None:
                signatures[column.name][value] += weight
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
        if column.normalized_type in TEXTS and not merged.get(found.gates[column.name]):
            continue  # no value of it has a shape or starts like a JSON document: nothing to read again
        accumulator = accumulators[column.name]
        for value, weight in query(statement):
            if column.normalized_type in TEXTS:
                accumulator._text(value, weight, server_counted=True)
            else:
                accumulator._json(accumulator._parse(value) if isinstance(value, str | bytes) else value, weight)
    for column, (hours_sql, buckets_sql) in found.spikes:
        accumulator = accumulators[column.name]
        hours = list(query(hours_sql))
        if len(hours) > MAX_TIME_BUCKETS:
            accumulator.minutes = None  # more hours than the accumulator keeps: no spike is looked for
            continue
        minutes = sum(bin(int(bits)).count("1") for *_, bits in hours)
        tens = sum(1 for *_, bits in hours for k in range(6) if (int(bits) >> (10 * k)) & 0x3FF)
        granularity = 1 if minutes <= MAX_TIME_BUCKETS else 10 if tens <= MAX_TIME_BUCKETS else 60
        rows = [row[:4] for row in hours] if granularity == 60 else query(buckets_sql(60 * granularity))
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
