"""What rules see: the catalog (and later the profile), with the lookups every rule needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from dayone.catalog.model import Catalog, Column, ForeignKey, Schema, Table
from dayone.findings import Location
from dayone.rules import naming
from dayone.dialects.base import Dialect, dialect_for_product
from dayone.findings import quoted_name, target_name
from dayone.profile.model import ColumnProfile, Profile, TableProfile
from dayone.scope import EVERYTHING, AuditScope

LOGICAL_TABLE_KINDS = ("table", "partitioned table")


@dataclass(frozen=True)
class Reference:
    """A foreign key seen from the table it points at."""

    schema: Schema
    table: Table
    foreign_key: ForeignKey


class AuditContext:
    def __init__(self, catalog: Catalog, profile: Profile | None = None, scope: AuditScope = EVERYTHING):
        self.catalog = catalog
        self.profile = profile  # None: catalog only (an offline snapshot, or profiling switched off)
        self.scope = scope  # framework and --exclude'd tables: never reported on, only listed

    def table_profile(self, schema: Schema, table: Table) -> TableProfile | None:
        """What profiling read of this table; None when it was not profiled (or was skipped)."""
        if self.profile is None:
            return None
        found = self._profiles.get((schema.name, table.name))
        return found if found is not None and found.method != "skipped" else None

    def column_profile(self, schema: Schema, table: Table, column: Column) -> tuple[TableProfile, ColumnProfile] | None:
        found = self.table_profile(schema, table)
        column_profile = found.column(column.name) if found else None
        return (found, column_profile) if column_profile is not None else None

    @cached_property
    def _profiles(self) -> dict[tuple[str, str], TableProfile]:
        return {(t.schema, t.table): t for t in self.profile.tables} if self.profile else {}

    @cached_property
    def capabilities(self) -> type[Dialect]:
        return dialect_for_product(self.catalog.product)

    def tables(self) -> Iterator[tuple[Schema, Table]]:
        """Tables that hold the application's data. Partitions are left out: their parent
        stands for them, so a finding is reported once, not once per month of data. Framework and
        excluded tables are left out too; lookups (find_table, references_to) still see them."""
        return iter(self._tables)

    def columns(self) -> Iterator[tuple[Schema, Table, Column]]:
        return iter(self._columns)

    # Every rule walks the tables or the columns: listed once (5,000 tables, 50,000 columns), not
    # generated again for each of the twenty-odd rules.
    @cached_property
    def _tables(self) -> list[tuple[Schema, Table]]:
        audits = self.scope.audits
        return [(schema, table) for schema, table in self.catalog.tables()
                if table.kind in LOGICAL_TABLE_KINDS and audits(schema.name, table.name)]  # fmt: skip

    @cached_property
    def _columns(self) -> list[tuple[Schema, Table, Column]]:
        return [(schema, table, column) for schema, table in self._tables for column in table.columns]

    def target(self, schema: Schema, table: Table | None = None, column: Column | None = None) -> str:
        if table is None:
            return self.target_of(schema.name)
        if column is None:
            return self.target_of(schema.name, table.name)
        return self.target_of(schema.name, table.name, column.name)

    def target_of(self, schema: str, *names: str) -> str:
        """What a finding is on: schema.table.column, a name quoted where a dot or a quote would make
        two targets read alike. SQLite has one schema, "main", in every file: the database name says more."""
        if self.capabilities.has_schemas:
            return target_name(schema, *names)
        return target_name(*names, label=self.catalog.database)

    def located(self, schema: Schema, table: Table | None = None, column: Column | None = None) -> tuple[str, Location]:
        """A finding's target: its spelling (as `target` gives it) and its location by name."""
        if table is None:
            return self.target_of(schema.name), Location(schema.name)
        # a table's spelling is worked out once: its columns and several rules' findings share it
        spelled = self._spelled_tables.get(id(table))
        if spelled is None:
            spelled = self._spelled_tables[id(table)] = self.target_of(schema.name, table.name)
        if column is None:
            return spelled, Location(schema.name, table.name)
        return f"{spelled}.{quoted_name(column.name)}", Location(schema.name, table.name, column.name)

    @cached_property
    def _spelled_tables(self) -> dict[int, str]:
        return {}  # by id(): the catalog keeps every table alive as long as this context

    def located_by_name(self, schema: str, table: str) -> tuple[str, Location]:
        found = self.find_table(schema, table)
        return self.located(*found) if found else (self.target_of(schema, table), Location(schema, table))

    @cached_property
    def _by_name(self) -> dict[tuple[str, str], tuple[Schema, Table]]:
        return {(s.name, t.name): (s, t) for s, t in self.catalog.tables()}

    def find_table(self, schema: str, name: str) -> tuple[Schema, Table] | None:
        return self._by_name.get((schema, name))

    @cached_property
    def _references(self) -> dict[tuple[str, str], list[Reference]]:
        found: dict[tuple[str, str], list[Reference]] = defaultdict(list)
        for schema, table in self.catalog.tables():
            if table.kind == "partition":
                continue  # partitions repeat their parent's foreign keys
            for fk in table.foreign_keys:
                found[(fk.referred_schema, fk.referred_table)].append(Reference(schema, table, fk))
        return found

    def references_to(self, schema: Schema, table: Table) -> list[Reference]:
        """Foreign keys elsewhere that point at this table."""
        return self._references.get((schema.name, table.name), [])

    @cached_property
    def _partitions(self) -> dict[tuple[str, str], list[Table]]:
        found: dict[tuple[str, str], list[Table]] = defaultdict(list)
        for schema, table in self.catalog.tables():
            if table.partition_of:
                found[(schema.name, table.partition_of)].append(table)
        return found

    def partitions_of(self, schema: Schema, table: Table) -> list[Table]:
        return self._partitions.get((schema.name, table.name), [])

    # Name lookups, built once: a rule that scanned every table for every column would make a
    # 5,000-table audit quadratic.
    @cached_property
    def named_tables(self) -> list[tuple[Schema, Table, str]]:
        """Every table and view with its name in snake_case words, in catalog order."""
        from dayone.rules.naming import words

        return [(schema, table, words(table.name)) for schema, table in self.catalog.tables()]

    @cached_property
    def _by_last_word(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for position, (_, _, name) in enumerate(self.named_tables):
            found[name.rsplit("_", 1)[-1]].append(position)
        return found

    def tables_ending_with(self, last_words: set[str]) -> list[tuple[Schema, Table, str]]:
        """Tables whose name's last word is one of `last_words`, in catalog order."""
        positions = sorted(p for word in last_words for p in self._by_last_word.get(word, ()))
        return [self.named_tables[p] for p in positions]

    @cached_property
    def histories(self):
        """History, audit and changelog tables and what they cover (dayone.rules.flow_history)."""
        from dayone.rules.flow_history import build_histories

        return build_histories(self)

    # What several rules (and the report's verdict) ask of each table, worked out once per audit.
    def updated_columns(self, table: Table) -> list[Column]:
        return self.per_table("updated", table, naming.updated_columns)

    def created_columns(self, table: Table) -> list[Column]:
        return self.per_table("created", table, naming.created_columns)

    def per_table(self, fact: str, table: Table, compute) -> list:
        """compute(table), asked once per table and audit whoever asks."""
        known = self._facts.get(fact)
        if known is None:
            known = self._facts[fact] = {}
        found = known.get(id(table))  # the catalog keeps every table alive as long as this context
        if found is None:
            found = known[id(table)] = compute(table)
        return found

    @cached_property
    def _facts(self) -> dict[str, dict[int, list]]:
        return {}

    def foreign_key_of(self, table: Table, column: Column) -> ForeignKey | None:
        return next((fk for fk in table.foreign_keys if column.name in fk.columns), None)
