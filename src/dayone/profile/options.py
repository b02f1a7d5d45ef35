"""What the user asked profiling to do, and what a dialect needs to read one table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Tier = Literal["statistics", "sample", "full"]
TIERS: tuple[str, ...] = ("statistics", "sample", "full")

DEFAULT_PAGE_BUDGET = 1000  # pages of 8 kB (PostgreSQL) read per table by a sample: about 8 MB
# ... and no more pages than hold about this many rows: aggregating rows in Python costs 5-20 us a
# row, so a narrow table's 1,000 pages (70,000+ rows) would cost a second each; 20,000 rows are
# plenty for shares, value sets and spikes.
DEFAULT_SAMPLE_ROWS = 20_000


@dataclass(frozen=True)
class ProfileOptions:
    """tier "statistics": only what the server already keeps (no table is read);
    "sample" (default): one query per table over a bounded block sample of at most `page_budget`
    pages, fewer when fewer hold about `sample_rows` rows (a table that small is read whole);
    "full": one streamed pass over every row of every table."""

    tier: Tier = "sample"
    page_budget: int = DEFAULT_PAGE_BUDGET
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    keep_values: bool = True  # low-cardinality value sets may appear in the profile (`--no-values`: never)
    schemas: tuple[str, ...] | None = None  # None: every schema the catalog holds
    skip: frozenset[tuple[str, str]] = frozenset()  # (schema, table) not to read: framework or --exclude'd
    # "full": the server computes the aggregates (dayone.dialects.pushdown) where the dialect can;
    # False streams every row through the accumulator, as before (kept to compare the two)
    pushdown: bool = True

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"profile tier must be one of {', '.join(TIERS)}, not {self.tier!r}")
        if self.page_budget < 1:
            raise ValueError("the page budget must be at least 1 page")
        if self.sample_rows < 1:
            raise ValueError("a sample must ask for at least 1 row")


@dataclass(frozen=True)
class TableSize:
    """How big the server believes a table is, from statistics it keeps (never a count)."""

    pages: int | None  # heap pages (PostgreSQL), data pages (InnoDB), None when unknown
    rows: int | None  # estimated rows
    rows_per_page: float | None = None  # turns the page budget into rows where samples are taken by key

    def budget_pages(self, request: TableRequest) -> int:
        """The pages a sample of this table may read: the page budget, or fewer when fewer hold about
        request.sample_rows rows."""
        per_page = self.rows_per_page or (self.rows / self.pages if self.rows and self.pages else None)
        if not per_page:
            return request.page_budget
        return max(1, min(request.page_budget, math.ceil(request.sample_rows / per_page)))

    def budget_rows(self, request: TableRequest, rows_per_page: float) -> int:
        """The rows a sample of this table may read, where samples are counted in rows."""
        return max(1, min(request.sample_rows, int(request.page_budget * (self.rows_per_page or rows_per_page))))
    # the key a sample takes ranges of (SQLite: rowid or an integer primary key) and its range
    key: str | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class TableRequest:
    """What the profiler asks a dialect to read of one table."""

    tier: Tier
    page_budget: int
    keep_values: bool
    now: datetime
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    spike_columns: tuple[str, ...] = ()
    size: TableSize | None = None
    seed: int = 0  # the same table gives the same sample from one run to the next
    private_columns: tuple[str, ...] = ()  # personal data: no value of them is kept
    value_lists: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, the values it is declared to hold)
    fold_case: bool = False  # text compares as the server's collation does: without case or trailing spaces
    marker: tuple[str, bool] | None = None  # (column, is a flag) that marks migrated rows: counted apart
    lookup_columns: tuple[str, ...] = ()  # implicit references: some of their values are looked up afterwards
    pushdown: bool = True  # tier "full": aggregates computed by the server where the dialect can
