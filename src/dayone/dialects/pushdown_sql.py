"""How the pushed-down `--full` statements are spelled on each server (dayone.dialects.pushdown).

Quoting, regular expressions, lengths, times, the keys text is grouped by, the cheap tests that say
which values must be read again, and the creation-time buckets: PostgreSQL and MariaDB/MySQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from dayone.catalog.model import Column
from dayone.profile.accumulate import MAX_TIME_BUCKETS

NUMBERS = ("integer", "decimal", "float")
TIMES = ("timestamp", "timestamptz", "date")
TEXTS = ("string", "text")
# The accumulator's patterns, as each server's regular expressions spell them. Python's `$` also
# matches before a final newline; PostgreSQL's does not: `\n?$`. PostgreSQL's word boundary is \y.
EMAIL_PG = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}\n?$"
EMAIL_MY = r"(?i)^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
# text the accumulator must see value by value starts so or holds one of these (a superset of its
# test for a shape or a JSON document)
GATE_FIRST, GATE_ANYWHERE = tuple("0123456789+("), ":{["


def _pg_pattern(pattern: str) -> str:
    return pattern.replace(r"\b", r"\y").replace("$", r"\n?$")


@dataclass(frozen=True)
class Flavor:
    """What differs between the servers: quoting, regular expressions, lengths, times."""

    engine: str
    quote: Callable[[str], str]
    # conditions that split the table's pages (PostgreSQL: ranges of ctid), one statement per part in
    # one UNION ALL, which the server may hand to parallel workers, each part to one; () : not split
    parts: tuple[str, ...] = ()

    def split(self, statement: Callable[[str], str]) -> str:
        """`statement(condition)` over every part of the table (the condition ANDed to its WHERE)."""
        if len(self.parts) < 2:
            return statement("TRUE" if self.postgres else "1")
        return " UNION ALL ".join(f"({statement(part)})" for part in self.parts)

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
        if not self.postgres:  # UTF-8 bytes (see group_key), replaced byte by byte: a quarter cheaper
            expr = f"CAST(CONVERT({expr} USING utf8mb4) AS BINARY)"  # (no byte of a multi-byte character is a digit)
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

    def group_key(self, column: Column) -> tuple[str, str | None]:
        """A value-set column as the main statement groups it, and where its values may be cut short, the
        condition of a value that is. MariaDB/MySQL text is grouped as UTF-8 bytes (decoded in Python):
        a case-insensitive or padded collation would merge 'A' and 'a ', and bytes hash for less. Longer
        text (TEXT, JSON) by its first PREFIX_BYTES bytes: the server keeps a short key in memory but
        puts any group keyed by a BLOB in a table on disk, which costs more than the rest of the scan."""
        if self.postgres or not (column.normalized_type in TEXTS or column.normalized_type in ("enum", "json")):
            return self.value_expr(column), None
        utf8 = f"CONVERT({self.quote(column.name)} USING utf8mb4)"
        if column.normalized_type in ("text", "json"):
            return f"SUBSTRING(CAST({utf8} AS BINARY), 1, {PREFIX_BYTES})", f"OCTET_LENGTH({utf8}) > {PREFIX_BYTES}"
        return f"CAST({utf8} AS BINARY)", None

    def whole_key(self, column: Column) -> str:
        """group_key without a prefix: a value-set column's values that are longer than it keeps."""
        if self.postgres:
            return self.value_expr(column)
        return f"CAST(CONVERT({self.quote(column.name)} USING utf8mb4) AS BINARY)"

    def moment(self, column: Column, expr: str) -> str:
        """A time as the accumulator reads it: finite, in years 1 to 9999 (else the driver hands over text)."""
        if self.postgres:
            return f"(isfinite({expr}) AND {expr} >= '0001-01-01' AND {expr} < '10000-01-01')"
        return f"({expr} >= '0001-01-01')"  # zero dates arrive as text

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


PREFIX_BYTES = 255  # of MariaDB/MySQL TEXT and JSON values grouped in the main statement (Flavor.group_key)



