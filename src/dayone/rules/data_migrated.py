"""Migrated rows: which rows came from another system (a marker column, a burst of creation times),
and, where a marker tells them apart (legacy_id set, is_imported true), how they differ from the
rows created since (the profile counts every column among the marked rows too)."""

from __future__ import annotations

from dayone.catalog.model import Column, Table
from dayone.profile.model import ColumnProfile, TableProfile
from dayone.rules.context import AuditContext
from dayone.rules.evidence import Sql, rows_seen, true_count
from dayone.rules.markers import is_flag, marker_columns
from dayone.rules.naming import created_columns
from dayone.rules.personal import personal_by_values, personal_columns
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

def _marked_rows(sql: Sql, column: Column, values: ColumnProfile | None) -> tuple[int | None, str | None]:
    """(rows carrying the marker among those read, a predicate selecting them)."""
    if is_flag(column):
        return (true_count(values) if values else None), sql.is_set(column)
    if values is not None and values.nulls == 0 and not column.nullable:
        return None, None  # every row carries a value: which ones are migrated is in the values, not their presence
    return (values.non_null if values else None), f"{sql.ident(column.name)} IS NOT NULL"


MIGRATED_DATA_ROLLUP = Rollup(
    says="{n} tables in {where} hold migrated or imported rows",
    asks="Which rows were migrated or imported, from which system and when? Does their creation time hold the original "
    "creation time or the time of the import?",
)


@rule(name="migrated-data", code="DD402", family="data", scope="table", severity="warning", needs=("catalog", "profile"), rollup=MIGRATED_DATA_ROLLUP)
def migrated_data(ctx: AuditContext):
    """Rows that came from another system: a migration or bulk import.

    ## What it detects
    Tables with legacy markers (columns such as legacy_source, legacy_user_id, migrated_at,
    imported_from, import_batch, source_system) and, with a profile, how many rows carry them and
    the values they hold; and tables where a large share of the rows read were created within the
    same hour (a creation spike), with when. Each finding gives a SQL predicate that tells migrated
    rows apart.

    ## Why it matters for analytics
    Migrated rows were not created by the new system: their creation time is the night of the
    migration, not the customer's real signup or order, their ids and statuses may follow the old
    system's rules, and counting them as new activity inflates launch metrics (signups on day 1).

    ## Question for the engineering team
    Which rows were migrated or imported, from which system, and when? Does created_at hold the
    original creation time or the time of the import, and is the original kept anywhere?

    ## How to fix
    Keep a marker on every migrated row (source system, original id, original creation time) and
    document it; analytics models then separate migrated rows from new activity with the predicate.

    ## What it leaves out
    The tables that run imports and migrations (imports, import_batches, data_migrations): their
    import_id names the import a batch belongs to, not a row from another system.
    Nothing is claimed about rows that were not read: for an empty table, a table not profiled or
    an offline snapshot, the finding says so, rests on the marker columns alone and is asked as a
    question (info); so is a table whose rows read carry none of its markers. A spike of creation
    times needs at least 50 rows in an hour holding a fifth of the rows read; smaller imports are not
    told from ordinary traffic. How migrated rows differ from new ones is `migrated-rows-differ`.
    """
    this = REGISTRY["migrated-data"]
    sql = Sql(ctx)
    for schema, table in ctx.tables():
        profile = ctx.table_profile(schema, table)
        markers = marker_columns(table)
        spike = _creation_spike(profile, table)
        if not markers and spike is None:
            continue
        if profile is not None and not rows_seen(profile)[0]:
            profile = None  # an empty table (or none of its rows read): the schema alone speaks
        legacy: dict[str, dict] = {}
        parts: list[str] = []
        carried: dict[int, list[str]] = {}  # rows -> the markers that many rows carry
        unmarked: list[str] = []  # markers read that mark no row apart
        predicate = None
        for column in markers:
            values = profile.column(column.name) if profile else None
            rows, where = _marked_rows(sql, column, values)
            seen = {v.value: v.count for v in values.top_values} if values and values.top_values else None
            legacy[column.name] = {k: v for k, v in (("rows", rows), ("values", seen)) if v is not None}
            listed = f" ({', '.join(f'{value} {count:,}' for value, count in list(seen.items())[:5])})" if seen else ""
            if rows:
                carried.setdefault(rows, []).append(f"{column.name}{listed}")
            elif rows is None and seen and len(seen) > 1:
                parts.append(f"{column.name} holds{listed}")  # rows from several sources
            elif rows is None and seen:
                legacy[column.name] = {"values": seen, "one_value": True}  # every row from one source: none apart
                unmarked.append(f"{column.name} holds {next(iter(seen))} in every row read")
            elif rows == 0:
                unmarked.append(f"{column.name} is set on none of them")
            if predicate is None and where and (profile is None or rows):
                predicate = where
        if carried:
            total, unit = rows_seen(profile)
            parts[:0] = [f"{rows:,} of {total:,} {unit} carry {' and '.join(names)}" for rows, names in carried.items()]
        marked = any(facts.get("rows") or (facts.get("values") and not facts.get("one_value")) for facts in legacy.values())
        if spike is not None:
            created, burst = spike
            parts.append(f"{burst.rows:,} rows ({burst.share:.0%} of those read) were created between "
                         f"{burst.start[:16].replace('T', ' ')} and {burst.end[11:16]} UTC")  # fmt: skip
            if predicate is None and burst.first and burst.last:
                predicate = sql.between(created, burst.first, burst.last)
        created_name = ctx.created_columns(table)[0].name if ctx.created_columns(table) else "their creation time"
        names = ", ".join(c.name for c in markers)
        columns = f"column{'s' if len(markers) > 1 else ''} {names}"
        if marked or spike is not None:
            message = f"{table.name} holds migrated or imported rows: {'; '.join(parts)}" + (f" ({profile.how})" if profile else "")
            question = (f"Which rows of {table.name} were migrated or imported, from which system and when? Does "
                        f"{created_name} hold the original creation time or the time of the import?")  # fmt: skip
        elif profile is not None:  # rows were read, and none carries a marker
            total, unit = rows_seen(profile)
            message = (f"{table.name} has the migration marker {columns}, but none of {total:,} {unit} is marked apart: "
                       f"{'; '.join(unmarked)} ({profile.how})")  # fmt: skip
            question = (f"Are rows of {table.name} ever migrated or imported, and marked by {names} when they are? Does "
                        f"{created_name} then hold the original creation time or the time of the import?")  # fmt: skip
        else:  # the schema alone: nothing is known of the rows
            empty = ctx.table_profile(schema, table) is not None  # read, and found empty
            message = (f"{table.name} has the migration marker {columns}; "
                       + ("it is empty" if empty else "its rows were not read")
                       + ", so whether any of its rows came from another system rests on the schema alone")
            question = (f"Will {table.name} hold migrated or imported rows? From which system, marked by {names}, and "
                        f"will {created_name} keep their original creation time?")  # fmt: skip
        yield this.finding(
            ctx.located(schema, table),
            message,
            question,
            severity=None if marked or spike is not None else "info",
            observed_in=profile.how if profile else None,
            rows_read=0 if profile is None and ctx.table_profile(schema, table) is not None else None,
            legacy_columns=legacy or None,
            creation_spike={"column": spike[0].name, "start": spike[1].start, "end": spike[1].end, "rows": spike[1].rows,
                            "share": spike[1].share} if spike else None,  # fmt: skip
            predicate=predicate,
            query=sql.count_query(schema, table, predicate) if predicate else None,
        )


