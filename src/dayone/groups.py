"""Findings as a team reads them: one group per pattern, and the verdict of each checklist section.

A pure function of an AuditResult (catalog, profile, scope and findings): the findings stay as they
are, one per target with a stable id (JSON and CI rely on them); groups are a view over them. A rule
says how its findings roll up (dayone.rules.rollup); a finding whose rule does not roll up is a
group of its own, with the finding's id.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from dayone.findings import SEVERITY_RANK, Finding, Severity
from dayone.rules.context import AuditContext
from dayone.rules.engine import AuditResult
from dayone.rules.registry import FAMILIES, REGISTRY, Rule
from dayone.rules.rollup import RollupFacts


# The data engineer's checklist in its order: access first, then what the data means, how the
# application moves it, and what the rows show.
SECTION_ORDER = ("access", "model", "flow", "data", "governance")


@dataclass(frozen=True)
class Group:
    id: str  # stable: the same rule and pattern (schema, table...) give the same id from run to run
    rule: str
    code: str
    severity: Severity  # the worst of its findings
    section: str  # the checklist section (FAMILIES)
    message: str
    question: str
    findings: tuple[Finding, ...]
    convention: bool = False  # it holds every candidate of its schema: the schema's convention
    where: str | None = None  # the schema its findings share, as targets spell it (SQLite: the database)

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def targets(self) -> list[str]:
        return [f.target for f in self.findings]

    def as_dict(self, ids: dict[int, str] | None = None) -> dict:
        """The group as JSON reports hold it; `ids` gives the id of each finding by id(finding), when
        the report has already worked them out (30,000 hashes are worth not doing twice)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "section": self.section,
            "message": self.message,
            "question": self.question,
            "convention": self.convention,
            "count": self.count,
            "targets": self.targets,
            "finding_ids": [f.id for f in self.findings] if ids is None else [ids[id(f)] for f in self.findings],
        }


@dataclass(frozen=True)
class SectionVerdict:
    section: str
    rules_run: int
    blockers: tuple[Group, ...]  # error groups: what stands between this database and go-live
    questions: tuple[Group, ...]  # warning groups: open questions for the engineering team
    notes: tuple[Group, ...]  # info groups: facts and questions worth knowing
    good: tuple[str, ...]  # what is already right

    unread: bool = False  # its rules need rows and none were read (no profile, or every table empty)
    accepted: int = 0  # findings of this section a baseline accepted
    acknowledged: tuple[Group, ...] = ()  # answered in a project's log (AuditResult.answers): not open

    @property
    def status(self) -> str:
        if not self.rules_run:
            return "not checked"
        if self.unread and not (self.blockers or self.questions or self.notes):
            return "not read"
        if self.blockers:
            return "blocked"
        return "questions" if self.questions else "ready"

    def as_dict(self) -> dict:
        return {
            "section": self.section,
            "status": self.status,
            "rules_run": self.rules_run,
            "blockers": [g.message for g in self.blockers],
            "open_questions": len(self.blockers) + len(self.questions),
            "info_questions": len(self.notes),
            "good": list(self.good),
            "accepted_by_baseline": self.accepted,
            "groups": [g.id for g in (*self.blockers, *self.questions, *self.notes)],
            **({"acknowledged": [g.id for g in self.acknowledged]} if self.acknowledged else {}),
        }


@dataclass(frozen=True)
class Report:
    """An audit as a report: its groups, and per section the verdict. `result` keeps every finding."""

    result: AuditResult
    groups: tuple[Group, ...]
    sections: tuple[SectionVerdict, ...]
    not_read: tuple[str, ...]  # what the audit did not look at, and why

    @cached_property
    def blockers(self) -> int:
        return sum(len(s.blockers) for s in self.sections)

    @cached_property
    def open_questions(self) -> int:
        return sum(len(s.blockers) + len(s.questions) for s in self.sections)


def _context(result: AuditResult) -> AuditContext:
    return result.context or AuditContext(result.catalog, result.profile, result.scope)


def build_report(result: AuditResult) -> Report:
    ctx = _context(result)
    found = _by_rule(result.findings)
    groups = _grouped(found, ctx)
    by_section: dict[str, list[Group]] = {}
    for group in groups:
        by_section.setdefault(group.section, []).append(group)
    by_rule = found  # what is good is judged on every finding, those a baseline accepted too
    if result.accepted_findings:
        by_rule = {rule: list(findings) for rule, findings in found.items()}
        for finding in result.accepted_findings:
            by_rule.setdefault(finding.rule, []).append(finding)
    sections = []
    for family in SECTION_ORDER:
        section = FAMILIES[family]
        rules = [r for r in result.rules if r.family == family]
        found = by_section.get(section, [])
        acknowledged = tuple(g for g in found if g.id in result.answers)  # answered: not open problems
        if acknowledged:
            found = [g for g in found if g.id not in result.answers]
        sections.append(SectionVerdict(
            section=section,
            rules_run=len(rules),
            blockers=tuple(g for g in found if g.severity == "error"),
            questions=tuple(g for g in found if g.severity == "warning"),
            notes=tuple(g for g in found if g.severity == "info"),
            good=tuple(_praise(ctx, rules, by_rule)),
            unread=all("profile" in r.needs for r in rules) and not _rows_seen(ctx),
            accepted=sum(1 for f in result.accepted_findings if REGISTRY[f.rule].family == family),
            acknowledged=acknowledged,
        ))  # fmt: skip
    return Report(result, tuple(groups), tuple(sections), tuple(not_read(result, ctx)))


