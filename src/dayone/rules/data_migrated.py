"""Migrated rows beside new ones: where a marker tells them apart (legacy_id set, is_imported true),
the profile counts every column among the marked rows too, and the two groups are compared."""

from __future__ import annotations

from dayone.profile.model import ColumnProfile
from dayone.rules.context import AuditContext
from dayone.rules.markers import is_flag, marker_columns
from dayone.rules.personal import personal_by_values, personal_columns
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

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
