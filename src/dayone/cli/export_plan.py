"""`dayone export contract` and `dayone export sync`: the data contract and the extraction plan of
a source, from the same audit facts as `dayone export dbt`."""

from __future__ import annotations

import click

from dayone import api
from dayone.cli.options import target_options

# dayone.export.sync.render's spellings, said here: importing the export package for them would load
# its facts into every command
FORMATS = ("json", "airbyte", "singer")


@click.command()
@target_options(every_source=True, parallel=False)
@click.option("-o", "--output", required=True, metavar="FILE|DIR", help="The contract file (YAML). Without TARGET inside a project: the folder that gets <source>.odcs.yaml per source.")
@click.option("--force", is_flag=True, help="Overwrite a file you edited since dayone wrote it (named otherwise, and nothing is written).")
def contract(target, schemas, options, workspace, output, force):
    """Write TARGET's Open Data Contract Standard (ODCS v3) document.

    dayone audits TARGET (a bounded sample of the data, read-only) and writes one contract with every
    table and column: physical and logical types, primary keys, required (NOT NULL) and unique
    columns, foreign keys (and implicit references the rows confirmed) as relationships, enum and
    CHECK lists as accepted-values rules, descriptions from comments and answered questions, and what
    the audit found as customProperties. The server entry names host, port, database and schema,
    never a login: `datacontract lint FILE` and `datacontract test FILE` read it as it is.

    Inside a project folder without TARGET: every source, --output being a folder.
    """
    from dayone.cli.export import export_audits, export_refs  # here: cli.export imports this module
    from dayone.fileio import refuse_input_as_output

    if target is not None:
        refuse_input_as_output(output, target, option="output")
    audits = export_audits(target, schemas, options, workspace)
    environments = {ref.name: ref.env for ref in export_refs(workspace)} if workspace is not None else None
    every = workspace is not None and workspace.ref is None
    report = api.export_contract(audits, output, force, environments, into_folder=every)
    _tell(report, "contract", audits)


@click.command()
@target_options(every_source=True, parallel=False)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="json", show_default=True,
              help="dayone's plan with its reasons, an Airbyte configured catalog, or a Singer catalog.")  # fmt: skip
@click.option("-o", "--output", metavar="FILE|DIR", help="Write here (default: standard output). Without TARGET inside a project: the folder that gets <source>.<format>.json per source.")
@click.option("--force", is_flag=True, help="Overwrite a file you edited since dayone wrote it (named otherwise, and nothing is written).")
def sync(target, schemas, options, workspace, output_format, output, force):
    """Write how an ELT tool should replicate each table of TARGET.

    Per table: full refresh, incremental append on a cursor, incremental with deduplication on the
    primary key and a cursor, or log-based CDC, with the cursor column, the reasons and the
    cautions in words (--format json); the same plan as an Airbyte ConfiguredAirbyteCatalog
    (--format airbyte) or a Singer catalog with replication-method and replication-key metadata
    (--format singer, as Stitch and Meltano read it). Column types become JSON Schema types.
    """
    if workspace is not None and workspace.ref is None and output is None:
        raise click.UsageError("without TARGET every source is exported: give -o DIR for their files")
    if target is not None and output not in (None, "-"):
        from dayone.fileio import refuse_input_as_output

        refuse_input_as_output(output, target, option="output")
    from dayone.cli.export import export_audits  # here: cli.export imports this module

    audits = export_audits(target, schemas, options, workspace)
    plans = [(name, result) for name, result, _ in audits]
    if output in (None, "-"):
        from dayone.cli.output import write_report

        write_report(api.export_sync(plans, output_format, None), None)
        return
    every = workspace is not None and workspace.ref is None
    _tell(api.export_sync(plans, output_format, output, force, into_folder=every), f"{output_format} sync plan", audits)


def _tell(report, what: str, audits) -> None:
    from dayone.render.escape import terminal_text

    written = report.created + report.changed + report.overwritten
    where = ", ".join(terminal_text(str(report.folder / p)) for p in written) or "nothing new"
    click.echo(f"wrote the {what} of {', '.join(terminal_text(n) for n, _, _ in audits)}: {where} ({report.summary()})", err=True)
    for path in report.overwritten:
        click.echo(f"  overwrote {terminal_text(path)}, which had been edited (--force)", err=True)
