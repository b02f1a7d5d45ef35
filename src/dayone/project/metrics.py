"""Metrics from day 1: the numbers the business wants, written as SQL in dayone.yml, checked against
the data model and computed read-only.

- add / remove edit the `metrics` map of dayone.yml, comments kept; adding never fails because of
  what the SQL says (it is recorded, with a warning);
- check reads each metric's SQL with sqlglot in its source's dialect against the latest catalog
  kept, and the findings of the latest audit kept: feasible, at-risk (it reads what a finding
  warns about), blocked (it does not parse, is not a read, or names what does not exist);
- run (dayone.project.metric_runs) computes the feasible and at-risk ones through the dialect
  layer, in the audit's read-only, time-bounded session, and keeps each value with its time.

The SQL analysis is dayone.project.metric_sql (offline); the risk rules are below, each naming the
column and the finding (rule and id) it rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dayone.errors import DayoneError
from dayone.findings import target_name
from dayone.project.metric_sql import ColumnKey, Names, Reading, SqlProblem, column_label, parse, read, refuse_unsafe

if TYPE_CHECKING:
    from dayone.catalog.model import Catalog
    from dayone.dialects.base import Dialect
    from dayone.project import Project
    from dayone.project.runs import SourceRef

STATUSES = ("feasible", "at-risk", "blocked")


@dataclass(frozen=True)
class Reason:
    message: str
    column: str | None = None  # schema.table.column it is about
    rule: str | None = None  # the audit rule whose finding it rests on
    finding: str | None = None  # that finding's id

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("message", self.message), ("column", self.column), ("rule", self.rule),
                                  ("finding", self.finding)) if v is not None}  # fmt: skip


@dataclass(frozen=True)
class MetricCheck:
    name: str
    source: str
    env: str
    priority: str
    status: str  # feasible, at-risk, blocked
    reasons: tuple[Reason, ...] = ()
    depends_on: tuple[str, ...] = ()  # schema.table.column, sorted
    # schema.table: the tables it reads, including those no column of which it names (count(*))
    tables: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "priority": self.priority, "status": self.status,
                "reasons": [r.as_dict() for r in self.reasons], "depends_on": list(self.depends_on),
                "tables": list(self.tables)}  # fmt: skip


@dataclass(frozen=True)
class CheckReport:
    checks: list[MetricCheck]
    catalogs: dict[str, str]  # source label -> when the catalog checked against was read (ISO-8601 UTC)


# -- dayone.yml ---------------------------------------------------------------------------------


def add_metric(project: Project, name: str, source: str, sql: str, priority: str = "day-1", due: date | None = None,
               owner: str | None = None, question: str | None = None, replace_existing: bool = False) -> list[tuple[str, str]]:  # fmt: skip
    """Record a metric in dayone.yml (comments kept); what is wrong with its SQL, which never stops it
    (sql_warnings)."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import LiteralScalarString

    from dayone.project.model import NAME

    if not NAME.fullmatch(name):
        raise DayoneError(f"{name!r} is not a metric name dayone can take on the command line: a letter, then letters, "
                          "digits, - or _")  # fmt: skip
    project.environments(source)  # an unknown source: one line naming the known ones
    if owner is not None and owner not in project.file.people:
        known = ", ".join(sorted(project.file.people)) or "none yet: `dayone person add NAME --role ...`"
        raise DayoneError(f"no person named {owner!r} in {project.config.path.name}: people are {known}")
    if name in project.file.metrics and not replace_existing:
        raise DayoneError(f"metric {name!r} exists already: `dayone metric add {name} --replace ...` replaces it")
    if not sql.strip():
        raise DayoneError(f"metric {name!r} has no SQL: give it with --sql or --sql-file")
    entry = CommentedMap()
    entry["source"] = source
    entry["priority"] = priority
    if due is not None:
        entry["due"] = due
    if owner is not None:
        entry["owner"] = owner
    if question:
        entry["question"] = question
    # several lines as a block, as a person would write them; YAML is written by ruamel, whatever the SQL holds
    entry["sql"] = LiteralScalarString(sql) if "\n" in sql.strip() and _block_safe(sql) else sql
    project.config.set(["metrics", name], entry)
    project.config.save()
    return sql_warnings(project, name)


