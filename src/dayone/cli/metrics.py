"""`dayone metrics` (list, check, run) and `dayone metric` (add, remove, history)."""

from __future__ import annotations

import functools
import json
import sys
import textwrap
from typing import Any

import click

from dayone.cli.output import standard_output
from dayone.connect.options import SessionOptions
from dayone.render.escape import json_text, terminal_text as shown

FORMATS = ("text", "json")
ENVIRONMENTS = ("prod", "staging", "dev")
MARKS = {"feasible": "✔ feasible", "at-risk": "▲ at-risk ", "blocked": "✖ blocked ", "ok": "✔", "failed": "✖", "skipped": "-"}
ROWS_SHOWN = 10  # rows of a table-valued metric printed in text; --format json holds them all (up to the row limit)
_DEFAULTS = SessionOptions()


def project_option(command):
    @click.option("--project", "project_dir", metavar="DIR", help="The project folder (default: the dayone.yml here or in a "
                  "folder above; DAYONE_PROJECT).")  # fmt: skip
    @functools.wraps(command)
    def wrapper(*args, project_dir, **kwargs):
        from dayone.project import require_project

        parent = click.get_current_context().obj or {}  # `dayone metrics --project DIR check`
        return command(*args, project=require_project(project_dir or parent.get("project_dir")), **kwargs)

    return wrapper


def _format_option(command):
    return click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)(command)


def _json(data: Any) -> None:
    with standard_output():
        # DEL, C1 and bidi controls a value may hold escaped, as in the audit's JSON
        sys.stdout.write(json_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)) + "\n")


def _echo(text: str = "") -> None:
    with standard_output():
        click.echo(text)


# -- dayone metrics ---------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@click.option("--project", "project_dir", metavar="DIR", help="The project folder (default: the dayone.yml here or in a "
              "folder above; DAYONE_PROJECT).")  # fmt: skip
@_format_option
@click.pass_context
def metrics(ctx, project_dir, output_format):
    """The metrics wanted from day 1, with the last value of each and when it was computed.

    `dayone metric add` records one; `dayone metrics check` checks them against the data model;
    `dayone metrics run` computes them, read-only.
    """
    ctx.ensure_object(dict)["project_dir"] = project_dir
    if ctx.invoked_subcommand is not None:
        return
    from dayone.project import require_project
    from dayone.project.metric_runs import last_values

    project = require_project(project_dir)
    last = last_values(project)
    if output_format == "json":
        _json({"metrics": [{"name": name, "source": m.source, "priority": m.priority, "due": m.due.isoformat() if m.due else None,
                            "owner": m.owner, "question": m.question, "sql": m.sql, "last": last[name]}
                           for name, m in project.file.metrics.items()]})  # fmt: skip
        return
    if not project.file.metrics:
        _echo("no metrics yet: `dayone metric add NAME --source S --priority day-1 --sql SQL` records one")
        return
    for name, metric in project.file.metrics.items():
        facts = [metric.source, metric.priority] + ([f"due {metric.due}"] if metric.due else []) + \
                ([f"owner {shown(metric.owner)}"] if metric.owner else [])  # fmt: skip
        _echo(f"{name}  ({', '.join(facts)})")
        if metric.question:
            _echo(f"    {shown(metric.question)}")
        _echo(f"    {_last_line(last[name])}")


def _last_line(record: dict | None) -> str:
    if record is None:
        return "not computed yet: `dayone metrics run` computes it"
    when = record.get("at") or "?"
    if record.get("status") == "ok":
        value = _value_text(record)
        return f"= {value} at {when}" if len(record.get("rows") or []) == 1 and len(record.get("columns") or []) == 1 else f"{value} at {when}"
    return f"failed at {when}: {shown(str(record.get('error')))}"


def _value_text(record: dict) -> str:
    columns, rows = record.get("columns") or [], record.get("rows") or []
    if len(columns) == 1 and len(rows) == 1:
        return _cell(rows[0][0])
    return f"{len(rows):,} row{'s' if len(rows) != 1 else ''}" + (" (cut)" if record.get("cut") else "")


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "NULL"}[value]
    if isinstance(value, (int, float)):
        return f"{value:,}"
    return shown(str(value))


