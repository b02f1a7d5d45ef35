"""The pages of a report site as plain view data, shared by the HTML and the Markdown renderers:
which pages exist, where each one lives, and what each shows. Names stay as the database spells
them; each renderer escapes them for its format."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dayone.catalog.model import Column, Schema, Table
from dayone.profile.model import ColumnProfile
from dayone.render.site.model import Site, SiteSource

SEVERITIES = ("error", "warning", "info")
# Types whose minimum and maximum are a range, not a value someone typed (a name, an e-mail address):
# the only extremes a report shows.
RANGE_TYPES = frozenset({"integer", "decimal", "float", "date", "time", "timestamp", "timestamptz", "interval"})
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Columns whose values are credentials whatever their cardinality (a shared default password hash):
# their value sets are never shown.
_SECRET = re.compile(r"pass(word|wd|_crypt)?($|_)|secret|token|salt|hash|digest|api_?key|private_?key|otp|credential", re.IGNORECASE)


def slug(*names: str) -> str:
    """A file name for a database name: readable ASCII, and a hash of the real name so that two names
    a case-insensitive disk or the sanitizing would confuse stay two files."""
    joined = "\0".join(names)
    readable = _UNSAFE.sub("_", names[-1]).strip("_")[:40] or "x"
    return f"{readable}-{hashlib.sha1(joined.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


@dataclass
class Reference:
    schema: str
    table: str
    columns: tuple[str, ...]
    to_columns: tuple[str, ...]
    declared: bool  # a foreign key; False: implicit (by name and type, no constraint)
    url: str | None = None  # the other table's page


@dataclass
class TablePage:
    schema: Schema
    table: Table
    url: str  # from the site's root
    target: str  # as findings spell it
    findings: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    outgoing: list[Reference] = field(default_factory=list)
    incoming: list[Reference] = field(default_factory=list)
    profile: Any = None  # TableProfile

    @property
    def worst(self) -> str | None:
        return next((s for s in SEVERITIES if any(f["severity"] == s for f in self.findings)), None)


@dataclass
class SourcePages:
    source: SiteSource
    folder: str  # from the site's root, no trailing slash
    tables: dict[tuple[str, str], TablePage]
    schema_urls: dict[str, str]
    implicit: int = 0  # implicit references found
    by_schema: dict[str, list[TablePage]] = field(default_factory=dict)  # a schema's table pages, catalog order

    def page(self, schema: str, table: str) -> TablePage | None:
        return self.tables.get((schema, table))

    def schema_tables(self, schema: str) -> list[TablePage]:
        return self.by_schema.get(schema, [])


def build_pages(site: Site) -> list[SourcePages]:
    return [_source_pages(source) for source in site.sources]


def _source_pages(source: SiteSource) -> SourcePages:
    from dayone.rules.context import AuditContext
    from dayone.rules.references import implicit_references

    catalog = source.catalog
    ctx = AuditContext(catalog)
    folder = f"src-{slug(source.name)}"
    profiles = {(p.schema, p.table): p for p in source.profile.tables} if source.profile else {}
    tables: dict[tuple[str, str], TablePage] = {}
    owner: dict[str, TablePage] = {}  # a finding's target -> the table page it belongs on
    for schema, table in catalog.tables():
        target = ctx.target_of(schema.name, table.name)
        page = TablePage(schema, table, f"{folder}/t/{slug(schema.name, table.name)}.html", target,
                         profile=profiles.get((schema.name, table.name)))  # fmt: skip
        tables[(schema.name, table.name)] = page
        owner[target] = page
        for column in table.columns:
            owner[ctx.target_of(schema.name, table.name, column.name)] = page
    for finding in source.audit.get("findings", ()):
        if (page := owner.get(finding.get("target", ""))) is not None:
            page.findings.append(finding)
    for question in source.questions:
        for page in {id(p): p for t in question.get("targets", ()) if (p := owner.get(t)) is not None}.values():
            page.questions.append(question)
    for (schema_name, _), page in tables.items():
        for fk in page.table.foreign_keys:
            to = tables.get((fk.referred_schema, fk.referred_table))
            page.outgoing.append(Reference(fk.referred_schema, fk.referred_table, fk.columns, fk.referred_columns, True, to and to.url))
            if to is not None:
                to.incoming.append(Reference(schema_name, page.table.name, fk.columns, fk.referred_columns, True, page.url))
    implicit = implicit_references(catalog, ctx=ctx)
    for candidate in implicit:
        page = tables.get((candidate.schema.name, candidate.table.name))
        to = tables.get((candidate.ref_schema.name, candidate.ref_table.name))
        if page is None or to is None:
            continue
        page.outgoing.append(Reference(to.schema.name, to.table.name, (candidate.column.name,), (candidate.ref_column.name,), False, to.url))
        to.incoming.append(Reference(page.schema.name, page.table.name, (candidate.column.name,), (candidate.ref_column.name,), False, page.url))
    schema_urls = {s.name: f"{folder}/s-{slug(s.name)}.html" for s in catalog.schemas}
    by_schema: dict[str, list[TablePage]] = defaultdict(list)  # once: the site, the diagrams and Markdown each ask per schema
    for (schema_name, _), page in tables.items():
        by_schema[schema_name].append(page)
    return SourcePages(source, folder, tables, schema_urls, len(implicit), dict(by_schema))


# -- the overview's figures ------------------------------------------------------------------------


def readiness(source: SiteSource) -> str:
    """blocked, questions, not read, ready or unknown: the worst verdict of its checklist sections and
    its check. A source some of whose sections were not read (no rows, or not checked) is not ready:
    nobody knows yet."""
    statuses = [s.get("status") for s in source.audit.get("sections", ())]
    failed = bool(source.check and (source.check.get("summary") or {}).get("fail"))
    if not statuses:
        return "unknown"
    if "blocked" in statuses or failed:
        return "blocked"
    if "questions" in statuses:
        return "questions"
    return "not read" if any(s in ("not read", "not checked") for s in statuses) else "ready"


def section_counts(source: SiteSource) -> list[dict[str, Any]]:
    """Per checklist section: its verdict and its groups counted by severity."""
    groups = {g["id"]: g for g in source.audit.get("groups", ())}
    rows = []
    for section in source.audit.get("sections", ()):
        counted = dict.fromkeys(SEVERITIES, 0)
        for group_id in section.get("groups", ()):
            if (group := groups.get(group_id)) is not None:
                counted[group["severity"]] += 1
        rows.append({"section": section["section"], "status": section.get("status"), **counted,
                     "good": section.get("good", []), "blockers": section.get("blockers", [])})  # fmt: skip
    return rows


def groups_by_section(source: SiteSource) -> list[tuple[str, list[dict[str, Any]]]]:
    groups = {g["id"]: g for g in source.audit.get("groups", ())}
    return [(s["section"], [groups[i] for i in s.get("groups", ()) if i in groups]) for s in source.audit.get("sections", ())]


def open_questions(source: SiteSource) -> int:
    """The questionnaire's open questions about the source; without a project, the audit's (one per
    error or warning group, as its verdict counts them)."""
    if source.questions:
        return sum(1 for q in source.questions if q.get("status", "open") == "open")
    return sum(int(s.get("open_questions", 0)) for s in source.audit.get("sections", ()))


def access_counts(source: SiteSource) -> dict[str, int] | None:
    if source.check is None:
        return None
    summary = source.check.get("summary") or {}
    return {status: int(summary.get(status, 0)) for status in ("pass", "warn", "fail", "unknown")}


def questions_by_owner(questions: list[dict[str, Any]]) -> list[tuple[str, int]]:
    counted: dict[str, int] = defaultdict(int)
    for question in questions:
        if question.get("status", "open") == "open":
            counted[question.get("to") or "nobody yet"] += 1
    return sorted(counted.items(), key=lambda kv: (kv[0] == "nobody yet", -kv[1], kv[0]))


def secret(column_name: str) -> bool:
    return _SECRET.search(column_name) is not None


# A value set is shown for a categorical column only: few values, each standing for several rows. A
# key, a unique column or one whose values mostly occur once (ids, amounts, names) is not one, and
# its "values" would be rows of the table; times are moments, not categories.
MAX_SHOWN_DISTINCT = 50
_MOMENT_TYPES = frozenset({"timestamp", "timestamptz", "date", "time", "interval"})


def shown_values(table: Table, column: Column, profiled: ColumnProfile | None) -> list:
    """The profile's value set of `column`, when the column is categorical (see above); else []."""
    if profiled is None or not profiled.top_values or secret(column.name) or column.normalized_type in _MOMENT_TYPES:
        return []
    if _is_unique(table, column.name):
        return []
    distinct = profiled.distinct if profiled.distinct is not None else len(profiled.top_values)
    if distinct > MAX_SHOWN_DISTINCT or 2 * distinct > profiled.non_null:
        return []  # on average a value stands for fewer than two rows: closer to a list of rows than a category
    return list(profiled.top_values)


def _is_unique(table: Table, column: str) -> bool:
    keys = [table.primary_key.columns] if table.primary_key else []
    keys += [u.columns for u in table.unique_constraints]
    keys += [i.columns for i in table.indexes if i.unique and not i.predicate]
    return any(tuple(k) == (column,) for k in keys)


def shows_range(normalized_type: str) -> bool:
    return normalized_type in RANGE_TYPES
