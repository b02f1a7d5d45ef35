"""Running rules over a catalog: pure, offline, one pass per rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from dayone.catalog.model import Catalog
from dayone.profile.model import Profile
from dayone.findings import SEVERITY_RANK, Finding
from dayone.rules.context import AuditContext
from dayone.rules.registry import FAMILIES, REGISTRY, Rule
from dayone.scope import EVERYTHING, AuditScope

if TYPE_CHECKING:
    from dayone.findings import Answer


@dataclass(frozen=True)
class AuditResult:
    catalog: Catalog
    rules: tuple[Rule, ...]
    findings: tuple[Finding, ...]
    profile: Profile | None = None
    scope: AuditScope = EVERYTHING  # what was left out of the audit, and why
    # --baseline: the findings it accepted are not in `findings`, they are here
    accepted_findings: tuple[Finding, ...] = ()
    baseline: str | None = None
    # the rules' context, its lookups built: the report's groups and verdict reuse them
    context: AuditContext | None = field(default=None, compare=False, repr=False)
    # a project's answers to group questions, by group id (dayone.findings.Answer): those groups are
    # reported as acknowledged, not as open problems (dayone.project.questions.acknowledge)
    answers: dict[str, Answer] = field(default_factory=dict, compare=False, repr=False)

    @property
    def accepted(self) -> int:
        return len(self.accepted_findings)

    def counts(self) -> dict[str, int]:
        counted = Counter(f.severity for f in self.findings)
        return {severity: counted.get(severity, 0) for severity in ("error", "warning", "info")}

    def reaches(self, fail_on: str) -> bool:
        """Whether any finding is at least as severe as `fail_on` ("error", "warning", "info", "never")."""
        if fail_on == "never":
            return False
        return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in self.findings)

    def fix(self, finding: Finding) -> str:
        """How to fix `finding` on this engine, with its names (dayone.fixes)."""
        from dayone.fixes import fix_text

        return fix_text(finding, self.catalog.product)

    def section_of(self, finding: Finding) -> str:
        return FAMILIES[REGISTRY[finding.rule].family]


def run_rules(catalog: Catalog, rules: Iterable[Rule], profile: Profile | None = None,
              scope: AuditScope = EVERYTHING) -> AuditResult:  # fmt: skip
    context = AuditContext(catalog, profile, scope)
    rules = tuple(rules)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(context))
    # worst first, then by target and rule: two stable sorts, the first on attributes read in C
    findings.sort(key=attrgetter("target", "rule"))
    findings.sort(key=lambda f: SEVERITY_RANK[f.severity], reverse=True)
    return AuditResult(catalog=catalog, rules=rules, findings=tuple(findings), profile=profile, scope=scope, context=context)
