"""What profiling learned about the data: aggregates only, each saying how it was obtained.

A profile never holds rows. The only values it keeps are the value sets of low-cardinality columns
(`top_values`), and those can be switched off (`ProfileOptions.keep_values=False`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ROWID = "rowid"  # the name under which a profile reports SQLite's hidden row id

# How a number was obtained, said in every finding that uses it.
Method = Literal["statistics", "sample", "full", "skipped"]


@dataclass(frozen=True)
class ValueCount:
    value: str
    count: int  # rows with this value among the rows read (or the server's estimate, for statistics)


@dataclass(frozen=True)
class JsonPath:
    """One key path seen in a JSON column: `$.grader`, `$.subgrades.centering`, `$.tags[*]`."""

    path: str
    present: int  # documents (rows) in which the path occurs
    types: dict[str, int] = field(default_factory=dict)  # JSON type -> occurrences: object, array, string, number, boolean, null


@dataclass(frozen=True)
class JsonShape:
    documents: int  # non-null values that parsed as JSON
    invalid: int  # non-null values that did not
    paths: tuple[JsonPath, ...] = ()
    truncated: bool = False  # more distinct paths than dayone keeps (MAX_JSON_PATHS)


@dataclass(frozen=True)
class CreationSpike:
    """Many rows created within a few minutes: a bulk import, a migration, a load test."""

    start: str  # ISO-8601
    end: str
    rows: int  # rows read whose value falls in the window
    share: float  # of the non-null values read
    first: str | None = None  # the earliest and latest value read in the window, as stored (ISO text, or
    last: str | None = None  # the driver's date-time in ISO-8601), so that a predicate compares like with like


@dataclass(frozen=True)
class MarkedRows:
    """One column among the rows that carry a migration marker (legacy_id set, is_imported true), for
    comparing them with the other rows read (TableProfile.marker says which column marks them)."""

    rows: int  # marked rows read
    nulls: int  # of them, rows where this column is NULL
    # the value set among the marked rows, when the column's whole value set was kept (top_values)
    top_values: tuple[ValueCount, ...] = ()


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    non_null: int = 0  # among the rows read
    nulls: int = 0
    distinct: int | None = None  # among the rows read; None when more than MAX_DISTINCT were seen
    distinct_estimate: float | None = None  # the server's estimate for the whole table (pg_stats n_distinct)
    minimum: str | None = None
    maximum: str | None = None
    min_length: int | None = None  # text: characters
    max_length: int | None = None
    top_values: tuple[ValueCount, ...] = ()  # only for low-cardinality columns, most frequent first
    future: int = 0  # timestamps later than the moment of profiling
    spike: CreationSpike | None = None  # timestamps: the densest few minutes, when they stand out
    json: JsonShape | None = None  # JSON columns, and text columns whose values are JSON documents
    email_like: int = 0  # values that look like e-mail addresses
    test_like: int = 0  # values that look like test or dummy data (test domains, qa+n@, 'test' names)
    test_examples: tuple[str, ...] = ()  # which patterns matched (e.g. "@example.com"), never the values
    # What the values look like, counted (no value kept): what the rows say that the declared type hides.
    # Text:
    iso_dates: int = 0  # YYYY-MM-DD
    iso_datetimes: int = 0  # ISO-8601 date-times, YYYY-MM-DD[T ]hh:mm[:ss[.fff]], with or without an offset
    iso_offsets: int = 0  # ... of which carry an offset (Z, +02:00)
    slash_dates: int = 0  # D/M/YYYY or M/D/YYYY (or with dots), with or without a time
    day_first: int = 0  # ... of which the first number is above 12: day first (European)
    month_first: int = 0  # ... of which the second number is above 12: month first (US)
    epoch_text: int = 0  # digits that read as a plausible Unix time (seconds or milliseconds)
    boolean_words: int = 0  # y/n, yes/no, true/false, t/f, in any case
    boolean_digits: int = 0  # '0' and '1'
    phone_like: int = 0  # +44 20 7946 0958, (555) 123-4567: 7 to 15 digits with separators or a leading +
    ip_like: int = 0  # IPv4 or IPv6 addresses (text, or PostgreSQL inet/cidr)
    # Numbers:
    epoch_seconds: int = 0  # plausible Unix times in seconds (2000-01-01 to ten years from now)
    epoch_millis: int = 0  # ... in milliseconds
    beyond_cents: int = 0  # floating-point values with more than two decimals (0.30000000000000004)
    # Booleans: values that are true (the value set says it too, unless values are not kept)
    trues: int = 0
    # Values outside the column's declared list (an enum, CHECK (col IN (...))): rows the server let in
    outside_list: int = 0
    marked: MarkedRows | None = None  # among rows that carry the table's migration marker

    @property
    def rows(self) -> int:
        return self.non_null + self.nulls

    @property
    def null_share(self) -> float | None:
        return self.nulls / self.rows if self.rows else None

    @property
    def holds_iso_datetimes(self) -> bool:
        """Text whose values read are ISO-8601 date-times (nine in ten at least): a timestamp in all
        but its declared type, as SQLite applications store them."""
        return self.non_null > 0 and self.iso_datetimes >= 0.9 * self.non_null


@dataclass(frozen=True)
class TimeOrder:
    """Row by row, how a last-modified column compares with the creation column of the same rows."""

    created: str  # column names
    updated: str
    compared: int  # rows read in which both hold a time
    later: int  # updated more than a second after created: the row was changed after it was inserted
    same: int  # within a second of each other
    earlier: int  # updated before created: clocks, zones or a backfill disagree


@dataclass(frozen=True)
class ReferenceCheck:
    """The values of a column that looks like a reference (no foreign key), read by the profile, looked
    up in the key of the table it seems to point at: how many are there."""

    column: str
    referenced_schema: str
    referenced_table: str
    referenced_column: str
    values_checked: int  # distinct values looked up (at most MAX_REFERENCE_VALUES of those read)
    values_missing: int  # of them, not in the referenced key
    rows_checked: int  # rows read that hold one of the values looked up
    rows_missing: int  # of them, rows whose value is not in the referenced key: orphans in the sample

    @property
    def match_share(self) -> float | None:
        return (self.rows_checked - self.rows_missing) / self.rows_checked if self.rows_checked else None


@dataclass(frozen=True)
class TableProfile:
    schema: str
    table: str
    method: Method
    rows_read: int = 0
    rows_estimated: int | None = None  # the table's size, from the server's statistics
    pages_read_share: float | None = None  # sample: the share of the table's pages the sample asked for
    columns: tuple[ColumnProfile, ...] = ()
    skipped: str | None = None  # why nothing was read (locked, timed out, permission denied)
    seconds: float | None = None
    # How the rows were chosen, when "sample of N rows" alone would mislead: "first rows of a plain
    # scan: no integer primary key to sample ranges of"; or what a statistics profile rests on.
    note: str | None = None
    time_orders: tuple[TimeOrder, ...] = ()  # created vs last-modified, compared in the same pass
    # `columns` may hold one the catalog does not list: SQLite's hidden `rowid` (ROWID below), when the
    # sampler reads it for a table without an INTEGER PRIMARY KEY; its range shows deleted rows.
    marker: str | None = None  # the column whose value marks migrated rows: ColumnProfile.marked counts them
    reference_checks: tuple[ReferenceCheck, ...] = ()  # implicit references' values looked up in their key
    # In transit from the dialect to the profiler, never in a finished profile: the distinct values
    # read of the columns the profiler asked for (TableRequest.reference_columns), column -> {value:
    # rows}. The profiler looks them up in the referenced keys and drops them.
    lookup_values: dict[str, dict] | None = field(default=None, repr=False, compare=False)

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def how(self) -> str:
        """How the numbers were obtained, for a finding's evidence: 'sample of 12,000 rows'."""
        if self.method == "sample":
            how = f"sample of {self.rows_read:,} rows"
        elif self.method == "full":
            how = f"full scan of {self.rows_read:,} rows"
        elif self.method == "statistics":
            how = "the server's statistics"
        else:
            return f"not read: {self.skipped}"
        return f"{how} ({self.note})" if self.note else how


@dataclass(frozen=True)
class Profile:
    tier: Literal["statistics", "sample", "full"]
    profiled_at: str  # ISO-8601 UTC: "future" timestamps are relative to this
    tables: tuple[TableProfile, ...] = ()
    keep_values: bool = True  # whether top_values may hold real values

    def table(self, schema: str, name: str) -> TableProfile | None:
        return next((t for t in self.tables if t.schema == schema and t.table == name), None)
