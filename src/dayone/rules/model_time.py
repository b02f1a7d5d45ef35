"""Data model rules about time: conventions for date-time columns across a schema."""

from __future__ import annotations

import re

from dayone.rules.context import AuditContext
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup


MIXED_TIMESTAMP_CONVENTIONS_ROLLUP = Rollup(
    noun=("schema", "schemas"),
    says="the date-time columns of {where} mix wall-clock times and instants",
    # the zone the wall-clock columns are written in is timestamp-without-time-zone's question: not asked twice
    asks="Which convention is intended for the date-time columns of {where}, and are the two kinds ever compared or joined?",
)


def _mixed_timestamp_conventions_praise(ctx: AuditContext, found: list) -> str | None:
    if found or not ctx.capabilities.has_timestamp_with_time_zone:
        return None
    kinds = {c.normalized_type for _, _, c in ctx.columns() if c.normalized_type in ("timestamp", "timestamptz")}
    return "the date-time columns of each schema follow one convention (all wall-clock times or all instants)" if kinds else None


_EXAMPLES = 5


@rule(name="mixed-timestamp-conventions", code="DM110", family="model", scope="source", severity="warning",
      rollup=MIXED_TIMESTAMP_CONVENTIONS_ROLLUP, praise=_mixed_timestamp_conventions_praise)  # fmt: skip
def mixed_timestamp_conventions(ctx: AuditContext):
    """Date-time columns of one schema mix wall-clock times and instants.

    ## What it detects
    A schema (a MySQL/MariaDB database) whose audited tables hold both kinds of date-time column:
    PostgreSQL `timestamp` (without time zone) and `timestamptz`; MySQL/MariaDB `DATETIME` and
    `TIMESTAMP`. One finding per schema, with how many columns are of each kind and examples of
    both, the fewer kind first. On MySQL/MariaDB the finding recalls that TIMESTAMP is stored in
    UTC and converted from and to each session's time zone while DATETIME is stored as written:
    frameworks mix them routinely (Laravel's `timestamps()` against a `dateTime` column), which
    is common and still worth asking.

    ## Why it matters for analytics
    Two conventions in one schema mean two ways of reading a time: a column of instants is
    converted to the reader's zone, a wall-clock column is not. Comparing or joining them (an
    event's `created_at` against an order's `paid_at`) is off by the zone's offset, and by one hour
    more or less around daylight-saving changes, unless everyone knows which columns are which.

    ## Question for the engineering team
    Which convention is intended, and are the two kinds ever compared or joined? (In which zone the
    wall-clock columns are written is `timestamp-without-time-zone`'s question.)

    ## How to fix
    Settle on instants (`timestamptz`; on MySQL/MariaDB a UTC session with DATETIME, or
    TIMESTAMP) and convert the other columns, or document which columns are wall-clock and in
    which zone they are written.

    ## What it leaves out
    Schemas whose date-time columns are all of one kind (`timestamp-without-time-zone` asks about
    wall-clock columns one by one); dates and times of day; SQLite, which stores date-times as text
    or numbers whatever the declared type; columns of framework tables, which follow the framework.
    """
    this = REGISTRY["mixed-timestamp-conventions"]
    if not ctx.capabilities.has_timestamp_with_time_zone:
        return
    kinds: dict[str, tuple] = {}  # schema -> (schema, wall-clock columns, instants)
    for schema, table, column in ctx.columns():
        if column.normalized_type in ("timestamp", "timestamptz"):
            entry = kinds.setdefault(schema.name, (schema, [], []))
            entry[1 if column.normalized_type == "timestamp" else 2].append((table, column))
    for schema, naive, aware in kinds.values():
        if not naive or not aware:
            continue
        naive_type, aware_type = _type_name(naive), _type_name(aware)
        mysql_like = naive_type.lower().startswith("datetime")
        groups = sorted([(naive, f"{naive_type} (wall-clock times)"), (aware, f"{aware_type} (instants)")],
                        key=lambda group: len(group[0]))  # fmt: skip
        said = "; ".join(
            f"{len(columns)} {'is' if len(columns) == 1 else 'are'} {kind}: "
            + ", ".join(f"{t.name}.{c.name}" for t, c in columns[:_EXAMPLES]) + (", ..." if len(columns) > _EXAMPLES else "")
            for columns, kind in groups
        )
        where = ctx.target_of(schema.name)
        note = ("; TIMESTAMP is stored in UTC and converted from and to each session's time zone, DATETIME is stored "
                "as written" if mysql_like else "")  # fmt: skip
        yield this.finding(
            ctx.located(schema),
            f"the date-time columns of {where} mix two conventions: {said}{note}",
            f"Which convention is intended for the date-time columns of {where}, and are the {naive_type} columns ever "
            f"compared or joined with the {aware_type} ones?"
            + (" Does every service write with the same session time zone?" if mysql_like else ""),
            wall_clock_columns=len(naive),
            instant_columns=len(aware),
            wall_clock_examples=[f"{t.name}.{c.name}" for t, c in naive[:_EXAMPLES]],
            instant_examples=[f"{t.name}.{c.name}" for t, c in aware[:_EXAMPLES]],
            server_timezone=ctx.catalog.server_timezone,
            session_timezone=ctx.catalog.session_timezone,
        )


def _type_name(columns: list) -> str:
    """The type most of these columns are declared with, without precision: `timestamp without time
    zone`, `datetime`."""
    declared = [re.sub(r"\(\d+\)", "", c.declared_type) for _, c in columns]
    return max(set(declared), key=declared.count)
