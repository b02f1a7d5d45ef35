"""History, audit and changelog tables: rows written once, that record how other rows changed.

Recognised once per audit (`histories(ctx)`), from the catalog and, where it was read, the profile:
- a polymorphic changelog: a `<p>_type` / `<p>_id` pair with an action and a change payload
  (paper_trail's `versions`: item_type, item_id, event, object; the audited gem's `audits`), or a
  table named versions/audits with such a pair: it may record any table;
- rows keyed by (x_id, version): one row per version of x (OpenStreetMap's nodes);
- a name: history, audit, changelog as a word anywhere (order_status_history, audit_entries),
  `_changes`, `_transitions`; `_versions` / `_revisions` when the table refers to the row it is a
  version of (post_versions.post_id); `_events` when it refers to an entity or says when something
  occurred; `_log(s)`, `_journal`, `_ledger`;
- the server's counters: rows inserted, none updated or deleted since they were reset.
A table that records when it was approved, voided or deleted (two lifecycle timestamps, or a
soft-delete time) changes after it is written, whatever its name says (quote_versions).
Audit triggers (on UPDATE or DELETE, inserting into another table) make their target a changelog
of the table they fire on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dayone.catalog.model import Column, Schema, Table
from dayone.rules.context import AuditContext
from dayone.rules.naming import (
    is_created_name,
    is_events_name,
    is_history_word_name,
    is_log_name,
    is_occurrence_time_name,
    is_soft_delete_name,
    is_updated_name,
    is_version_column_name,
    is_versions_name,
    soft_delete_markers,
    time_columns,
    words,
)

# A few inserts and no update since the counters were reset say little: a table counts as
# append-only by the server's counters from this many inserts on, and only when the server counted
# updates or deletes elsewhere in the database. A database just loaded or restored counts only
# inserts everywhere: its counters say nothing about how the application writes.
MIN_APPEND_ONLY_INSERTS = 100

TableKey = tuple[str, str]  # (schema, table) names
APPEND_ONLY_BY_COUNTERS = "append-only by the server's counters"

# The action and the change payload of a changelog row.
_ACTION_COLUMNS = frozenset({"event", "action", "action_type", "event_type", "operation", "activity", "verb", "change_type"})
_PAYLOAD_COLUMNS = frozenset({
    "object", "object_changes", "audited_changes", "changes", "changeset", "diff", "details", "data", "old_values",
    "new_values", "old_data", "new_data", "changed_fields", "before", "after", "payload", "old_value", "new_value",
})  # fmt: skip
_STATUS_RECORD = re.compile(r"(\w+_)?(status|state|stage|phase)(_\w+)?|(from|to|old|new)_\w+|event|action|transition|object|object_changes|audited_changes|changes")


@dataclass(frozen=True)
class History:
    """A table whose rows record other rows' past: how it was recognised, and what it covers."""

    schema: Schema
    table: Table
    kind: str  # "paper_trail versions table", "history table", "version history", "log", "audit table", ...
    basis: str  # why, in words, for a finding's message
    covers: dict[TableKey, str] = field(default_factory=dict)  # covered table -> how ("foreign key order_id")
    polymorphic: tuple[str, str] | None = None  # (type column, id column): it may record any table
    type_values: tuple[str, ...] | None = None  # the type column's values, where rows or partitions show them
    typed_tables: tuple[TableKey, ...] = ()  # the tables those values name
    type_values_from: str | None = None  # "rows read" (a whole table), "rows sampled", or "partitions" (LIST bounds)
    deletes_only: set[TableKey] = field(default_factory=set)  # covered by a trigger on DELETE only

    @property
    def key(self) -> TableKey:
        return self.schema.name, self.table.name

    @property
    def is_changelog(self) -> bool:
        """Records how other rows changed: a log or events table only when it covers a table."""
        return bool(self.polymorphic or self.covers or self.kind in ("history table", "versions table", "version history"))

    def may_cover(self, key: TableKey) -> bool:
        """May hold the changes of this table's rows (a DELETE-only trigger keeps only their end)."""
        if key in self.covers:
            return key not in self.deletes_only
        if self.polymorphic is None:
            return False
        return not self.types_known or key in self.typed_tables  # unread, or a sample: any table

    @property
    def types_known(self) -> bool:
        """Every type it holds is known: the table was read whole, or its partitions list them (a
        sample can miss a rare type)."""
        return self.type_values is not None and self.type_values_from in ("rows read", "partitions")

    def confirms(self, key: TableKey) -> bool:
        """Covers this table by its name, a key, a trigger, or the type values read; not merely
        "may", as a polymorphic changelog whose types were not read."""
        return (key in self.covers and key not in self.deletes_only) or (self.types_known and key in self.typed_tables)

    def records_status(self) -> bool:
        """Has a column that can hold a status or its change (status, to_state, object_changes)."""
        return self.polymorphic is not None or any(_STATUS_RECORD.fullmatch(words(c.name)) for c in self.table.columns)


