"""`dayone status`: the project at a glance."""

from __future__ import annotations

import click

from dayone.cli.output import standard_output, write_report

FORMATS = ("text", "markdown", "json")


@click.command()
@click.option("--project", "project_dir", metavar="DIR", help="The project folder (default: DAYONE_PROJECT, else the "
              "folder holding dayone.yml here or above).")  # fmt: skip
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--refresh", is_flag=True, help="Audit and check every source again first.")
def status(project_dir, output_format, refresh):
    """Where the launch stands, on one screen.

    Per source: the access checks, the findings by checklist section, the open questions by owner
    and the day-1 metrics; then the latest log entries and what is left before go-live. Read from
    the results the project keeps: a source never audited is audited first (read-only, kept in the
    state); --refresh audits and checks every source again.
    """
    from dayone.project import require_project
    from dayone.project.status import build_status
    from dayone.render import status as render
    from dayone.render.escape import terminal_text

    project = require_project(project_dir)
    found = build_status(project, refresh=refresh, progress=lambda line: click.echo(f"dayone: {terminal_text(line)}", err=True))
    if output_format == "text":
        with standard_output():
            render.print_status(found)
        return
    write_report(render.to_json(found) if output_format == "json" else render.to_markdown(found), None)
