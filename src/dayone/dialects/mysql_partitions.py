"""MySQL/MariaDB partitions: how each partitioned table splits its rows, and every partition's bound.

One information_schema.PARTITIONS query, asked only of the tables TABLES reports as partitioned
(a condition on their names: the server opens no other table for it), one row per partition
(subpartitions, which share their partition's bound, are left out).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from dayone.catalog.model import PartitionBound, Partitioning

PARTITIONS_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, PARTITION_NAME, PARTITION_ORDINAL_POSITION, PARTITION_METHOD,
       PARTITION_EXPRESSION, PARTITION_DESCRIPTION
FROM information_schema.PARTITIONS
WHERE TABLE_SCHEMA IN ({schemas}) AND PARTITION_NAME IS NOT NULL
  AND (SUBPARTITION_ORDINAL_POSITION IS NULL OR SUBPARTITION_ORDINAL_POSITION = 1)
"""
QUOTED_NAME = re.compile(r"`((?:[^`]|``)*)`")


def partitionings(rows: list[tuple], key_of: Callable[[str, str], tuple | None]) -> dict[tuple, Partitioning]:
    """(schema, table) -> its Partitioning, from the rows of PARTITIONS_SQL."""
    found: dict[tuple, list[tuple]] = defaultdict(list)
    for schema, table, name, position, method, expression, description in rows:
        key = key_of(schema, table)
        if key is not None and name is not None and method:
            found[key].append((int(position or 0), name, method, expression, description))
    result = {}
    for key, partitions in found.items():
        partitions.sort(key=lambda p: p[0])
        _, _, method, expression, _ = partitions[0]
        result[key] = Partitioning(
            strategy=method,
            key=expression or None,  # KEY () has none: it splits by the primary key
            columns=key_columns(method, expression or ""),
            partitions=tuple(PartitionBound(name=name, bound=bound) for _, name, _, _, bound in partitions),
        )
    return result


def key_columns(method: str, expression: str) -> tuple[str, ...]:
    """The key's parts: `a`,`b` of RANGE COLUMNS or KEY -> ('a', 'b'); RANGE (`a`) -> ('a',);
    RANGE (to_days(`a`)) -> ('to_days(`a`)',), an expression as the server prints it."""
    if method.endswith(("COLUMNS", "KEY")):  # a list of column names, nothing else
        return tuple(name.replace("``", "`") for name in QUOTED_NAME.findall(expression))
    alone = QUOTED_NAME.fullmatch(expression.strip())
    if alone:
        return (alone.group(1).replace("``", "`"),)
    return (expression.strip(),) if expression.strip() else ()
