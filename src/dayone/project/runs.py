"""Running the read-only commands on a project's sources, and keeping what they found.

An audit of a source keeps two results: the catalog it read (a snapshot, for drift and for metric
checks) and the audit report (JSON: findings, groups, sections). A check keeps its report. Commands
that need a source's catalog or findings (questions, metrics check, status, later report and diff)
use the latest kept result, and run the audit first when a source has none (`refresh` reads again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dayone.connect.options import SessionOptions
from dayone.errors import DayoneError

if TYPE_CHECKING:
    from dayone.catalog.model import Catalog
    from dayone.connect.target import Target
    from dayone.preflight.model import CheckReport
    from dayone.profile.options import ProfileOptions
    from dayone.project import Project
    from dayone.rules.engine import AuditResult


@dataclass(frozen=True)
class SourceRef:
    """One environment of one source."""

    name: str
    env: str

    @property
    def label(self) -> str:
        return self.name if self.env == "prod" else f"{self.name} ({self.env})"


def target_of(project: Project, source: str, env: str | None = None) -> tuple[SourceRef, Target, SessionOptions]:
    """The parsed target (its password from the source's own DAYONE_PASSWORD_<SOURCE> first) and the
    session options (its SSH bastion) of a source's environment."""
    from dayone.connect.target import parse_target

    env, database = project.database(source, env)
    target = parse_target(project.resolve_path(database.url), source=source)
    options = SessionOptions()
    if database.ssh:
        from dayone.connect.tunnel import parse_ssh_url

        options = SessionOptions(ssh=parse_ssh_url(database.ssh))
    return SourceRef(source, env), target, options


def audit_source(project: Project, ref: SourceRef, options: SessionOptions | None = None,
                 profile: ProfileOptions | None = None, **audit_options: Any) -> AuditResult:  # fmt: skip
    """Audit one source's environment with the read-only session guards, and keep its catalog and
    audit report in the state."""
    from dayone import api
    from dayone.profile.options import ProfileOptions

    _, target, defaults = target_of(project, ref.name, ref.env)
    database = project.environments(ref.name)[ref.env]
    options = options or defaults
    if options.ssh is None and defaults.ssh is not None:
        from dataclasses import replace

        options = replace(options, ssh=defaults.ssh)
    result = api.audit(target, database.schemas or None, options,
                       profile=profile if profile is not None else ProfileOptions(), **audit_options)  # fmt: skip
    return keep_audit(project, ref, result)


def keep_audit(project: Project, ref: SourceRef, result: AuditResult, by: str | None = None) -> AuditResult:
    """Keep an audit of a source's environment (its catalog and its JSON report, the project's
    answers acknowledged in it), then bring the questionnaire up to date with it. The result with
    its answers, as the reports show it."""
    from dayone.catalog.snapshot import to_bytes
    from dayone.project import author
    from dayone.project.questions import acknowledge, reconcile
    from dayone.render.audit_formats import to_json

    project.state.save_result(ref.name, ref.env, "snapshot", to_bytes(result.catalog).decode())
    result = acknowledge(project, ref, result)  # answered groups: reported as acknowledged
    report = to_json(result)
    project.state.save_result(ref.name, ref.env, "audit", report)
    reconcile(project, ref, json.loads(report), author(by))
    return result


def check_source(project: Project, ref: SourceRef, options: SessionOptions | None = None):
    from dayone import api

    _, target, defaults = target_of(project, ref.name, ref.env)
    database = project.environments(ref.name)[ref.env]
    report = api.check(target, options or defaults, database.schemas or None)
    keep_check(project, ref, report)
    return report


def keep_check(project: Project, ref: SourceRef, report: CheckReport) -> Path:
    from dayone.render.check_formats import to_json

    return project.state.save_result(ref.name, ref.env, "check", to_json(report))


def latest_audit(project: Project, ref: SourceRef, refresh: bool = False) -> dict[str, Any]:
    """The latest kept audit report of a source (the JSON report as a dict), auditing it first when
    there is none or `refresh` asks."""
    path = None if refresh else project.state.latest(ref.name, ref.env, "audit")
    if path is None:
        audit_source(project, ref)
        path = project.state.latest(ref.name, ref.env, "audit")
    return _load(path)


def latest_catalog(project: Project, ref: SourceRef, refresh: bool = False) -> Catalog:
    from dayone.catalog import snapshot

    path = None if refresh else project.state.latest(ref.name, ref.env, "snapshot")
    if path is None:
        audit_source(project, ref)
        path = project.state.latest(ref.name, ref.env, "snapshot")
    return snapshot.read(path)


def latest_check(project: Project, ref: SourceRef) -> dict[str, Any] | None:
    path = project.state.latest(ref.name, ref.env, "check")
    return _load(path) if path is not None else None


def every_source(project: Project, env: str | None = None) -> list[SourceRef]:
    """Each source's environment `env`, or each source's main one (prod, else staging, else dev)."""
    refs = []
    for name in project.file.sources:
        if env is not None and env not in project.file.sources[name]:
            continue
        chosen, _ = project.database(name, env)
        refs.append(SourceRef(name, chosen))
    return refs


def _load(path: Path | None) -> dict[str, Any]:
    if path is None:
        raise DayoneError("no result was kept")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DayoneError(f"{path} cannot be read ({type(exc).__name__}): run the command again with --refresh") from None
