"""`dayone diff OLD [NEW]` and `dayone watch [SOURCE]`: what changed between two catalogs, by what it
breaks downstream. Exit 0 when nothing reaches --fail-on, 1 when something does, 2 when the diff
could not run (dayone.cli.main turns errors into 2)."""

from __future__ import annotations

import sys

import click

from dayone.cli.options import ENVIRONMENTS, _DEFAULTS, on_busy, pace_option
from dayone.cli.output import write_report
from dayone.source_names import may_name_source

FORMATS = ("text", "json", "markdown")
FAIL_ON = ("breaking", "action", "never")
# the same for diff and watch (watch reads one side itself)
FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
FAIL_ON_OPTION = click.option("--fail-on", type=click.Choice(FAIL_ON), default="breaking", show_default=True, help="Exit 1 when a change of this impact or a more severe one is found.")


def _session_options(connect_timeout: float, statement_timeout: float, lock_timeout: float, pace: float | None):
    from dayone.connect.options import SessionOptions

    return SessionOptions(connect_timeout=connect_timeout, statement_timeout=statement_timeout, lock_timeout=lock_timeout,
                          pace=pace, on_busy=on_busy())  # fmt: skip


def _guards(command):
    for option in reversed((
        click.option("--env", type=click.Choice(ENVIRONMENTS), help="When a side names a project's source: which of its databases.  [default: prod, else staging, else dev]"),
        click.option("--project", "project_dir", metavar="DIR", help="The project folder whose sources OLD and NEW may name.  [default: DAYONE_PROJECT, else dayone.yml here or in a folder above]"),
        click.option("--connect-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.connect_timeout, show_default=True, help="Seconds to reach a server and log in."),
        click.option("--statement-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.statement_timeout, show_default=True, help="Seconds any one statement may run on a server."),
        click.option("--lock-timeout", type=click.FloatRange(min=0.1), default=_DEFAULTS.lock_timeout, show_default=True, help="Seconds to wait for a lock before skipping a table."),
        pace_option,
        FORMAT_OPTION,
        FAIL_ON_OPTION,
        click.option("-o", "--output", metavar="FILE", help="Write the report here (default: standard output)."),
    )):  # fmt: skip
        command = option(command)
    return command


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@click.option("--schema", "schemas", multiple=True, metavar="NAME", help="Compare only this schema (repeatable).")
@click.option("--no-profile", is_flag=True, help="When both sides are live databases: compare catalogs only (by default a bounded sample of each is profiled too, for new status values and JSON keys).")
@_guards
def diff(old, new, schemas, no_profile, env, project_dir, connect_timeout, statement_timeout, lock_timeout, pace, output_format, fail_on, output):
    """What changed from OLD to NEW, each change classified as breaking, action or info.

    OLD and NEW are snapshot files, database URLs (dev against prod), or, inside a project, a
    source's name (as OLD its latest snapshot, as NEW its live database) or SOURCE@TAG (its latest
    snapshot kept with `dayone snapshot SOURCE --tag TAG`). `dayone diff SOURCE` compares the
    source's latest snapshot with its live database. Exit status: 0 when nothing reaches --fail-on,
    1 when something does, 2 when the diff could not run.
    """
    from dayone import api
    from dayone.render.diff_formats import FORMATS as RENDER

    # a project is looked for only when a side may name a source: two files or URLs need none
    named_source = project_dir or new is None or any(side and may_name_source(side) for side in (old, new))
    project = None
    if named_source:
        from dayone.project import find_project

        project = find_project(explicit=project_dir)
    if new is None:
        if project is None or "://" in old or "@" in old and not old.split("@", 1)[1]:
            raise click.UsageError("Missing argument 'NEW': alone, OLD must name a project's source (its latest snapshot "
                                   "against its live database)")  # fmt: skip
        new = old.split("@", 1)[0]
    old_side = api.diff_side(old, "old", project, env)
    new_side = api.diff_side(new, "new", project, env)
    result = api.diff(old_side, new_side, schemas or None, _session_options(connect_timeout, statement_timeout, lock_timeout, pace),
                      profile=not no_profile, project=project)  # fmt: skip
    write_report(RENDER[output_format](result), output)
    if result.reaches(fail_on):
        sys.exit(1)
    return result


@click.command()
@click.argument("source", required=False)
@click.option("--env", type=click.Choice(ENVIRONMENTS), help="Which database of the source(s).  [default: prod, else staging, else dev]")
@click.option("--project", "project_dir", metavar="DIR", help="The project folder.  [default: DAYONE_PROJECT, else dayone.yml here or in a folder above]")
@FORMAT_OPTION
@FAIL_ON_OPTION
def watch(source, env, project_dir, output_format, fail_on):
    """One round of drift watching, for cron or CI: snapshot SOURCE (every source without it), diff
    it against the snapshot kept before, write what changed to the project's log, and exit as
    `dayone diff` does (2 when a source could not be read; the others are watched all the same).
    It only reads the database (read-only session) and writes the project folder.
    """
    from dayone.project import require_project
    from dayone.project.drift import watch as watch_source
    from dayone.project.runs import SourceRef, every_source
    from dayone.render.diff_formats import FORMATS as RENDER
    from dayone.errors import DayoneError, redact
    from dayone.render.escape import terminal_text

    project = require_project(project_dir)
    if source is not None:
        chosen, _ = project.database(source, env)
        refs = [SourceRef(source, chosen)]
    else:
        refs = every_source(project, env)
        if not refs:
            raise click.UsageError("the project has no source yet: `dayone source add NAME URL` adds one")
    failed = False
    broken = 0
    documents = []
    for ref in refs:
        try:
            watched = watch_source(project, ref)
        except DayoneError as exc:  # one unreachable source does not keep the others from being watched
            if len(refs) == 1:
                raise
            click.echo(terminal_text(f"dayone: error: {ref.label}: {redact(str(exc))}"), err=True)
            broken += 1
            continue
        if watched.result is None:
            click.echo(terminal_text(f"{ref.label}: first snapshot kept ({watched.kept.name}); the next watch compares against it"), err=True)
            continue
        failed = failed or watched.result.reaches(fail_on)
        if output_format == "json":
            documents.append({"source": ref.name, "env": ref.env, "log": watched.logged, **watched.result.as_dict()})
        else:
            write_report(RENDER[output_format](watched.result), None)
        if watched.logged:
            click.echo(terminal_text(f"{ref.label}: logged as {watched.logged}"), err=True)
    if output_format == "json":
        import json

        from dayone.render.escape import json_text

        write_report(json_text(json.dumps(documents, indent=2, ensure_ascii=False)) + "\n", None)
    if broken:
        sys.exit(2)
    if failed:
        sys.exit(1)
