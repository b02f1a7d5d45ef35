"""`dayone export`: what the audit learned, written for the tools that come next (dbt, data
contracts, ELT sync settings). Each subcommand renders the same facts (dayone.export.facts)."""

from __future__ import annotations

import click

from dayone import api
from dayone.cli.options import target_options


@click.group()
def export() -> None:
    """Write what the audit learned as files other tools read: a dbt project's sources, staging
    models and snapshots (`export dbt`), an ODCS data contract (`export contract`), and the ELT
    extraction plan as dayone JSON, an Airbyte catalog or a Singer catalog (`export sync`)."""


@export.command()
@target_options(every_source=True, parallel=False)
@click.option("-o", "--output", required=True, metavar="DIR", help="The dbt project's root folder (created if needed; a dbt_project.yml is written only when it has none).")
@click.option("--source-name", metavar="NAME", help="The dbt source's name.  [default: the project source's name, else the database's]")
@click.option("--force", is_flag=True, help="Overwrite files you edited since dayone wrote them (listed otherwise, and nothing is written).")
def dbt(target, schemas, options, workspace, output, source_name, force):
    """Write TARGET's dbt sources, staging models and snapshots into the dbt project at --output.

    dayone audits TARGET (a bounded sample of the data, read-only) and writes, under
    models/staging/<source>/, a sources YAML with descriptions, data types, tests (keys, NOT NULL,
    references, enum and CHECK values), freshness and what the audit learned in `meta`, and one
    staging model per table; under snapshots/<source>/, a check snapshot of each status column whose
    history the database does not keep. Inside a project folder without TARGET: every source.

    Rerunning rewrites the files it wrote before; a file you edited since is left alone and named,
    and nothing is written, unless --force.
    """
    if source_name and workspace is not None and workspace.ref is None:
        raise click.UsageError("--source-name names one source: give TARGET, or leave it out to use each source's own name")
    audits = [(name, result) for name, result, _ in export_audits(target, schemas, options, workspace)]
    if source_name:
        audits = [(source_name, result) for _, result in audits]
    report = api.export_dbt(audits, output, force)
    click.echo(f"wrote dbt files for {', '.join(n for n, _ in audits)} in {output}: {report.summary()}", err=True)
    for path in report.kept:
        click.echo(f"  kept {path} (already there; dayone writes it only when absent)", err=True)
    for path in report.overwritten:
        click.echo(f"  overwrote {path}, which had been edited (--force)", err=True)
    for path in report.stale:
        click.echo(f"  {path}: written by an earlier export, no longer exported (left in place)", err=True)


def export_audits(target, schemas, options, workspace):
    """(source name, audit with the project's answers, target) of TARGET, or of every source of the
    project when it names none: what each export renders. Without a project, the name is the
    database's; in one, the source's, and its answers (descriptions, the zone) are applied."""
    from dataclasses import replace

    from dayone.cli.progress import ProfileProgress

    if workspace is None:
        from dayone.connect.target import parse_target

        target = parse_target(target) if isinstance(target, str) else target
        with ProfileProgress() as progress:
            result = api.audit(target, schemas, options, progress=progress)
        return [(result.catalog.database, result, target)]
    from dayone.project.questions import acknowledge
    from dayone.project.runs import target_of

    refs = export_refs(workspace)
    chosen = {workspace.ref.name: (target, schemas, options)} if workspace.ref is not None else {}
    audits = []
    for ref in refs:
        if ref.name in chosen:
            parsed, names, session = chosen[ref.name]
        else:
            _, parsed, defaults = target_of(workspace.project, ref.name, ref.env)
            names = workspace.project.environments(ref.name)[ref.env].schemas or None
            session = replace(options, ssh=options.ssh or defaults.ssh)
        with ProfileProgress() as progress:
            result = api.audit(parsed, names or None, session, progress=progress)
        audits.append((ref.name, acknowledge(workspace.project, ref, result), parsed))
    return audits


def export_refs(workspace):
    """The project's sources an export runs on: TARGET's, or every source's (--env's database)."""
    from dayone.project.runs import every_source

    if workspace.ref is not None:
        return [workspace.ref]
    refs = every_source(workspace.project, workspace.env)
    if not refs:
        from dayone.errors import DayoneError

        raise DayoneError(f"{workspace.project.config.path} names no {workspace.env + ' ' if workspace.env else ''}source yet: "
                          "`dayone source add NAME URL` adds one")  # fmt: skip
    return refs


from dayone.cli.export_plan import contract, sync  # noqa: E402 - the contract and sync exports

export.add_command(contract)
export.add_command(sync)
