"""`dayone status`: a project at a glance, from what is kept in its state.

Per source: its latest access check (counts, the failed items), its latest audit's verdict per
checklist section, its open questions by owner and its day-1 metrics; then the last log entries and
what is left before go-live. Everything is read from the kept results; a source with no audit is
audited first (the snapshot and the audit are kept), and `refresh` audits and checks every source
again. A source that cannot be read is reported with its error and the others go on.

The result is plain data (the JSON of `dayone status --format json`); render/status.py draws it.

The questionnaire (project/questions.py) and the metric checks (project/metrics.py) are asked
through one function each, `questions.open_questions(project)` and `metrics.check_metrics(project)`,
when they exist; without them the open questions are the audits' open groups (and the log's
unanswered questions) routed to owners by `owner_of`, and the metrics are "not checked".
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dayone.errors import DayoneError

if TYPE_CHECKING:
    from dayone.project import Project
    from dayone.project.runs import SourceRef

LOG_SHOWN = 5
OPEN_SEVERITIES = ("error", "warning")  # an info group is a fact worth knowing, not a question to answer


def build_status(project: Project, *, refresh: bool = False, today: date | None = None,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """The status of `project` as plain data. `progress` hears one line per source audited or checked."""
    from dayone.project.runs import every_source

    say = progress or (lambda _line: None)
    today = today or date.today()
    audits: dict[str, dict[str, Any]] = {}
    sources = []
    for ref in every_source(project):
        source, audit = _source(project, ref, refresh, say)
        sources.append(source)
        if audit is not None:
            audits[ref.name] = audit
    origin, questions = _open_questions(project, audits)
    metrics, metrics_error = _metric_checks(project)
    entries, log_error = _log(project)
    for source in sources:
        mine = [q for q in questions if q["source"] == source["name"]]
        source["questions"] = {"open": len(mine), "by_owner": _by_owner(project, mine)}
        source["metrics"] = _metric_counts(project, source["name"], metrics)
    go_live = project.file.go_live
    return {
        "project": project.file.project,
        "folder": str(project.folder),
        "today": today.isoformat(),
        "go_live": go_live.isoformat() if go_live else None,
        "days_left": (go_live - today).days if go_live else None,
        "sources": sources,
        "questions": {"from": origin, "open": len(questions), "by_owner": _by_owner(project, questions)},
        "metrics": {
            "checked": metrics is not None,
            "error": metrics_error,
            "declared": [{"name": name, "source": m.source, "priority": m.priority} for name, m in project.file.metrics.items()],
            "checks": metrics or [],
        },
        "log": {
            "entries": len(entries),
            "error": log_error,
            "latest": [e.as_dict() for e in entries[-LOG_SHOWN:]],
            "open_todos": [e.as_dict() for e in _open(entries, "todo", ("done",))],
            "unanswered": [e.as_dict() for e in _open(entries, "ask", ("answer", "closed"))],
        },
        "left": _left(sources, questions, metrics),
    }


# -- one source ---------------------------------------------------------------------------------


def _source(project: Project, ref: SourceRef, refresh: bool, say: Callable[[str], None]) -> tuple[dict[str, Any], dict | None]:
    from dayone.project.runs import audit_source, check_source

    state = project.state
    found: dict[str, Any] = {"name": ref.name, "env": ref.env, "errors": []}
    if refresh or state.latest(ref.name, ref.env, "audit") is None:
        say(f"auditing {ref.label}")
        try:
            audit_source(project, ref)
        except DayoneError as exc:
            found["errors"].append(f"audit failed: {exc}")
    if refresh:
        say(f"checking {ref.label}")
        try:
            check_source(project, ref)
        except DayoneError as exc:
            found["errors"].append(f"check failed: {exc}")
    audit, found["audited_at"] = _kept(state.latest(ref.name, ref.env, "audit"), found["errors"])
    check, found["checked_at"] = _kept(state.latest(ref.name, ref.env, "check"), found["errors"])
    found["product"] = " ".join(str(audit[k]) for k in ("product", "version") if audit and audit.get(k)) or None
    found["access"] = _access(check)
    found["sections"] = [
        {"section": s["section"], "status": s["status"], "blockers": list(s.get("blockers", ())), "open_questions": s.get("open_questions", 0)}
        for s in (audit or {}).get("sections", ())
    ]  # fmt: skip
    found["blockers"] = [{"section": s["section"], "message": m} for s in found["sections"] for m in s["blockers"]]
    return found, audit


def _kept(path: Path | None, errors: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """A kept result and when it was taken (its file name's time), or None."""
    if path is None:
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        errors.append(f"{path.name} cannot be read ({type(exc).__name__}): --refresh reads the source again")
        return None, None
    return data if isinstance(data, dict) else None, taken_at(path)


def taken_at(path: Path) -> str | None:
    """When a result was kept: its name starts with the UTC time (state.stamp)."""
    try:
        moment = datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


def _access(check: dict[str, Any] | None) -> dict[str, Any] | None:
    if check is None:
        return None
    summary = check.get("summary") or {}
    items = check.get("checks") or ()
    return {
        **{status: int(summary.get(status, 0)) for status in ("pass", "warn", "fail", "unknown")},
        "failed": [str(item.get("title") or item.get("id")) for item in items if item.get("status") == "fail"],
    }


# -- open questions -----------------------------------------------------------------------------


def _open_questions(project: Project, audits: dict[str, dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """("questionnaire", its open questions) when project/questions.py offers them (`open_questions`,
    or `collect` and its questions whose status is open), else ("audits", the audits' open groups and
    the log's unanswered questions)."""
    from dayone.project import questions as questionnaire

    ask = getattr(questionnaire, "open_questions", None)
    if ask is None and hasattr(questionnaire, "collect"):
        def ask(project: Project) -> list[Any]:
            return [q for q in _listed(questionnaire.collect(project), "questions") if _field(q, "status", "open") == "open"]
    if ask is not None:
        return "questionnaire", [_question(q) for q in ask(project)]
    found = [
        {"id": group.get("id"), "source": source, "section": group.get("section"), "targets": list(group.get("targets") or ()),
         "to": owner_of(project, source, group.get("section"))}
        for source, audit in audits.items() for group in audit.get("groups", ()) if group.get("severity") in OPEN_SEVERITIES
    ]  # fmt: skip
    try:
        entries = project.state.entries()
    except DayoneError:
        entries = []  # the log section says why
    for entry in _open(entries, "ask", ("answer", "closed")):
        to = entry.to if entry.to in project.file.people else (owner_of(project, entry.source) if entry.source else None)
        found.append({"id": entry.id, "source": entry.source, "section": None, "targets": [], "to": to})
    return "audits", found


def _field(item: Any, name: str, default: Any = None) -> Any:
    """A field of what another module returns, a dict or an object."""
    value = item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)
    return default if value is None else value


def _listed(found: Any, attribute: str) -> list[Any]:
    """A list, or the list a report object or its JSON shape holds under `attribute`."""
    if isinstance(found, dict):
        return list(found.get(attribute, ()))
    if hasattr(found, attribute):
        return list(getattr(found, attribute))
    return list(found)


def _question(question: Any) -> dict[str, Any]:
    targets = _field(question, "targets") or ([_field(question, "target")] if _field(question, "target") else [])
    return {"id": _field(question, "id"), "source": _field(question, "source"), "section": _field(question, "section"),
            "targets": [str(t) for t in targets], "to": _field(question, "to")}  # fmt: skip


def owner_of(project: Project, source: str | None, section: str | None = None) -> str | None:
    """Who a question about `source` in checklist `section` goes to: a person who owns both, else
    the owner of the section ("access" owns "Infrastructure and access"), else the owner of the
    source, else nobody. The questionnaire may replace this."""
    people = project.file.people

    def owns_source(owned: Iterable[str]) -> bool:
        return source is not None and any(o.casefold() == source.casefold() for o in owned)

    def owns_section(owned: Iterable[str]) -> bool:
        return section is not None and any(_names_section(o, section) for o in owned)

    for wanted in (lambda o: owns_source(o) and owns_section(o), owns_section, owns_source):
        for name, person in people.items():
            if wanted(person.owns):
                return name
    return None


def _names_section(owned: str, section: str) -> bool:
    words = owned.casefold().strip()
    return bool(words) and (words == section.casefold() or re.search(rf"(?<!\w){re.escape(words)}(?!\w)", section.casefold()) is not None)


def _by_owner(project: Project, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open questions counted per person (most first; nobody last), and per source."""
    counted: dict[str | None, dict[str, int]] = {}
    for question in questions:
        to = question["to"] if question["to"] in project.file.people else None
        per_source = counted.setdefault(to, {})
        key = question["source"] or "(project)"  # a question about the whole project (the go-live date)
        per_source[key] = per_source.get(key, 0) + 1
    rows = [{"owner": owner, "role": project.file.people[owner].role if owner else None, "open": sum(n.values()),
             "sources": dict(sorted(n.items()))} for owner, n in counted.items()]  # fmt: skip
    return sorted(rows, key=lambda r: (r["owner"] is None, -r["open"], r["owner"] or ""))


# -- metrics ------------------------------------------------------------------------------------


def _metric_checks(project: Project) -> tuple[list[dict[str, Any]] | None, str | None]:
    """(each metric's check, None) from project/metrics.py's `check_metrics`; (None, None) when
    there is no such module yet, (None, the error) when checking failed."""
    try:
        module = importlib.import_module("dayone.project.metrics")
    except ModuleNotFoundError as exc:
        if exc.name != "dayone.project.metrics":
            raise
        return None, None
    check = getattr(module, "check_metrics", None)
    if check is None:
        return None, None
    try:
        checked = check(project)
    except DayoneError as exc:
        return None, str(exc)
    return [_metric(m) for m in _listed(checked, "metrics" if isinstance(checked, dict) else "checks")], None


def _metric(metric: Any) -> dict[str, Any]:
    reasons = [r if isinstance(r, str) else str(_field(r, "message", r)) for r in _field(metric, "reasons", ())]
    return {"name": _field(metric, "name"), "source": _field(metric, "source"), "priority": _field(metric, "priority", "day-1"),
            "status": _field(metric, "status"), "reasons": reasons, "depends_on": [str(d) for d in _field(metric, "depends_on", ())],
            "tables": [str(t) for t in _field(metric, "tables", ())]}  # fmt: skip


def _metric_counts(project: Project, source: str, metrics: list[dict[str, Any]] | None) -> dict[str, Any]:
    declared = [m for m in project.file.metrics.values() if m.source == source]
    counts: dict[str, Any] = {"declared": len(declared), "day_1": sum(1 for m in declared if m.priority == "day-1")}
    if metrics is not None:
        day_1 = [m for m in metrics if m["source"] == source and m["priority"] == "day-1"]
        for status in ("feasible", "at-risk", "blocked"):
            counts[status] = sum(1 for m in day_1 if m["status"] == status)
    return counts


# -- the log and what is left -------------------------------------------------------------------


def _log(project: Project) -> tuple[list, str | None]:
    try:
        return project.state.entries(), None
    except DayoneError as exc:
        return [], str(exc)


def _open(entries: list, kind: str, closing: tuple[str, ...]) -> list:
    """Entries of `kind` no later entry of a `closing` kind refers to: open to-dos, unanswered questions."""
    closed = {e.refers for e in entries if e.kind in closing and e.refers}
    return [e for e in entries if e.kind == kind and e.id not in closed]


def _left(sources: list[dict[str, Any]], questions: list[dict[str, Any]], metrics: list[dict[str, Any]] | None) -> dict[str, Any]:
    day_1 = [m for m in metrics or () if m["priority"] == "day-1"]
    left: dict[str, Any] = {
        "blockers": [{"source": s["name"], **b} for s in sources for b in s["blockers"]],
        "open_questions": len(questions),
        "day_1_questions": None,
        "metrics_blocked": [m for m in day_1 if m["status"] == "blocked"],
        "metrics_at_risk": [m for m in day_1 if m["status"] == "at-risk"],
        "not_checked": [s["name"] for s in sources if s["access"] is None],
        "failed_checks": [{"source": s["name"], "failed": s["access"]["failed"]} for s in sources if s["access"] and s["access"]["failed"]],
        "unread": [s["name"] for s in sources if not s["sections"]],
    }
    if metrics is not None:
        # a question is a day-1 question when it is about a table a day-1 metric reads
        read: dict[str | None, set[str]] = {}
        for metric in day_1:
            tables = read.setdefault(metric["source"], set())
            tables.update(d.split(".")[-2] for d in metric["depends_on"] if "." in d)  # schema.table.column
            tables.update(t.split(".")[-1] for t in metric["tables"])  # schema.table
        left["day_1_questions"] = sum(
            1 for q in questions if any(set(t.split(".")) & read.get(q["source"], set()) for t in q["targets"])
        )
    return left
