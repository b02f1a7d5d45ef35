"""Findings: what a rule reports, with the evidence and the question for the engineering team."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Location:
    """Where a finding is, as names (not parsed back from the target's spelling): what groups of
    findings are made by (a schema, a table)."""

    schema: str | None = None  # as the catalog names it (SQLite: "main")
    table: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str  # kebab-case rule name, e.g. "missing-primary-key"
    code: str  # short code, e.g. "DM101"
    severity: Severity
    target: str  # "schema.table", "schema.table.column", or the database name
    message: str  # what is wrong, in one sentence
    question: str  # what to ask the people who own the production system
    fix: str  # how to fix it at the source
    evidence: dict[str, Any] = field(default_factory=dict)  # the facts and numbers behind the claim
    location: Location = field(default=Location(), compare=False)  # not in the JSON: `target` says it

    @property
    def id(self) -> str:
        """Stable across runs: the same rule on the same target always has the same id."""
        digest = hashlib.sha1(f"{self.rule}\0{self.target}".encode()).hexdigest()[:10]
        return f"{self.code}-{digest}"

    def as_dict(self, fix: str | None = None) -> dict[str, Any]:
        """The finding as JSON reports hold it; `fix` replaces the rule's documented fix (with the
        engine's own SQL, dayone.fixes)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "target": self.target,
            "message": self.message,
            "question": self.question,
            "fix": fix if fix is not None else self.fix,
            "evidence": self.evidence,
        }
