"""Data flow rules: when rows are created and changed, and whether status changes leave a history.

How rows are deleted is in flow_deletes, how tables can be extracted in flow_extraction, and which
tables are history (changelog) tables in flow_history.
"""

from __future__ import annotations

import re

from dayone.catalog.model import Column, Schema, Table
from dayone.profile.model import TableProfile, TimeOrder
from dayone.rules.context import AuditContext
from dayone.rules.flow_history import APPEND_ONLY_BY_COUNTERS, append_only_history, histories, is_history_table
from dayone.rules.naming import (
    is_created_name,
    is_region_state,
    is_soft_delete_name,
    is_status_name,
    is_updated_name,
    time_columns,
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


def event_time_columns(ctx: AuditContext, schema: Schema, table: Table) -> list[Column]:
    """In an append-only table (history, log, events) each row is written once, so its time column
    (changed_at, occurred_at, logged_at, a TEXT logged_at in SQLite) is the creation time."""
    history = append_only_history(ctx, schema, table)
    if history is None or history.kind == APPEND_ONLY_BY_COUNTERS:  # counters: last_update is no creation time
        return []
    return [c for c in time_columns(table) if c.normalized_type != "date"]


def is_link_table(ctx: AuditContext, table: Table) -> bool:
    """A table that only links rows of other tables (post_tags: post_id, tag_id): besides a key,
    references and a creation time it holds nothing, so a row is inserted or deleted, never changed."""
    key = set(table.primary_key.columns) if table.primary_key else set()
    referencing = {c for fk in table.foreign_keys for c in fk.columns}
    references = 0
    for column in table.columns:
        name = words(column.name)
        if column.name in referencing or name.endswith("_id"):
            references += 1
        elif not (column.name in key or name == "id" or is_created_name(column.name)):
            return False
    return references >= 2


def maintained(ctx: AuditContext, table: Table, column: Column) -> str | None:
    """maintained_by, worked out once per column and audit: the rule, the extraction advice and the
    verdict all ask."""
    facts = ctx.per_table("maintained by", table, lambda _: {})
    if column.name not in facts:
        facts[column.name] = maintained_by(table, column)
    return facts[column.name]


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
    events) any time column counts, since each row is written once.

    ## Why it matters for analytics
    "How many were created per day" is the first metric anyone asks for after a launch. Without a
    creation time it can only be approximated from when rows first reached the warehouse, which
    is wrong for everything that existed before the first sync (including migrated data).

    ## Question for the engineering team
    Can the table get a created_at column set by the database (DEFAULT now()), and is there
    another source of creation time for existing rows?

    ## How to fix
    `ALTER TABLE t ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();`

    ## What it leaves out
    History, log and events tables (see changelog-found) with any time column: their rows are
    written once, so changed_at or occurred_at is when the row was created. Text and numbers count
    as times only by their name (logged_at TEXT, created_ts INTEGER): the catalog does not say
    what text holds, and dayone does not read values to decide it.
    """
    this = REGISTRY["missing-created-at"]
    for schema, table in ctx.tables():
        if ctx.created_columns(table) or event_time_columns(ctx, schema, table):
            continue
        lookup = is_lookup_table(ctx, schema, table)
        others = [c.name for c in time_columns(table) if not is_updated_name(c.name)]
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
    ISO-8601 text or epoch numbers named as a time, such as updated_at). Small lookup tables are
    reported at info level.

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

    ## What it leaves out
    History tables (paper_trail `versions`, `*_versions`, `*_history`, `*_audit(s)`, `*_log(s)`,
    `*_events` of an entity, rows keyed by (x_id, version); see changelog-found) and tables the
    server counted many inserts but no update or delete on: their rows are written once, unless
    the server counted updates. Link tables (only a key, references and a creation time, such as
    post_tags): a link is inserted or deleted, never changed.
    """
    this = REGISTRY["missing-updated-at"]
    for schema, table in ctx.tables():
        if ctx.updated_columns(table) or append_only_history(ctx, schema, table) or is_link_table(ctx, table):
            continue
        lookup = is_lookup_table(ctx, schema, table)
        # current_nodes.timestamp may be the time of the last edit: asked, not assumed
        others = [c.name for c in time_columns(table) if not is_created_name(c.name) and c.normalized_type != "date"]
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name} has no last-modified timestamp" + (" (a small lookup table)" if lookup else "")
            + (f"; is {' or '.join(others)} the time of the last change?" if others else ""),
            f"Are rows of {table.name} updated after insert? If so, can it get an updated_at column the database maintains?",
            severity="info" if lookup else None,
            updates_counted_by_server=table.updates,
            other_time_columns=others or None,
        )


def _maintained_praise(ctx: AuditContext, found: list) -> str | None:
    """"updated_at is maintained by the database on 12 of 15 tables" when it is on some."""
    with_column = [(t, ctx.updated_columns(t)) for s, t in ctx.tables() if not append_only_history(ctx, s, t)]
    with_column = [(t, columns) for t, columns in with_column if columns]
    kept = sum(1 for t, columns in with_column if any(maintained(ctx, t, c) for c in columns))
    if not with_column or 2 * kept < len(with_column):  # "already good" is said of most tables, not of a few
        return None
    return f"a last-modified column is maintained by the database (trigger or ON UPDATE) on {kept} of {len(with_column)} tables that have one"


