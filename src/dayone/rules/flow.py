"""Data flow rules: how rows are created, changed and deleted, and how they can be extracted."""

from __future__ import annotations

import re

from dayone.catalog.model import Column, Schema, Table
from dayone.profile.model import ROWID, TableProfile, TimeOrder
from dayone.rules.context import AuditContext
from dayone.rules.naming import (
    created_columns,
    is_append_only_name,
    is_created_name,
    is_history_name,
    is_region_state,
    is_soft_delete_name,
    is_status_name,
    is_updated_name,
    soft_delete_columns,
    updated_columns,
    words,
)
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup, tables_in


def is_lookup_table(ctx: AuditContext, schema: Schema, table: Table) -> bool:
    """A small reference table (countries, categories): other tables point at it, it points at
    nothing, and besides its key it holds a name or label and little else."""
    key = set(table.primary_key.columns) if table.primary_key else set()
    payload = [c for c in table.columns if c.name not in key and c.normalized_type not in ("timestamp", "timestamptz")]
    singular = words(table.name).removesuffix("s")
    labelled = any(words(c.name) in ("name", "label", "title", "description", "code", "value", singular) for c in payload)
    small = table.estimated_rows is None or table.estimated_rows < 1000
    return bool(ctx.references_to(schema, table)) and not table.foreign_keys and len(payload) <= 5 and labelled and small


def event_time_columns(table: Table) -> list[Column]:
    """In an append-only table (history, log, events) each row is written once, so its time column
    (changed_at, occurred_at, logged_at) is the creation time."""
    if not is_append_only_name(table.name):
        return []
    return [c for c in table.columns if c.normalized_type in ("timestamp", "timestamptz")]


def maintained_by(table: Table, column: Column) -> str | None:
    """What keeps a last-modified column current inside the database, if anything."""
    if column.on_update:
        return f"ON UPDATE {column.on_update}"
    if not table.triggers:  # most tables: no pattern to build
        return None
    name = re.escape(column.name)
    # The trigger must set the column (NEW.updated_at := now(), SET updated_at = ...): one that only
    # reads it, such as an audit trigger copying NEW.updated_at into a log, keeps nothing current.
    assigned = re.compile(rf"(?<![\w$])[`\"]?{name}[`\"]?\s*:?=(?!=)", re.IGNORECASE)
    # A built-in trigger function is shown as its trigger definition: moddatetime('updated_at').
    argument = re.compile(rf"\bEXECUTE\s+(FUNCTION|PROCEDURE)\s+[\w.\"]+\(.*'{name}'", re.IGNORECASE | re.DOTALL)
    for trigger in table.triggers:
        if "UPDATE" in trigger.events and (assigned.search(trigger.body) or argument.search(trigger.body)):
            return f"trigger {trigger.name}"
        # A generic function told which column to set: touch('updated_at') with NEW assigned from TG_ARGV.
        if ("UPDATE" in trigger.events and trigger.timing == "BEFORE" and column.name in trigger.arguments
                and re.search(r"\bTG_ARGV\b", trigger.body, re.IGNORECASE)):  # fmt: skip
            return f"trigger {trigger.name} ({trigger.function}('{column.name}'))"
    return None


MISSING_CREATED_AT_ROLLUP = Rollup(
    says="{n} of {total} tables in {where} have no creation timestamp",
    says_all="no table in {where} records when its rows are created ({total} tables)",
    asks="When is a row of each of these tables created, and can they record it in a created_at column?",
    total=tables_in,
)


def _missing_created_at_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or not any(ctx.tables()) else "every table records when its rows are created")