@metrics.command("check")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@project_option
@_format_option
@click.option("--refresh", is_flag=True, help="Read each source's catalog and audit it again, rather than use the latest kept.")
@click.option("--env", type=click.Choice(ENVIRONMENTS), help="Check against this environment of each source (default: prod, else staging, else dev).")
def check_command(names, project, output_format, refresh, env):
    """Check each metric (or those named) against its source's data model.

    The SQL is parsed in the source's dialect and every table and column resolved against the
    latest catalog kept (a source with none is audited first). A metric is feasible, at-risk (it
    reads what a finding of the latest audit warns about: soft-deleted or test rows left in, a
    naive timestamp cut to days, transitions of a status whose history is not kept, a column never
    filled) or blocked (the SQL does not parse, is not a single SELECT, or names a table or column
    that does not exist).

    Exit status: 0 when no metric is blocked, 1 when one is, 2 when the check could not run.
    """
    from dayone.project.metrics import check_metrics

    report = check_metrics(project, names, env, refresh)
    if output_format == "json":
        _json({"metrics": [c.as_dict() for c in report.checks], "catalogs": report.catalogs})
    else:
        _print_checks(report)
    sys.exit(1 if any(c.status == "blocked" for c in report.checks) else 0)


def _print_checks(report) -> None:
    if not report.checks:
        _echo("no metrics yet: `dayone metric add NAME --source S --priority day-1 --sql SQL` records one")
        return
    if report.catalogs:
        read = ", ".join(f"{shown(label)} read {when or '?'}" for label, when in report.catalogs.items())
        _echo(f"checked against the data model of {read} (--refresh reads again)")
    for check in report.checks:
        _echo(f"{MARKS[check.status]}  {check.name}  ({shown(check.source)}, {check.priority})")
        for reason in check.reasons:
            _echo(textwrap.fill(shown(reason.message), 100, initial_indent="      ", subsequent_indent="        ",
                                break_on_hyphens=False, break_long_words=False))  # fmt: skip
    counts = {status: sum(1 for c in report.checks if c.status == status) for status in ("feasible", "at-risk", "blocked")}
    day1 = [c for c in report.checks if c.priority == "day-1"]
    line = f"{len(report.checks)} metrics: {counts['feasible']} feasible, {counts['at-risk']} at risk, {counts['blocked']} blocked"
    if day1:
        line += f"; day 1: {sum(1 for c in day1 if c.status != 'blocked')} of {len(day1)} can be computed"
    _echo(line)


