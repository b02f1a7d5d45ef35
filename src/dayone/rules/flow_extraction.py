"""How an ELT tool can replicate each table, and what makes that method safe or not.

Advice is never unsafe: a table that has a last-modified or a soft-delete column is never advised
"incremental append" (updates would be missed); advice resting on a table's name says so; with no
rows, no claim is made about how values increase; every cursor carries its cautions (deletes
missed, NULLs never extracted, a wall-clock time in a zone that is not UTC, rows committed late).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dayone.catalog.access import is_utc
from dayone.catalog.model import Column, Schema, Table
from dayone.rules.context import AuditContext
from dayone.rules.flow import maintained
from dayone.rules.flow_deletes import time_partitioning
from dayone.rules.flow_history import APPEND_ONLY_BY_COUNTERS, History, append_only_history, marked_columns
from dayone.rules.naming import created_columns, holds_time, words
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

EXTRACTION_METHOD_ROLLUP = Rollup(
    by=lambda f: f"{f.location.schema}\0{f.evidence.get('method')}",
    says="{n} tables in {where}: {key}",
    asks="Can these tables be replicated with log-based change data capture? If not, is the cursor column set on every write?",
)

# Columns written with the row, by the writer's clock: a cursor for a table that is only inserted into.
# An event's own time (occurred_at, timestamp) is not: events arrive late, and would be skipped.
_WRITE_TIME_NAMES = ("logged", "recorded", "changed", "inserted", "written", "enqueued")


@dataclass
class Plan:
    method: str
    reason: str
    cautions: list[str] = field(default_factory=list)
    cursor: Column | None = None


@rule(name="extraction-method", code="DF208", family="flow", scope="table", severity="info",
      needs=("catalog", "statistics", "profile"), rollup=EXTRACTION_METHOD_ROLLUP)  # fmt: skip
def extraction_method(ctx: AuditContext):
    """How an ELT tool (Airbyte, Fivetran, Stitch) can replicate this table, and why.

    ## What it detects
    For every table, the best replication method the database supports today, with what makes it
    safe: log-based change data capture (needs a primary key and the server's log set up for it);
    key-based incremental on a last-modified column the database maintains (deletes are missed, and
    the column must change on every write); incremental append on an insert-time column or an
    identity key, for a table that is only ever inserted into (a history or log table by its name,
    or by the server's counters) and has neither a last-modified nor a soft-delete column; or a
    full-table copy. Each cursor carries its cautions: a nullable cursor, a wall-clock time in a
    server whose zone is not UTC, values set at the write but visible at commit.

    ## Why it matters for analytics
    The method decides cost, freshness and correctness: full copies get slower every day, and a
    key-based cursor misses deletes and any update that forgets the cursor column.

    ## Question for the engineering team
    Can we use log-based replication on this database (a replication slot or binlog access)? If
    not, is the named cursor column set on every write?

    ## How to fix
    Enable logical replication (PostgreSQL `wal_level=logical`; MySQL/MariaDB row-based binlog), give
    every table a primary key and a maintained updated_at column.

    ## What it leaves out
    It never advises incremental append for a table with a last-modified or soft-delete column
    (updates and soft deletes would be missed), and never uses an event's own time (occurred_at, a
    `timestamp` column) as a cursor: events arrive late. A last-modified column that nothing in the
    database maintains is named as a possible cursor, but the advice stays a full copy until the
    team confirms every write sets it (updated-at-not-maintained asks). Without rows read, nothing
    is said about how values increase: only what the schema guarantees (an identity key, a default).
    """
    this = REGISTRY["extraction-method"]
    cdc_ready, cdc_why = _cdc_ready(ctx)
    zone = _non_utc_zone(ctx)
    for schema, table in ctx.tables():
        plan = _plan(ctx, schema, table, cdc_ready, cdc_why, zone)
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name}: {plan.method} ({plan.reason})" + "".join(f"; {c}" for c in plan.cautions),
            f"Can {table.name} be replicated with log-based CDC? If not, is the cursor set on every write?",
            method=plan.method,
            reason=plan.reason,
            cautions=plan.cautions or None,
            cursor=plan.cursor.name if plan.cursor is not None else None,
            log_based_cdc_available=cdc_ready,
            primary_key=list(table.primary_key.columns) if table.primary_key else None,
        )


def _plan(ctx: AuditContext, schema: Schema, table: Table, cdc_ready: bool, cdc_why: str, zone: str | None) -> Plan:
    if cdc_ready and table.primary_key:
        plan = Plan("log-based CDC", f"{cdc_why} and the table has a primary key ({', '.join(table.primary_key.columns)})")
        if time_partitioning(ctx, schema, table):
            plan.cautions.append("partitions detached or dropped whole are not in the change log")
        return plan
    no_cdc = "no primary key for CDC" if cdc_ready else f"no log-based CDC: {cdc_why}"
    history = append_only_history(ctx, schema, table)
    updated = ctx.updated_columns(table)
    if history is not None:  # in a log, changed_at is when the logged change happened, not a last change of the row
        updated = [c for c in updated if not words(c.name).startswith(("changed", "change_"))]
    cursor = next((c for c in updated if maintained(ctx, table, c)), None)
    if cursor is not None:
        plan = Plan(f"key-based incremental on {cursor.name}",
                    f"{cursor.name} is maintained by {maintained(ctx, table, cursor)}: it changes on every update, unless a "
                    "write sets it explicitly or bypasses triggers; hard deletes are never seen this way"
                    + ("; soft deletes arrive as updates" if marked_columns(ctx, table) else ""), cursor=cursor)  # fmt: skip
        plan.cautions += _cursor_cautions(cursor, zone)
        return plan
    if updated:
        return Plan("full table", f"no maintained last-modified column: {updated[0].name} exists, but nothing in the database "
                    f"maintains it, so key-based incremental on it is safe only if every write sets it; {no_cdc}")  # fmt: skip
    if marked_columns(ctx, table) and history is None:  # a history row's is_deleted is a copy of the state it records
        return Plan("full table", f"no maintained last-modified column, and rows are marked deleted by updates; {no_cdc}")
    if history is not None:
        return _append_plan(ctx, schema, table, history, no_cdc, zone)
    return Plan("full table", f"no maintained last-modified column; {no_cdc}" if not cdc_ready else no_cdc)


def _append_plan(ctx: AuditContext, schema: Schema, table: Table, history: History, no_cdc: str, zone: str | None) -> Plan:
    if history.kind == APPEND_ONLY_BY_COUNTERS:
        basis = f"{history.basis} since its counters were reset"
    elif history.kind in ("history table", "versions table", "events table", "log"):
        basis = f"{table.name} looks append-only by its name ({history.kind}), which no counter confirms"
    else:
        basis = f"{table.name} looks append-only, as a {history.kind} ({history.basis}), which no counter confirms"
    cursor, how = _insert_cursor(table)
    if cursor is None:
        return Plan("full table", f"{no_cdc}; {basis}, but has no insert-time cursor (an identity key or a creation time)")
    plan = Plan(f"incremental append on {cursor.name}", f"{basis}; {how}", cursor=cursor)
    plan.cautions.append("any row later updated or deleted is missed: confirm rows are only ever inserted")
    empty = _emptiness(ctx, schema, table)
    if empty:
        plan.cautions.append(f"{empty}: nothing shows yet how its values increase")
    plan.cautions += _cursor_cautions(cursor, zone)
    return plan


def _insert_cursor(table: Table) -> tuple[Column | None, str]:
    """The column that orders rows by insertion, and what guarantees it, from the schema alone."""
    if table.primary_key and len(table.primary_key.columns) == 1:
        key = table.column(table.primary_key.columns[0])
        if key is not None and key.identity and key.normalized_type == "integer":
            return key, f"{key.name} is {_identity_kind(key.identity)}, assigned in increasing order at insert"
    for column in created_columns(table) + [c for c in table.columns if _is_write_time(c)]:
        if column.default:
            return column, f"{column.name} defaults to the time of insert ({column.default})"
        return column, f"{column.name} is the creation time if the application sets it at insert (it has no default)"
    return None, ""


def _is_write_time(column: Column) -> bool:
    name = words(column.name)
    return holds_time(column) and name.split("_", 1)[0] in _WRITE_TIME_NAMES and column.normalized_type != "date"


def _identity_kind(identity: str) -> str:
    return {"auto_increment": "an auto-increment key", "rowid": "the rowid", "serial": "a serial key"}.get(identity, "an identity key")


def _cursor_cautions(cursor: Column, zone: str | None) -> list[str]:
    cautions = []
    if cursor.nullable and not cursor.identity:
        cautions.append(f"{cursor.name} is nullable: rows where it is NULL are never extracted")
    if cursor.normalized_type == "timestamp" and zone:
        cautions.append(f"{cursor.name} is a wall-clock time without a zone and the server's zone is {zone}: when clocks go "
                        "back an hour, the cursor repeats and rows are skipped")  # fmt: skip
    if cursor.identity:
        cautions.append(f"{cursor.name} is assigned at insert, not at commit: re-read a window below the last value, or rows "
                        "committed late are skipped")  # fmt: skip
    else:
        cautions.append(f"{cursor.name} is set when the row is written (PostgreSQL's now() is the transaction's start), not "
                        "when it is committed: re-read a window before the last value, or rows committed late are skipped")  # fmt: skip
    return cautions


def _emptiness(ctx: AuditContext, schema: Schema, table: Table) -> str | None:
    """Why the table has shown no rows, if it has not: a full read, the server's counters, its estimate."""
    profile = ctx.table_profile(schema, table)
    if profile is not None and profile.method == "full" and not profile.rows_read:
        return "the table is empty"
    if table.inserts == 0 and not table.updates and not table.deletes:
        return "the server counted no write since its counters were reset"
    if table.estimated_rows == 0:
        return "the server estimates no rows"
    return None


def _non_utc_zone(ctx: AuditContext) -> str | None:
    """The server's zone when it is known and is not UTC."""
    access = ctx.catalog.access
    zone = (access.server_timezone if access is not None else None) or ctx.catalog.server_timezone
    if not zone:
        return None
    return None if is_utc(zone) else zone


def _cdc_ready(ctx: AuditContext) -> tuple[bool, str]:
    settings = {k.lower(): str(v).lower() for k, v in ctx.catalog.cdc_settings.items()}
    if "wal_level" in settings:
        return settings["wal_level"] == "logical", f"wal_level is {settings['wal_level']}"
    if "log_bin" in settings:
        ok = settings["log_bin"] in ("on", "1") and settings.get("binlog_format") == "row"
        return ok, f"log_bin is {settings['log_bin']}, binlog_format {settings.get('binlog_format', 'unknown')}"
    return False, "the server offers no change log"