@dataclass
class HistoryIndex:
    tables: dict[TableKey, History] = field(default_factory=dict)
    covering: dict[TableKey, list[History]] = field(default_factory=dict)  # specific coverage
    polymorphic: list[History] = field(default_factory=list)
    # table -> (trigger, target) of its triggers on UPDATE that insert into another table: its changes are kept
    audit_triggers: dict[TableKey, list[tuple[str, TableKey]]] = field(default_factory=dict)
    _markers: dict[int, list[tuple[Column, str]]] = field(default_factory=dict)  # id(table) -> its soft-delete markers
    _by_id: dict[int, History] = field(default_factory=dict)  # id(table) -> its History: rules ask for every table

    def of(self, schema: Schema, table: Table) -> History | None:
        return self._by_id.get(id(table))

    def markers(self, table: Table) -> list[tuple[Column, str]]:
        """naming.soft_delete_markers, worked out once per table: four rules ask."""
        found = self._markers.get(id(table))
        if found is None:
            found = self._markers[id(table)] = soft_delete_markers(table)
        return found

    def changelogs_of(self, schema: Schema, table: Table) -> list[History]:
        """The changelogs that may hold the changes of this table's rows."""
        key = (schema.name, table.name)
        return [*(h for h in self.covering.get(key, ()) if h.may_cover(key)),
                *(h for h in self.polymorphic if h.may_cover(key) and h.key != key)]  # fmt: skip


def histories(ctx: AuditContext) -> HistoryIndex:
    """Every history table of the catalog, built once per audit (AuditContext.histories)."""
    return ctx.histories


def is_history_table(ctx: AuditContext, schema: Schema, table: Table) -> bool:
    return histories(ctx).of(schema, table) is not None


def append_only_history(ctx: AuditContext, schema: Schema, table: Table) -> History | None:
    """A history table the server has not counted updates on: its rows are written once, so it is
    asked neither for a last-modified column nor whether that column is maintained."""
    found = histories(ctx).of(schema, table)
    return found if found is not None and not table.updates else None


def marked_columns(ctx: AuditContext, table: Table) -> list[Column]:
    """Soft-delete markers of a table (naming.soft_delete_markers), once per audit."""
    return [column for column, _ in ctx.histories.markers(table)]


