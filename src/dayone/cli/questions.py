"""`dayone questions`: the questionnaire for the engineering team."""

from __future__ import annotations

import click

from dayone.cli.log import project_option
from dayone.cli.output import write_report

FORMATS = ("text", "markdown", "json", "csv")
STATUSES = ("open", "answered", "closed", "all")


@click.command()
@click.option("--source", "sources", multiple=True, metavar="SOURCE", help="Questions about this source only (repeatable).")
@click.option("--to", "to", metavar="PERSON", help="Questions addressed to this person only (`--to unassigned`: to nobody yet).")
@click.option("--status", type=click.Choice(STATUSES), default="open", show_default=True)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write it here (default: standard output).")
@click.option("--refresh", is_flag=True, help="Audit each source again first (default: use the latest kept audit; "
              "a source never audited is audited first).")  # fmt: skip
@project_option
def questions(project, sources, to, status, output_format, output, refresh):
    """The questions for the engineering team, by checklist section.

    Every audit finding that needs a person's answer, the questions of `dayone check` no database
    can answer, and the questions people asked (`dayone ask`); each with what dayone already knows,
    addressed to the person who owns its source or section (dayone.yml people: owns). `--format csv`
    is for an issue tracker's CSV import (Jira; columns Title, Body, Labels, Assignee)."""
    from dayone.errors import redact
    from dayone.project import log
    from dayone.project.questions import collect
    from dayone.render.escape import terminal_text
    from dayone.render import questions_formats

    chosen = [log.require_source(project, s) for s in dict.fromkeys(sources)] or None
    person = None if to is None or to.lower() == "unassigned" else log.require_person(project, to, "--to")
    questionnaire = collect(project, sources=chosen, refresh=refresh, say=lambda said: click.echo(f"dayone: {said}", err=True))
    for problem in questionnaire.problems:  # may quote a server's message
        click.echo(f"dayone: warning: {terminal_text(redact(problem))}", err=True)
    shown = [q for q in questionnaire.questions if (status == "all" or q.status == status) and (to is None or q.to == person)]
    name = project.file.project
    if output_format == "csv":
        emails = {n: p.contact for n, p in project.file.people.items() if p.contact and "@" in p.contact and " " not in p.contact}
        text = questions_formats.to_csv(shown, emails)
    else:
        text = {"text": questions_formats.to_text, "markdown": questions_formats.to_markdown,
                "json": questions_formats.to_json}[output_format](shown, name)  # fmt: skip
    write_report(text, output)
