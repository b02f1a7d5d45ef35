"""Implicit references: columns that point at another table's key by name and type, without a
foreign key. A pure function of the catalog (and the audit's scope), shared by the
implicit-foreign-key rule, which reports them, and the profiler, which checks a sample of their
values against the referenced key.

How a column's name leads to a table, most specific first:
- the words before `_id` / `_uuid` name it, in the singular or an irregular plural
  (`person_id` -> `people`), with a role in front allowed (`end_station_id` -> `stations`);
- within a family of prefixed tables, the column's table's own prefix (`ci_builds.stage_id` ->
  `ci_stages`), or the one table of a module family that fits (`stage_id` anywhere -> `ci_stages`
  when no other `*_stages` table of a family exists);
- a person's role (`author_id`, `created_by_id`, `assignee_id`) -> the one table of people (logins),
  whatever it is called, with a lower confidence the finding states.
What never counts: ids of other systems (`external_*`, `provider_*`), codes and numbers
(`tax_code`, `order_number`), the id half of a polymorphic pair (`commentable_id`), a column named
after its own table without a role (`reactions.reaction_id`), and a type that cannot hold the key
(a `varchar` for a `uuid`, text for an integer).
"""

from __future__ import annotations

import re
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from dayone.catalog.model import Catalog, Column, Schema, Table
from dayone.rules.naming import (
    EXTERNAL_WORDS,
    SELF_REFERENCE_NAME,
    is_login_table,
    is_person_role_name,
    polymorphic_pairs,
    singulars_of,
    words,
)
from dayone.scope import EVERYTHING, AuditScope

if TYPE_CHECKING:
    from dayone.rules.context import AuditContext

# How the referenced table was found: the column's name names it ("name"), with the referencing
# table's prefix ("prefix"), as the one table of a prefixed module family ("family"), as another row
# of the column's own table ("self"), or by a person's role: the one table of people ("role").
FoundBy = Literal["name", "prefix", "family", "self", "role"]

_REFERENCE_NAME = re.compile(r"(\w+?)_(id|uuid)|(\w+?_by)")
# A history table copies the columns of the rows it tracks: post_versions.parent_id is a post's parent.
_HISTORY_TABLE = re.compile(r"(\w+?)_(versions|version|history|histories|audits|audit|revisions|snapshots|archive|archives)")
_KEYED_KINDS = ("table", "partitioned table")

Entry = tuple[Schema, Table, Column]  # a table with a single-column primary key, and that key


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
    found_by: FoundBy = "name"


_BUILT: dict[int, tuple] = {}  # id(catalog) -> (a weak reference to it, its TableNames)


