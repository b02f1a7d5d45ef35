"""Telling a rename from a drop and an add: the evidence that the object on the right is the one on
the left under a new name, and how sure that makes us.

A column counts as renamed when the old name is gone, a new one with the same type appeared, and
at least two pieces of evidence agree (its place among the columns, its comment, the keys and
constraints it takes part in, nullability and default), or it is the only column dropped and the
only one added with that type. A table counts as renamed when most of its columns, with their
types, are there under the new name."""

from __future__ import annotations

from dataclasses import dataclass

from dayone.catalog.model import Column, Table


@dataclass(frozen=True)
class Rename:
    old: str
    new: str
    confidence: str  # "high" or "medium"
    evidence: tuple[str, ...]

    def said(self) -> str:
        return f"{', '.join(self.evidence)}; the old name is gone: {self.confidence} confidence"


def column_renames(old: Table, new: Table, dropped: list[str], added: list[str]) -> list[Rename]:
    """Pairs of (dropped, added) columns of one table that are the same column renamed."""
    if not dropped or not added:
        return []
    old_columns = {c.name: c for c in old.columns}
    new_columns = {c.name: c for c in new.columns}
    old_roles = _roles(old)
    new_roles = _roles(new)
    candidates = []
    for before in dropped:
        a = old_columns[before]
        same_type = [n for n in added if _same_type(a, new_columns[n])]
        for after in same_type:
            b = new_columns[after]
            evidence = [f"same type {b.declared_type}"]
            score = 0.0
            if a.position == b.position or _neighbours(old, a) == _neighbours(new, b):
                evidence.append("same place among the columns")
                score += 2
            if a.comment and a.comment == b.comment:
                evidence.append("same comment")
                score += 1.5
            roles = old_roles.get(before, frozenset())
            if roles and roles == new_roles.get(after, frozenset()):
                evidence.append("same " + " and ".join(sorted(roles)))
                score += 1.5
            if a.nullable == b.nullable and a.default == b.default and (a.default is not None or not a.nullable):
                evidence.append("same nullability and default")
                score += 0.5
            if len(dropped) == 1 and len(same_type) == 1:
                evidence.append("the only column dropped and the only one of its type added")
                score += 1
            if score >= 2:
                candidates.append((score, before, after, evidence))
    return _one_to_one(candidates, high=3.5)


def table_renames(old_tables: dict[str, Table], new_tables: dict[str, Table], dropped: list[str], added: list[str]) -> list[Rename]:
    """Pairs of (dropped, added) tables of one schema that are the same table renamed."""
    if not dropped or not added:
        return []
    candidates = []
    new_signatures = {name: _signature(new_tables[name]) for name in added}
    for before in dropped:
        a = old_tables[before]
        signature = _signature(a)
        if not signature:
            continue
        for after in added:
            b = new_tables[after]
            other = new_signatures[after]
            shared = len(signature & other)
            share = shared / max(len(signature), len(other))
            if share < 0.6 or a.kind != b.kind:
                continue
            evidence = [f"same {len(signature)} columns and types" if share == 1 else f"{shared} of {max(len(signature), len(other))} columns and types the same"]
            score = share * 3
            if a.comment and a.comment == b.comment:
                evidence.append("same comment")
                score += 1
            if a.primary_key and b.primary_key and a.primary_key.columns == b.primary_key.columns:
                evidence.append("same primary key")
                score += 0.5
            if a.foreign_keys and [f.columns for f in a.foreign_keys] == [f.columns for f in b.foreign_keys]:
                evidence.append("same foreign keys")
                score += 0.5
            candidates.append((score, before, after, evidence))
    return _one_to_one(candidates, high=3.5)


def _one_to_one(candidates: list, high: float) -> list[Rename]:
    """The best-supported pairs first; each old and each new name in one pair at most."""
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    found = []
    for score, before, after, evidence in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if before in taken_old or after in taken_new:
            continue
        taken_old.add(before)
        taken_new.add(after)
        found.append(Rename(before, after, "high" if score >= high else "medium", tuple(evidence)))
    return found


def _same_type(a: Column, b: Column) -> bool:
    return a.declared_type == b.declared_type and a.enum_values == b.enum_values


def _neighbours(table: Table, column: Column) -> tuple[str | None, str | None]:
    index = table.columns.index(column)
    before = table.columns[index - 1].name if index > 0 else None
    after = table.columns[index + 1].name if index + 1 < len(table.columns) else None
    return before, after


def _roles(table: Table) -> dict[str, frozenset[str]]:
    """column -> the keys and constraints it takes part in, named so that a renamed column keeps them."""
    roles: dict[str, set[str]] = {}
    if table.primary_key:
        for name in table.primary_key.columns:
            roles.setdefault(name, set()).add("primary key")
    for fk in table.foreign_keys:
        for name in fk.columns:
            roles.setdefault(name, set()).add(f"foreign key to {fk.referred_table}")
    for unique in table.unique_constraints:
        for name in unique.columns:
            roles.setdefault(name, set()).add("unique constraint")
    for check in table.check_constraints:
        for value_set in check.value_sets:
            roles.setdefault(value_set.column, set()).add("CHECK list")
    for index in table.indexes:
        if not index.primary:
            for name in index.columns:
                roles.setdefault(name, set()).add("index")
    return {name: frozenset(found) for name, found in roles.items()}


def _signature(table: Table) -> frozenset[tuple[str, str]]:
    return frozenset((c.name, c.declared_type) for c in table.columns)
