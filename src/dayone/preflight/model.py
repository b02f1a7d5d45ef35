"""The access pre-flight's report: one item per question of the infrastructure checklist."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from dayone.catalog.access import AccessFacts

Status = Literal["pass", "warn", "fail", "unknown"]
STATUSES: tuple[Status, ...] = ("fail", "warn", "unknown", "pass")
FAIL_ON = {"fail": ("fail",), "warn": ("fail", "warn"), "never": ()}

# What a person still has to answer, whatever the database says.
OPEN_QUESTIONS = (
    "Who owns the credentials dayone used (a person or a service account), and who rotates them?",
    "Where does the shared secret live (password manager, vault, CI secret), and who else can read it?",
    "Are there separate development, staging and production databases, and when does production go live?",
    "From which network will extraction run (VPN, bastion, allow-listed IP addresses), and who approves that access?",
)


@dataclass(frozen=True)
class CheckItem:
    id: str  # stable: reachability, server, hosting, replication-role, tls, read-only, ...
    title: str
    status: Status
    summary: str  # one line: the answer
    evidence: dict[str, Any] = field(default_factory=dict)  # the facts behind it, as the server gave them
    questions: tuple[str, ...] = ()  # what to ask the people who own the production system

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "summary": self.summary,
            "evidence": self.evidence,
            "questions": list(self.questions),
        }


@dataclass(frozen=True)
class Connection:
    """What connecting itself showed (nothing, when the facts come from a snapshot)."""

    target: str  # the URL with the password masked, or the snapshot path
    live: bool
    reached: bool = False
    error: str | None = None
    connect_ms: float | None = None
    round_trip_ms: float | None = None


@dataclass(frozen=True)
class CheckReport:
    connection: Connection
    facts: AccessFacts | None
    items: tuple[CheckItem, ...]
    questions: tuple[str, ...] = OPEN_QUESTIONS

    def counts(self) -> dict[str, int]:
        counted = Counter(item.status for item in self.items)
        return {status: counted.get(status, 0) for status in STATUSES}

    def reaches(self, fail_on: str) -> bool:
        """Whether some item's status is one `fail_on` ("fail", "warn", "never") counts as failing."""
        return any(item.status in FAIL_ON[fail_on] for item in self.items)

    def item(self, id: str) -> CheckItem:
        return next(item for item in self.items if item.id == id)