def build_histories(ctx: AuditContext) -> HistoryIndex:
    index = HistoryIndex()
    names = _TableNames(ctx)
    counted_changes = any(t.updates or t.deletes for _, t in ctx.catalog.tables())
    for schema, table in ctx.catalog.tables():
        if table.kind not in ("table", "partitioned table"):
            continue
        found = _recognise(ctx, names, schema, table, counted_changes)
        if found is not None:
            index.tables[found.key] = found
    for (schema_name, table_name), trigger, target, on_update in _audit_triggers(ctx):
        if on_update:
            index.audit_triggers.setdefault((schema_name, table_name), []).append((trigger, target))
        target_history = index.tables.get(target)
        if target_history is None:
            found = ctx.find_table(*target)
            if found is None:
                continue
            target_history = index.tables[target] = History(found[0], found[1], "audit table", "an audit trigger writes it")
        if (schema_name, table_name) not in index.tables:
            # a trigger on DELETE only keeps the last state of deleted rows, not the changes of a status
            how = f"trigger {trigger}" if on_update else f"trigger {trigger}, on DELETE only"
            target_history.covers.setdefault((schema_name, table_name), how)
            if not on_update:
                target_history.deletes_only.add((schema_name, table_name))
    for history in index.tables.values():
        index._by_id[id(history.table)] = history
        history.covers.pop(history.key, None)
        for other in [k for k in history.covers if k in index.tables]:
            del history.covers[other]  # the history of a history is part of the same history
        for covered in history.covers:
            index.covering.setdefault(covered, []).append(history)
        if history.polymorphic is not None:
            index.polymorphic.append(history)
    return index


class _TableNames:
    """Tables by their name in words, per schema, to resolve a stem (order -> orders)."""

    def __init__(self, ctx: AuditContext):
        self.by_words: dict[tuple[str, str], Table] = {}
        for schema, table, name in ctx.named_tables:
            if table.kind in ("table", "partitioned table"):
                self.by_words.setdefault((schema.name, name), table)

    def find(self, schema: Schema, stem: str) -> Table | None:
        for name in _plurals(stem):
            found = self.by_words.get((schema.name, name))
            if found is not None:
                return found
        return None


def _plurals(stem: str) -> list[str]:
    forms = [stem + "s", stem, stem + "es"]
    if stem.endswith("y"):
        forms.insert(0, stem[:-1] + "ies")
    if stem.endswith("person"):
        forms.insert(0, stem[: -len("person")] + "people")
    return forms


def _recognise(ctx: AuditContext, names: _TableNames, schema: Schema, table: Table, counted_changes: bool) -> History | None:
    found = _candidate(ctx, names, schema, table, counted_changes)
    if found is not None and _has_a_lifecycle(table):
        return None  # it records when it was approved, voided or deleted: it changes after it is written
    return found


def _candidate(ctx: AuditContext, names: _TableNames, schema: Schema, table: Table, counted_changes: bool) -> History | None:
    """What the table's name, key, columns or counters say it is, its lifecycle aside."""
    name = words(table.name)
    pair = _polymorphic_pair(table)
    if pair is not None:
        by_column = {words(c.name) for c in table.columns}
        shaped = bool(_ACTION_COLUMNS & by_column) and bool(_PAYLOAD_COLUMNS & by_column)
        if shaped or name in ("versions", "audits", "audit_logs", "activities") or is_history_word_name(table.name):
            return _polymorphic(ctx, names, schema, table, name, pair)
    version_key = _version_key(table)
    if version_key is not None:
        entity, key = version_key
        covers = _stem_cover(names, schema, table, words(entity).removesuffix("_id"), f"key column {entity}")
        return History(schema, table, "version history", f"rows keyed by ({', '.join(key)})", covers)
    if is_history_word_name(table.name):
        return History(schema, table, "history table", "named as a history or audit table", _covers(names, schema, table))
    if is_versions_name(table.name):
        # ci_runner_versions (a version string and a status) lists software versions: a versions table
        # is a history when it refers to rows (post_versions.post_id)
        if not _refers_to_rows(names, schema, table):
            return None
        return History(schema, table, "versions table", "named as versions, and it refers to the rows it versions", _covers(names, schema, table))
    if is_events_name(table.name):
        # marketing_events (a name, a date, updated_at) is a calendar: an events table is a log when it
        # refers to rows, says when something occurred, or has no last-modified column
        if (_refers_to_rows(names, schema, table) or any(is_occurrence_time_name(c.name) for c in time_columns(table))
                or not ctx.updated_columns(table)):  # fmt: skip
            return History(schema, table, "events table", "named as events", _stem_cover(names, schema, table, _stem(table), "its name"))
        return None
    if is_log_name(table.name):
        # a log of deliveries or requests refers to many tables without recording their changes: it
        # covers only the table its name stems from (order_log -> orders)
        return History(schema, table, "log", "named as a log", _stem_cover(names, schema, table, _stem(table), "its name"))
    if (counted_changes and table.inserts is not None and table.inserts >= MIN_APPEND_ONLY_INSERTS
            and table.updates == 0 and table.deletes == 0):  # fmt: skip
        return History(schema, table, APPEND_ONLY_BY_COUNTERS,
                       f"the server counted {table.inserts:,} inserts and no update or delete")  # fmt: skip
    return None


