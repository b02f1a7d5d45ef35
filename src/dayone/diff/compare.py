"""Comparing two catalogs table by table: what was dropped, added, renamed or changed, each change
classified by what it does to extraction, models and metrics (dayone.diff.model.Impact).

Only structure is compared: row counts, sizes and the server's change counters move on every
database and are never changes. A constraint, index or trigger is reported on the column it
constrains or maintains when it has one column, otherwise on its table."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from dayone.catalog.model import Catalog, Column, Table
from dayone.diff.constraints import compare_constraints
from dayone.diff.model import Change
from dayone.diff.renames import Rename, column_renames, table_renames
from dayone.diff.types import classify
from dayone.findings import target_name

Spell = Callable[..., str]
TableKey = tuple[str, str]


class Names:
    """How old names map to new ones once renames are known, and how targets are spelled."""

    def __init__(self, old: Catalog, new: Catalog):
        self.product = new.product
        label = new.database if new.product == "sqlite" else None
        self.spell: Spell = (lambda *n: target_name(*n[1:], label=label)) if label else target_name
        self.tables: dict[TableKey, str] = {}  # old (schema, table) -> new table name
        self.columns: dict[TableKey, dict[str, str]] = {}  # new (schema, table) -> old column -> new column

    def table(self, schema: str, name: str) -> str:
        return self.tables.get((schema, name), name)

    def column(self, schema: str, new_table: str, name: str) -> str:
        return self.columns.get((schema, new_table), {}).get(name, name)


def structure(table: Table) -> tuple:
    """What a table is, without what its rows make of it (counts, sizes, change counters)."""
    return (table.kind, table.comment, table.columns, table.primary_key, table.unique_constraints, table.foreign_keys,
            table.check_constraints, table.indexes, table.triggers, table.view_definition, table.partition_of,
            table.partition_bound, table.partitioning, table.skipped)  # fmt: skip


def compare(old: Catalog, new: Catalog, names: Names) -> Iterator[Change]:
    pairs: list[tuple[str, Table, Table]] = []
    renamed: list[tuple[str, Rename]] = []
    dropped_tables: list[TableKey] = []
    added_tables: list[TableKey] = []
    old_schemas = {s.name: {t.name: t for t in s.tables} for s in old.schemas}
    new_schemas = {s.name: {t.name: t for t in s.tables} for s in new.schemas}
    for schema in sorted(set(old_schemas) | set(new_schemas)):
        before, after = old_schemas.get(schema, {}), new_schemas.get(schema, {})
        dropped = sorted(set(before) - set(after))
        added = sorted(set(after) - set(before))
        found = table_renames(before, after, [d for d in dropped if before[d].kind != "partition"],
                              [a for a in added if after[a].kind != "partition"])  # fmt: skip
        for rename in found:
            names.tables[(schema, rename.old)] = rename.new
            renamed.append((schema, rename))
            pairs.append((schema, before[rename.old], after[rename.new]))
        gone = {r.old for r in found}
        came = {r.new for r in found}
        dropped_tables += [(schema, d) for d in dropped if d not in gone]
        added_tables += [(schema, a) for a in added if a not in came]
        pairs += [(schema, before[n], after[n]) for n in sorted(set(before) & set(after))]
    # Columns renamed anywhere are known before constraints are compared: a foreign key to a renamed
    # column of another table is the same foreign key.
    changed_pairs = []
    for schema, a, b in pairs:
        if a.name == b.name and structure(a) == structure(b):
            continue  # most tables of a live database: nothing to look at
        changed_pairs.append((schema, a, b, _column_plan(a, b, names, schema)))
    for schema, rename in renamed:
        a, b = old_schemas[schema][rename.old], new_schemas[schema][rename.new]
        yield Change("table-renamed", names.spell(schema, rename.new), "breaking",
                     f"{_what(b)} {names.spell(schema, rename.old)} is now {names.spell(schema, rename.new)} "
                     f"({rename.said()}): extraction and models that name the old table stop finding it",
                     schema=schema, table=rename.new, old_names=(names.spell(schema, rename.old),))  # fmt: skip
    for schema, name in dropped_tables:
        yield _whole_table_change("dropped", schema, old_schemas[schema][name], names)
    for schema, name in added_tables:
        yield _whole_table_change("added", schema, new_schemas[schema][name], names)
    for schema, a, b, plan in changed_pairs:
        if a.kind == "partition" and b.kind == "partition":
            continue  # a PostgreSQL partition changes with its parent table: said once, there
        yield from _compare_table(schema, a, b, plan, names)


def _whole_table_change(side: str, schema: str, table: Table, names: Names) -> Change:
    """A table dropped or added whole; a partition's rows come or go with it, said as info."""
    target = names.spell(schema, table.name)
    if table.kind == "partition":
        kind, impact = f"partition-{side}", "info"
        detail = (f"partition {table.name} of {table.partition_of} was dropped: its rows went with it" if side == "dropped"
                  else f"new partition {table.name} of {table.partition_of}")  # fmt: skip
    elif side == "dropped":
        kind, impact = "table-dropped", "breaking"
        detail = f"{_what(table)} {target} was dropped: extraction of it fails and models reading it break"
    else:
        kind, impact = "table-added", "action"
        detail = f"new {_what(table)} with {len(table.columns)} column(s): decide whether to extract it"
    return Change(kind, target, impact, detail, schema=schema, table=table.name)  # type: ignore[arg-type]


