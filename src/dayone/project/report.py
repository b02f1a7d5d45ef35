"""A project's report: each source's latest kept results (or an audit run now), the questionnaire,
the metrics with their kept values, the log and, when `dayone diff` keeps one, the drift history, as
the plain data a report site is drawn from (dayone.render.site.model.Site)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from dayone.errors import DayoneError
from dayone.render.site.model import Site, SiteSource, audit_document

if TYPE_CHECKING:
    from dayone.project import Project
    from dayone.rules.engine import AuditResult


def project_site(project: Project, *, sources: list[str] | None = None, env: str | None = None, refresh: bool = False,
                 values: bool = True, results: Mapping[str, AuditResult] | None = None,
                 progress: Callable[[str], None] | None = None) -> Site:  # fmt: skip
    """The site of `project` (of `sources`, else every source). `refresh` audits (with a profile) and
    checks each source again; `results` are audits just run, by source name, used instead of the kept
    ones (they hold the profile, which kept audits do not)."""
    from dayone.project.runs import audit_source, check_source, every_source, latest_audit, latest_catalog, latest_check
    from dayone.project.status import build_status

    say = progress or (lambda _line: None)
    results = dict(results or {})
    refs = [r for r in every_source(project, env) if sources is None or r.name in sources]
    if sources is not None:
        for name in sources:
            project.environments(name)  # an unknown name: one clear line
    for ref in refs:
        if refresh:
            say(f"auditing {ref.label}")
            results[ref.name] = audit_source(project, ref)
            say(f"checking {ref.label}")
            try:
                check_source(project, ref)
            except DayoneError as exc:
                say(f"{ref.label}: check failed: {exc}")
    status = build_status(project, progress=say)
    by_name = {s["name"]: s for s in status["sources"]}
    questions = _questionnaire(project)
    site_sources = []
    for ref in refs:
        kept = by_name.get(ref.name, {})
        errors = list(kept.get("errors", ()))
        try:
            if ref.name in results:
                result = results[ref.name]
                source = SiteSource(ref.name, result.catalog, audit_document(result), result.profile)
            else:
                source = SiteSource(ref.name, latest_catalog(project, ref), latest_audit(project, ref))
        except DayoneError as exc:
            errors.append(str(exc))
            continue  # nothing to draw: the overview of status names it
        source.env = ref.env
        source.check = latest_check(project, ref)
        source.audited_at = kept.get("audited_at")
        source.errors = errors
        source.questions = [q for q in questions if q.get("source") == ref.name]
        source.metrics = kept.get("metrics")
        source.by_owner = (kept.get("questions") or {}).get("by_owner", [])
        site_sources.append(source)
    return Site(
        title=project.file.project or project.folder.name,
        sources=site_sources,
        values=values,
        project=status,
        questions=questions,
        metrics=_metrics(project, status, values),
        log=_log(project),
        drift=_drift(project),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _questionnaire(project: Project) -> list[dict[str, Any]]:
    from dayone.project import questions

    try:
        return [q.as_dict() for q in questions.collect(project, audit_missing=False).questions]
    except DayoneError:
        return []


def _metrics(project: Project, status: dict[str, Any], values: bool) -> list[dict[str, Any]]:
    from dayone.project.metric_runs import history
    from dayone.render.site.svg import sparkline

    found = []
    for check in status["metrics"]["checks"] or [{"name": m["name"], "source": m["source"], "priority": m["priority"],
                                                  "status": "not checked", "reasons": [], "depends_on": []}
                                                 for m in status["metrics"]["declared"]]:  # fmt: skip
        try:
            kept = history(project, check["name"]) if check["name"] else []
        except DayoneError:
            kept = []
        numbers = [(v.get("at") or "", v["value"]) for v in kept
                   if v.get("status") == "ok" and isinstance(v.get("value"), int | float) and not isinstance(v.get("value"), bool)]  # fmt: skip
        # a metric's value is an aggregate the team asked for, yet it is a value of the data: --no-values keeps it out
        found.append({**check, "reasons": [{"message": r} if isinstance(r, str) else r for r in check.get("reasons", ())],
                      "history": kept, "last": numbers[-1][1] if numbers and values else None,
                      "chart": sparkline(numbers) if values and numbers else ""})  # fmt: skip
    return found


def _log(project: Project) -> list[dict[str, Any]]:
    try:
        return [entry.as_dict() for entry in project.state.entries()]
    except DayoneError:
        return []


def _drift(project: Project) -> list[dict[str, Any]] | None:
    """The drift history: what `dayone watch` logged (a note per round that found changes, the
    diff in its data), oldest first; or `dayone.project.drift.history(project)` when that exists.
    None when there is none: the site then has no drift page."""
    history = getattr(importlib.import_module("dayone.project.drift"), "history", None)
    if history is not None:
        try:
            found = history(project)
        except DayoneError:
            return None
        return [item if isinstance(item, dict) else item.as_dict() for item in found] or None
    try:
        entries = project.state.entries()
    except DayoneError:
        return None
    rounds = []
    for entry in entries:
        drift = (entry.data or {}).get("drift")
        if not isinstance(drift, dict):
            continue
        summary = drift.get("summary") or {}
        rounds.append({
            "source": entry.source, "at": entry.at, "id": entry.id,
            "compared": f"{summary.get('old', '')} → {summary.get('new', '')}",
            "changes": [{"kind": c.get("kind"), "target": c.get("target"), "impact": c.get("impact"), "message": c.get("detail"),
                         "metrics": [m.get("name") for m in c.get("metrics", ()) if isinstance(m, dict)]}
                        for c in drift.get("changes", ()) if isinstance(c, dict)],
        })  # fmt: skip
    return rounds or None
