"""What every dialect's profiling shares: reporting a table that could not be read, timing a read."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

from dayone.catalog.model import Column, Schema, Table
from dayone.profile.accumulate import profile_rows
from dayone.profile.model import TableProfile
from dayone.profile.options import TableRequest

# The most rows of one table aggregated in one go (a fetch from a server-side cursor, an unbuffered
# MySQL result): memory stays bounded whatever the table's size.
FETCH_ROWS = 2000


class Unreadable(Exception):
    """The table could not be read in time or at all; the message says why, for the report."""


def skipped(schema: Schema, table: Table, reason: str, seconds: float | None = None) -> TableProfile:
    return TableProfile(
        schema=schema.name,
        table=table.name,
        method="skipped",
        rows_estimated=table.estimated_rows,
        skipped=reason,
        seconds=round(seconds, 3) if seconds is not None else None,
    )


def timeout_reason(seconds: float, tier: str = "sample") -> str:
    hint = "lower --page-budget / --sample-rows" if tier == "sample" else "profile a sample"
    return f"statement timeout after {seconds:g} s (raise --statement-timeout, or {hint})"


def aggregate(
    schema: Schema,
    table: Table,
    rows: Iterable[tuple],
    request: TableRequest,
    *,
    method: str,
    rows_estimated: int | None,
    pages_read_share: float | None,
    note: str | None = None,
    started: float,
    columns: Sequence[Column] | None = None,
) -> TableProfile:
    """Rows (in the order of `columns`, by default the table's) into the table's profile, timed."""
    profile = profile_rows(
        schema.name,
        table.name,
        table.columns if columns is None else columns,
        rows,
        method=method,
        now=request.now,
        keep_values=request.keep_values,
        spike_columns=request.spike_columns,
        rows_estimated=rows_estimated,
        pages_read_share=round(pages_read_share, 6) if pages_read_share is not None else None,
        key_columns=table.primary_key.columns if table.primary_key else (),
        private_columns=request.private_columns,
        value_lists=dict(request.value_lists),
        fold_case=request.fold_case,
        marker=request.marker,
        lookup_columns=request.lookup_columns,
    )
    return replace(profile, note=note, seconds=round(time.monotonic() - started, 3))


def batches(fetch: Callable[[int], list], deadline: float | None = None, timeout: str = "") -> Iterator[tuple]:
    """Rows from `fetch(n)` until it returns none; past `deadline` (time.monotonic) the read stops
    with Unreadable, as the server would stop a statement past its timeout."""
    while True:
        chunk = fetch(FETCH_ROWS)
        if not chunk:
            return
        yield from chunk
        if deadline is not None and time.monotonic() > deadline:
            raise Unreadable(timeout)