def _what(table: Table) -> str:
    return "table" if table.kind in ("table", "partitioned table") else table.kind


def _column_plan(a: Table, b: Table, names: Names, schema: str) -> tuple[list[str], list[str], list[Rename]]:
    before = [c.name for c in a.columns]
    after_names = {c.name for c in b.columns}
    dropped = [n for n in before if n not in after_names]
    known = set(before)
    added = [c.name for c in b.columns if c.name not in known]
    renames = column_renames(a, b, dropped, added)
    mapping = names.columns.setdefault((schema, b.name), {})
    for rename in renames:
        mapping[rename.old] = rename.new
    gone, came = {r.old for r in renames}, {r.new for r in renames}
    return [d for d in dropped if d not in gone], [n for n in added if n not in came], renames


def _compare_table(schema: str, a: Table, b: Table, plan, names: Names) -> Iterator[Change]:
    dropped, added, renames = plan
    spell = names.spell
    here = spell(schema, b.name)

    def on(column: str | None, kind: str, impact: str, detail: str, old_names: tuple[str, ...] = ()) -> Change:
        target = spell(schema, b.name, column) if column else here
        return Change(kind, target, impact, detail, schema=schema, table=b.name, column=column, old_names=old_names)  # type: ignore[arg-type]

    if a.skipped or b.skipped:
        yield on(None, "table-not-compared", "info", f"{here} could not be read in full on one side ({b.skipped or a.skipped}): its keys and constraints were not compared")
        return
    if a.kind != b.kind:
        yield on(None, "kind-changed", "breaking" if b.kind not in ("table", "partitioned table") and a.kind in ("table", "partitioned table") else "info",
                 f"was a {a.kind}, is now a {b.kind}")  # fmt: skip
    if a.comment != b.comment:
        yield on(None, "comment-changed", "info", _comment_detail("table", a.comment, b.comment))
    if a.view_definition != b.view_definition and a.view_definition is not None and b.view_definition is not None:
        yield on(None, "view-changed", "info", "the view's definition changed: what it returns may differ")
    for name in dropped:
        yield on(name, "column-dropped", "breaking", f"column {name} ({a.column(name).declared_type}) was dropped: "  # type: ignore[union-attr]
                 "extraction selecting it fails and models reading it break")
    for rename in renames:
        yield on(rename.new, "column-renamed", "breaking", f"column {rename.old} is now {rename.new} ({rename.said()}): "
                 "extraction and models that name it stop finding it", old_names=(spell(schema, a.name, rename.old),))  # fmt: skip
    soft = _soft_delete_columns(b, added) if added else set()
    for name in added:
        column = b.column(name)
        if name in soft:
            yield on(name, "soft-delete-column-added", "action",
                     f"new column {name} ({column.declared_type}) marks rows as deleted without removing them: "  # type: ignore[union-attr]
                     "models must filter on it, and extraction keeps the marked rows")
        else:
            yield on(name, "column-added", "action", f"new column {name} ({column.declared_type}, "  # type: ignore[union-attr]
                     f"{'NULL' if column.nullable else 'NOT NULL'}): extraction and models do not carry it yet")  # type: ignore[union-attr]
    mapping = names.columns.get((schema, b.name), {})
    for old_column in a.columns:
        new_name = mapping.get(old_column.name, old_column.name)
        new_column = b.column(new_name)
        if new_column is None or new_column == old_column:
            continue
        yield from _compare_column(old_column, new_column, lambda *args: on(new_name, *args), names.product)
    yield from compare_constraints(schema, a, b, names, on)


