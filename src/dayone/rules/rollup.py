"""How a rule's findings roll up into groups: one question per pattern, not one per column.

A rule declares it next to itself (`@rule(..., rollup=Rollup(...))`): which findings share a cause
(`by`), and how the group says it and asks it. Wording is a format string over the fields of
`RollupFacts`; `total` counts the candidates the rule looked at in the group's schema, so that a
group can say "396 of 396 timestamp columns", and a group that covers them all is stated as the
schema's convention (`says_all`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dayone.findings import Finding

if TYPE_CHECKING:
    from dayone.rules.context import AuditContext

# A group's key: findings with equal keys form one group. "schema": every finding of the rule in a
# schema; "table": in a table; or a function of the finding (an evidence value, say).
GroupBy = str | Callable[[Finding], str]


@dataclass(frozen=True)
class RollupFacts:
    """What a group's wording may use: `{n}`, `{total}`, `{where}`, `{key}`, `{noun}`, `{tables}`."""

    n: int  # findings in the group
    total: int | None  # candidates the rule looked at in the group's schema (None: not counted)
    where: str  # the schema (SQLite: the database), as targets spell it
    key: str  # the group's key: the schema, a table, or what `by` returned
    noun: str  # `Rollup.noun`, plural when n > 1
    tables: int  # distinct tables among the group's findings


@dataclass(frozen=True)
class Rollup:
    says: str  # the group's message: "{n} of {total} {noun} in {where} are ..."
    asks: str  # its one question
    noun: tuple[str, str] = ("table", "tables")  # singular, plural
    by: GroupBy = "schema"
    says_all: str | None = None  # when the group holds every candidate of its schema: its convention
    # candidates in a schema: (context, schema name) -> how many the rule looked at
    total: Callable[[AuditContext, str], int] | None = None

    def key(self, finding: Finding) -> str:
        location = finding.location
        if self.by == "schema":
            return location.schema or ""
        if self.by == "table":
            return f"{location.schema}\0{location.table}"
        return self.by(finding)


# Denominators for `Rollup.total`: what a rule looked at in one schema (framework tables left out).


def tables_in(ctx: AuditContext, schema: str) -> int:
    return sum(1 for s, _ in ctx.tables() if s.name == schema)


def columns_in(ctx: AuditContext, schema: str, wanted: Callable) -> int:
    """Columns of the audited tables of `schema` for which wanted(table, column) holds."""
    return sum(1 for s, t, c in ctx.columns() if s.name == schema and wanted(t, c))