@metrics.command("run")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@project_option
@_format_option
@click.option("--refresh", is_flag=True, help="Audit each source again before checking, rather than use the latest kept.")
@click.option("--env", type=click.Choice(ENVIRONMENTS), help="Run on this environment of each source (default: prod, else staging, else dev).")
@click.option("--connect-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.connect_timeout, show_default=True, help="Seconds to reach the server and log in.")
@click.option("--statement-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.statement_timeout, show_default=True, help="Seconds any one metric may run on the server.")
@click.option("--lock-timeout", type=click.FloatRange(min=0.1), default=_DEFAULTS.lock_timeout, show_default=True, help="Seconds to wait for a lock before giving up on a metric.")
@click.option("--by", metavar="NAME", help="Who ran them, kept with each value (default: git's user.name).")
def run_command(names, project, output_format, refresh, env, connect_timeout, statement_timeout, lock_timeout, by):
    """Compute the feasible and at-risk metrics (or those named), read-only.

    Each source's metrics run in one session with the audit's guards: read-only, the statement
    timeout, the lock timeout. The SQL must be a single SELECT: anything else is refused before
    connecting. At most 1,000 rows of a metric are kept. Each value (or failure) is kept with its
    time in the project's state: `dayone metric history NAME` shows them. A metric that fails or
    times out is reported and the others go on; a blocked one is not run.

    Exit status: 0 when every metric was computed, 1 when one failed or was not run, 2 when the
    command could not run.
    """
    from dayone.project import author
    from dayone.project.metric_runs import run_metrics

    options = SessionOptions(connect_timeout=connect_timeout, statement_timeout=statement_timeout, lock_timeout=lock_timeout)
    printer = None if output_format == "json" else _print_run
    runs = run_metrics(project, names, env, options, refresh, author(by), on_result=printer)
    if output_format == "json":
        _json({"metrics": [r.as_dict() for r in runs]})
    elif not runs:
        _echo("no metrics yet: `dayone metric add NAME --source S --priority day-1 --sql SQL` records one")
    sys.exit(0 if all(r.status == "ok" for r in runs) else 1)


def _print_run(run) -> None:
    where = f"{shown(run.source)}" + (f" {run.env}" if run.env != "prod" else "")
    timing = f", {run.seconds:.2f} s" if run.seconds is not None else ""
    if run.status == "skipped":
        _echo(f"{MARKS['skipped']} {run.name} not run ({where}): {shown(run.error or '')}")
        return
    if run.status == "failed":
        _echo(f"{MARKS['failed']} {run.name} failed ({where}{timing}): {shown(run.error or '')}")
        return
    record = {"columns": run.columns, "rows": run.rows, "cut": run.cut}
    if len(run.columns) == 1 and len(run.rows) == 1:
        _echo(f"{MARKS['ok']} {run.name} = {_value_text(record)}  ({where}{timing})")
        return
    _echo(f"{MARKS['ok']} {run.name}: {_value_text(record)}  ({where}{timing})")
    for line in _table_lines(run.columns, run.rows[:ROWS_SHOWN]):
        _echo("    " + line)
    if len(run.rows) > ROWS_SHOWN or run.cut:
        more = "more rows than the 1,000 kept" if run.cut else f"{len(run.rows) - ROWS_SHOWN:,} more"
        _echo(f"    ... {more} (--format json lists the rows kept)")


def _table_lines(columns: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[shown(str(c)) for c in columns]] + [[_cell(v) for v in row] for row in rows]
    widths = [min(40, max(len(row[i]) for row in cells)) for i in range(len(columns))]
    return ["  ".join(cell[:40].ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]


# -- dayone metric ----------------------------------------------------------------------------------


@click.group()
def metric():
    """Add or remove a metric, or show the values it had."""


@metric.command("add")
@click.argument("name")
@project_option
@click.option("--source", required=True, metavar="SOURCE", help="The source (in dayone.yml) whose database answers it.")
@click.option("--priority", type=click.Choice(["day-1", "later"]), required=True, help="Needed on day 1, or later.")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="When it is needed by.")
@click.option("--owner", metavar="PERSON", help="Who answers for it (a person in dayone.yml).")
@click.option("--sql", metavar="SQL", help="One SELECT, naming tables as the engine does (schema.table, or a table of the "
              "default schema: public, the URL's database, main).")  # fmt: skip
@click.option("--sql-file", type=click.File("r", encoding="utf-8"), metavar="FILE", help="Read the SELECT from FILE (- for standard input).")
@click.option("--question", metavar="TEXT", help='The business question it answers ("How many users converted to the new login?").')
@click.option("--replace", "replace_existing", is_flag=True, help="Replace a metric of that name.")
def add_command(name, project, source, priority, due, owner, sql, sql_file, question, replace_existing):
    """Record metric NAME in dayone.yml.

    Adding never fails because of what the SQL says: a SQL that does not parse or names what the
    latest catalog kept lacks is recorded with a warning, and `dayone metrics check` reports it
    blocked with the reason. No connection is opened.
    """
    from dayone.project.metrics import add_metric

    if (sql is None) == (sql_file is None):
        raise click.UsageError("give the SQL with --sql SQL or --sql-file FILE (one of them)")
    text = sql if sql is not None else sql_file.read()
    warnings = add_metric(project, name, source, text, priority, due.date() if due else None, owner, question, replace_existing)
    click.echo(f"{'replaced' if replace_existing else 'added'} metric {name} in {project.config.path}", err=True)
    for level, said in warnings:
        click.echo(f"dayone: {level}: {name}: {shown(said)}", err=True)


@metric.command("remove")
@click.argument("name")
@project_option
def remove_command(name, project):
    """Remove metric NAME from dayone.yml (the values it had stay in the state)."""
    from dayone.project.metrics import remove_metric

    remove_metric(project, name)
    click.echo(f"removed metric {name} from {project.config.path}", err=True)


@metric.command("history")
@click.argument("name")
@project_option
@_format_option
def history_command(name, project, output_format):
    """Every value metric NAME had, oldest first, with its time (and the runs that failed)."""
    from dayone.project.metric_runs import history

    records = history(project, name)
    if output_format == "json":
        _json({"name": name, "values": records})
        return
    if not records:
        _echo(f"{name}: not computed yet: `dayone metrics run {name}` computes it")
        return
    for record in records:
        _echo(f"{record.get('at') or '?'}  " + (f"{_value_text(record)}" if record.get("status") == "ok"
                                                 else f"failed: {shown(str(record.get('error')))}"))  # fmt: skip
