"""Implicit references: columns that point at another table's key by name and type, without a
foreign key. A pure function of the catalog (and the audit's scope), shared by the
implicit-foreign-key rule, which reports them, and the profiler, which checks a sample of their
values against the referenced key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dayone.catalog.model import Catalog, Column, Schema, Table
from dayone.rules.naming import words
from dayone.scope import EVERYTHING, AuditScope

_REFERENCE_NAME = re.compile(r"(\w+?)_?(id|key|uuid|code|number|no)")


@dataclass(frozen=True)
class Candidate:
    """`schema.table.column` looks like a reference to `ref_schema.ref_table.ref_column` (its key)."""

    schema: Schema
    table: Table
    column: Column
    ref_schema: Schema
    ref_table: Table
    ref_column: Column
    # PostgreSQL partitions of `table` without the foreign key, when some partitions declare it
    partitions: int = 0
    partitions_without: tuple[str, ...] = ()


def implicit_references(catalog: Catalog, scope: AuditScope = EVERYTHING) -> list[Candidate]:
    """Every column of the audited tables of `catalog` that looks like a reference to another
    table's single-column primary key (by name and a compatible type) and has no foreign key."""
    from dayone.rules.context import AuditContext

    return references_in(AuditContext(catalog, None, scope))


def references_in(ctx) -> list[Candidate]:
    """implicit_references over an AuditContext, whose lookups (tables, columns, partitions) a rule
    has built already."""
    found: list[Candidate] = []
    keyed: dict[str, tuple] = {}  # possible stem -> (schema, table, key column)
    for schema, table in ctx.tables():
        if table.primary_key is None or len(table.primary_key.columns) != 1:
            continue
        key = table.column(table.primary_key.columns[0])
        for stem in _stems(table.name):
            keyed.setdefault(stem, (schema, table, key))
    for schema, table, column in ctx.columns():
        name = words(column.name)
        match = _REFERENCE_NAME.fullmatch(name)
        if not match or ctx.foreign_key_of(table, column) is not None:
            continue
        # The stem names the table; a role may come first (end_station_id -> stations).
        stem = match.group(1).rstrip("_")
        if stem not in keyed:
            stem = stem.rsplit("_", 1)[-1]
        candidate = keyed.get(stem)
        if candidate is None:
            continue
        ref_schema, ref_table, ref_key = candidate
        # A table's own key is no reference; another column pointing into the same table (a parent
        # in a tree) is, and so is a key named after another table's (a one-to-one extension).
        if (ref_table is table and column is ref_key) or not _compatible(column.normalized_type, ref_key.normalized_type):
            continue
        if words(ref_key.name) not in (name, "id", f"{stem}_id", "uuid", f"{stem}_uuid", "key", "code", "number"):
            continue
        # PostgreSQL partitions can carry the foreign key when their parent does not.
        partitions = ctx.partitions_of(schema, table)
        without = [p.name for p in partitions if ctx.foreign_key_of(p, column) is None]
        if partitions and not without:
            continue
        found.append(Candidate(schema, table, column, ref_schema, ref_table, ref_key, len(partitions), tuple(without)))
    return found


def _stems(table_name: str) -> list[str]:
    name = words(table_name)
    stems = [name]
    if name.endswith("ies"):
        stems.append(name[:-3] + "y")
    if name.endswith("ses") or name.endswith("xes"):
        stems.append(name[:-2])
    if name.endswith("s"):
        stems.append(name[:-1])
    return stems


def _compatible(a: str, b: str) -> bool:
    textual = {"string", "text", "uuid"}
    return a == b or (a in textual and b in textual)


def reference_evidence(ctx, candidate: Candidate) -> tuple[str, dict]:
    """What the rows read say of an implicit reference (the profile looked a bounded set of its values
    up in the referenced key): a clause for the finding's message and its evidence; ("", {}) when
    its values were not looked up."""
    profile = ctx.table_profile(candidate.schema, candidate.table)
    check = next((c for c in profile.reference_checks if c.column == candidate.column.name), None) if profile else None
    if check is None or not check.rows_checked:
        return "", {}
    share = check.match_share
    said = f"{share:.0%}" if not check.rows_missing or share < 0.995 else "over 99%"  # never "100%" beside orphans
    clause = (f"; of {check.rows_checked:,} values read and looked up ({check.values_checked:,} distinct), {said} "
              f"are keys of {candidate.ref_table.name}" + (f" and {check.rows_missing:,} point at no row" if check.rows_missing else "")
              + f" ({profile.how})")  # fmt: skip
    return clause, {
        "referenced_match_share": round(share, 4),
        "orphans_in_sample": check.rows_missing,
        "reference_values_checked": check.values_checked,
        "reference_checked_in": profile.how,
    }
