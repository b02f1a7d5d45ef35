"""Keys, constraints, indexes and triggers of one table, compared through the renames found: a
foreign key to a renamed column is the same foreign key, an index on a renamed column the same
index. Each change lands on the one column it is about, or on the table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dayone.catalog.model import Table

if TYPE_CHECKING:
    from dayone.diff.compare import Names


def compare_constraints(schema: str, a: Table, b: Table, names: Names, on) -> Iterator:
    from dayone.diff.compare import value_list_changes

    col = lambda name: names.column(schema, b.name, name)  # noqa: E731 - old column name -> new
    cols = lambda columns: tuple(col(c) for c in columns)  # noqa: E731

    def single(columns: tuple[str, ...]) -> str | None:
        return columns[0] if len(columns) == 1 and b.column(columns[0]) is not None else None

    # primary key
    old_key = cols(a.primary_key.columns) if a.primary_key else None
    new_key = b.primary_key.columns if b.primary_key else None
    if old_key != new_key:
        if new_key is None:
            yield on(single(old_key), "primary-key-dropped", "breaking", f"the primary key ({', '.join(old_key)}) was dropped: "  # type: ignore[arg-type]
                     "merges and deduplication keyed on it lose their key, and CDC cannot identify updated rows")
        elif old_key is None:
            yield on(single(new_key), "primary-key-added", "action", f"a primary key ({', '.join(new_key)}) was added: "
                     "extraction can merge on it now")
        else:
            yield on(None, "primary-key-changed", "breaking", f"the primary key changed from ({', '.join(old_key)}) to "
                     f"({', '.join(new_key)}): merges keyed on the old one produce duplicates or miss rows")

    # foreign keys, by what they link (their names may differ between dev and prod)
    def fk_key(fk, mapped: bool):
        if not mapped:
            return (fk.columns, fk.referred_schema, fk.referred_table, fk.referred_columns)
        referred = names.table(fk.referred_schema, fk.referred_table)
        return (cols(fk.columns), fk.referred_schema, referred,
                tuple(names.column(fk.referred_schema, referred, c) for c in fk.referred_columns))  # fmt: skip

    old_fks = {fk_key(fk, True): fk for fk in a.foreign_keys}
    new_fks = {fk_key(fk, False): fk for fk in b.foreign_keys}
    for key in sorted(set(old_fks) - set(new_fks), key=str):
        columns, _, referred, _ = key
        yield on(single(columns), "foreign-key-dropped", "action", f"the foreign key ({', '.join(columns)}) to "
                 f"{names.spell(key[1], referred)} was dropped: the database no longer keeps the reference valid; "
                 "add a relationship test downstream")  # fmt: skip
    for key in sorted(set(new_fks) - set(old_fks), key=str):
        columns, _, referred, _ = key
        yield on(single(columns), "foreign-key-added", "action", f"a foreign key ({', '.join(columns)}) to "
                 f"{names.spell(key[1], referred)} was added: the relationship is declared now (models may rely on it)")  # fmt: skip
    for key in sorted(set(new_fks) & set(old_fks), key=str):
        was, now = old_fks[key], new_fks[key]
        if (was.on_delete, was.on_update) != (now.on_delete, now.on_update):
            yield on(single(key[0]), "foreign-key-changed", "info", f"the foreign key to {names.spell(key[1], key[2])} "
                     f"now does ON DELETE {now.on_delete} (was {was.on_delete})")  # fmt: skip

    # unique constraints
    old_unique = {cols(u.columns) for u in a.unique_constraints}
    new_unique = {u.columns for u in b.unique_constraints}
    for columns in sorted(old_unique - new_unique):
        yield on(single(columns), "unique-dropped", "info", f"the unique constraint on ({', '.join(columns)}) was dropped")
    for columns in sorted(new_unique - old_unique):
        yield on(single(columns), "unique-added", "info", f"a unique constraint on ({', '.join(columns)}) was added")

    # indexes (not those backing the primary key or a unique constraint, said above)
    backing = old_unique | new_unique
    index_key = lambda i, columns: (columns, i.unique, i.method, i.predicate)  # noqa: E731
    old_indexes = {index_key(i, cols(i.columns)): i for i in a.indexes if not i.primary and not (i.unique and cols(i.columns) in backing)}
    new_indexes = {index_key(i, i.columns): i for i in b.indexes if not i.primary and not (i.unique and i.columns in backing)}
    for key in sorted(set(old_indexes) - set(new_indexes), key=str):
        yield on(single(key[0]), "index-dropped", "info", f"index {old_indexes[key].name} on ({', '.join(key[0])}) was "
                 "dropped: incremental extraction filtering on it may get slower")  # fmt: skip
    for key in sorted(set(new_indexes) - set(old_indexes), key=str):
        yield on(single(key[0]), "index-added", "info", f"index {new_indexes[key].name} on ({', '.join(key[0])}) was added")

    # CHECK lists, per column, whatever their constraints are called; other CHECKs by expression
    old_lists, new_lists = _lists(a, col), _lists(b, lambda c: c)
    for column in sorted(set(old_lists) | set(new_lists)):
        if b.column(column) is None:
            continue  # the column went, said already
        if old_lists.get(column, ()) != new_lists.get(column, ()):
            yield from value_list_changes("check", old_lists.get(column, ()), new_lists.get(column, ()),
                                          lambda *args, c=column: on(c, *args))  # fmt: skip
    renamed = {old: new for old, new in names.columns.get((schema, b.name), {}).items() if old != new}
    old_checks = {_renamed(c.expression, renamed) for c in a.check_constraints if not c.value_sets}
    new_checks = {c.expression for c in b.check_constraints if not c.value_sets}
    for expression in sorted(old_checks - new_checks):
        yield on(None, "check-dropped", "info", f"CHECK {_short(expression)} was dropped: values it refused may appear")
    for expression in sorted(new_checks - old_checks):
        yield on(None, "check-added", "info", f"CHECK {_short(expression)} was added")

    yield from _triggers(a, b, col, on)


def _lists(table: Table, col) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for check in table.check_constraints:
        for value_set in check.value_sets:
            values = found.setdefault(col(value_set.column), [])
            values += [v for v in value_set.values if v not in values]
    return {column: tuple(values) for column, values in found.items()}


def _renamed(expression: str, renamed: dict[str, str]) -> str:
    for old, new in renamed.items():
        expression = re.sub(rf"(?<![\w$]){re.escape(old)}(?![\w$])", new, expression)
    return expression


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def _triggers(a: Table, b: Table, col, on) -> Iterator:
    """A trigger (or ON UPDATE) keeping a last-modified column current is what incremental
    extraction rests on: its coming or going is said on that column. Other triggers: on the table."""
    if a.triggers == b.triggers and [(col(c.name), c.on_update) for c in a.columns if c.on_update] == \
            [(c.name, c.on_update) for c in b.columns if c.on_update]:  # fmt: skip
        return  # nothing that keeps a column current came or went (and the rules need not load)
    from dayone.rules.flow import maintained_by
    from dayone.rules.naming import updated_columns

    keepers: set[str] = set()
    old_updated = {col(c.name): c for c in updated_columns(a)}
    for column in updated_columns(b):
        before = old_updated.get(column.name)
        was = maintained_by(a, before) if before is not None else None
        now = maintained_by(b, column)
        keepers |= {_trigger_name(was), _trigger_name(now)} - {None}  # type: ignore[arg-type]
        if before is None:
            continue  # a new column: said as such
        if was and not now:
            yield on(column.name, "updated-at-trigger-dropped", "action", f"{column.name} is no longer maintained by the "
                     f"database ({was} is gone): incremental extraction on it misses updates the application does not stamp")  # fmt: skip
        elif now and not was:
            yield on(column.name, "updated-at-trigger-added", "action", f"{column.name} is now maintained by the database "
                     f"({now}): incremental extraction can rely on it")  # fmt: skip
    old_triggers = {t.name: t for t in a.triggers if t.name not in keepers}
    new_triggers = {t.name: t for t in b.triggers if t.name not in keepers}
    for name in sorted(set(old_triggers) - set(new_triggers)):
        yield on(None, "trigger-dropped", "info", f"trigger {name} ({'/'.join(old_triggers[name].events)}) was dropped")
    for name in sorted(set(new_triggers) - set(old_triggers)):
        yield on(None, "trigger-added", "info", f"trigger {name} ({'/'.join(new_triggers[name].events)}) was added")
    for name in sorted(set(new_triggers) & set(old_triggers)):
        if old_triggers[name] != new_triggers[name]:
            yield on(None, "trigger-changed", "info", f"trigger {name} changed")


def _trigger_name(maintained: str | None) -> str | None:
    if maintained and maintained.startswith("trigger "):
        return maintained.split()[1]
    return None
