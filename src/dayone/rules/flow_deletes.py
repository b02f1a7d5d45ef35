"""Data flow rules about deletion: rows marked instead of deleted, rows deleted outright, tables
whose deletion policy nothing shows, and time partitions that can be dropped whole."""

from __future__ import annotations

import re

from dayone.catalog.model import Schema, Table
from dayone.profile.model import ROWID
from dayone.rules.context import AuditContext
from dayone.rules.flow_history import histories, is_history_table, marked_columns
from dayone.rules.naming import deleted_status_values
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup, tables_in
from dayone.rules.time_partitions import time_partitioning

SOFT_DELETE_COLUMN_ROLLUP = Rollup(
    noun=("soft-delete marker", "soft-delete markers"),
    says="{tables} tables in {where} keep rows marked as deleted, archived, revoked or inactive instead of deleting them "
    "({n} markers): every model of them must filter or deliberately keep the marked rows",
    asks="What exactly does each marker mean (deleted by the user, by support, archived, revoked, deactivated), can a "
    "marked row come back, and are marked rows ever removed for good?",
)

# What each kind of marker says about a marked row, for the message.
_MARKED = {
    "deletion": "marks deleted rows",
    "archive": "marks archived rows, kept in the table",
    "revocation": "marks revoked rows, kept after they stop being valid",
    "deactivation": "marks deactivated rows, kept in the table",
    "visibility": "hides rows without deleting them (a visibility flag: hidden rows are often deleted or moderated ones)",
    "activity flag": "takes rows out of use without deleting them (an activity flag, the table's only marker)",
}


@rule(name="soft-delete-column", code="DF205", family="flow", scope="column", severity="info", rollup=SOFT_DELETE_COLUMN_ROLLUP)
def soft_delete_column(ctx: AuditContext):
    """Rows are deleted by marking them: every model must filter them.

    ## What it detects
    Columns that mark a row as gone while keeping it, and which kind of marker each is: deletion
    (deleted_at, is_deleted, discarded_at of the discard gem, removed_at, trashed), archive
    (archived_at, is_archived), revocation (revoked_at), deactivation (deactivated_at, disabled_at),
    visibility (a boolean `visible` / `is_visible`), a status whose declared values (an enum type or
    a CHECK constraint) include 'deleted' or 'archived', and an activity flag (`active`,
    `is_active`) when it is the table's only marker.

    ## Why it matters for analytics
    Marked rows are still in the table and in every extract. Each model and metric has to exclude
    them, consistently; one that forgets counts deleted submissions as live.

    ## Question for the engineering team
    What exactly does this marker mean (deleted by the user, by support, archived after a retention
    period), can a marked row come back, and are marked rows ever removed for good?

    ## How to fix
    Nothing to fix in the database; filter the marker in the staging model of this table, and
    document its meaning.

    ## What it leaves out
    `enabled` (a setting), `hidden` and qualified visibility such as `visible_on_front` or
    `visible_individually` (display choices of a shop), a `disabled` flag without a time, an
    activity flag beside another marker (pools.is_active beside is_deleted: being active is then
    business state), and activity flags of subscriptions, memberships, sessions, contracts,
    licenses and carts, whose rows end as part of the business. Columns of history tables (an
    is_deleted copied into post_versions records the state of the post, not a deleted version).
    A status kept as an integer (a Rails enum) shows no values in the catalog.
    """
    this = REGISTRY["soft-delete-column"]
    for schema, table in ctx.tables():
        markers = histories(ctx).markers(table)
        if not markers or is_history_table(ctx, schema, table):
            continue
        for column, kind in markers:
            values = deleted_status_values(table, column) if kind == "status value" else []
            if values:
                said = (f"has the declared value{'s' if len(values) > 1 else ''} {', '.join(repr(v) for v in values)}: rows "
                        "are soft-deleted through the status")  # fmt: skip
            else:
                said = _MARKED[kind]
            decide = "filter it" if kind in ("deletion", "status value") else "decide whether marked rows count"
            yield this.finding(
                ctx.located(schema, table, column),
                f"{table.name}.{column.name} {said}: every model of {table.name} must {decide}",
                f"What does {table.name}.{column.name} mean exactly, can a marked row come back, and are marked rows "
                "ever removed for good?",
                marker_kind=kind,
                declared_type=column.declared_type,
                deleted_values=values or None,
            )