def _block_safe(sql: str) -> bool:
    """A literal block keeps text exactly unless lines end in spaces or it holds control characters."""
    return not any(line != line.rstrip() for line in sql.splitlines()) and all(c == "\n" or c >= " " for c in sql)


def remove_metric(project: Project, name: str) -> None:
    if not project.config.delete(["metrics", name]):
        known = ", ".join(project.file.metrics) or "none yet"
        raise DayoneError(f"no metric named {name!r} in {project.config.path.name}: metrics are {known}")
    project.config.save()


def sql_warnings(project: Project, name: str) -> list[tuple[str, str]]:
    """What is wrong with a metric's SQL, said offline against the latest catalog kept, if any (adding
    a metric opens no connection): ("warning", text), or ("note", text) when there is no catalog yet."""
    from dayone.project.runs import SourceRef

    metric = project.file.metrics[name]
    env, _ = project.database(metric.source)
    ref = SourceRef(metric.source, env)
    snapshot = project.state.latest(ref.name, ref.env, "snapshot")
    if snapshot is None:
        try:
            refuse_unsafe(parse(metric.sql, _sqlglot_dialect_of(project, ref)))
        except SqlProblem as exc:
            return [("warning", f"the SQL {exc}")]
        return [("note", f"not checked against {ref.label}'s data model yet (no audit kept): `dayone metrics check` reads it")]
    from dayone.catalog import snapshot as snapshot_file

    audit_path = project.state.latest(ref.name, ref.env, "audit")
    audit = _load_json(audit_path) if audit_path else {}
    check = check_metric(name, metric.sql, metric.priority, ref, snapshot_file.read(snapshot), audit, _url_database(project, ref))
    return [("warning", r.message) for r in check.reasons] if check.status == "blocked" else []


# -- checking ---------------------------------------------------------------------------------


def check_metrics(project: Project, names: Sequence[str] = (), env: str | None = None, refresh: bool = False) -> CheckReport:
    """Each metric (or those named) checked against its source's latest catalog and audit, read
    first when a source has none or `refresh` asks (once per source)."""
    from dayone.project.runs import SourceRef, latest_audit, latest_catalog

    metrics = _chosen(project, names)
    models: dict[tuple[str, str], tuple[Catalog, dict] | DayoneError] = {}
    catalogs: dict[str, str] = {}
    checks = []
    for name, metric in metrics.items():
        try:
            chosen_env, _ = project.database(metric.source, env)
        except DayoneError as exc:
            checks.append(MetricCheck(name, metric.source, env or "", metric.priority, "blocked", (Reason(f"not checked: {exc}"),)))
            continue
        ref = SourceRef(metric.source, chosen_env)
        key = (ref.name, ref.env)
        if key not in models:
            try:
                catalog = latest_catalog(project, ref, refresh)
                models[key] = (catalog, latest_audit(project, ref))  # just kept, when refresh read again
                catalogs[ref.label] = _read_at(project.state.latest(ref.name, ref.env, "snapshot"))
            except DayoneError as exc:
                models[key] = exc
        model = models[key]
        if isinstance(model, DayoneError):
            checks.append(MetricCheck(name, ref.name, ref.env, metric.priority, "blocked",
                                      (Reason(f"not checked: the data model of {ref.label} could not be read: {model}"),)))  # fmt: skip
            continue
        catalog, audit = model
        checks.append(check_metric(name, metric.sql, metric.priority, ref, catalog, audit, _url_database(project, ref)))
    return CheckReport(checks, catalogs)