@rule(name="missing-created-at", code="DF201", family="flow", scope="table", severity="warning", rollup=MISSING_CREATED_AT_ROLLUP, praise=_missing_created_at_praise)
def missing_created_at(ctx: AuditContext):
    """A table has no creation timestamp.

    ## What it detects
    Tables without a column such as created_at, inserted_at, create_date or date_created of a
    date/time type (or ISO-8601 text or epoch numbers, as SQLite and some applications store
    times). Small lookup tables are reported at info level; in append-only tables (history, log,
    events) any timestamp column counts, since each row is written once.

    ## Why it matters for analytics
    "How many were created per day" is the first metric anyone asks for after a launch. Without a
    creation time it can only be approximated from when rows first reached the warehouse, which
    is wrong for everything that existed before the first sync (including migrated data).

    ## Question for the engineering team
    Can the table get a created_at column set by the database (DEFAULT now()), and is there
    another source of creation time for existing rows?

    ## How to fix
    `ALTER TABLE t ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();`
    """
    this = REGISTRY["missing-created-at"]
    for schema, table in ctx.tables():
        if created_columns(table) or event_time_columns(table):
            continue
        lookup = is_lookup_table(ctx, schema, table)
        others = [c.name for c in table.columns if c.normalized_type in ("timestamp", "timestamptz", "date")
                  and not is_updated_name(c.name)]  # fmt: skip
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name} has no creation timestamp"
            + (" (a small lookup table)" if lookup else "")
            + (f"; is {' or '.join(others)} the creation time?" if others else ""),
            f"When is a row of {table.name} created, and can the table record it in a created_at column?",
            severity="info" if lookup else None,
            other_time_columns=others or None,
        )


MISSING_UPDATED_AT_ROLLUP = Rollup(
    says="{n} of {total} tables in {where} have no last-modified timestamp",
    says_all="no table in {where} has a last-modified timestamp ({total} tables)",
    asks="Are rows of these tables updated after insert? If so, can they get an updated_at column the database maintains?",
    total=tables_in,
)


@rule(name="missing-updated-at", code="DF202", family="flow", scope="table", severity="warning", rollup=MISSING_UPDATED_AT_ROLLUP)
def missing_updated_at(ctx: AuditContext):
    """A table has no last-modified timestamp.

    ## What it detects
    Tables without a column such as updated_at, modified_at or last_update of a date/time type (or
    ISO-8601 text or epoch numbers named as a time, such as updated_at). Append-only tables (names
    ending in history, log, events, audit...) are not flagged; small lookup tables are reported at
    info level.

    ## Why it matters for analytics
    A last-modified timestamp is the cursor of key-based incremental extraction: without one, an
    ELT tool must copy the whole table on every sync or use log-based CDC, and nobody can tell when
    a row last changed.

    ## Question for the engineering team
    Are rows of this table ever updated after they are inserted? If so, can it get an updated_at
    column that the database keeps current?

    ## How to fix
    Add `updated_at timestamptz NOT NULL DEFAULT now()` and keep it current with a BEFORE UPDATE
    trigger (PostgreSQL) or `ON UPDATE CURRENT_TIMESTAMP` (MySQL/MariaDB).
    """
    this = REGISTRY["missing-updated-at"]
    for schema, table in ctx.tables():
        if updated_columns(table) or is_append_only_name(table.name):
            continue
        lookup = is_lookup_table(ctx, schema, table)
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name} has no last-modified timestamp" + (" (a small lookup table)" if lookup else ""),
            f"Are rows of {table.name} updated after insert? If so, can it get an updated_at column the database maintains?",
            severity="info" if lookup else None,
            updates_counted_by_server=table.updates,
        )


def _maintained_praise(ctx: AuditContext, found: list) -> str | None:
    """"updated_at is maintained by the database on 12 of 15 tables" when it is on some."""
    with_column = [(t, updated_columns(t)) for _, t in ctx.tables() if not is_append_only_name(t.name)]
    with_column = [(t, columns) for t, columns in with_column if columns]
    maintained = sum(1 for t, columns in with_column if any(maintained_by(t, c) for c in columns))
    if not maintained:
        return None
    return f"a last-modified column is maintained by the database (trigger or ON UPDATE) on {maintained} of {len(with_column)} tables that have one"


UPDATED_AT_NOT_MAINTAINED_ROLLUP = Rollup(
    noun=("last-modified column", "last-modified columns"),
    says="{n} of {total} last-modified columns in {where} are kept current by nothing in the database (no trigger, no ON UPDATE)",
    says_all="none of the {total} last-modified columns in {where} is maintained by the database (no trigger, no ON UPDATE): "
    "the application sets them",
    asks="Does every code path that updates these tables set their last-modified column, including bulk updates, scripts, "
    "migrations and other services? Can the database maintain them (a trigger, ON UPDATE) instead?",
    total=lambda ctx, schema: sum(len(updated_columns(t)) for s, t in ctx.tables()
                                  if s.name == schema and not is_append_only_name(t.name)),
)


@rule(name="updated-at-not-maintained", code="DF203", family="flow", scope="column", severity="warning",
      needs=("catalog", "statistics", "profile"), rollup=UPDATED_AT_NOT_MAINTAINED_ROLLUP, praise=_maintained_praise)  # fmt: skip
