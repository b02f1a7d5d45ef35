"""`dayone report`: the audit, profile, catalog and project as a static site or Markdown pages."""

from __future__ import annotations

import click

from dayone import api
from dayone.cli.options import target_options
from dayone.render.escape import terminal_text


@click.command()
@target_options(every_source=True, parallel=False)
@click.option("-o", "--output", required=True, metavar="DIR", type=click.Path(file_okay=False),
              help="The folder to write the report into (a new or empty folder, or a report dayone wrote before: it is replaced whole).")  # fmt: skip
@click.option("--format", "output_format", type=click.Choice(("html", "markdown")), default="html", show_default=True,
              help="html: a site to open from disk; markdown: pages with Mermaid diagrams for a team's docs.")  # fmt: skip
@click.option("--no-values", is_flag=True, help="Keep every value of the data out of the report, even the value sets of low-cardinality columns.")
@click.option("--no-profile", is_flag=True, help="TARGET a database: read the catalog only, no rows.")
@click.option("--refresh", is_flag=True, help="Inside a project: audit (with a profile of the rows) and check each source again first.")
def report(target, schemas, options, workspace, output, output_format, no_values, no_profile, refresh):
    """Write a browsable report of TARGET: an overview, a page per table, ER diagrams, search.

    The site opens from disk with no network (print it, too). TARGET is a database URL (audited
    and checked now, read-only, with a sample profile), a snapshot file (its catalog), or inside a
    project a source's name, or nothing for every source: the report then draws the results the
    project keeps (status, questionnaire, metrics, log) and --refresh reads each source again.
    """
    from dayone.cli.progress import ProfileProgress
    from dayone.profile.options import ProfileOptions

    say = lambda line: click.echo(f"dayone: {terminal_text(line)}", err=True)  # noqa: E731
    if workspace is not None:
        if no_profile:
            raise click.UsageError("--no-profile goes with a database URL: a project's report draws the audits it keeps "
                                   "(--refresh audits each source again, with its profile)")  # fmt: skip
        sources = None if workspace.ref is None else [workspace.ref.name]
        first = api.report_project(workspace.project, output, output_format, values=not no_values, sources=sources,
                                   env=workspace.env, refresh=refresh, progress=say)  # fmt: skip
    else:
        if refresh:
            raise click.UsageError("--refresh reads a project's sources again: a URL or a file is read now anyway")
        profile = None if no_profile else ProfileOptions()
        with ProfileProgress() as progress:
            first = api.report(target, output, output_format, values=not no_values, schemas=schemas, options=options,
                               profile=profile, progress=progress)  # fmt: skip
    click.echo(f"wrote the report: {terminal_text(str(first.resolve()))}")