def check_metric(name: str, sql: str, priority: str, ref: SourceRef, catalog: Catalog, audit: dict[str, Any],
                 url_database: str | None) -> MetricCheck:  # fmt: skip
    """One metric against a catalog and the audit report (JSON, as kept) read with it: pure."""
    dialect = _dialect(catalog)
    blocked = lambda *reasons: MetricCheck(name, ref.name, ref.env, priority, "blocked", reasons)  # noqa: E731
    try:
        statement = parse(sql, dialect.sqlglot_dialect)
        refuse_unsafe(statement)
    except SqlProblem as exc:
        return blocked(Reason(f"the SQL {exc}"))
    reading = read(statement, Names.of(catalog, dialect, url_database), dialect.sqlglot_dialect)
    depends_on = tuple(sorted(column_label(c) for c in reading.columns))
    tables = tuple(sorted(target_name(*t) for t in reading.tables))
    if reading.problems:
        return replace(blocked(*(Reason(message) for message, _ in reading.problems)), depends_on=depends_on, tables=tables)
    reasons = tuple(_risks(reading, catalog, audit, dialect))
    return MetricCheck(name, ref.name, ref.env, priority, "at-risk" if reasons else "feasible", reasons, depends_on, tables)


def _dialect(catalog: Catalog) -> Dialect:
    from dayone.dialects.base import dialect_for_product

    return dialect_for_product(catalog.product)()


# -- what findings warn about ------------------------------------------------------------------

RISK_RULES = ("soft-delete-column", "test-data-in-production", "timestamp-without-time-zone", "untracked-status-changes")


def _risks(reading: Reading, catalog: Catalog, audit: dict[str, Any], dialect: Dialect) -> Iterable[Reason]:
    """The at-risk reasons: each rests on a finding of the latest audit (or, for a column never
    filled, on its profile), on a table or column the metric reads."""
    from dayone.rules.data import test_flags
    from dayone.rules.naming import updated_columns

    def spelled(*names: str) -> str:  # as the audit's findings name targets (SQLite: the database's name first)
        return target_name(*names) if dialect.has_schemas else target_name(*names[1:], label=catalog.database)

    tables = {key: catalog.schema(key[0]).table(key[1]) for key in sorted(reading.tables)}  # type: ignore[union-attr]
    wanted = {spelled(*key): key for key in tables}
    wanted.update({spelled(*key, c.name): (*key, c.name) for key, table in tables.items() for c in table.columns})
    findings = [(f, wanted[f["target"]]) for f in audit.get("findings", ())
                if f.get("rule") in RISK_RULES and f.get("target") in wanted]  # fmt: skip
    for finding, where in findings:
        rule, cited = finding["rule"], f"({finding['rule']}, {finding['id']})"
        if rule == "soft-delete-column":
            if where not in reading.filtered:
                yield _reason(f"{column_label(where)} marks rows as deleted or set aside {cited}, and the metric reads "
                              f"{target_name(*where[:2])} without filtering on it: it counts the marked rows too", where, finding)  # fmt: skip
        elif rule == "test-data-in-production":
            table = tables[where]  # type: ignore[index]
            columns = [c for c in finding.get("evidence", {}).get("columns", {})] or [c.name for c in test_flags(table)]
            markers = {(*where, c) for c in columns} | {(*where, c.name) for c in test_flags(table)}
            if not markers & reading.filtered:
                said = ", ".join(columns) or "its rows"
                yield _reason(f"{target_name(*where)} holds rows that look like test data in {said} {cited}, and the metric "
                              f"does not filter on {' or '.join(sorted({c[2] for c in markers})) or 'them'}: it counts "
                              "them as real", (*where, columns[0]) if columns else None, finding)  # fmt: skip
        elif rule == "timestamp-without-time-zone":
            how = reading.truncated.get(where)  # type: ignore[arg-type]
            if how:
                yield _reason(f"{column_label(where)} is a wall-clock time with no zone {cited}, and the metric cuts it "
                              f"to days with {how}: each day begins at midnight of whatever zone the application "
                              "writes in, not the business's", where, finding)  # fmt: skip
        elif rule == "untracked-status-changes" and where in (reading.filtered | reading.grouped):
            table = tables[where[:2]]  # type: ignore[index]
            stamps = [c.name for c in updated_columns(table) if (*where[:2], c.name) in reading.columns]
            if where in reading.compared or stamps:
                how = "compares it with the previous row" if where in reading.compared else f"dates it by {stamps[0]}"
                yield _reason(f"{column_label(where)} keeps only the current status {cited}, and the metric counts its "
                              f"changes ({how}): only each row's latest change is there to count", where, finding)  # fmt: skip
    yield from _never_filled(reading, audit, spelled)