def updated_at_not_maintained(ctx: AuditContext):
    """A last-modified column that nothing in the database keeps current.

    ## What it detects
    updated_at-like columns with no trigger that sets them on UPDATE and no `ON UPDATE
    CURRENT_TIMESTAMP`. A DEFAULT only sets the value at insert; a trigger that only reads the
    column (an audit trigger copying it) does not keep it current. The server's update counter is
    shown where it keeps one. With a profile, each row read compares the column with the creation
    time (created_at beside updated_at): if it is never later although the server counted updates,
    the updates do not set it; if it is later in some rows, at least some code paths do.

    ## Why it matters for analytics
    Incremental extraction trusts this column: if one code path forgets to set it (a bulk fix, an
    admin script, another service), changed rows are never extracted again and the warehouse
    drifts from production without any error.

    ## Question for the engineering team
    Does every code path that updates this table set this column, including scripts, migrations
    and other services? Can the database maintain it instead?

    ## How to fix
    A BEFORE UPDATE trigger that sets `NEW.updated_at = now()` (PostgreSQL), `ON UPDATE
    CURRENT_TIMESTAMP` (MySQL/MariaDB), or an AFTER UPDATE trigger (SQLite).
    """
    this = REGISTRY["updated-at-not-maintained"]
    for schema, table in ctx.tables():
        if is_append_only_name(table.name):
            continue  # changed_at in a history table is when the event happened, not a last-modified time
        profile = ctx.table_profile(schema, table)
        for column in updated_columns(table):
            if maintained_by(table, column):
                continue
            order = _time_order(profile, column)
            yield this.finding(
                ctx.located(schema, table, column),
                f"{table.name}.{column.name} is not maintained by the database (no update trigger, no ON UPDATE)"
                + (f"; the server counted {table.updates:,} updates" if table.updates else "")
                + (_what_the_rows_show(order, profile, table) if order else ""),
                f"Does every code path that updates {table.name} set {column.name}, including scripts and other "
                "services? Can the database maintain it instead?",
                default=column.default,
                triggers=[t.name for t in table.triggers] or None,
                updates_counted_by_server=table.updates,
                observed_in=profile.how if order else None,
                compared_with=order.created if order else None,
                rows_compared=order.compared if order else None,
                rows_updated_after_created=order.later if order else None,
                rows_same_as_created=order.same if order else None,
                rows_updated_before_created=(order.earlier or None) if order else None,
            )


MIN_ROWS_COMPARED = 20  # fewer rows say nothing about whether updates set the column


def _time_order(profile: TableProfile | None, column: Column) -> TimeOrder | None:
    if profile is None:
        return None
    order = next((o for o in profile.time_orders if o.updated == column.name), None)
    return order if order is not None and order.compared >= MIN_ROWS_COMPARED else None


def _what_the_rows_show(order: TimeOrder, profile: TableProfile, table: Table) -> str:
    if order.later == 0:
        said = (f"; in none of the {order.compared:,} rows read ({profile.how}) is {order.updated} later than {order.created}")
        if table.updates:
            return said + ": rows are updated, but these updates do not set it"
        return said + ": either rows are never updated, or updates do not set it"
    said = (f"; {order.updated} is later than {order.created} in {order.later:,} of {order.compared:,} rows read "
            f"({profile.how}): some code paths set it")  # fmt: skip
    if order.earlier:
        said += f"; in {order.earlier:,} rows it is earlier than {order.created}"
    return said


UNTRACKED_STATUS_CHANGES_ROLLUP = Rollup(
    noun=("status column", "status columns"),
    says="{n} status columns of {tables} tables in {where} keep only the current value: no history or audit table, no "
    "audit trigger, no per-status timestamps",
    asks="Is every status change recorded with its time somewhere (a history table, an event stream, an audit log)? "
    "If not, can status history be added before go-live?",
)