def pattern_gate(flavor: Flavor, q: str, pattern: str) -> str:
    """A cheap necessary condition of a test pattern (its first character or its '@' / '+'), and AND."""
    if pattern.startswith("@"):
        return f"{flavor.holds(q, '@')} AND "
    if pattern.startswith("^(qa|test|testing|dev)"):
        return f"{flavor.holds(q, '+')} AND "
    if pattern.startswith("^(qa[ _-]?)?"):
        return f"upper(left({q}, 1)) IN ('Q', 'T', 'D', 'F', 'A', 'L', 'B', 'X') AND "
    return ""


def value_gate(flavor: Flavor, q: str) -> str:
    """Text the accumulator must see value by value (it may have a shape, or be a JSON document): a
    cheap superset of its test (a digit, '+' or '(' first, or ':', '{' or '[' anywhere)."""
    first = ", ".join(f"'{c}'" for c in GATE_FIRST)
    holds = " OR ".join(flavor.holds(q, c) for c in GATE_ANYWHERE)
    return f"(left({q}, 1) IN ({first}) OR {holds})"


def gated(text: str) -> bool:
    """_gate's test in Python (of a value or of its signature: digits stay digits)."""
    return text[:1] in GATE_FIRST or any(c in text for c in GATE_ANYWHERE)


def spike_statements(flavor: Flavor, relation: str, column: Column) -> tuple[str, Callable[[int], str]]:
    """Creation times, bucketed as the accumulator buckets them (minutes; 10 minutes, then hours, past
    MAX_TIME_BUCKETS; past that, none). First the hours, each with a bitmap of its minutes: how many
    minutes and 10-minute buckets there are follows, and the hours are the buckets when neither fits.
    Then, when minutes or 10-minute buckets fit, those (at most MAX_TIME_BUCKETS groups either way)."""
    q = flavor.quote(column.name)
    if flavor.postgres:  # timestamp arithmetic: extract(epoch ...) is numeric, several times slower
        kind = "timestamptz" if column.normalized_type == "timestamptz" else "timestamp"
        origin, moment = f"{kind} 'epoch'", f"{q}::{kind}"
        where = f"FROM {relation} WHERE {flavor.moment(column, q)}"
        rows = f"SELECT {q} AS v, date_bin('1 hour', {moment}, {origin}) AS h {where}"
        hours = flavor.split(lambda part: f"SELECT extract(epoch FROM h), count(*), min(v), max(v), bit_or(1::int8 << date_part('minute', v::{kind} - h)::int) "
                                          f"FROM ({rows} AND {part}) s GROUP BY h LIMIT {MAX_TIME_BUCKETS + 1}")  # fmt: skip

        def buckets(width: int) -> str:
            bucket = f"date_bin('{width} seconds', {moment}, {origin})"
            return flavor.split(lambda part: f"SELECT extract(epoch FROM {bucket}), count(*), min({q}), max({q}) {where} AND {part} GROUP BY {bucket}")

        return hours, buckets
    # integer seconds since year 0 (positive from year 1 on: DIV is floor), where TIMESTAMPDIFF and
    # decimal division cost twice as much; 1970 is a whole number of hours after year 0
    seconds, where = f"TO_SECONDS({q})", f"FROM {relation} WHERE {flavor.moment(column, q)}"
    hours = (f"SELECT {seconds} DIV 3600 * 3600 - {YEAR0_TO_1970}, count(*), min({q}), max({q}), bit_or(1 << ({seconds} DIV 60 MOD 60)) "
             f"{where} GROUP BY {seconds} DIV 3600 ORDER BY NULL LIMIT {MAX_TIME_BUCKETS + 1}")  # fmt: skip

    def buckets(width: int) -> str:
        return f"SELECT {seconds} DIV {width} * {width} - {YEAR0_TO_1970}, count(*), min({q}), max({q}) {where} GROUP BY {seconds} DIV {width} ORDER BY NULL"

    return hours, buckets


YEAR0_TO_1970 = 62_167_219_200  # MariaDB/MySQL TO_SECONDS('1970-01-01')
