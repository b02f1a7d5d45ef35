"""What an export needs to know of each table, gathered once from the catalog and the audit.

A pure function of an AuditResult (its catalog, findings and profile) and the answers a project's
questionnaire holds: the dbt, contract and sync exports all render these facts, so they agree on
every key, test and cursor. Facts come from the catalog where the catalog says it (keys, NOT NULL,
declared values, comments), and from the rules' own helpers or findings where the audit decided it
(a maintained last-modified column, soft-delete markers, personal data, implicit references the
data confirmed, statuses whose history is not kept, the extraction method). No row value enters
them, except the values an enum type or a CHECK constraint declares.

Everything is ordered deterministically (schemas, tables and columns as the catalog orders them,
which is by name and position), so the same audit always gives the same facts, and the same files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from dayone.catalog.model import Column, Schema, Table
from dayone.findings import split_target

if TYPE_CHECKING:
    from dayone.findings import Answer, Finding
    from dayone.rules.context import AuditContext
    from dayone.rules.engine import AuditResult

Method = Literal["full refresh", "incremental append", "incremental dedup", "log-based CDC"]
METHODS: tuple[Method, ...] = ("full refresh", "incremental append", "incremental dedup", "log-based CDC")

# Rules whose answer states the zone wall-clock columns are written in.
ZONE_RULES = frozenset({"timestamp-without-time-zone", "mixed-timestamp-conventions", "server-timezone-not-utc"})
# An implicit reference is tested only when every value looked up was found.
CONFIRMED_SHARE = 1.0


@dataclass(frozen=True)
class Relationship:
    """`columns` of this table refer to `to_columns` of `to_schema.to_table`."""

    columns: tuple[str, ...]
    to_schema: str
    to_table: str
    to_columns: tuple[str, ...]
    declared: bool  # a foreign key; False: implicit, confirmed by the rows read
    name: str | None = None  # the foreign key's name
    evidence: str | None = None  # how the data confirmed an implicit one
    finding_id: str | None = None


@dataclass(frozen=True)
class SoftDelete:
    """A column that marks rows as gone while keeping them, and how to tell such a row.

    `deleted_when`: "set" (deleted_at IS NOT NULL), "true" (is_deleted), "false" (active, visible:
    a row is gone when the flag is false or 0), "in" (a status whose value is one of `values`)."""

    column: str
    kind: str  # as naming.soft_delete_markers says: deletion, archive, activity flag, status value...
    deleted_when: Literal["set", "true", "false", "in"]
    values: tuple[str, ...] = ()
    flag_type: str = "boolean"  # the column's normalized type, for "true"/"false"
    finding_id: str | None = None


@dataclass(frozen=True)
class TestData:
    """Test rows: flag columns (is_test) that mark them, and the audit's predicate selecting the rows
    that look like test data (in the source engine's SQL), if any."""

    __test__ = False  # not a pytest test class, whatever its name

    flags: tuple[str, ...]  # boolean/integer flag columns: a row is test data when one is true
    predicate: str | None = None
    finding_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extraction:
    method: Method
    cursor: str | None  # the incremental cursor column
    primary_key: tuple[str, ...]
    reason: str
    advice: str  # the audit's advice as it said it ("key-based incremental on last_update")
    cautions: tuple[str, ...] = ()
    finding_id: str | None = None


@dataclass(frozen=True)
class ColumnFacts:
    name: str
    position: int
    data_type: str  # as the engine declares it
    normalized_type: str
    description: str | None
    not_null: bool
    primary_key: bool
    unique: bool  # alone a primary key or a unique constraint
    accepted_values: tuple[str, ...] = ()
    accepted_values_from: str | None = None  # "enum type mpaa_rating", "check constraint orders_status_check"
    personal_data: str | None = None  # what personal data it holds (personal.py labels)
    naive_timestamp: bool = False  # a wall-clock time without a zone
    generated: bool = False
    finding_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableFacts:
    schema: str
    name: str
    kind: str
    description: str | None
    columns: tuple[ColumnFacts, ...]
    primary_key: tuple[str, ...]
    unique_keys: tuple[tuple[str, ...], ...]  # unique constraints (more than the primary key)
    relationships: tuple[Relationship, ...]
    last_modified: str | None  # a last-modified column the database maintains
    last_modified_by: str | None  # what maintains it: "trigger last_updated", "ON UPDATE CURRENT_TIMESTAMP"
    soft_delete: tuple[SoftDelete, ...]
    test_data: TestData | None
    untracked_statuses: tuple[str, ...]  # status columns whose changes the database keeps no history of
    extraction: Extraction
    estimated_rows: int | None = None
    finding_ids: tuple[str, ...] = ()  # findings on the table itself

    def column(self, name: str) -> ColumnFacts | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class ExportFacts:
    product: str
    database: str
    server_timezone: str | None
    timezone: str | None  # the zone wall-clock columns are written in, as answered; None: unanswered
    timezone_answer: str | None  # the answer it was read from
    tables: tuple[TableFacts, ...]

    @property
    def naive_timestamps(self) -> bool:
        return any(c.naive_timestamp for t in self.tables for c in t.columns)


def export_facts(result: AuditResult, answers: Mapping[str, Answer] | None = None) -> ExportFacts:
    """The export facts of every audited table of `result`. `answers`: a project's answers by the
    audit's group id (AuditResult.answers when None): the zone of wall-clock columns, descriptions
    of undocumented tables."""
    from dayone.rules.context import AuditContext

    catalog = result.catalog
    ctx = result.context or AuditContext(catalog, result.profile, result.scope)
    answers = result.answers if answers is None else answers
    findings = tuple(result.findings) + tuple(result.accepted_findings)
    by_place: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in findings:
        loc = finding.location
        by_place[(loc.schema, loc.table, loc.column)].append(finding)
    answered = _answers_by_finding(result, answers) if answers else {}
    described = _column_descriptions(findings, answered) if answered else {}
    zone, zone_answer = _answered_zone(findings, answered)
    extraction = _extraction_findings(ctx, findings)
    tables = []
    for schema, table in ctx.tables():
        tables.append(_table_facts(ctx, schema, table, by_place, answered, described, extraction))
    return ExportFacts(
        product=catalog.product,
        database=catalog.database,
        server_timezone=(catalog.access.server_timezone if catalog.access else None) or catalog.server_timezone,
        timezone=zone,
        timezone_answer=zone_answer,
        tables=tuple(tables),
    )


def _table_facts(ctx: AuditContext, schema: Schema, table: Table, by_place, answered, described, extraction) -> TableFacts:
    from dayone.rules.flow import maintained
    from dayone.rules.personal import personal_columns

    def found(column: str | None, rule: str | None = None) -> list[Finding]:
        return [f for f in by_place.get((schema.name, table.name, column), ()) if rule is None or f.rule == rule]

    key = tuple(table.primary_key.columns) if table.primary_key else ()
    uniques = tuple(tuple(u.columns) for u in table.unique_constraints if tuple(u.columns) != key)
    alone_unique = {k[0] for k in (key, *uniques) if len(k) == 1}
    personal = personal_columns(table)
    for column in table.columns:  # what the values showed, when the name did not
        hit = next(iter(found(column.name, "personal-data")), None)
        if hit is not None and column.name not in personal:
            personal[column.name] = str(hit.evidence.get("personal_data") or "personal data")
    columns = []
    for column in table.columns:
        values, values_from = _declared_values(schema, table, column)
        description = column.comment or described.get((schema.name, table.name, column.name))
        columns.append(ColumnFacts(
            name=column.name, position=column.position, data_type=column.declared_type,
            normalized_type=column.normalized_type, description=description, not_null=not column.nullable,
            primary_key=column.name in key, unique=column.name in alone_unique,
            accepted_values=values, accepted_values_from=values_from, personal_data=personal.get(column.name),
            naive_timestamp=column.normalized_type == "timestamp", generated=bool(column.generated),
            finding_ids=tuple(sorted(f.id for f in found(column.name))),
        ))  # fmt: skip
    last_modified = last_by = None
    for column in ctx.updated_columns(table):
        by = maintained(ctx, table, column)
        if by:
            last_modified, last_by = column.name, by
            break
    statuses = tuple(f.location.column for f in found_columns(by_place, schema, table, "untracked-status-changes"))
    table_findings = found(None)
    return TableFacts(
        schema=schema.name,
        name=table.name,
        kind=table.kind,
        description=table.comment or _answered_description(table_findings, answered, "undocumented-table"),
        columns=tuple(columns),
        primary_key=key,
        unique_keys=uniques,
        relationships=_relationships(table, by_place, schema),
        last_modified=last_modified,
        last_modified_by=last_by,
        soft_delete=_soft_deletes(table, by_place, schema),
        test_data=_test_data(table, by_place, schema),
        untracked_statuses=tuple(sorted(set(statuses), key=lambda n: _position(table, n))),
        extraction=_extraction(extraction.get((schema.name, table.name)), table),
        estimated_rows=table.estimated_rows,
        finding_ids=tuple(sorted(f.id for f in table_findings)),
    )


def found_columns(by_place, schema: Schema, table: Table, rule: str) -> list[Finding]:
    """Findings of `rule` on the columns of `table`, in column order."""
    hits = [f for c in table.columns for f in by_place.get((schema.name, table.name, c.name), ()) if f.rule == rule]
    return hits


def _position(table: Table, name: str) -> int:
    column = table.column(name)
    return column.position if column is not None else 1 << 30


def _declared_values(schema: Schema, table: Table, column: Column) -> tuple[tuple[str, ...], str | None]:
    """The values an enum type or the CHECK constraints allow for `column` (all of them, where
    several constraints each list values: a value must pass every one)."""
    if column.enum_values:
        kind = "set" if column.normalized_type == "set" else "enum"
        if kind == "set":
            return (), None  # a SET holds combinations of its values: no one value to accept
        named = next((e.name for e in schema.enums if tuple(e.values) == tuple(column.enum_values)), None)
        return tuple(column.enum_values), f"enum type {named}" if named else "the column's enum type"
    lists = [(c, s) for c in table.check_constraints for s in c.value_sets if s.column == column.name and c.validated]
    if not lists:
        return (), None
    allowed = set(lists[0][1].values)
    for _, value_set in lists[1:]:
        allowed &= set(value_set.values)
    ordered = tuple(v for v in lists[0][1].values if v in allowed)
    names = ", ".join(c.name or "unnamed" for c, _ in lists)
    return ordered, f"check constraint {names}"


def _relationships(table: Table, by_place, schema: Schema) -> tuple[Relationship, ...]:
    found = [
        Relationship(tuple(fk.columns), fk.referred_schema, fk.referred_table, tuple(fk.referred_columns), True, fk.name)
        for fk in table.foreign_keys
    ]
    declared = {r.columns for r in found}
    for finding in found_columns(by_place, schema, table, "implicit-foreign-key"):
        evidence = finding.evidence
        share, checked = evidence.get("referenced_match_share"), evidence.get("reference_values_checked")
        if share is None or share < CONFIRMED_SHARE or evidence.get("orphans_in_sample") or not checked:
            continue  # only what the rows confirm becomes a test
        referred = split_target(str(evidence.get("referred_table", "")))
        column = finding.location.column
        if not referred[-1] or (column,) in declared:
            continue
        ref_table_name = referred[-1]
        ref_schema_name = referred[-2] if len(referred) == 2 else schema.name  # SQLite: its label, one schema
        said = (f"{checked:,} distinct values looked up, all keys of {ref_table_name} "
                f"({evidence.get('reference_checked_in', 'rows read')})")  # fmt: skip
        found.append(Relationship((column,), ref_schema_name, ref_table_name, (str(evidence["referred_column"]),), False,
                                  evidence=said, finding_id=finding.id))  # fmt: skip
    return tuple(sorted(found, key=lambda r: (min(_position(table, c) for c in r.columns), r.columns, r.to_table)))


def _soft_deletes(table: Table, by_place, schema: Schema) -> tuple[SoftDelete, ...]:
    from dayone.rules.naming import deleted_status_values, soft_delete_markers

    ids = {f.location.column: f.id for f in found_columns(by_place, schema, table, "soft-delete-column")}
    markers = []
    for column, kind in soft_delete_markers(table):
        if kind == "status value":
            when, values = "in", tuple(deleted_status_values(table, column))
        elif column.normalized_type in ("boolean", "integer"):
            when, values = ("false" if kind in ("activity flag", "visibility") else "true"), ()
        else:
            when, values = "set", ()
        markers.append(SoftDelete(column.name, kind, when, values, column.normalized_type, ids.get(column.name)))  # type: ignore[arg-type]
    return tuple(markers)


def _test_data(table: Table, by_place, schema: Schema) -> TestData | None:
    from dayone.rules.data import test_flags

    flags = tuple(c.name for c in test_flags(table) if c.normalized_type in ("boolean", "integer"))
    hits = [f for f in by_place.get((schema.name, table.name, None), ()) if f.rule == "test-data-in-production"]
    hits += found_columns(by_place, schema, table, "test-flag-unused")
    predicate = next((f.evidence.get("predicate") for f in hits if f.evidence.get("predicate")), None)
    if not flags and predicate is None:
        return None
    return TestData(flags, predicate, tuple(sorted(f.id for f in hits)))


def _extraction_findings(ctx: AuditContext, findings) -> dict[tuple[str, str], Finding]:
    """The extraction-method finding of each table; worked out here when the audit did not run it."""
    found = {(f.location.schema, f.location.table): f for f in findings if f.rule == "extraction-method"}
    if not found:
        from dayone.rules.flow_extraction import extraction_method

        found = {(f.location.schema, f.location.table): f for f in extraction_method(ctx)}
    return found


_ADVICE = re.compile(r"(log-based CDC|key-based incremental on |incremental append on |full table)(.*)", re.DOTALL)


def _extraction(finding: Finding | None, table: Table) -> Extraction:
    key = tuple(table.primary_key.columns) if table.primary_key else ()
    if finding is None:
        return Extraction("full refresh", None, key, "the table's extraction method was not worked out", "full table")
    evidence = finding.evidence
    advice = str(evidence.get("method", "full table"))
    cursor = evidence.get("cursor")
    cautions = tuple(evidence.get("cautions") or ())
    reason = str(evidence.get("reason", ""))
    method: Method
    if advice.startswith("log-based CDC"):
        method, cursor = "log-based CDC", None
    elif advice.startswith("key-based incremental") and cursor:
        if key:
            method = "incremental dedup"
        else:  # nothing to deduplicate on: each changed row arrives again as a new row
            method = "incremental append"
            cautions += ("no primary key to deduplicate on: each update of a row arrives as another row",)
    elif advice.startswith("incremental append") and cursor:
        method = "incremental append"
    else:
        method, cursor = "full refresh", None
    return Extraction(method, cursor, key, reason, advice, cautions, finding.id)


# -- answers ------------------------------------------------------------------------------------------


def _answers_by_finding(result: AuditResult, answers: Mapping[str, Answer]) -> dict[str, tuple[Answer, int]]:
    """finding id -> (the answer to its group, how many findings the group holds)."""
    from dayone.groups import group_findings

    out: dict[str, tuple[Answer, int]] = {}
    for group in group_findings(result):
        answer = answers.get(group.id)
        if answer is not None:
            for finding in group.findings:
                out[finding.id] = (answer, len(group.findings))
    return out


def _answered_description(findings, answered, rule: str) -> str | None:
    """The answer to a table's own question (its group holds that one finding), as its description."""
    for finding in findings:
        if finding.rule == rule and finding.id in answered:
            answer, size = answered[finding.id]
            if size == 1 and answer.text.strip():
                return answer.text.strip()
    return None


def _column_descriptions(findings, answered) -> dict[tuple[str, str, str], str]:
    """(schema, table, column) -> the answer saying what its values mean: to the question of an enum
    type or a value list asked of that alone (a group of one finding), for each column using it."""
    out: dict[tuple[str, str, str], str] = {}
    for finding in sorted(findings, key=lambda f: f.id):
        if finding.rule not in ("enum-meaning", "unexplained-value-set") or finding.id not in answered:
            continue
        answer, size = answered[finding.id]
        if size != 1 or not answer.text.strip():
            continue
        loc = finding.location
        if loc.column is not None:
            out.setdefault((loc.schema, loc.table, loc.column), answer.text.strip())
        listed = set(finding.evidence.get("columns") or ())
        if listed and loc.schema is not None:
            for schema, table, column in _columns_of(finding, listed):
                out.setdefault((schema, table, column), answer.text.strip())
    return out


def _columns_of(finding, targets: set[str]):
    """The (schema, table, column) of `finding`'s schema whose targets are listed."""
    schema = finding.location.schema
    for target in sorted(targets):
        parts = split_target(target)
        if len(parts) == 3 and parts[0] == schema:
            yield parts[0], parts[1], parts[2]


def _answered_zone(findings, answered) -> tuple[str | None, str | None]:
    """The IANA zone named in an answer to a question about wall-clock time, if one names one."""
    for finding in sorted(findings, key=lambda f: f.id):
        if finding.rule in ZONE_RULES and finding.id in answered:
            text = answered[finding.id][0].text
            zone = zone_in(text)
            if zone is not None:
                return zone, text
    return None, None


_ZONE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}")


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    from zoneinfo import available_timezones

    zones = {z.lower(): z for z in available_timezones()}
    zones.setdefault("utc", "UTC")
    return zones


def zone_in(text: str) -> str | None:
    """The first IANA time zone name (`Europe/Paris`, `UTC`) a free-text answer names, if any."""
    zones = _zones()
    for word in _ZONE_WORD.findall(text):
        zone = zones.get(word.lower())
        if zone is not None and ("/" in zone or zone in ("UTC", "GMT")):
            return zone
    return None


def by_name(facts: ExportFacts) -> dict[tuple[str, str], TableFacts]:
    return {(t.schema, t.name): t for t in facts.tables}


def first_free(first: str, taken: set[str], numbered: Callable[[int], str] | None = None) -> str:
    """`first`, or else the first of numbered(2), numbered(3)… (`first_2`, `first_3`…) that is not
    in `taken`; added to `taken`: the names each export keeps apart (dbt sources and tables,
    contract objects)."""
    name, number = first, 2
    while name in taken:
        name, number = numbered(number) if numbered else f"{first}_{number}", number + 1
    taken.add(name)
    return name
