"""Baselines and drift inside a project: snapshots kept per source and environment (tagged ones
too, `golive`), what a source name or `SOURCE@TAG` means as a side of a diff, the project's metrics
as the diff needs them, and `watch`: snapshot, diff against the previous one, log what changed.

Snapshots live beside audits in state/results/SOURCE/ENV/: `<time>-snapshot.json`, and
`<time>-<tag>-snapshot.json` for a tagged one; the latest snapshot is the one whose name sorts
last, tagged or not (an audit keeps one too)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dayone.errors import DayoneError

if TYPE_CHECKING:
    from dayone.catalog.model import Catalog
    from dayone.diff import DiffResult, MetricUse
    from dayone.project import Project
    from dayone.project.runs import SourceRef

SNAPSHOT = "snapshot"


def _kind(tag: str | None) -> str:
    return f"{tag}-{SNAPSHOT}" if tag else SNAPSHOT


def check_tag(tag: str) -> str:
    from dayone.project.model import NAME

    if not NAME.fullmatch(tag):
        raise DayoneError(f"--tag {tag!r}: a tag is a letter, then letters, digits, - or _ (golive, before-migration)")
    return tag


def keep_snapshot(project: Project, ref: SourceRef, catalog: Catalog, tag: str | None = None) -> Path:
    from dayone.catalog.snapshot import to_bytes

    return project.state.save_result(ref.name, ref.env, _kind(tag and check_tag(tag)), to_bytes(catalog).decode())


def snapshot_path(project: Project, ref: SourceRef, tag: str | None = None, before: Path | None = None) -> Path:
    """The latest snapshot kept of a source's environment (with `tag`: the latest so tagged; with
    `before`: the latest older than that one), or one line saying how to keep one."""
    found = project.state.results(ref.name, ref.env, _kind(tag))
    if tag:
        found = [p for p in found if _tag_of(p) == tag]  # not another tag ending in this one
    if before is not None:
        found = [p for p in found if p.name < before.name]
    if found:
        return found[-1]
    if tag:
        tags = sorted({_tag_of(p) for p in project.state.results(ref.name, ref.env, SNAPSHOT)} - {None})  # type: ignore[type-var]
        known = f" (tags kept: {', '.join(tags)})" if tags else ""
        raise DayoneError(f"no snapshot of {ref.label} tagged {tag!r}{known}: `dayone snapshot {ref.name} --tag {tag}` keeps one")
    raise DayoneError(f"no snapshot of {ref.label} kept yet: `dayone snapshot {ref.name}` (or an audit) keeps one")


def _tag_of(path: Path) -> str | None:
    stem = path.name[: -len(f"-{SNAPSHOT}.json")]
    _, _, tag = stem.partition("-")
    return tag or None


def metric_uses(project: Project, ref: SourceRef, old: Catalog, new: Catalog) -> list[MetricUse]:
    """The metrics of `ref`'s source: what each reads (resolved against the old catalog, or the new
    one when its SQL names what only the new one has) and whether it can run against the new one."""
    from dayone.diff import MetricUse
    from dayone.project.metrics import _url_database, check_metric

    uses = []
    url_database = _url_database(project, ref)
    for name, metric in project.file.metrics.items():
        if metric.source != ref.name:
            continue
        before = check_metric(name, metric.sql, metric.priority, ref, old, {}, url_database)
        after = check_metric(name, metric.sql, metric.priority, ref, new, {}, url_database)
        reads = before if before.status != "blocked" or not after.depends_on else after
        reason = "; ".join(r.message for r in after.reasons) if after.status == "blocked" else None
        uses.append(MetricUse(name, frozenset(reads.depends_on), frozenset(reads.tables), after.status == "blocked", reason))
    return uses


@dataclass(frozen=True)
class Watched:
    ref: SourceRef
    result: DiffResult | None  # None: the first snapshot, nothing to compare with
    kept: Path
    previous: Path | None
    logged: str | None  # the log entry's id, when something changed


def watch(project: Project, ref: SourceRef, by: str = "dayone watch") -> Watched:
    """One round: read the source's catalog (read-only session), keep it, diff it against the
    snapshot kept before it, and write what changed to the log. Writes only the project's folder."""
    from dayone import api
    from dayone.catalog import snapshot as snapshot_file
    from dayone.diff import diff_catalogs
    from dayone.project.runs import target_of

    _, target, options = target_of(project, ref.name, ref.env)
    database = project.environments(ref.name)[ref.env]
    previous = project.state.latest(ref.name, ref.env, SNAPSHOT)
    catalog = api.read_catalog(target, database.schemas or None, options)
    kept = keep_snapshot(project, ref, catalog)
    if previous is None:
        return Watched(ref, None, kept, None, None)
    old = snapshot_file.read(previous)
    result = diff_catalogs(old, catalog, metrics=metric_uses(project, ref, old, catalog),
                           old_label=_label(ref, previous), new_label=_label(ref, kept))  # fmt: skip
    logged = None
    if result.changes:
        logged = project.state.add("note", log_text(ref, result), by, source=ref.name,
                                   data={"drift": result.as_dict()}).id  # fmt: skip
    return Watched(ref, result, kept, previous, logged)


def _label(ref: SourceRef, path: Path) -> str:
    return f"{ref.label} at {snapshot_stamp(path)}"


def snapshot_stamp(path: Path) -> str:
    """When a kept snapshot was read, as its file name says it (dayone.project.state.stamp)."""
    return path.name.split("-", 1)[0]


def log_text(ref: SourceRef, result: DiffResult) -> str:
    """One log line: how many changes of each impact, then the most severe ones by name."""
    from dayone.diff import IMPACTS

    counts = ", ".join(f"{result.count(i)} {i}" for i in IMPACTS if result.count(i))
    named = "; ".join(f"{c.target} {c.kind}" for c in result.changes[:5])
    more = f"; and {len(result.changes) - 5} more" if len(result.changes) > 5 else ""
    blocked = result.summary()["metrics_blocked"]
    said = f" (metrics blocked: {', '.join(blocked)})" if blocked else ""
    return f"drift in {ref.label}: {counts}{said}: {named}{more}"
