"""What a diff finds: changes, each with its impact on analytics and ELT and the reason in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Impact = Literal["breaking", "action", "info"]
IMPACTS: tuple[Impact, ...] = ("breaking", "action", "info")  # the most severe first
IMPACT_RANK = {"info": 0, "action": 1, "breaking": 2}


@dataclass(frozen=True)
class MetricUse:
    """What one metric of the project reads, for naming it next to a change (computed by the project
    layer from the metric's SQL, see dayone.project.drift): targets spelled like findings'."""

    name: str
    columns: frozenset[str] = frozenset()  # schema.table.column it reads (its depends_on)
    tables: frozenset[str] = frozenset()  # schema.table it reads
    blocked: bool = False  # its SQL cannot run against the new catalog
    blocked_reason: str | None = None


@dataclass(frozen=True)
class AffectedMetric:
    name: str
    blocked: bool = False
    reason: str | None = None  # why it is blocked

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.name, "blocked": self.blocked}
        if self.reason:
            found["reason"] = self.reason
        return found


@dataclass(frozen=True)
class Change:
    kind: str  # kebab-case: column-dropped, type-narrowed, check-value-added...
    target: str  # schema.table[.column], spelled as findings' targets
    impact: Impact
    detail: str  # what changed and why it matters, in words
    metrics: tuple[AffectedMetric, ...] = ()
    # the names the target spells, for matching metrics (not in the JSON: `target` says it)
    schema: str | None = field(default=None, compare=False)
    table: str | None = field(default=None, compare=False)
    column: str | None = field(default=None, compare=False)
    old_names: tuple[str, ...] = field(default=(), compare=False)  # a rename's old target too

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "impact": self.impact, "detail": self.detail,
                "metrics": [m.as_dict() for m in self.metrics]}  # fmt: skip


@dataclass(frozen=True)
class DiffResult:
    changes: tuple[Change, ...]
    old: str  # what was compared, as shown to the user (a file, a masked URL, source@tag)
    new: str
    product: str

    def count(self, impact: Impact) -> int:
        return sum(1 for c in self.changes if c.impact == impact)

    def reaches(self, fail_on: str) -> bool:
        """Whether any change is at least as severe as `fail_on` (breaking, action; never: no)."""
        if fail_on == "never":
            return False
        return any(IMPACT_RANK[c.impact] >= IMPACT_RANK[fail_on] for c in self.changes)

    def summary(self) -> dict[str, Any]:
        blocked = sorted({m.name for c in self.changes for m in c.metrics if m.blocked})
        affected = sorted({m.name for c in self.changes for m in c.metrics})
        return {"old": self.old, "new": self.new, "product": self.product, "changes": len(self.changes),
                **{impact: self.count(impact) for impact in IMPACTS},
                "metrics_affected": affected, "metrics_blocked": blocked}  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {"changes": [c.as_dict() for c in self.changes], "summary": self.summary()}