def _rows_seen(ctx: AuditContext) -> bool:
    """Whether profiling saw any row of an audited table (read, or counted by the server)."""
    return any((p := ctx.table_profile(s, t)) is not None and (p.rows_read or p.rows_estimated) for s, t in ctx.tables())


def group_findings(result: AuditResult, ctx: AuditContext | None = None) -> list[Group]:
    """Every finding in exactly one group; groups worst first, then biggest first."""
    return _grouped(_by_rule(result.findings), ctx or _context(result))


def _by_rule(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    """The findings of each rule, in the order of `findings`."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    return by_rule


def _grouped(by_rule: dict[str, list[Finding]], ctx: AuditContext) -> list[Group]:
    groups = []
    for name, findings in by_rule.items():  # the rule and its rollup looked up once per rule, not per finding
        rule = REGISTRY[name]
        rollup = rule.rollup
        buckets: dict[str, list[Finding]] = {}
        if rollup is None:
            for finding in findings:
                buckets.setdefault(f"\0finding\0{finding.target}", []).append(finding)
        else:
            key_of = rollup.key
            for finding in findings:
                buckets.setdefault(key_of(finding), []).append(finding)
        groups += [_group(rule, key, bucket, ctx) for key, bucket in buckets.items()]
    groups.sort(key=lambda g: (-SEVERITY_RANK[g.severity], -g.count, g.rule, g.id))
    return groups


def _group(rule: Rule, key: str, findings: list[Finding], ctx: AuditContext) -> Group:
    severity = max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__)
    section = FAMILIES[rule.family]
    rollup = rule.rollup
    if rollup is None:
        only = findings[0]
        return Group(only.id, rule.name, rule.code, severity, section, only.message, only.question, tuple(findings))
    digest = hashlib.sha1(f"{rule.name}\0group\0{key}".encode()).hexdigest()[:9]
    group_id = f"{rule.code}-g{digest}"
    schema_name = findings[0].location.schema
    total = rollup.total(ctx, schema_name) if rollup.total and schema_name is not None else None
    everything = total is not None and total == len(findings) and total > 1
    if len(findings) == 1 and not everything:  # one finding says it best, with its own evidence
        only = findings[0]
        return Group(group_id, rule.name, rule.code, severity, section, only.message, only.question, tuple(findings))
    facts = RollupFacts(
        n=len(findings),
        total=total,
        where=ctx.target_of(schema_name) if schema_name is not None else ctx.catalog.database,
        key=key.rsplit("\0", 1)[-1],
        noun=rollup.noun[0 if len(findings) == 1 else 1],
        tables=len({(f.location.schema, f.location.table) for f in findings}),
    )
    says = rollup.says_all if everything and rollup.says_all else rollup.says
    shared = len({f.location.schema for f in findings}) == 1 and schema_name is not None
    if shared and rollup.by == "table" and findings[0].location.table is not None:
        facts = replace(facts, where=ctx.target_of(schema_name, findings[0].location.table))  # one table: name it
    return Group(
        group_id, rule.name, rule.code, severity, section,
        says.format_map(vars(facts)), rollup.asks.format_map(vars(facts)), tuple(findings), convention=everything,
        where=facts.where if shared else None,
    )  # fmt: skip


def _praise(ctx: AuditContext, rules: list[Rule], by_rule: dict[str, list[Finding]]) -> list[str]:
    said = []
    for rule in rules:
        if rule.praise is not None and (sentence := rule.praise(ctx, by_rule.get(rule.name, []))):
            said.append(sentence)
    return said


def not_read(result: AuditResult, ctx: AuditContext) -> list[str]:
    """What the audit did not look at: framework and excluded tables, tables profiling skipped or
    found empty, and the rows themselves when there was no profile."""
    said: list[str] = []
    for framework, tables in result.scope.framework_tables().items():
        said.append(f"not audited (framework): {framework}: {_names(ctx, tables)}"
                    " (--include-framework audits them)")  # fmt: skip
    for pattern, tables in result.scope.user_excluded().items():
        said.append(f"not audited (--exclude {pattern}): {_names(ctx, tables)}")
    profile = result.profile
    audited = list(ctx.tables())
    if profile is None:
        said.append("no rows read (catalog only): what the data shows was not checked")
        return said
    skipped = Counter(t.skipped for t in profile.tables if t.method == "skipped" and ctx.scope.audits(t.schema, t.table))
    for reason, count in skipped.most_common():
        said.append(f"{count} table{'s' if count > 1 else ''} not read: {reason}")
    empty = [(s, t) for s, t in audited if (p := ctx.table_profile(s, t)) is not None and not p.rows_read
             and not (p.rows_estimated or 0)]  # fmt: skip
    if empty:
        whole = len(empty) == len(audited)
        said.append(("every table is" if whole else f"{len(empty)} of {len(audited)} tables are")
                    + " empty: no rows to read, so nothing is known yet of what the data shows"
                    + ("" if whole else " in them"))  # fmt: skip
    return said


def _names(ctx: AuditContext, tables: list[tuple[str, str]], limit: int = 6) -> str:
    spelled = []
    for schema, table in tables[:limit]:
        found = ctx.find_table(schema, table)
        spelled.append(ctx.target(*found) if found else ctx.target_of(schema, table))
    more = len(tables) - limit
    return ", ".join(spelled) + (f" and {more} more" if more > 0 else "")
