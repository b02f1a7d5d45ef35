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
@target_options(every_source=True)
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
    from dayone.cli.progress import ProfileProgress

    if workspace is not None and workspace.ref is None:
        if source_name:
            raise click.UsageError("--source-name names one source: give TARGET, or leave it out to use each source's own name")
        audits = _every_source(workspace, options)
    else:
        with ProfileProgress() as progress:
            result = api.audit(target, schemas, options, progress=progress)
        if workspace is not None:
            from dayone.project.questions import acknowledge

            result = acknowledge(workspace.project, workspace.ref, result)  # the answers: zone, descriptions
        name = source_name or (workspace.ref.name if workspace is not None else result.catalog.database)
        audits = [(name, result)]
    report = api.export_dbt(audits, output, force)
    click.echo(f"wrote dbt files for {', '.join(n for n, _ in audits)} in {output}: {report.summary()}", err=True)
    for path in report.kept:
        click.echo(f"  kept {path} (already there; dayone writes it only when absent)", err=True)
    for path in report.overwritten:
        click.echo(f"  overwrote {path}, which had been edited (--force)", err=True)
    for path in report.stale:
        click.echo(f"  {path}: written by an earlier export, no longer exported (left in place)", err=True)


def _every_source(workspace, options):
    from dataclasses import replace

    from dayone.cli.progress import ProfileProgress
    from dayone.project.questions import acknowledge
    from dayone.project.runs import every_source, target_of

    audits = []
    for ref in every_source(workspace.project, workspace.env):
        _, parsed, defaults = target_of(workspace.project, ref.name, ref.env)
        database = workspace.project.environments(ref.name)[ref.env]
        session = replace(options, ssh=options.ssh or defaults.ssh)
        with ProfileProgress() as progress:
            result = api.audit(parsed, database.schemas or None, session, progress=progress)
        audits.append((ref.name, acknowledge(workspace.project, ref, result)))
    return audits


from dayone.cli.export_plan import contract, sync  # noqa: E402 - the contract and sync exports

export.add_command(contract)
export.add_command(sync)