UPDATED_AT_NOT_MAINTAINED_ROLLUP = Rollup(
    noun=("last-modified column", "last-modified columns"),
    says="{n} of {total} last-modified columns in {where} are kept current by nothing in the database (no trigger, no ON UPDATE)",
    says_all="none of the {total} last-modified columns in {where} is maintained by the database (no trigger, no ON UPDATE): "
    "the application sets them",
    asks="Does every code path that updates these tables set their last-modified column, including bulk updates, scripts, "
    "migrations and other services? Can the database maintain them (a trigger, ON UPDATE) instead?",
    total=lambda ctx, schema: sum(len(ctx.updated_columns(t)) for s, t in ctx.tables()
                                  if s.name == schema and not append_only_history(ctx, s, t)),
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

    ## What it leaves out
    History tables (see changelog-found) and tables append-only by the server's counters, unless
    the server counted updates on them: a version row is written once, so its updated_at (Rails
    writes one in every table) equals its created_at and keeps nothing current.
    """
    this = REGISTRY["updated-at-not-maintained"]
    for schema, table in ctx.tables():
        if append_only_history(ctx, schema, table):
            continue  # a row written once: its updated_at is its creation time
        profile = ctx.table_profile(schema, table)
        for column in ctx.updated_columns(table):
            if maintained(ctx, table, column):
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

# Not a lifecycle: an HTTP response code (webhooks.http_status) is a fact about one request, and the
# state of a country or an address (country_state_id, shipping_state) is a place.
_NOT_A_LIFECYCLE = re.compile(
    r"(http_)?(response_)?status_code|http_status|response_status|response_code"
    r"|(\w+_)?(country|region|province|county|address|billing|shipping|home|mailing)_state(_id|_code)?"
)


def status_columns(ctx: AuditContext, schema: Schema, table: Table) -> list[Column]:
    """Columns holding a row's lifecycle state: status, state, stage, phase (a reference to a
    lookup of statuses included). The state of an address or a country and an HTTP status are not;
    nor is anything in a history table, which records states. Worked out once per table and audit."""
    return ctx.per_table("status columns", table, lambda _: _status_columns(ctx, schema, table))


def _status_columns(ctx: AuditContext, schema: Schema, table: Table) -> list[Column]:
    if is_history_table(ctx, schema, table):
        return []
    return [
        column for column in table.columns
        if is_status_name(column.name) and column.normalized_type in ("string", "text", "integer", "enum")
        and not _NOT_A_LIFECYCLE.fullmatch(words(column.name)) and not is_region_state(table, column)
    ]  # fmt: skip


def _untracked_praise(ctx: AuditContext, found: list) -> str | None:
    """Said only of trails the catalog shows: a changelog that may cover a table is not one."""
    index = histories(ctx)
    with_status = tracked = 0
    for schema, table in ctx.tables():
        if not status_columns(ctx, schema, table):
            continue
        with_status += 1
        key = (schema.name, table.name)
        if index.audit_triggers.get(key) or any(h.confirms(key) for h in index.changelogs_of(schema, table)) or (
            len(ctx.per_table("per-status timestamps", table, _per_status_timestamps)) >= 2
        ):
            tracked += 1
    if not with_status or 2 * tracked < with_status:  # "already good" is said of most tables, not of a few
        return None
    return f"status changes leave a trail (a changelog, an audit trigger or per-status timestamps) on {tracked} of {with_status} tables with a status"


def _per_status_timestamps(table: Table) -> list[str]:
    return [
        c.name for c in time_columns(table)
        if words(c.name).endswith(("_at", "_on", "_date"))
        and not (is_created_name(c.name) or is_updated_name(c.name) or is_soft_delete_name(c.name))
    ]  # fmt: skip


@rule(name="untracked-status-changes", code="DF204", family="flow", scope="column", severity="warning",
      needs=("catalog", "statistics", "profile"), rollup=UNTRACKED_STATUS_CHANGES_ROLLUP, praise=_untracked_praise)  # fmt: skip
def untracked_status_changes(ctx: AuditContext):
    """A status column whose changes leave no history.

    ## What it detects
    Status, state or stage columns on tables that no changelog covers (no history, audit, versions
    or events table of theirs, no paper_trail-like `versions` table, see changelog-found), with no
    trigger that writes an audit row on update, and no per-status timestamps (such as received_at,
    graded_at, shipped_at).

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

    ## What it leaves out
    Tables a changelog covers: changelog-found reports the changelog once, names the status
    columns whose history it may hold, and asks whether it records them; asking here again would
    ask one question twice. A polymorphic changelog (paper_trail's item_type/item_id) covers any
    table until a profile reads its type values: then only the tables they name. The state of an
    address (beside a city or postal code) or of a country (country_state_id, shipping_state), an
    HTTP status (http_status, status_code) and the columns of history tables are not statuses.
    """
    this = REGISTRY["untracked-status-changes"]
    index = histories(ctx)
    for schema, table in ctx.tables():
        columns = status_columns(ctx, schema, table)
        if not columns:
            continue
        if index.changelogs_of(schema, table) or index.audit_triggers.get((schema.name, table.name)):
            continue
        stamps = ctx.per_table("per-status timestamps", table, _per_status_timestamps)
        if len(stamps) >= 2:
            continue
        for column in columns:
            yield this.finding(
                ctx.located(schema, table, column),
                f"changes of {table.name}.{column.name} leave no history: no history or audit table, no audit "
                "trigger, no per-status timestamps",
                f"Is every change of {table.name}.{column.name} recorded with its time (history table, events, "
                "audit log)? If not, can a status history table be added before go-live?",
                per_status_timestamps=stamps or None,
                updates_counted_by_server=table.updates,
            )