@rule(name="untracked-status-changes", code="DF204", family="flow", scope="column", severity="warning", rollup=UNTRACKED_STATUS_CHANGES_ROLLUP)
def untracked_status_changes(ctx: AuditContext):
    """A status column whose changes leave no history.

    ## What it detects
    Status, state or stage columns on tables with no history, audit or events table referring to
    them, no trigger that writes an audit row on update, and no per-status timestamps (such as
    received_at, graded_at, shipped_at). The state of an address (beside city or postal code) is
    not a status.

    ## Why it matters for analytics
    Funnel and turnaround metrics ("how long from received to graded") need the time of every
    status change. If only the current status is stored, history is lost on every update and
    cannot be recovered later; the warehouse must snapshot the table from day 1 to approximate it.

    ## Question for the engineering team
    Is every change of this status recorded somewhere (a history table, an event stream, an audit
    log), with its time? If not, can a status history table be added before go-live?

    ## How to fix
    Add a `<table>_status_history` table (entity id, old and new status, changed_at), written by the
    application or an AFTER UPDATE trigger, or per-status timestamp columns.
    """
    this = REGISTRY["untracked-status-changes"]
    for schema, table in ctx.tables():
        status_columns = [c for c in table.columns if is_status_name(c.name) and c.normalized_type in ("string", "text", "integer", "enum")
                          and not is_region_state(table, c)]  # fmt: skip
        if not status_columns or is_history_name(table.name):
            continue
        history = _history_tables(ctx, schema, table)
        audit_triggers = [t.name for t in table.triggers if "UPDATE" in t.events and re.search(r"\binsert\s+into\b", t.body, re.I)]
        stamps = [
            c.name for c in table.columns
            if c.normalized_type in ("timestamp", "timestamptz", "date") and words(c.name).endswith(("_at", "_on", "_date"))
            and not (is_created_name(c.name) or is_updated_name(c.name) or is_soft_delete_name(c.name))
        ]  # fmt: skip
        if history or audit_triggers or len(stamps) >= 2:
            continue
        for column in status_columns:
            yield this.finding(
                ctx.located(schema, table, column),
                f"changes of {table.name}.{column.name} leave no history: no history or audit table, no audit "
                "trigger, no per-status timestamps",
                f"Is every change of {table.name}.{column.name} recorded with its time (history table, events, "
                "audit log)? If not, can a status history table be added before go-live?",
                per_status_timestamps=stamps or None,
                updates_counted_by_server=table.updates,
            )


def _history_tables(ctx: AuditContext, schema: Schema, table: Table) -> list[str]:
    referring = [r.table.name for r in ctx.references_to(schema, table) if is_history_name(r.table.name)]
    stem = words(table.name).rstrip("s")
    named = [other.name for _, other, other_words in ctx.history_like_tables
             if other is not table and other_words.startswith(stem)]  # fmt: skip
    return referring + named


SOFT_DELETE_COLUMN_ROLLUP = Rollup(
    noun=("soft-delete marker", "soft-delete markers"),
    says="{tables} tables in {where} mark deleted rows instead of deleting them ({n} markers): every model of them must filter it",
    asks="What exactly does each marker mean (deleted by the user, by support, archived), can a marked row come back, "
    "and are marked rows ever removed for good?",
)