HARD_DELETES_ROLLUP = Rollup(
    says="rows of {n} tables in {where} are deleted outright and nothing marks them",
    asks="Why and when are rows of these tables deleted? Could they be soft-deleted, or is there a trail of deletions "
    "(an audit table, change data capture)?",
)


@rule(name="hard-deletes", code="DF206", family="flow", scope="table", severity="warning",
      needs=("catalog", "statistics", "profile"), rollup=HARD_DELETES_ROLLUP)  # fmt: skip
def hard_deletes(ctx: AuditContext):
    """Rows are deleted outright, and nothing marks them.

    ## What it detects
    Tables with no soft-delete marker where the server's counters show deleted rows (for a
    partitioned table, on its partitions), or that a trigger deletes from (sakila's film.del_film
    deletes film_text rows); rows removed by ON DELETE CASCADE are `cascade-delete`'s, asked once
    there. With a profile, gaps in an increasing integer key count too: ids between the lowest and the highest
    that no row holds. Only a full scan shows them exactly; a sample counts only when its ids span
    at least twice the table's rows, both as the server estimates them and as the sample's share
    of the table implies. SQLite's hidden rowid (a table without an INTEGER PRIMARY KEY) skips no
    value, so its gaps are deleted rows; an identity or auto-increment key also skips values on failed inserts and upserts,
    and an INTEGER PRIMARY KEY may be set by the application, so gaps in those alone are reported at
    info level, and only when a tenth of the ids are missing.

    ## Why it matters for analytics
    Key-based incremental extraction only sees rows that still exist: deleted rows stay in the
    warehouse as ghosts, counts drift upward, and nobody can say when or why a row disappeared.

    ## Question for the engineering team
    Why and when are rows of this table deleted? Could they be soft-deleted instead, or is there an
    event or audit trail of deletions we can extract?

    ## How to fix
    Soft deletes (a deleted_at column) instead of DELETE, or log-based CDC, which carries deletes to
    the warehouse.

    ## What it leaves out
    Tables with a soft-delete marker: deleting some rows outright there is a policy of its own,
    which soft-delete-column asks about ("are marked rows ever removed for good?"). Rows removed by
    ON DELETE CASCADE (cascade-delete asks once), and partitions dropped whole (partition-retention).
    Gaps in a key the application may set (no identity, no auto-increment), gaps of a sample whose
    ids do not span twice the table's size, and fewer than a tenth of the ids missing in an
    identity key (failed inserts and upserts skip that many).
    """
    this = REGISTRY["hard-deletes"]
    deleters = _deleting_triggers(ctx)
    for schema, table in ctx.tables():
        if marked_columns(ctx, table) and not is_history_table(ctx, schema, table):
            continue  # a history table's is_deleted is a copy of the state it records
        deletes = _deleted_rows(ctx, schema, table)
        # ON DELETE CASCADE is cascade-delete's finding, asked once there: not a reason here
        triggers = deleters.get((schema.name, table.name), [])
        gaps = key_gaps(ctx, schema, table)
        if not (deletes or triggers or gaps):
            continue
        reasons = []
        if deletes:
            reasons.append(f"the server counted {deletes:,} deleted rows")
        if triggers:
            reasons.append(f"trigger {', '.join(triggers)} deletes rows")
        if gaps:
            read = (f"{gaps['rows']:,} rows hold a {gaps['key_column']} from {gaps['lowest']:,} to {gaps['highest']:,}"
                    if gaps["exact"] else f"the server estimates {gaps['rows']:,} rows, yet the {gaps['key_column']} values "
                    f"read run from {gaps['lowest']:,} to {gaps['highest']:,}")  # fmt: skip
            reasons.append(f"{read}: {'' if gaps['exact'] else 'at least '}{gaps['missing_ids']:,} ids are missing, "
                           + ("which a rowid never skips" if gaps["key_kind"] == "rowid"
                              else "unless failed inserts, upserts or ids set by the application skipped them")
                           + f" ({gaps['observed_in']})")  # fmt: skip
        weak = gaps and gaps["key_kind"] != "rowid" and not (deletes or triggers)
        yield this.finding(
            ctx.located(schema, table),
            f"rows of {table.name} are deleted outright and nothing marks them: {'; '.join(reasons)}",
            f"Why and when are rows of {table.name} deleted? Could they be soft-deleted, or is there a trail of deletions?",
            severity="info" if weak else None,
            deletes_counted_by_server=deletes,
            deleting_triggers=triggers or None,
            key_gaps=gaps,
        )


