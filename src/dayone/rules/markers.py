"""Migration markers: columns that say a row came from another system (legacy_source, migrated_at,
import_batch, is_imported). Shared by the migrated-data rules and the profiler, which counts the
marked rows apart from the others."""

from __future__ import annotations

import re
from functools import lru_cache

from dayone.catalog.model import Column, Table
from dayone.rules.naming import words

_MARKER = re.compile(
    r"(\w+_)?(legacy|migrated|migration|imported)(_\w+)?"
    r"|import_(batch|batch_id|id|source|job|job_id|run|run_id|file|key|ref|system|date|at|ts)"
    r"|(source|origin|origin_system|old|previous|external)_system(_\w+)?|source_system_id"
)
_FLAG = re.compile(r"(is_|was_)?(legacy|migrated|imported)")


# Tables that run imports and migrations (imports, import_batches, data_migrations, Laravel's
# migrations) record the process: their import_id says which import a batch belongs to, not that
# the row came from another system.
_PROCESS_TABLE = re.compile(r"(\w+_)?(import|imports|migration|migrations)(_(batch|batches|job|jobs|run|runs|log|logs|step|steps|file|files|error|errors))?")


def marker_columns(table: Table) -> list[Column]:
    """Columns that say a row came from another system: legacy_source, migrated_at, import_batch."""
    if _PROCESS_TABLE.fullmatch(words(table.name)):
        return []
    return [c for c in table.columns if _is_marker(c.name)]


@lru_cache(maxsize=1 << 16)  # asked of every column; names repeat from table to table
def _is_marker(name: str) -> bool:
    return _MARKER.fullmatch(words(name)) is not None


def is_flag(column: Column) -> bool:
    """A marker that is true on migrated rows (is_imported), rather than set on them (legacy_id)."""
    return column.normalized_type == "boolean" or (column.normalized_type == "integer" and _FLAG.fullmatch(words(column.name)) is not None)


def splitting_marker(table: Table) -> tuple[str, bool] | None:
    """The marker that tells migrated rows from the others, as (column, is a flag): a flag, or a
    nullable marker (set on migrated rows only). A NOT NULL marker holds a value in every row: which
    rows were migrated is in its values, not in its presence."""
    markers = marker_columns(table)
    flag = next((c for c in markers if is_flag(c)), None)
    if flag is not None:
        return flag.name, True
    present = next((c for c in markers if c.nullable), None)
    return (present.name, False) if present is not None else None
