"""The running log: `dayone note`, `todo`, `ask`, `answer`, `done` and `log`."""

from __future__ import annotations

import functools

import click

from dayone.cli.output import write_report

LOG_FORMATS = ("text", "markdown", "json")


def project_option(command):
    """--project DIR (or DAYONE_PROJECT): the project; default: dayone.yml here or in a folder above."""

    @click.option("--project", "project_dir", metavar="DIR", help="The project folder (default: the one whose dayone.yml is "
                  "here or in a folder above; DAYONE_PROJECT sets it too).")  # fmt: skip
    @functools.wraps(command)
    def wrapper(*args, project_dir, **kwargs):
        from dayone.project import require_project

        return command(*args, project=require_project(project_dir), **kwargs)

    return wrapper


def by_option(command):
    return click.option("--by", metavar="NAME", help="Who writes it (default: git's user.name, else the login name).")(command)


def _said(entry, what: str) -> None:
    click.echo(f"{entry.id}  {what}")


@click.command()
@click.argument("text")
@click.option("--source", metavar="SOURCE", help="The source it is about.")
@by_option
@project_option
def note(project, text, source, by):
    """Add a datestamped note to the project's log."""
    from dayone.project import author, log

    _said(log.note(project, text, author(by), source=source), "noted")


@click.command()
@click.argument("text")
@click.option("--owner", metavar="PERSON", help="Who does it: a person of dayone.yml.")
@click.option("--due", metavar="DATE", help="By when (YYYY-MM-DD).")
@click.option("--source", metavar="SOURCE", help="The source it is about.")
@by_option
@project_option
def todo(project, text, owner, due, source, by):
    """Add a to-do to the log (`dayone done ID` ticks it)."""
    from dayone.project import author, log

    _said(log.todo(project, text, author(by), owner=owner, due=due, source=source), "to do")


@click.command()
@click.argument("text")
@click.option("--to", "to", metavar="PERSON", help="Whom to ask: a person of dayone.yml (default: the source's owner).")
@click.option("--source", metavar="SOURCE", help="The source it is about.")
@by_option
@project_option
def ask(project, text, to, source, by):
    """Ask the engineering team a question: it joins the questionnaire (`dayone questions`)."""
    from dayone.project import author, log

    _said(log.ask(project, text, author(by), to=to, source=source), "asked")


@click.command()
@click.argument("id")
@click.argument("text")
@by_option
@project_option
def answer(project, id, text, by):
    """Record the answer to question ID, with who and when.

    An answered audit finding is shown as acknowledged, with its answer, in later audits of the
    source instead of as an open problem."""
    from dayone.project import author, log

    entry, question = log.answer(project, id, text, author(by))
    click.echo(f"{entry.id}  answered {question.id}")


@click.command()
@click.argument("id")
@by_option
@project_option
def done(project, id, by):
    """Tick a to-do, or close a question someone asked."""
    from dayone.project import author, log

    entry, ticked = log.done(project, id, author(by))
    click.echo(f"{entry.id}  done {ticked}" if entry is not None else f"{ticked} was done already")


@click.command(name="log")
@click.option("--since", metavar="DATE", help="Entries from this day on (YYYY-MM-DD, or YYYY-MM-DDTHH:MM in UTC).")
@click.option("--source", metavar="SOURCE", help="Entries about this source only.")
@click.option("--format", "output_format", type=click.Choice(LOG_FORMATS), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write it here (default: standard output).")
@project_option
def log_command(project, since, source, output_format, output):
    """Show the running log: notes, to-dos, questions, answers, closings, oldest first."""
    from dayone.project import log
    from dayone.render import log_formats

    everything = project.state.entries()
    entries = log.entries(project, since=since, source=source)
    name = project.file.project
    text = {"text": lambda: log_formats.to_text(entries, name, everything),
            "markdown": lambda: log_formats.to_markdown(entries, name, everything),
            "json": lambda: log_formats.to_json(entries, name)}[output_format]()  # fmt: skip
    write_report(text, output)
