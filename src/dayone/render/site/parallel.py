"""Writing thousands of table pages on every core: most of a big report's time is rendering and
creating its table pages, one independent of the other.

Where the system forks (Linux, macOS with the fork start method available), worker processes share
the parent's memory (the catalog, the profile, the templates) copy-on-write and each writes every
n-th page; nothing is pickled but the slice's number and the count written. Elsewhere, or for a
small site, the pages are written here, one after the other.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

MIN_PAGES = 400  # below this, starting workers costs more than it saves
MAX_WORKERS = 8

_job: tuple[Sequence[Any], Callable[[Any], None]] | None = None  # what the forked workers render


def write_pages(items: Sequence[Any], write: Callable[[Any], None]) -> None:
    """Call `write(item)` for every item, in worker processes when that pays."""
    global _job
    workers = min(MAX_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    if workers < 2 or len(items) < MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            write(item)
        return
    _job = (items, write)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            written = sum(pool.map(_write_slice, [(i, workers) for i in range(workers)]))
    finally:
        _job = None
    if written != len(items):
        raise RuntimeError(f"{written} of {len(items)} pages written")


def _write_slice(part: tuple[int, int]) -> int:
    index, every = part
    assert _job is not None
    items, write = _job
    for item in items[index::every]:
        write(item)
    return len(items[index::every])