def _has_a_lifecycle(table: Table) -> bool:
    """A soft-delete time, or two or more other times besides creation, last change and occurrence:
    approved_at and voided_at are set after the row was written."""
    stamps = 0
    for column in time_columns(table):
        if is_soft_delete_name(column.name) and column.normalized_type != "boolean":
            return True
        name = words(column.name)
        if name.endswith(("_at", "_on", "_date")) and not (
            is_created_name(column.name) or is_updated_name(column.name) or is_occurrence_time_name(column.name)
        ):
            stamps += 1
    return stamps >= 2


def _polymorphic_pair(table: Table) -> tuple[str, str] | None:
    """item_type beside item_id (paper_trail), auditable_type beside auditable_id (audited)."""
    types = [c for c in table.columns if c.name.lower().endswith("type") and words(c.name).endswith("_type")]
    if not types:  # most tables: no pair to look for
        return None
    by_name = {words(c.name): c for c in table.columns}
    for column in types:
        id_column = by_name.get(words(column.name).removesuffix("_type") + "_id")
        if id_column is not None:
            return column.name, id_column.name
    return None


def _polymorphic(ctx: AuditContext, names: _TableNames, schema: Schema, table: Table, name: str, pair: tuple[str, str]) -> History:
    type_column, id_column = pair
    kind = ("paper_trail versions table" if name == "versions" and words(type_column) == "item_type"
            else "audited audits table" if name == "audits" and words(type_column) == "auditable_type"
            else "polymorphic changelog")  # fmt: skip
    values, source = _type_values(ctx, schema, table, type_column)
    if values is None:
        values, source = _listed_types(ctx, schema, table), "partitions"
    typed = ()
    if values is not None:
        typed = tuple((schema.name, found.name) for value in values
                      if (found := _class_table(names, schema, value)) is not None)  # fmt: skip
    return History(schema, table, kind, f"{type_column} and {id_column} name the row each entry is about", {},
                   pair, values, typed, source if values is not None else None)  # fmt: skip


def _type_values(ctx: AuditContext, schema: Schema, table: Table, column_name: str) -> tuple[tuple[str, ...] | None, str]:
    """The class names the profile read in the type column, and whether the table was read whole
    ("rows read") or sampled; None when no row was read or the values were not kept (then the
    changelog may cover any table)."""
    column = table.column(column_name)
    read = ctx.column_profile(schema, table, column) if column is not None else None
    if read is None or not read[0].rows_read or not read[1].top_values:
        return None, ""
    return tuple(v.value for v in read[1].top_values), "rows read" if read[0].method == "full" else "rows sampled"


