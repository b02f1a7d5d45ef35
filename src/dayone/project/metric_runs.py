"""Running metrics: the feasible and at-risk ones computed through the dialect layer, in the audit's
read-only, time-bounded session, one session per source; each value (or failure) kept with its
time in the state (State.save_value), for `dayone metrics` and `dayone metric history`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dayone.errors import DayoneError
from dayone.project.metric_sql import SqlProblem, parse, refuse_unsafe
from dayone.project.metrics import MetricCheck, check_metrics, dialect_name

if TYPE_CHECKING:
    from dayone.connect.options import SessionOptions
    from dayone.project import Project
    from dayone.project.runs import SourceRef

ROW_LIMIT = 1000  # a metric is a number or a small table: rows past this are neither fetched nor kept


# -- running ----------------------------------------------------------------------------------


@dataclass
class MetricRun:
    name: str
    source: str
    env: str
    status: str  # ok, failed, skipped (blocked: not run)
    checked: str  # what the check said: feasible, at-risk, blocked
    at: str = ""
    seconds: float | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    cut: bool = False
    error: str | None = None

    @property
    def value(self) -> Any:
        """The number (or the one value) when the metric returns one row of one column."""
        return self.rows[0][0] if len(self.rows) == 1 and len(self.columns) == 1 else None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "source": self.source, "env": self.env, "status": self.status,
                                "checked": self.checked, "at": self.at or None, "seconds": self.seconds}  # fmt: skip
        if self.status == "ok":
            data.update(columns=self.columns, rows=self.rows, cut=self.cut, value=self.value)
        if self.error is not None:
            data["error"] = self.error
        return data


def run_metrics(project: Project, names: Sequence[str] = (), env: str | None = None, options: SessionOptions | None = None,
                refresh: bool = False, by: str | None = None, row_limit: int = ROW_LIMIT,
                on_result: Callable[[MetricRun], None] | None = None) -> list[MetricRun]:  # fmt: skip
    """Compute the feasible and at-risk metrics (or those named), one read-only session per source;
    keep each value, or failure, with its time. A metric that fails or times out is reported and the
    others go on; a blocked one is not run."""
    from dayone.project.runs import SourceRef

    report = check_metrics(project, names, env, refresh)
    metrics = project.file.metrics
    runs: list[MetricRun] = []

    def done(run: MetricRun, sql: str | None = None) -> None:
        if run.status != "skipped":
            project.state.save_value(run.name, {**run.as_dict(), "sql": sql, "by": by})
        runs.append(run)
        if on_result is not None:
            on_result(run)

    by_source: dict[tuple[str, str], list[MetricCheck]] = {}
    for check in report.checks:
        if check.status == "blocked":
            done(MetricRun(check.name, check.source, check.env, "skipped", check.status,
                           error="blocked: " + "; ".join(r.message for r in check.reasons)))  # fmt: skip
        else:
            by_source.setdefault((check.source, check.env), []).append(check)
    for (source, source_env), checks in by_source.items():
        _run_source(project, SourceRef(source, source_env), checks, metrics, options, row_limit, done)
    return runs


def _run_source(project: Project, ref: SourceRef, checks: list[MetricCheck], metrics: dict, options: SessionOptions | None,
                row_limit: int, done: Callable[..., None]) -> None:  # fmt: skip
    from dayone import api
    from dayone.connect.target import DatabaseTarget
    from dayone.dialects.base import dialect_for
    from dayone.project.runs import target_of

    try:
        _, target, defaults = target_of(project, ref.name, ref.env)
    except DayoneError as exc:  # its URL or its password: this source's metrics fail, the others go on
        for check in checks:
            done(_failed(check, str(exc)), metrics[check.name].sql)
        return
    pending: list[tuple[MetricCheck, str]] = []
    for check in checks:  # refused before any connection opens (check said so too: said again where it counts)
        sql = metrics[check.name].sql
        try:
            refuse_unsafe(parse(sql, dialect_name(getattr(target, "engine", None))))
        except SqlProblem as exc:
            done(_failed(check, f"refused before connecting: the SQL {exc}"), sql)
            continue
        pending.append((check, sql))
    if not pending:
        return
    if not isinstance(target, DatabaseTarget):
        for check, sql in pending:
            done(_failed(check, f"{ref.label} is a snapshot file: metrics run on a database"), sql)
        return
    chosen = options or defaults
    if chosen.ssh is None and defaults.ssh is not None:
        chosen = replace(chosen, ssh=defaults.ssh)
    dialect = dialect_for(target.engine)
    try:
        with api.open_session(target, chosen) as session:
            while pending:
                check, sql = pending[0]
                started = time.monotonic()
                try:
                    result = dialect.run_query(session, sql, row_limit)
                except KeyboardInterrupt:
                    dialect.interrupt(session)  # stop the statement on the server before the session closes
                    raise
                except DayoneError as exc:
                    done(_failed(check, f"the SQL {exc}", time.monotonic() - started), sql)
                else:
                    done(MetricRun(check.name, check.source, check.env, "ok", check.status, _now(),
                                   round(time.monotonic() - started, 3), list(result.columns),
                                   [[plain(v) for v in row] for row in result.rows], result.cut), sql)  # fmt: skip
                pending.pop(0)
    except DayoneError as exc:  # the connection could not open, or was lost: the metrics not run yet fail with it
        for check, sql in pending:
            done(_failed(check, str(exc)), sql)


def _failed(check: MetricCheck, error: str, seconds: float | None = None) -> MetricRun:
    return MetricRun(check.name, check.source, check.env, "failed", check.status, _now(),
                     round(seconds, 3) if seconds is not None else None, error=error)  # fmt: skip


def plain(value: Any) -> Any:
    """A value the server returned, as JSON can keep it (a number stays a number)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value == value.to_integral_value() and abs(value) < 10**15:
            return int(value)
        return float(value) if len(value.as_tuple().digits) <= 15 else str(value)
    if isinstance(value, (datetime, date)) or hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value)):,} bytes>"
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)  # UUID, timedelta, Range, IP addresses...


# -- values kept --------------------------------------------------------------------------------


def history(project: Project, name: str) -> list[dict[str, Any]]:
    """Every value (or failure) kept for a metric, oldest first."""
    if name not in project.file.metrics and not (project.state.root / "metrics" / name).is_dir():
        known = ", ".join(project.file.metrics) or "none yet"
        raise DayoneError(f"no metric named {name!r} in {project.config.path.name}: metrics are {known}")
    try:
        return project.state.values(name)
    except (OSError, ValueError) as exc:
        raise DayoneError(f"the values of metric {name!r} cannot be read ({type(exc).__name__}): fix or remove the "
                          f"file named in {project.state.root / 'metrics' / name}") from None  # fmt: skip


def last_values(project: Project) -> dict[str, dict[str, Any] | None]:
    return {name: (history(project, name) or [None])[-1] for name in project.file.metrics}



def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
