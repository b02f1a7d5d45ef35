"""`dayone check`: the access pre-flight."""

from __future__ import annotations

import sys

import click

from dayone import api
from dayone.cli.options import target_options
from dayone.cli.output import standard_output, write_report
from dayone.fileio import refuse_input_as_output

FORMATS = ("text", "json", "markdown")


@click.command()
@target_options(every_source=True)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report here (default: standard output).")
@click.option("--fail-on", type=click.Choice(["fail", "warn", "never"]), default="fail", show_default=True,
              help="Exit 1 when a check has this status (or worse).")  # fmt: skip
def check(target, schemas, options, workspace, output_format, output, fail_on):
    """Answer the infrastructure and access checklist for TARGET.

    Reachability, server and hosting, primary or replica, TLS, what the login may read and write,
    change data capture readiness, time zone, timeouts and connection limits: each with a status
    (pass, warn, fail, unknown), the evidence, and the questions still to ask.

    Inside a project folder (`dayone init`), TARGET may be a source's name (--env chooses its
    database), and the report is kept in the project's state; without TARGET every source is
    checked, --jobs at a time, and one summary is printed (text or json).

    Exit status: 0 when no check reaches --fail-on, 1 when one does (an unreachable server is a
    failed check), 2 when the check could not run (without TARGET: when a source could not be
    reached or read).
    """
    if workspace is not None and workspace.ref is None:
        from dayone.cli.every import run_every_source

        if output_format not in ("text", "json"):
            raise click.UsageError(f"--format {output_format} reports on one database: give a source as TARGET, "
                                   "or use --format text or json for the summary of every source")  # fmt: skip
        run_every_source(workspace, "check", output_format, output, fail_on)
    refuse_input_as_output(output, target)
    report = api.check(target, options, schemas)
    if workspace is not None:  # a project's source: kept in its state
        from dayone.project.runs import keep_check

        keep_check(workspace.project, workspace.ref, report)
    if output_format == "text":
        import io

        from dayone.render.check_text import print_check

        if output in (None, "-"):
            with standard_output():
                print_check(report)
            text = None
        else:
            buffer = io.StringIO()
            print_check(report, buffer, color=False, width=120)
            text = buffer.getvalue()
    else:
        from dayone.render import check_formats

        text = {"json": check_formats.to_json, "markdown": check_formats.to_markdown}[output_format](report)
    if text is not None:
        write_report(text, output)
    sys.exit(1 if report.reaches(fail_on) else 0)