def _reason(message: str, where: tuple | None, finding: dict) -> Reason:
    column = column_label(where) if where is not None and len(where) == 3 else None  # type: ignore[arg-type]
    return Reason(message, column, finding["rule"], finding["id"])


def _never_filled(reading: Reading, audit: dict[str, Any], spelled: Callable[..., str]) -> Iterable[Reason]:
    """Columns the metric reads that no row read by the audit's profile fills (all NULL)."""
    profile = audit.get("profile") or {}
    read_tables = {spelled(*key): key for key in reading.tables}
    for entry in profile.get("tables", ()):
        key = read_tables.get(entry.get("table"))
        if key is None or not entry.get("rows_read") and entry.get("method") != "statistics":
            continue
        for name in entry.get("never_filled", ()):
            column: ColumnKey = (*key, name)
            if column in reading.columns:
                rows = f"{entry['rows_read']:,} rows read" if entry.get("rows_read") else "the server's statistics"
                yield Reason(f"{column_label(column)} holds no value in any of {rows} ({entry.get('how')}): the metric "
                             "reads a column the data never fills", column_label(column), "profile")  # fmt: skip


def _chosen(project: Project, names: Sequence[str]) -> dict:
    metrics = project.file.metrics
    unknown = [n for n in names if n not in metrics]
    if unknown:
        known = ", ".join(metrics) or "none yet: `dayone metric add NAME --source S --sql ...`"
        raise DayoneError(f"no metric named {unknown[0]!r} in {project.config.path.name}: metrics are {known}")
    return {n: metrics[n] for n in names} if names else dict(metrics)


def _url_parts(project: Project, ref: SourceRef) -> tuple[str | None, str | None]:
    """The engine and the database a source's URL names, read without resolving its password (which
    may run a password command): checking is offline."""
    from urllib.parse import unquote, urlsplit

    from dayone.connect.target import SCHEMES

    url = project.environments(ref.name)[ref.env].url
    if "://" not in url:
        return (None if url.endswith(".json") else "sqlite"), None  # a snapshot file, or a SQLite file's path
    try:
        parts = urlsplit(url)
    except ValueError:
        return None, None
    return SCHEMES.get(parts.scheme.lower()), unquote(parts.path.lstrip("/")) or None


def _url_database(project: Project, ref: SourceRef) -> str | None:
    return _url_parts(project, ref)[1]


def _sqlglot_dialect_of(project: Project, ref: SourceRef) -> str:
    return dialect_name(_url_parts(project, ref)[0])


def dialect_name(engine: str | None) -> str:
    """sqlglot's name for an engine's dialect (PostgreSQL's when it is not known: a snapshot file)."""
    from dayone.dialects.base import dialect_for

    return dialect_for(engine).sqlglot_dialect if engine else "postgres"


def _read_at(path: Path | None) -> str:
    """A result's time, from its file name (20261203T142501.123456Z-snapshot.json)."""
    if path is None:
        return ""
    try:
        moment = datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return ""
    return moment.isoformat(timespec="seconds")


def _load_json(path: Path) -> dict[str, Any]:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
