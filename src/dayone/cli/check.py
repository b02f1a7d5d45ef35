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
@target_options
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report here (default: standard output).")
@click.option("--fail-on", type=click.Choice(["fail", "warn", "never"]), default="fail", show_default=True,
              help="Exit 1 when a check has this status (or worse).")  # fmt: skip
def check(target, schemas, options, output_format, output, fail_on):
    """Answer the infrastructure and access checklist for TARGET.

    Reachability, server and hosting, primary or replica, TLS, what the login may read and write,
    change data capture readiness, time zone, timeouts and connection limits: each with a status
    (pass, warn, fail, unknown), the evidence, and the questions still to ask.

    Exit status: 0 when no check reaches --fail-on, 1 when one does (an unreachable server is a
    failed check), 2 when the check could not run.
    """
    refuse_input_as_output(output, target)
    report = api.check(target, options, schemas)
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