_LIST_BOUND = re.compile(r"FOR\s+VALUES\s+IN\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


def _listed_types(ctx: AuditContext, schema: Schema, table: Table) -> tuple[str, ...] | None:
    """A changelog partitioned by LIST ('Issue', 'MergeRequest'), with no default partition, holds
    only those values of its type column: the catalog names the tables it may cover."""
    values: list[str] = []
    for partition in ctx.partitions_of(schema, table):
        found = _LIST_BOUND.match((partition.partition_bound or "").strip())
        if found is None:
            return None  # a default partition, or another kind of bound: any type may be there
        values += re.findall(r"'((?:[^']|'')*)'", found.group(1))
    return tuple(values) or None


def _class_table(names: _TableNames, schema: Schema, class_name: str) -> Table | None:
    """'Invoice' -> invoices; 'Billing::Invoice' -> billing_invoices, or invoices."""
    parts = [p for p in re.split(r"::|\.", class_name) if p]
    for candidate in ("_".join(words(p) for p in parts), words(parts[-1]) if parts else ""):
        if candidate and (found := names.find(schema, candidate)) is not None:
            return found
    return None


def _version_key(table: Table) -> tuple[str, tuple[str, ...]] | None:
    """(x_id, version) or (x_id, version, k): the entity column and the key."""
    key = table.primary_key.columns if table.primary_key else ()
    if len(key) < 2 or not any(is_version_column_name(c) for c in key):
        return None
    entity = next((c for c in key if not is_version_column_name(c) and words(c).endswith("id")), None)
    return (entity, tuple(key)) if entity is not None else None


def _stem(table: Table) -> str:
    """order_status_history -> order_status; audit_entries -> entries; post_versions -> post."""
    name = words(table.name)
    name = re.sub(r"_?(history|histories|audit|audits|audit_trail|audit_trails|changelog|changelogs)(?=_|$)", "", name)
    name = re.sub(r"_(changes|transitions|versions|revisions|log|logs|journal|journals|ledger|ledgers|events|event)$", "", name)
    return name.strip("_")


def _stem_cover(names: _TableNames, schema: Schema, table: Table, stem: str, how: str) -> dict[TableKey, str]:
    """The table a stem names, trying shorter stems too: order_status -> order_statuses, then orders."""
    parts = stem.split("_") if stem else []
    while parts:
        found = names.find(schema, "_".join(parts))
        if found is not None and found is not table:
            return {(schema.name, found.name): how}
        if parts[-1] in ("status", "state", "stage", "phase", "statuses", "states"):
            parts = parts[:-1]
        else:
            break
    return {}


def _covers(names: _TableNames, schema: Schema, table: Table) -> dict[TableKey, str]:
    """What a history table records: the table its name stems from (order_status_history ->
    orders), or else the table a foreign key's column names (order_id -> orders; not changed_by_id
    -> users: who changed it is not what changed)."""
    covers = _stem_cover(names, schema, table, _stem(table), "its name")
    if covers:
        return covers
    for fk in table.foreign_keys:
        if len(fk.columns) == 1 and words(fk.columns[0]).endswith("_id"):
            entity = words(fk.columns[0]).removesuffix("_id")
            if entity and any(words(fk.referred_table) == form for form in _plurals(entity)):
                covers[(fk.referred_schema, fk.referred_table)] = f"foreign key {fk.columns[0]}"
    return covers


def _refers_to_rows(names: _TableNames, schema: Schema, table: Table) -> bool:
    """A foreign key, or a column named after another table's rows (post_id -> posts)."""
    if table.foreign_keys:
        return True
    for column in table.columns:
        name = words(column.name)
        if name.endswith("_id") and (found := names.find(schema, name.removesuffix("_id"))) is not None and found is not table:
            return True
    return False


_INSERT_INTO = re.compile(r"\binsert\s+(?:ignore\s+)?into\s+(?:[`\"]?([\w$]+)[`\"]?\s*\.\s*)?[`\"]?([\w$]+)", re.IGNORECASE)


def _audit_triggers(ctx: AuditContext):
    """(table, trigger, target, fires on UPDATE): triggers on UPDATE or DELETE whose body inserts into
    another table."""
    for schema, table in ctx.catalog.tables():
        for trigger in table.triggers:
            if not ({"UPDATE", "DELETE"} & set(trigger.events)):
                continue
            for qualifier, name in _INSERT_INTO.findall(trigger.body):
                target = ctx.find_table(qualifier or schema.name, name)
                if target is not None and target[1] is not table:
                    yield (schema.name, table.name), trigger.name, (target[0].name, target[1].name), "UPDATE" in trigger.events
