"""`dayone init`, `dayone source ...`, `dayone person add` and `dayone people`: the project folder,
its sources and its people. dayone.yml is edited with every comment kept (dayone.project.config)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dayone.cli.options import ENVIRONMENTS
from dayone.render.escape import json_text, terminal_text

project_option = click.option("--project", "project_dir", metavar="DIR",
                              help="The project folder.  [default: DAYONE_PROJECT, else dayone.yml here or in a folder above]")  # fmt: skip
FORMATS = ("text", "json")


@click.command()
@click.argument("directory", default=".", metavar="[DIR]")
@click.option("--name", help="The project's name.  [default: the folder's name]")
def init(directory, name):
    """Start a project in DIR (default: here): dayone.yml, where the launch's sources, people and
    metrics are written (for people: comments welcome, kept when dayone edits it), and state/, where
    dayone keeps what it finds and the running log. Both go to git; no password ever goes there."""
    from dayone.project import init_project

    project = init_project(Path(directory), name)
    here = Path.cwd().resolve()
    shown = terminal_text(str(project.folder.relative_to(here)) if project.folder.is_relative_to(here) else str(project.folder))
    click.echo(f"created {Path(shown) / 'dayone.yml'} and {Path(shown) / 'state'}/")
    click.echo("next:")
    if project.folder != here:
        click.echo(f"  cd {shown}")
    for line in (
        "dayone source add grading postgresql://analyst@db.internal/grading   # each database of the launch",
        "dayone source add grading postgresql://analyst@db-dev.internal/grading --env dev",
        'dayone person add "Priya Shah" --role "engineering lead" --owns grading',
        "dayone check     # the access pre-flight, every source",
        "dayone audit     # the checklist, every source",
    ):
        click.echo(f"  {line}")
    click.echo("Passwords stay out of this folder: DAYONE_PASSWORD_<SOURCE> (DAYONE_PASSWORD_GRADING), "
               "DAYONE_PASSWORD_COMMAND, the keyring or .pgpass / .my.cnf.")  # fmt: skip


@click.group()
def source():
    """The project's databases: a source has one database per environment (prod, staging, dev), and
    its name works as TARGET in every command (dayone audit grading --env dev)."""


@source.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--env", type=click.Choice(ENVIRONMENTS), default="prod", show_default=True, help="Which of the source's databases URL is.")
@click.option("--ssh", metavar="ssh://USER@HOST[:PORT]", help="Reach it through this SSH bastion (key login).")
@click.option("--schema", "schemas", multiple=True, metavar="NAME", help="Read only this schema (repeatable).")
@click.option("--replace", is_flag=True, help="Change the source's database of this environment.")
@project_option
def source_add(name, url, env, ssh, schemas, replace, project_dir):
    """Add a database to the project: NAME (a word, used as TARGET) and its URL, without a password
    (user and host only: the password comes from DAYONE_PASSWORD_<NAME>, DAYONE_PASSWORD_COMMAND, the
    keyring or .pgpass / .my.cnf). A SQLite file is kept relative to the project folder."""
    from dayone.connect.secrets import source_variable
    from dayone.project import require_project
    from dayone.project.sources import add_source

    project = require_project(project_dir)
    database = add_source(project, name, url, env, ssh, tuple(schemas), replace)
    click.echo(terminal_text(f"{name} ({env}): {database.url} {'changed in' if replace else 'added to'} {project.config.path}"))
    stored = project.resolve_path(database.url)
    if stored.startswith("sqlite") or "://" not in stored:
        path = Path(stored.split(":///", 1)[1] if "://" in stored else stored)
        if not path.exists():
            click.echo(terminal_text(f"warning: {path} does not exist (yet)"), err=True)
    else:
        click.echo(f"its password: {source_variable(name)}, DAYONE_PASSWORD_COMMAND, the keyring or .pgpass / .my.cnf")
    click.echo(f"next: dayone check {name}{'' if env == 'prod' else f' --env {env}'}")


@source.command("list")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@project_option
def source_list(output_format, project_dir):
    """The project's sources: each database with its URL, bastion, schemas, and its latest audit
    and check."""
    from dayone.project import require_project
    from dayone.project.sources import source_rows

    rows = source_rows(require_project(project_dir))
    if output_format == "json":
        click.echo(json_text(json.dumps({"sources": [r.as_dict() for r in rows]}, indent=2, sort_keys=True, ensure_ascii=False)))
        return
    if not rows:
        click.echo("no sources yet: dayone source add NAME URL")
        return
    _table(("source", "env", "url", "ssh", "schemas", "last audit", "last check"),
           [(r.name, r.env, r.url, r.ssh or "", ", ".join(r.schemas), _when(r.last_audit), _when(r.last_check)) for r in rows])  # fmt: skip


@source.command("remove")
@click.argument("name")
@click.option("--env", type=click.Choice(ENVIRONMENTS), help="Remove only this database of the source.  [default: the whole source]")
@project_option
def source_remove(name, env, project_dir):
    """Remove a source (or one of its databases) from dayone.yml. What dayone kept of it in state/
    stays, as history."""
    from dayone.project import require_project
    from dayone.project.sources import remove_source

    project = require_project(project_dir)
    warnings = remove_source(project, name, env)
    click.echo(terminal_text(f"{name}{f' ({env})' if env else ''}: removed from {project.config.path}"))
    for warning in warnings:
        click.echo(terminal_text(f"warning: {warning}"), err=True)


@click.group()
def person():
    """The people of the project: who owns which source or checklist section."""


@person.command("add")
@click.argument("name")
@click.option("--role", required=True, help='What they do ("engineering lead, grading").')
@click.option("--contact", help="How to reach them (e-mail, chat handle).")
@click.option("--owns", multiple=True, metavar="SOURCE|SECTION",
              help="A source, or a checklist section (access, model, flow, data, governance, or its title) they answer for (repeatable).")  # fmt: skip
@click.option("--replace", is_flag=True, help="Change a person already in dayone.yml.")
@project_option
def person_add(name, role, contact, owns, replace, project_dir):
    """Add a person: their role, contact, and what they own (questions about it go to them)."""
    from dayone.project import require_project
    from dayone.project.sources import add_person

    project = require_project(project_dir)
    owned = add_person(project, name, role, contact, tuple(owns), replace)
    suffix = f", owns {', '.join(owned)}" if owned else ""
    click.echo(terminal_text(f"{name.strip()}: {role.strip()}{suffix}: {'changed in' if replace else 'added to'} {project.config.path}"))


@click.command()
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@project_option
def people(output_format, project_dir):
    """The people of the project, their role, contact and what they own."""
    from dayone.project import require_project

    found = require_project(project_dir).file.people
    if output_format == "json":
        document = {"people": [{"name": n, "role": p.role, "contact": p.contact, "owns": list(p.owns)} for n, p in found.items()]}
        click.echo(json_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)))
        return
    if not found:
        click.echo('no people yet: dayone person add NAME --role "engineering lead" --owns SOURCE')
        return
    _table(("name", "role", "contact", "owns"), [(n, p.role, p.contact or "", ", ".join(p.owns)) for n, p in found.items()])


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    from dayone.cli.output import write_report
    from dayone.render.workspace import aligned

    write_report(aligned(headers, rows), None)


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"
