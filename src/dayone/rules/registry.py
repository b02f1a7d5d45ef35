"""The rule registry: explicit registration by decorator, documentation next to the rule.

A rule is a pure function over an AuditContext that yields Findings. Its docstring holds the
documentation in fixed sections; `dayone rules explain` prints it and docs/rules/ is generated
from it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from dayone.findings import Finding, Location, Severity

if TYPE_CHECKING:
    from dayone.rules.context import AuditContext
    from dayone.rules.rollup import Rollup

# What a rule can say in a report's verdict when its section is in good shape: "every table has a
# primary key". (context, the rule's findings) -> a sentence, or None when there is nothing good to say.
Praise = Callable[["AuditContext", list[Finding]], "str | None"]

DOC_SECTIONS = (
    "What it detects",
    "Why it matters for analytics",
    "Question for the engineering team",
    "How to fix",
    "What it leaves out",
)
FAMILIES = {
    # family -> the section of the data engineer's checklist it answers
    "model": "Data model",
    "flow": "Application and data flow",
    "access": "Infrastructure and access",
    "data": "What the data shows",  # rules that need a profile: only the rows tell
    "governance": "Governance: personal data",  # what may be copied to the warehouse, masked, kept
}
Scope = Literal["source", "table", "column"]


@dataclass(frozen=True)
class Rule:
    name: str
    code: str
    family: str
    scope: Scope
    severity: Severity
    needs: tuple[str, ...]  # "catalog", "statistics" (server counters), "profile"
    summary: str
    check: Callable[[AuditContext], Iterable[Finding]]
    rollup: Rollup | None = None  # how its findings group into one question per pattern
    praise: Praise | None = None

    @cached_property  # parsed once, not once per finding
    def docs(self) -> dict[str, str]:
        return parse_sections(inspect.getdoc(self.check) or "")

    @cached_property  # 5,000 tables give 30,000 findings: the documented fix is joined once
    def default_fix(self) -> str:
        return " ".join(self.docs.get("How to fix", "").split())

    def finding(self, target: str | tuple[str, Location], message: str, question: str, fix: str | None = None,
                severity: Severity | None = None, **evidence: Any) -> Finding:  # fmt: skip
        """A finding of this rule on `target` (a spelled target, or AuditContext.located's pair of
        spelling and location); `fix` defaults to the rule's documented fix."""
        target, location = target if isinstance(target, tuple) else (target, Location())
        return Finding(
            rule=self.name,
            code=self.code,
            severity=severity or self.severity,
            target=target,
            location=location,
            message=message,
            question=question,
            fix=fix or self.default_fix,
            evidence={k: v for k, v in evidence.items() if v is not None},
        )


REGISTRY: dict[str, Rule] = {}


def rule(*, name: str, code: str, family: str, scope: Scope, severity: Severity, needs: tuple[str, ...] = ("catalog",),
         rollup: Rollup | None = None, praise: Praise | None = None):  # fmt: skip
    """Register a rule. The function's first docstring line is its summary."""
    if family not in FAMILIES:
        raise ValueError(f"unknown rule family {family!r}")

    def register(check: Callable[[AuditContext], Iterable[Finding]]):
        if name in REGISTRY or any(r.code == code for r in REGISTRY.values()):
            raise ValueError(f"rule {name} / {code} registered twice")
        summary = (inspect.getdoc(check) or "").split("\n", 1)[0].strip()
        REGISTRY[name] = Rule(name, code, family, scope, severity, needs, summary, check, rollup, praise)
        return check

    return register


def parse_sections(doc: str) -> dict[str, str]:
    """'## Heading' sections of a rule docstring, keyed by heading."""
    sections: dict[str, str] = {}
    for match in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", doc, flags=re.MULTILINE | re.DOTALL):
        sections[match.group(1).strip()] = match.group(2).strip()
    return sections


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """Rules chosen by name, code or family; unknown selectors are an error, not silence."""
    from dayone.errors import DayoneError

    def matches(rule: Rule, selector: str) -> bool:
        return selector in (rule.name, rule.code, rule.family)

    for selector in (*select, *ignore):
        if not any(matches(r, selector) for r in REGISTRY.values()):
            raise DayoneError(f"no rule, code or family named {selector!r}: `dayone rules` lists them")
    chosen = [r for r in REGISTRY.values() if not select or any(matches(r, s) for s in select)]
    return [r for r in chosen if not any(matches(r, s) for s in ignore)]