@rule(name="soft-delete-column", code="DF205", family="flow", scope="column", severity="info", rollup=SOFT_DELETE_COLUMN_ROLLUP)
def soft_delete_column(ctx: AuditContext):
    """Rows are deleted by marking them: every model must filter them.

    ## What it detects
    Soft-delete markers such as deleted_at, is_deleted, deleted flag, discarded_at or archived_at.

    ## Why it matters for analytics
    Marked rows are still in the table and in every extract. Each model and metric has to exclude
    them, consistently; one that forgets counts deleted submissions as live.

    ## Question for the engineering team
    What exactly does this marker mean (deleted by the user, by support, archived after a retention
    period), can a marked row come back, and are marked rows ever removed for good?

    ## How to fix
    Nothing to fix in the database; filter the marker in the staging model of this table, and
    document its meaning.
    """
    this = REGISTRY["soft-delete-column"]
    for schema, table in ctx.tables():
        for column in soft_delete_columns(table):
            yield this.finding(
                ctx.located(schema, table, column),
                f"{table.name}.{column.name} marks deleted rows: every model of {table.name} must filter it",
                f"What does {table.name}.{column.name} mean exactly, can a marked row come back, and are marked rows "
                "ever removed for good?",
                declared_type=column.declared_type,
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
    """
    this = REGISTRY["hard-deletes"]
    deleters = _deleting_triggers(ctx)
    for schema, table in ctx.tables():
        if soft_delete_columns(table):
            continue
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
    """
    this = REGISTRY["deletion-policy-unknown"]
    deleters = _deleting_triggers(ctx)
    for schema, table in ctx.tables():
        deletes = _deleted_rows(ctx, schema, table)
        if soft_delete_columns(table) or deletes or any(fk.on_delete == "CASCADE" for fk in table.foreign_keys):
            continue
        if (schema.name, table.name) in deleters or key_gaps(ctx, schema, table):
            continue
        yield this.finding(
            ctx.located(schema, table),
            f"nothing in the database says whether rows of {table.name} are ever deleted",
            f"Are rows of {table.name} ever deleted, and is there a retention policy that drops or archives them?",
            deletes_counted_by_server=deletes,
        )


EXTRACTION_METHOD_ROLLUP = Rollup(
    by=lambda f: f"{f.location.schema}\0{f.evidence.get('method')}",
    says="{n} tables in {where}: {key}",
    asks="Can these tables be replicated with log-based change data capture? If not, is the cursor column set on every write?",
)


@rule(name="extraction-method", code="DF208", family="flow", scope="table", severity="info", needs=("catalog", "statistics"), rollup=EXTRACTION_METHOD_ROLLUP)
def extraction_method(ctx: AuditContext):
    """How an ELT tool (Airbyte, Fivetran, Stitch) can replicate this table, and why.

    ## What it detects
    For every table, the best replication method the database supports today: log-based change
    data capture (needs a primary key and the server's log set up for it), key-based incremental
    with a named cursor column (needs a last-modified column the database maintains, or an
    append-only table with an increasing key), or a full-table copy.

    ## Why it matters for analytics
    The method decides cost, freshness and correctness: full copies get slower every day, and a
    key-based cursor misses deletes and any update that forgets the cursor column.

    ## Question for the engineering team
    Can we use log-based replication on this database (a replication slot or binlog access)? If
    not, is the named cursor column set on every write?

    ## How to fix
    Enable logical replication (PostgreSQL `wal_level=logical`; MySQL/MariaDB row-based binlog), give
    every table a primary key and a maintained updated_at column.
    """
    this = REGISTRY["extraction-method"]
    cdc_ready, cdc_why = _cdc_ready(ctx)
    for schema, table in ctx.tables():
        cursor = next((c for c in updated_columns(table) if maintained_by(table, c)), None)
        append_key = _append_only_cursor(table)
        if cdc_ready and table.primary_key:
            method, why = "log-based CDC", f"{cdc_why} and the table has a primary key ({', '.join(table.primary_key.columns)})"
        elif cursor is not None:
            method = f"key-based incremental on {cursor.name}"
            why = f"{cursor.name} is maintained by {maintained_by(table, cursor)}; deletes are not seen this way"
        elif append_key is not None:
            method = f"incremental append on {append_key.name}"
            why = f"{table.name} looks append-only and {append_key.name} increases with every insert"
        else:
            method = "full table"
            why = "no primary key for CDC" if cdc_ready else f"no maintained last-modified column; no log-based CDC: {cdc_why}"
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name}: {method} ({why})",
            f"Can {table.name} be replicated with log-based CDC? If not, is the cursor set on every write?",
            method=method,
            reason=why,
            log_based_cdc_available=cdc_ready,
            primary_key=list(table.primary_key.columns) if table.primary_key else None,
        )


def _cdc_ready(ctx: AuditContext) -> tuple[bool, str]:
    settings = {k.lower(): str(v).lower() for k, v in ctx.catalog.cdc_settings.items()}
    if "wal_level" in settings:
        return settings["wal_level"] == "logical", f"wal_level is {settings['wal_level']}"
    if "log_bin" in settings:
        ok = settings["log_bin"] in ("on", "1") and settings.get("binlog_format") == "row"
        return ok, f"log_bin is {settings['log_bin']}, binlog_format {settings.get('binlog_format', 'unknown')}"
    return False, "the server offers no change log"


def _append_only_cursor(table: Table) -> Column | None:
    """An increasing insert-time column of a table that is never updated."""
    if not (is_append_only_name(table.name) or (table.inserts and table.updates == 0 and table.deletes == 0)):
        return None
    created = created_columns(table)
    if created:
        return created[0]
    if table.primary_key and len(table.primary_key.columns) == 1:
        key = table.column(table.primary_key.columns[0])
        if key is not None and key.identity:
            return key
    written = event_time_columns(table)  # in a log, changed_at is when the row was inserted
    return written[0] if written else None