class TableNames:
    """The tables a column's name can point at, looked up by the words of their names. Built once
    per catalog: a lookup per column is a few dictionary reads, never a scan of the tables."""

    def __init__(self, catalog: Catalog):
        self.keyed: dict[str, list[Entry]] = defaultdict(list)  # a singular form of the name -> tables
        named: set[str] = set()  # every form of every table's name, keyed or not
        tables = [(s, t) for s, t in catalog.tables() if t.kind in _KEYED_KINDS]
        for schema, table in tables:
            forms = singulars_of(table.name)
            named.update(forms)
            key = _single_key(table)
            if key is not None:
                for form in forms:
                    self.keyed[form].append((schema, table, key))
        # A module prefix (`ci_`, `spree_`, Django's app label) is the first word of three or more
        # tables that names no table itself: `user_` in users, user_devices, user_events is not one.
        firsts = Counter(words(t.name).split("_", 1)[0] for _, t in tables if "_" in words(t.name))
        self.modules = {p for p, n in firsts.items() if n >= 3 and p not in named}
        self.family: dict[str, list[Entry]] = defaultdict(list)  # the name without its module prefix
        for forms, entries in list(self.keyed.items()):
            first, _, rest = forms.partition("_")
            if rest and first in self.modules:
                self.family[rest].extend(entries)
        logins = [(s, t, k) for s, t in tables if (k := _single_key(t)) is not None and is_login_table(t)]
        self.people: Entry | None = logins[0] if len(logins) == 1 else None  # one table of people, or none

    @classmethod
    def of(cls, catalog: Catalog) -> TableNames:
        """The lookup for this catalog, built once however many rules ask for it."""
        cached = _BUILT.get(id(catalog))
        if cached is None or cached[0]() is not catalog:
            cached = weakref.ref(catalog), cls(catalog)
            _BUILT.clear()  # one audit at a time: keep only the latest
            _BUILT[id(catalog)] = cached
        return cached[1]

    def _pick(self, entries: list[Entry], schema: Schema) -> Entry | None:
        if not entries:
            return None
        unique = {id(t): (s, t, k) for s, t, k in entries}
        if len(unique) == 1:
            return entries[0]
        same_schema = [e for e in unique.values() if e[0] is schema]
        return same_schema[0] if len(same_schema) == 1 else None  # two tables of that name: say nothing

    def by_name(self, schema: Schema, table: Table, stem: str) -> tuple[Entry, FoundBy, bool] | None:
        """The table the words of `stem` name, read as [role_]name: (entry, how, whether a role came
        first). The table's own prefix is tried before the bare name, the longest name first."""
        parts = stem.split("_")
        own = words(table.name).split("_")
        prefixes = ["_".join(own[:i]) for i in range(len(own) - 1, 0, -1)]
        for i in range(len(parts)):
            name, role = "_".join(parts[i:]), i > 0
            for prefix in prefixes:
                found = self._pick(self.keyed.get(f"{prefix}_{name}", []), schema)
                if found is not None and found[1] is not table:  # only the column's own words name its own table
                    return found, "prefix", role
            found = self._pick(self.keyed.get(name, []), schema)
            if found is not None and (found[1] is not table or role):
                return found, "name", role
        for i in range(len(parts)):
            entries = self.family.get("_".join(parts[i:]), [])
            if len({id(t) for _, t, _ in entries}) == 1 and entries[0][1] is not table:
                return entries[0], "family", i > 0
        return None


def _single_key(table: Table) -> Column | None:
    if table.primary_key is None or len(table.primary_key.columns) != 1:
        return None
    return table.column(table.primary_key.columns[0])


@lru_cache(maxsize=1 << 16)
def is_reference_name(name: str) -> bool:
    """Named like a reference at all: `…_id`, `…_uuid`, `…_by`; most columns stop here."""
    return _REFERENCE_NAME.fullmatch(words(name)) is not None


def resolve(names: TableNames, schema: Schema, table: Table, column: Column,
            polymorphic_ids: frozenset[str] = frozenset()) -> tuple[Entry, FoundBy] | None:  # fmt: skip
    """The table whose key `column` refers to by its name and type, and how it was found; None when
    the name names no table, or names one whose key the column's type cannot hold."""
    name = words(column.name)
    match = _REFERENCE_NAME.fullmatch(name)
    if match is None or column.name in polymorphic_ids:
        return None
    stem = match.group(1) or match.group(3)
    if stem in singulars_of(table.name):
        return None  # named after its own table: its key (actor.actor_id), or something else it holds
    found: tuple[Entry, FoundBy] | None = None
    if not stem.endswith("_by"):
        if stem.split("_", 1)[0] in EXTERNAL_WORDS and not names.keyed.get(stem):
            return None  # another system's id: external_customer_id, provider_payment_id
        hit = names.by_name(schema, table, stem)
        if hit is not None:
            found = hit[0], hit[1]
    if found is None and SELF_REFERENCE_NAME.fullmatch(name):
        tracked = _HISTORY_TABLE.fullmatch(words(table.name))
        hit = names.by_name(schema, table, tracked.group(1)) if tracked else None
        own = _single_key(table)
        if hit is not None:
            found = hit[0], "self"
        elif own is not None and own is not column:
            found = (schema, table, own), "self"
    if found is None and names.people is not None and is_person_role_name(name):
        found = names.people, "role"
    if found is None:
        return None
    (_, ref_table, key), how = found
    if ref_table is table and key is column:
        return None  # the table's own key
    if how in ("name", "prefix", "family") and not _key_named_for(key, name, stem):
        return None
    return found if compatible(column, key) else None


