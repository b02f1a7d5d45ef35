"""What the user asked profiling to do, and what a dialect needs to read one table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Tier = Literal["statistics", "sample", "full"]
TIERS: tuple[str, ...] = ("statistics", "sample", "full")

DEFAULT_PAGE_BUDGET = 1000  # pages of 8 kB (PostgreSQL) read per table by a sample: about 8 MB


@dataclass(frozen=True)
class ProfileOptions:
    """tier "statistics": only what the server already keeps (no table is read);
    "sample" (default): one query per table over a bounded block sample of about `page_budget` pages;
    "full": one streamed pass over every row of every table."""

    tier: Tier = "sample"
    page_budget: int = DEFAULT_PAGE_BUDGET
    keep_values: bool = True  # low-cardinality value sets may appear in the profile (`--no-values`: never)
    schemas: tuple[str, ...] | None = None  # None: every schema the catalog holds

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"profile tier must be one of {', '.join(TIERS)}, not {self.tier!r}")
        if self.page_budget < 1:
            raise ValueError("the page budget must be at least 1 page")


@dataclass(frozen=True)
class TableSize:
    """How big the server believes a table is, from statistics it keeps (never a count)."""

    pages: int | None  # heap pages (PostgreSQL), data pages (InnoDB), None when unknown
    rows: int | None  # estimated rows
    rows_per_page: float | None = None  # turns the page budget into rows where samples are taken by key
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
    spike_columns: tuple[str, ...] = ()
    size: TableSize | None = None
    seed: int = 0  # the same table gives the same sample from one run to the next