def _compare_column(a: Column, b: Column, on, product: str) -> Iterator[Change]:
    enums = a.normalized_type == b.normalized_type and a.normalized_type in ("enum", "set")  # their lists say it
    if not enums and (a.declared_type != b.declared_type or a.normalized_type != b.normalized_type):
        verdict = classify(a, b, product)
        said = f"{a.declared_type} to {b.declared_type}"
        if verdict.verdict == "widened":
            yield on("type-widened", "action", f"type widened from {said} ({verdict.why}): widen the warehouse column too")
        elif verdict.verdict == "narrowed":
            yield on("type-narrowed", "breaking", f"type narrowed from {said} ({verdict.why})")
        elif verdict.verdict == "incompatible":
            yield on("type-changed", "breaking", f"type changed from {said} ({verdict.why})")
    if a.enum_values != b.enum_values and (a.enum_values or b.enum_values):
        yield from value_list_changes("enum", a.enum_values, b.enum_values, on)
    if a.nullable != b.nullable:
        if b.nullable:
            yield on("not-null-dropped", "action", "NOT NULL was dropped: NULLs may appear where models assume a value")
        else:
            yield on("not-null-added", "action", "NOT NULL was added: rows must hold a value from now on (a check you may drop downstream)")
    if a.default != b.default:
        yield on("default-changed", "info", f"default {_shown(a.default)} became {_shown(b.default)}")
    if a.comment != b.comment:
        yield on("comment-changed", "info", _comment_detail("column", a.comment, b.comment))
    if a.generated != b.generated:
        yield on("generated-changed", "info", f"generated expression {_shown(a.generated)} became {_shown(b.generated)}")
    if a.identity != b.identity:
        yield on("identity-changed", "info", f"identity {_shown(a.identity)} became {_shown(b.identity)}")


def value_list_changes(what: str, old: tuple[str, ...], new: tuple[str, ...], on) -> Iterator[Change]:
    """A value removed from an enum or CHECK list breaks what maps or filters on it; a new one needs a
    place in every mapping, CASE and accepted-values test."""
    label = "enum" if what == "enum" else "CHECK list"
    if not old:
        yield on(f"{what}-list-added", "action", f"now limited to the {label} {_values(new)}: rows outside it are refused from now on")
        return
    if not new:
        yield on(f"{what}-list-dropped", "action", f"the {label} {_values(old)} is gone: any value may appear now")
        return
    removed = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    if removed:
        yield on(f"{what}-value-removed", "breaking", f"{label} value(s) {_values(removed)} removed: mappings, filters and "
                 "accepted-values tests on them break, and rows holding them must have changed")  # fmt: skip
    if added:
        yield on(f"{what}-value-added", "action", f"new {label} value(s) {_values(added)}: add them to mappings, CASE "
                 "expressions and accepted-values tests")  # fmt: skip
    if not removed and not added:
        yield on(f"{what}-order-changed", "info", f"the {label}'s values were reordered: {_values(new)}")


def _values(values) -> str:
    shown = [repr(v) for v in list(values)[:12]]
    return ", ".join(shown) + (f" and {len(values) - 12} more" if len(values) > 12 else "")


def _shown(value: str | None) -> str:
    if value is None:
        return "none"
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _comment_detail(what: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{what} comment added: {_shown(new)}"
    if new is None:
        return f"{what} comment removed (was: {_shown(old)})"
    return f"{what} comment changed from {_shown(old)} to {_shown(new)}"


# Words without which no column is a soft-delete marker (dayone.rules.naming decides): loading the
# rules costs a third of a second, which most added columns (region, discount) need not pay.
_MAYBE_MARKER = re.compile(r"delet|remov|discard|archiv|trash|destroy|revok|activ|enabl|visib|disabl|status|state|stage|phase|lifecycle", re.IGNORECASE)


def _soft_delete_columns(table: Table, added: list[str]) -> set[str]:
    if not any(_MAYBE_MARKER.search(name) for name in added):
        return set()
    from dayone.rules.naming import soft_delete_columns

    return {c.name for c in soft_delete_columns(table)}