def _key_named_for(key: Column, name: str, stem: str) -> bool:
    """A key named `id` or `uuid`, as the column (bike_specs.bike_id -> bikes.bike_id), or after the
    last word of the column's stem (end_station_id -> stations.station_id)."""
    key_name = words(key.name)
    last = stem.rsplit("_", 1)[-1]
    return key_name in ("id", "uuid", name, f"{last}_id", f"{last}_uuid", f"{stem}_id")


_LENGTH = re.compile(r"\(\s*(\d+)\s*\)")


def compatible(column: Column, key: Column) -> bool:
    """Whether `column` can hold values of `key`: integers of any width (a narrower one is still a
    reference, see `narrower_integer`), uuid for uuid (or text exactly as long as a uuid's text,
    36 characters, where the key is a uuid), text for text, bytes for bytes."""
    a, b = column.normalized_type, key.normalized_type
    textual = ("string", "text")
    if a in textual and b in textual:
        return True
    if a == b:
        return a in ("integer", "decimal", "uuid", "binary")
    if {a, b} == {"uuid", "string"} or {a, b} == {"uuid", "text"}:
        text = column if a != "uuid" else key
        length = _LENGTH.search(text.declared_type)
        return length is not None and int(length.group(1)) == 36
    return False


_INTEGER_BITS = (("tinyint", 8), ("smallint", 16), ("int2", 16), ("mediumint", 24), ("bigint", 64), ("int8", 64))


def integer_bits(declared_type: str) -> int:
    declared = declared_type.lower()
    return next((bits for name, bits in _INTEGER_BITS if declared.startswith(name)), 32)


def narrower_integer(column: Column, key: Column, product: str) -> bool:
    """An integer column narrower than the integer key it refers to (SQLite stores every integer in
    up to 64 bits, whatever the declared type)."""
    if product == "sqlite" or column.normalized_type != "integer" or key.normalized_type != "integer":
        return False
    return integer_bits(column.declared_type) < integer_bits(key.declared_type)


def implicit_references(catalog: Catalog, scope: AuditScope = EVERYTHING, ctx: AuditContext | None = None) -> list[Candidate]:
    """Every column of the audited tables of `catalog` that looks like a reference to another
    table's single-column primary key (by name and a compatible type) and has no foreign key.
    `ctx`: the audit's context, when there is one, so that its lists are not built again."""
    from dayone.rules.context import AuditContext

    ctx = ctx or AuditContext(catalog, None, scope)
    names = TableNames.of(catalog)
    found: list[Candidate] = []
    polymorphic: dict[int, frozenset[str]] = {}
    for schema, table, column in ctx.columns():
        if not is_reference_name(column.name) or ctx.foreign_key_of(table, column) is not None:
            continue
        if id(table) not in polymorphic:
            polymorphic[id(table)] = frozenset(i.name for _, i in ctx.per_table("polymorphic pairs", table, polymorphic_pairs))
        resolved = resolve(names, schema, table, column, polymorphic[id(table)])
        if resolved is None:
            continue
        (ref_schema, ref_table, ref_key), how = resolved
        # PostgreSQL partitions can carry the foreign key when their parent does not.
        partitions = ctx.partitions_of(schema, table)
        without = [p.name for p in partitions if ctx.foreign_key_of(p, column) is None]
        if partitions and not without:
            continue
        found.append(Candidate(schema, table, column, ref_schema, ref_table, ref_key, len(partitions), tuple(without), how))
    return found


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