def _creation_spike(profile: TableProfile | None, table: Table):
    if profile is None:
        return None
    for column in created_columns(table):
        values = profile.column(column.name)
        if values is not None and values.spike is not None:
            return column, values.spike
    return None



# --- migrated rows beside new ones -------------------------------------------------------------

MIN_GROUP_ROWS = 10  # fewer rows on either side say too little about how the groups differ
FILL_GAP = 0.2  # fill rates this far apart (20 points) differ
VALUE_SHARE = 0.1  # a value held by a tenth of one group's rows and by no row of the other


MIGRATED_ROWS_DIFFER_ROLLUP = Rollup(
    says="{n} tables in {where} hold migrated rows that differ from the rows created since (columns filled, values held)",
    asks="Will the gaps and differences between migrated and newly created rows be filled or corrected before go-live, "
    "and if not, how should analyses treat the migrated rows?",
)


@rule(name="migrated-rows-differ", code="DD409", family="data", scope="table", severity="warning",
      needs=("catalog", "profile"), rollup=MIGRATED_ROWS_DIFFER_ROLLUP)  # fmt: skip
def migrated_rows_differ(ctx: AuditContext):
    """Migrated rows are filled differently, or hold other values, than rows created since.

    ## What it detects
    In tables with a migration marker that tells rows apart (a flag such as is_imported, or a
    nullable column such as legacy_id, import_batch or migrated_at that only migrated rows carry),
    the columns whose fill rate differs by 20 points or more between the marked rows and the others
    read, and the values (of columns whose value set was kept) that a tenth or more of one group
    holds and no row of the other. Both groups need at least 10 rows read.

    ## Why it matters for analytics
    The old system did not fill the same columns, nor with the same codes: migrated customers have
    no phone number, migrated orders a status 'legacy' the new system never writes. A metric over
    both groups mixes two populations, and a model written against new rows breaks or silently
    drops the migrated ones.

    ## Question for the engineering team
    Will there be any gaps or differences between migrated and newly created data? Will the gaps be
    filled before go-live, and if not, how should analyses treat the migrated rows?

    ## How to fix
    Backfill what can be backfilled, map the old system's codes to the new ones, and document what
    stays different, with the marker that tells the rows apart.

    ## What it leaves out
    Tables whose migrated rows are recognised only by a burst of creation times (`migrated-data`
    reports them): the burst is known only once every row was read, and telling the rows apart would
    take a second read. A marker that is NOT NULL holds a value in every row and marks none apart.
    Differences smaller than 20 points of fill rate, values rarer than a tenth of a group, and the
    values of personal columns (their fill rates are compared, their values never listed).
    """
    this = REGISTRY["migrated-rows-differ"]
    for schema, table in ctx.tables():
        profile = ctx.table_profile(schema, table)
        if profile is None or profile.marker is None or profile.method not in ("sample", "full"):
            continue
        marked = profile.column(profile.marker)
        migrated = marked.marked.rows if marked is not None and marked.marked else 0
        others = profile.rows_read - migrated
        if migrated < MIN_GROUP_ROWS or others < MIN_GROUP_ROWS:
            continue
        markers = {c.name for c in marker_columns(table)}
        keys = set(table.primary_key.columns) if table.primary_key else set()
        personal = personal_columns(table)
        fills: dict[str, dict[str, float]] = {}
        only_migrated: dict[str, list[str]] = {}
        only_others: dict[str, list[str]] = {}
        for column in table.columns:
            values = profile.column(column.name)
            if column.name in markers or column.name in keys or column.generated or values is None or values.marked is None:
                continue
            split = values.marked
            filled_migrated = 1 - split.nulls / migrated
            filled_others = 1 - (values.nulls - split.nulls) / others
            if abs(filled_migrated - filled_others) >= FILL_GAP:
                fills[column.name] = {"migrated": round(filled_migrated, 3), "others": round(filled_others, 3)}
            if column.name in personal or personal_by_values(values) is not None:
                continue
            apart = _values_apart(values, migrated, others)
            if apart[0]:
                only_migrated[column.name] = apart[0]
            if apart[1]:
                only_others[column.name] = apart[1]
        if not (fills or only_migrated or only_others):
            continue
        said = [f"{name} filled in {f['migrated']:.0%} of migrated rows, {f['others']:.0%} of the others" for name, f in fills.items()]
        said += [f"{name} holds {', '.join(map(repr, held))} only in migrated rows" for name, held in only_migrated.items()]
        said += [f"{name} holds {', '.join(map(repr, held))} only in the others" for name, held in only_others.items()]
        shown = "; ".join(said[:6]) + (f"; and {len(said) - 6} more" if len(said) > 6 else "")
        columns = list(dict.fromkeys([*fills, *only_migrated, *only_others]))
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name}: the {migrated:,} migrated rows read ({_marked_by(table, profile.marker)}) differ from the "
            f"{others:,} others: {shown} ({profile.how})",
            f"Will there be gaps or differences between migrated and newly created rows of {table.name} "
            f"({', '.join(columns[:5])}{', ...' if len(columns) > 5 else ''})? Will they be filled, or how should "
            "analyses treat the migrated rows?",
            observed_in=profile.how,
            marker=profile.marker,
            migrated_rows=migrated,
            other_rows=others,
            fill_rates=fills or None,
            values_only_in_migrated=only_migrated or None,
            values_only_in_others=only_others or None,
        )


def _values_apart(values: ColumnProfile, migrated: int, others: int) -> tuple[list[str], list[str]]:
    """Values a tenth of one group holds and no row of the other, when the value set was kept."""
    if not values.top_values or values.marked is None:
        return [], []
    in_migrated = {v.value: v.count for v in values.marked.top_values}
    in_others = {v.value: v.count - in_migrated.get(v.value, 0) for v in values.top_values}
    only_migrated = [v for v, n in in_migrated.items() if n >= VALUE_SHARE * migrated and not in_others.get(v)]
    only_others = [v for v, n in in_others.items() if n >= VALUE_SHARE * others and not in_migrated.get(v)]
    return only_migrated, only_others


def _marked_by(table, marker: str) -> str:
    column = table.column(marker)
    return f"{marker} true" if column is not None and is_flag(column) else f"{marker} set"
