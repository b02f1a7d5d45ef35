"""Whether a partitioned table is split by time, and the range its partitions cover.

The partition key decides where the catalog has it: RANGE on a date or timestamp column, or on
MySQL's TO_DAYS, TO_SECONDS, YEAR or UNIX_TIMESTAMP of one, is by time; LIST, HASH, KEY and RANGE
on a number are not. A key the catalog does not have (a snapshot taken before dayone read it) or
cannot judge (a PostgreSQL expression, a text column) leaves it to the bounds: partitions bounded
by dates are by time. PostgreSQL partitions are tables with their bound; MySQL/MariaDB partitions
are listed on their table, each with the upper bound of VALUES LESS THAN.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from dayone.catalog.model import Partitioning, Schema, Table
from dayone.rules.context import AuditContext

TIME_TYPES = ("date", "timestamp", "timestamptz")
NUMBER_TYPES = ("integer", "decimal", "float")
_RANGE_BOUND = re.compile(r"FOR\s+VALUES\s+FROM\s*\((.*)\)\s*TO\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_DATE_VALUE = re.compile(r"'(\d{4}-\d{2}-\d{2}(?:[ T][0-9:.+\-]*)?)'(?:::[\w ]+)?")
_OPEN_BOUND = ("MINVALUE", "MAXVALUE")
# MySQL/MariaDB functions of a date that keep its order, and how to read their values back as times.
_TIME_FUNCTION = re.compile(r"(to_days|to_seconds|year|unix_timestamp)\(\s*`((?:[^`]|``)+)`\s*\)", re.IGNORECASE)


def _days(n: int) -> str:
    return dt.date.fromordinal(n - 365).isoformat()  # TO_DAYS counts from year 0


def _seconds(n: int) -> str:
    day, second = divmod(n, 86400)
    moment = dt.datetime.combine(dt.date.fromordinal(day - 365), dt.time()) + dt.timedelta(seconds=second)
    return moment.strftime("%Y-%m-%d" if not second else "%Y-%m-%d %H:%M:%S")


def _epoch(n: int) -> str:
    return dt.datetime.fromtimestamp(n, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00")


_AS_TIME: dict[str, Callable[[int], str]] = {"to_days": _days, "to_seconds": _seconds, "year": lambda n: f"{n:04d}-01-01",
                                             "unix_timestamp": _epoch}  # fmt: skip


def time_partitioning(ctx: AuditContext, schema: Schema, table: Table) -> dict | None:
    """How a partitioned table is split by time: partitions, oldest and newest bound, a default
    partition, the key, pg_partman's template; None when it is not partitioned by time (as far as
    the catalog shows)."""
    if table.kind != "partitioned table":
        return None
    partitioning = table.partitioning
    by_time, as_time = _key_is_time(table, partitioning)
    if by_time is False:
        return None
    if partitioning is not None and partitioning.partitions:
        bounds, default = _listed_bounds(partitioning, as_time), False
    else:
        bounds, default = _partition_tables_bounds(ctx, schema, table)
    if any(None in pair for pair in bounds):
        if not by_time:
            return None  # LIST, HASH, or a range of numbers: not by time
        bounds = [pair for pair in bounds if None not in pair]
    template = _partman_template(ctx, schema, table)
    dated = [b for pair in bounds for b in pair if b not in _OPEN_BOUND]
    if not (by_time or dated or template):
        return None
    lows = [low for low, _ in bounds]
    highs = [high for _, high in bounds]
    return {
        "partitions": len(bounds),
        "oldest_bound": ("MINVALUE" if "MINVALUE" in lows else min(lows)) if lows else None,
        "newest_bound": ("MAXVALUE" if "MAXVALUE" in highs else max(highs)) if highs else None,
        # the dates partitions are split at, when a partition is open-ended (MINVALUE, MAXVALUE)
        "oldest_date": min(dated) if dated else None,
        "newest_date": max(dated) if dated else None,
        "default_partition": default,
        "partition_key": f"{partitioning.strategy} ({partitioning.key})" if partitioning and partitioning.key else None,
        "template": template,
    }


def _key_is_time(table: Table, partitioning: Partitioning | None) -> tuple[bool | None, Callable[[int], str] | None]:
    """(True, how a MySQL bound reads as a time) when the key is a time, False when it is not, None
    when the catalog does not say (no key read, an expression or a column of another type)."""
    if partitioning is None:
        return None, None
    if partitioning.strategy not in ("RANGE", "RANGE COLUMNS"):
        return False, None  # LIST, HASH, KEY, MariaDB's SYSTEM_TIME (history rows, not the table's)
    if not partitioning.columns:
        return None, None
    first = partitioning.columns[0]
    column = table.column(first)
    if column is not None:
        if column.normalized_type in TIME_TYPES:
            return True, None
        return (False if column.normalized_type in NUMBER_TYPES else None), None
    function = _TIME_FUNCTION.fullmatch(first.strip())
    if function:
        column = table.column(function.group(2).replace("``", "`"))
        if column is not None and column.normalized_type in TIME_TYPES:
            return True, _AS_TIME[function.group(1).lower()]
    return None, None


def _partition_tables_bounds(ctx: AuditContext, schema: Schema, table: Table) -> tuple[list[tuple], bool]:
    """PostgreSQL: each partition's FROM and TO as dates or MINVALUE/MAXVALUE (None where a bound
    is not: a list, a number), and whether a default partition exists."""
    bounds, default = [], False
    for partition in ctx.partitions_of(schema, table):
        bound = (partition.partition_bound or "").strip()
        if bound.upper() == "DEFAULT":
            default = True
            continue
        found = _RANGE_BOUND.match(bound)
        bounds.append((_first_value(found.group(1)), _first_value(found.group(2))) if found else (None, None))
    return bounds, default


def _listed_bounds(partitioning: Partitioning, as_time: Callable[[int], str] | None) -> list[tuple]:
    """MySQL/MariaDB: VALUES LESS THAN bounds in order, as (low, high) pairs (None where one is not
    a time): the first partition starts at MINVALUE, each next one where the previous ended."""
    bounds, low = [], "MINVALUE"
    for partition in partitioning.partitions:
        first = (partition.bound or "").split(",", 1)[0].strip()
        if first.upper() == "MAXVALUE":
            high = "MAXVALUE"
        elif as_time is not None:
            try:
                high = as_time(int(first))
            except (ValueError, OverflowError):
                high = None
        else:
            high = _first_value(first)
        bounds.append((low, high))
        low = high
    return bounds


def _first_value(values: str) -> str | None:
    """The first value of a bound ("'2024-01-01', 5" -> '2024-01-01'): a date, MINVALUE/MAXVALUE, or None."""
    first = values.split(",", 1)[0].strip()
    if first.upper() in _OPEN_BOUND:
        return first.upper()
    found = _DATE_VALUE.fullmatch(first)
    return found.group(1).strip() if found else None


def _partman_template(ctx: AuditContext, schema: Schema, table: Table) -> str | None:
    """pg_partman's template table for this parent (partman.template_public_events), if any."""
    name = f"template_{schema.name}_{table.name}"
    for other in ctx.catalog.schemas:
        if ctx.find_table(other.name, name) is not None:
            return f"{other.name}.{name}"
    return None
