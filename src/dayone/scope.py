"""Which tables the audit looks at: all of the catalog but framework tables and those the user
excludes. A pure function of the catalog, decided once before profiling, so that excluded tables
are neither read nor reported on, only listed as not audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from dayone.catalog.model import Catalog
from dayone.frameworks import framework_of

TableKey = tuple[str, str]  # (schema, table)


@dataclass(frozen=True)
class AuditScope:
    # (schema, table) -> why it is not audited: "framework: Rails" or "--exclude 'public.tmp_*'"
    excluded: dict[TableKey, str] = field(default_factory=dict)
    include_framework: bool = False
    patterns: tuple[str, ...] = ()

    def audits(self, schema: str, table: str) -> bool:
        return (schema, table) not in self.excluded

    def framework_tables(self) -> dict[str, list[TableKey]]:
        """framework name -> its tables, in catalog order."""
        found: dict[str, list[TableKey]] = {}
        for key, reason in self.excluded.items():
            if reason.startswith("framework: "):
                found.setdefault(reason.removeprefix("framework: "), []).append(key)
        return found

    def user_excluded(self) -> dict[str, list[TableKey]]:
        """pattern -> the tables it excluded."""
        found: dict[str, list[TableKey]] = {}
        for key, reason in self.excluded.items():
            if reason.startswith("--exclude "):
                found.setdefault(reason.removeprefix("--exclude "), []).append(key)
        return found


EVERYTHING = AuditScope()


def audit_scope(catalog: Catalog, exclude: Iterable[str] = (), include_framework: bool = False) -> AuditScope:
    """Tables left out of the audit. A pattern is a glob matched against `schema.table` (and, when it
    holds no dot, against the table name alone), case-sensitively, as the catalog spells names."""
    patterns = tuple(exclude)
    excluded: dict[TableKey, str] = {}
    for schema, table in catalog.tables():
        if table.partition_of:
            continue  # a partition follows its parent (below)
        pattern = _excluded_by(patterns, schema.name, table.name) if patterns else None
        if pattern is not None:
            excluded[(schema.name, table.name)] = f"--exclude {pattern!r}"
        elif not include_framework and (framework := framework_of(schema.name, table)) is not None:
            excluded[(schema.name, table.name)] = f"framework: {framework}"
    for schema, table in catalog.tables():
        if table.partition_of and (schema.name, table.partition_of) in excluded:
            excluded[(schema.name, table.name)] = excluded[(schema.name, table.partition_of)]
    return AuditScope(excluded=excluded, include_framework=include_framework, patterns=patterns)


def _excluded_by(patterns: tuple[str, ...], schema: str, table: str) -> str | None:
    qualified = f"{schema}.{table}"
    return next((p for p in patterns if fnmatchcase(qualified, p) or ("." not in p and fnmatchcase(table, p))), None)