MIN_KEY_ROWS = 20


def key_gaps(ctx: AuditContext, schema: Schema, table: Table) -> dict | None:
    """Ids missing from an increasing integer key (or SQLite's hidden rowid, when the profile read
    it), when the profile shows clearly more than failed inserts would leave."""
    profile = ctx.table_profile(schema, table)
    if profile is None or profile.method not in ("full", "sample"):
        return None
    key = None
    if table.primary_key is not None and len(table.primary_key.columns) == 1:
        column = table.column(table.primary_key.columns[0])
        if column is not None and column.normalized_type == "integer" and column.identity:
            # an INTEGER PRIMARY KEY is the rowid, but the application may set it (ids kept from elsewhere)
            key = column.name, "rowid alias" if column.identity == "rowid" else column.identity
    if key is None and table.column(ROWID) is None and profile.column(ROWID) is not None:
        key = ROWID, "rowid"
    values = profile.column(key[0]) if key else None
    lowest, highest = _integer(values.minimum if values else None), _integer(values.maximum if values else None)
    if key is None or lowest is None or highest is None or values.non_null < MIN_KEY_ROWS:
        return None
    span = highest - lowest + 1
    if profile.method == "full":
        rows, exact = values.non_null, True
    else:
        # The sample's ids alone must span twice the table, by the server's row estimate and by what
        # the sample read per share of the table: either alone may be stale or a guess.
        sizes = [profile.rows_estimated, profile.rows_read / profile.pages_read_share if profile.pages_read_share else None]
        rows = max((round(size) for size in sizes if size), default=0)
        if not rows or span < 2 * rows:
            return None
        exact = False
    missing = span - rows
    # The hidden rowid takes max+1: a gap is a deleted row. Sequences and auto-increment counters
    # also skip values (rolled back inserts, upserts, cached values), and any key the application
    # may set (an INTEGER PRIMARY KEY) can hold gaps from elsewhere: only a large share counts there.
    needed = max(3, 0.01 * span) if key[1] == "rowid" else max(10, 0.1 * span)
    if missing < needed:
        return None
    return {"key_column": key[0], "key_kind": key[1], "lowest": lowest, "highest": highest, "rows": rows,
            "missing_ids": missing, "exact": exact, "observed_in": profile.how}  # fmt: skip


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _deleted_rows(ctx: AuditContext, schema: Schema, table: Table) -> int | None:
    """Deletes the server counted; a partitioned table's rows are counted on its partitions."""
    counts = [t.deletes for t in (table, *ctx.partitions_of(schema, table)) if t.deletes is not None]
    return sum(counts) if counts else None


_DELETE_FROM = re.compile(r"\bdelete\s+from\s+(?:only\s+)?(?:[`\"]?([\w$]+)[`\"]?\s*\.\s*)?[`\"]?([\w$]+)", re.IGNORECASE)


