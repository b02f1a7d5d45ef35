"""What a report site shows, as plain data: each source's catalog, audit, profile and check, and the
project's questionnaire, metrics, log and drift when there is a project.

Built either from an audit just run (an AuditResult: the profile is there) or from the results a
project keeps (a snapshot and the audit's JSON: no profile, kept audits do not hold one). The
renderers (html.py, markdown.py) only read this.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dayone.catalog.model import Catalog
    from dayone.profile.model import Profile
    from dayone.rules.engine import AuditResult


@dataclass
class SiteSource:
    name: str  # the project's source name, else the database's name
    catalog: Catalog
    audit: dict[str, Any]  # the audit's JSON document (render.audit_formats.to_json): sections, groups, findings
    profile: Profile | None = None
    check: dict[str, Any] | None = None  # the access check's JSON document, when one was run or kept
    env: str | None = None
    audited_at: str | None = None
    errors: list[str] = field(default_factory=list)  # what could not be read for it
    questions: list[dict[str, Any]] = field(default_factory=list)  # the questionnaire's, about this source
    metrics: dict[str, Any] | None = None  # day-1 metrics counted: feasible / at-risk / blocked
    by_owner: list[dict[str, Any]] = field(default_factory=list)  # open questions per person


@dataclass
class Site:
    title: str
    sources: list[SiteSource]
    values: bool = True  # False (--no-values): no value of the data at all, not even value sets
    project: dict[str, Any] | None = None  # build_status's view of the project, when there is one
    questions: list[dict[str, Any]] = field(default_factory=list)  # every question of the questionnaire
    metrics: list[dict[str, Any]] = field(default_factory=list)  # each metric: check, and its kept values
    log: list[dict[str, Any]] = field(default_factory=list)  # every log entry, oldest first
    # The drift history, when `dayone diff` keeps one: [{"source", "at", "changes": [{"kind", "target",
    # "impact", "message"}]}]. Rendered when present; nothing here depends on how it is made.
    drift: list[dict[str, Any]] | None = None
    generated_at: str = ""


def audit_document(result: AuditResult) -> dict[str, Any]:
    """The audit as its JSON report holds it: one shape whether it was run now or kept."""
    from dayone.api import collector_paused
    from dayone.render.audit_formats import to_json

    with collector_paused():  # 30,000 findings as dicts: no cycle among them for the collector to find
        return json.loads(to_json(result))


def source_of(result: AuditResult, name: str | None = None, check: dict[str, Any] | None = None) -> SiteSource:
    return SiteSource(name or result.catalog.database, result.catalog, audit_document(result), result.profile, check)
