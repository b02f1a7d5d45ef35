"""`dayone snapshot` and `dayone catalog`: read a database's catalog, save it or show it."""

from __future__ import annotations

import time

import click

from dayone import api
from dayone.catalog import snapshot as snapshot_file
from dayone.cli.options import target_options
from dayone.cli.output import standard_output, write_report
from dayone.fileio import refuse_input_as_output, write_atomically


@click.command()
@target_options(with_workspace=True)
@click.option("-o", "--output", metavar="FILE", help="Write the snapshot here (default: standard output; for a project's source: its state folder).")
@click.option("--tag", metavar="TAG", help="For a project's source: keep the snapshot under this tag too (golive), for `dayone diff SOURCE@TAG`.")
def snapshot(target, schemas, options, output, tag, workspace):
    """Save TARGET's catalog as a stable, diff-friendly JSON snapshot.

    Every dayone command that takes a TARGET also takes a snapshot file, so you can audit offline
    and diff two snapshots (`dayone diff OLD NEW`). Inside a project, `dayone snapshot SOURCE`
    keeps a timestamped snapshot of the source's environment in the project's state folder
    (--tag golive marks it as a baseline); --output writes it where asked instead.
    """
    started = time.perf_counter()
    keep = workspace is not None and workspace.ref is not None and output is None
    if tag is not None and not keep:
        raise click.UsageError("--tag keeps a snapshot in a project: give a project's source as TARGET, without --output")
    refuse_input_as_output(output, target)
    catalog = api.read_catalog(target, schemas, options)
    if keep:
        from dayone.project.drift import keep_snapshot

        path = keep_snapshot(workspace.project, workspace.ref, catalog, tag)
        tables = sum(len(s.tables) for s in catalog.schemas)
        click.echo(f"kept {path.relative_to(workspace.project.folder)}: {workspace.ref.label}, {tables} table(s) and view(s)"
                   f"{f', tagged {tag}' if tag else ''} in {time.perf_counter() - started:.2f} s", err=True)  # fmt: skip
        return catalog
    data = snapshot_file.to_bytes(catalog)
    if output in (None, "-"):
        write_report(data, None)
    else:
        write_atomically(output, data)
        tables = sum(len(s.tables) for s in catalog.schemas)
        click.echo(
            f"wrote {output}: {catalog.product} {catalog.version.split()[0]}, database {catalog.database!r}, "
            f"{len(catalog.schemas)} schema(s), {tables} table(s) and view(s) in {time.perf_counter() - started:.2f} s",
            err=True,
        )
    return catalog  # held by dayone.cli.main until the process ends, never freed object by object


@click.command()
@target_options
def catalog(target, schemas, options):
    """Show what TARGET holds: tables, their size, keys and documentation."""
    from dayone.render.catalog_summary import print_catalog  # rich loads only when there is a table to draw

    found = api.read_catalog(target, schemas, options)
    with standard_output():
        print_catalog(found)