def _deleting_triggers(ctx: AuditContext) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> the triggers ("film.del_film") whose body deletes rows of that table."""
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table in ctx.catalog.tables():
        for trigger in table.triggers:
            for qualifier, name in _DELETE_FROM.findall(trigger.body):
                deleted = ctx.find_table(qualifier or schema.name, name)
                if deleted is not None:
                    found.setdefault((deleted[0].name, deleted[1].name), []).append(f"{table.name}.{trigger.name}")
    return found


DELETION_POLICY_UNKNOWN_ROLLUP = Rollup(
    says="nothing in the database says whether rows of {n} of {total} tables in {where} are ever deleted",
    says_all="nothing in the database says whether rows of any of the {total} tables in {where} are ever deleted",
    asks="Which of these tables ever have rows deleted (by users, support, cleanup jobs), and is there a retention "
    "policy that drops or archives old rows?",
    total=tables_in,
)


@rule(name="deletion-policy-unknown", code="DF207", family="flow", scope="table", severity="info", needs=("catalog", "statistics"), rollup=DELETION_POLICY_UNKNOWN_ROLLUP)
def deletion_policy_unknown(ctx: AuditContext):
    """Nothing tells whether rows of this table are ever deleted.

    ## What it detects
    Tables with no soft-delete marker, no cascade or trigger that removes their rows, and no deletes
    counted by the server (or a server that keeps no such counter).

    ## Why it matters for analytics
    Whether rows can disappear decides how the table must be extracted (incremental by key, or with
    deletes from CDC or full reloads) and whether historic metrics are stable.

    ## Question for the engineering team
    Are rows of this table ever deleted (by users, support, cleanup jobs)? Is there a retention
    policy that drops or archives old rows?

    ## How to fix
    Nothing to fix; document the deletion and retention policy of the table.

    ## What it leaves out
    What another rule already asks: tables with a soft-delete marker (soft-delete-column asks
    whether marked rows are ever removed), deleted rows counted or seen (hard-deletes), rows
    removed by ON DELETE CASCADE (cascade-delete), tables partitioned by time
    (partition-retention); and history tables (changelog-found asks whether they are pruned) and
    tables append-only by the server's counters.
    """
    this = REGISTRY["deletion-policy-unknown"]
    deleters = _deleting_triggers(ctx)
    for schema, table in ctx.tables():
        deletes = _deleted_rows(ctx, schema, table)
        if marked_columns(ctx, table) or deletes or any(fk.on_delete == "CASCADE" for fk in table.foreign_keys):
            continue
        if (schema.name, table.name) in deleters or key_gaps(ctx, schema, table):
            continue
        if is_history_table(ctx, schema, table) or time_partitioning(ctx, schema, table):
            continue
        yield this.finding(
            ctx.located(schema, table),
            f"nothing in the database says whether rows of {table.name} are ever deleted",
            f"Are rows of {table.name} ever deleted, and is there a retention policy that drops or archives them?",
            deletes_counted_by_server=deletes,
        )




PARTITION_RETENTION_ROLLUP = Rollup(
    says="{n} tables in {where} are partitioned by time: old partitions can be dropped without a DELETE",
    asks="Are old partitions of these tables detached or dropped, and after how long? Rows dropped with a partition are "
    "seen by no delete counter, trigger or log-based CDC: the warehouse must keep its own copy.",
)


@rule(name="partition-retention", code="DF210", family="flow", scope="table", severity="warning", rollup=PARTITION_RETENTION_ROLLUP)
def partition_retention(ctx: AuditContext):
    """A table partitioned by time, whose old partitions may be dropped.

    ## What it detects
    Tables partitioned by RANGE on a date or timestamp column (PostgreSQL RANGE, MySQL/MariaDB
    RANGE COLUMNS), or on MySQL/MariaDB's TO_DAYS, TO_SECONDS, YEAR or UNIX_TIMESTAMP of one, with
    the range of partitions present: how many, the oldest and the newest bound (those functions'
    bounds read back as dates), and whether a default partition exists; also while there is no
    partition, or only a default one, yet. Where the key is an expression dayone does not judge
    (PostgreSQL `date_trunc('month', created_at)`) or a text column, partitions bounded by dates
    count. And tables pg_partman manages (its template table `template_<schema>_<table>` exists),
    unless their key is a number.

    ## Why it matters for analytics
    Time partitions exist so that old data can be removed cheaply, by detaching or dropping a whole
    partition. No DELETE runs: delete counters, triggers and log-based change data capture never
    see those rows go. A warehouse that mirrors the table loses its history at the next full
    refresh, unless it keeps its own copy.

    ## Question for the engineering team
    Are old partitions of this table detached or dropped, and after how long (pg_partman's
    retention setting)? The warehouse must keep its own copy of what is dropped.

    ## How to fix
    Nothing to fix; document the retention period, and extract the table incrementally into a
    warehouse table that is never fully refreshed.

    ## What it leaves out
    LIST, HASH and KEY partitions (by tenant or by type: nothing ages out). RANGE on a number: ids,
    epoch seconds, a yyyymm integer or `YEAR(d) * 100 + MONTH(d)` (neither the key nor the bounds
    say they are times), also under pg_partman, whose retention then drops ranges of ids. A
    PostgreSQL expression key with no partition bounded by dates yet. MariaDB's SYSTEM_TIME
    partitions, which hold a system-versioned table's history rows, not its current ones. Time
    partitions below a LIST or HASH parent (sub-partitions), and inheritance-based partitions.
    MySQL/MariaDB has no default partition: a last partition `VALUES LESS THAN MAXVALUE` shows as
    the newest bound MAXVALUE, and the first partition's oldest bound is MINVALUE.
    """
    this = REGISTRY["partition-retention"]
    for schema, table in ctx.tables():
        found = time_partitioning(ctx, schema, table)
        if found is None:
            continue
        key, template = found["partition_key"], found["template"]
        by_time = f"partitioned by time ({key})" if key else "partitioned by time"
        if found["partitions"]:
            said = (f"{table.name} is {by_time}: {found['partitions']} partition{'s' if found['partitions'] > 1 else ''} "
                    + _partition_range(found) + (", and a default partition" if found["default_partition"] else ""))  # fmt: skip
        else:
            holds = "only a default partition" if found["default_partition"] else "no partition"
            said = (f"{table.name} is {by_time}, with {holds} yet" if key
                    else f"{table.name} is partitioned, by pg_partman (template {template}): {holds}, no time partition yet")  # fmt: skip
        if template and (key or found["partitions"]):
            said += f"; managed by pg_partman (template {template})"
        yield this.finding(
            ctx.located(schema, table),
            said,
            f"Are old partitions of {table.name} detached or dropped, and after how long"
            + (" (pg_partman's retention setting)" if template else "")
            + "? The warehouse must keep its own copy of what is dropped.",
            **found,
        )


def _partition_range(found: dict) -> str:
    """'from 2024-01-01 to 2025-01-01', or where partitions are open-ended (MySQL's first partition,
    VALUES LESS THAN MAXVALUE) the dates that bound them and which ends are open."""
    oldest, newest, first, last = found["oldest_bound"], found["newest_bound"], found["oldest_date"], found["newest_date"]
    if oldest != "MINVALUE" and newest != "MAXVALUE":
        return f"from {oldest} to {newest}"
    if first is None:
        return "without a date bound yet"
    said = f"bounded by {first}" if first == last else f"bounded by dates from {first} to {last}"
    if found["partitions"] == 1:
        return said + f" (it holds everything {'older' if oldest == 'MINVALUE' else 'newer'})"
    open_ends = (["the first holds everything older"] if oldest == "MINVALUE" else []) + (
        ["the last everything newer"] if newest == "MAXVALUE" else [])  # fmt: skip
    return said + f" ({', '.join(open_ends)})"
