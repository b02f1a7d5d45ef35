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

    @property
    def rows(self) -> int:
        return self.non_null + self.nulls

    @property
    def null_share(self) -> float | None:
        return self.nulls / self.rows if self.rows else None


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
