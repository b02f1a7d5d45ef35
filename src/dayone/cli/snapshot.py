"""`dayone snapshot` and `dayone catalog`: read a database's catalog, save it or show it."""

from __future__ import annotations

import shutil
import time

import click

from dayone import api
from dayone.catalog import snapshot as snapshot_file
from dayone.cli.options import target_options
from dayone.cli.output import write_report
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


CATALOG_FORMATS = ("text", "markdown", "json", "csv")


@click.command()
@target_options
@click.option("--format", "output_format", type=click.Choice(CATALOG_FORMATS), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the dictionary here (default: standard output).")
@click.option("--width", type=click.IntRange(min=40), metavar="COLUMNS",
              help="Fit the text to this many columns.  [default: the terminal's width; elsewhere $COLUMNS, else 80]")  # fmt: skip
def catalog(target, schemas, options, output_format, output, width):
    """Show TARGET's data dictionary: each table and view, then each one's columns.

    A table's kind, estimated rows, size, primary key and comment; a column's type, whether it
    may be null, its keys (PK, unique, FK → the column it references), default and comment.

    The text fits the terminal (elsewhere $COLUMNS, else 80 columns): fields that do not fit are
    left out, defaults first, then comments, then sizes, and long comments are cut with an
    ellipsis. --format markdown, json or csv (one row per column) hold everything.
    """
    if width is not None and output_format != "text":
        raise click.UsageError(f"--width fits the text to a screen: --format {output_format} holds every field at any width")
    refuse_input_as_output(output, target)
    catalog = api.read_catalog(target, schemas, options)
    with api.collector_paused():  # 100,000 short-lived strings for 5,000 tables, none in a cycle
        _show_dictionary(catalog, output_format, output, width)
    return catalog  # held until the process ends, as snapshot's


def _show_dictionary(catalog, output_format: str, output: str | None, width: int | None) -> None:
    from dayone.render import dictionary as formats

    found = formats.dictionary(catalog)
    if output_format == "text":
        import os
        import sys

        from dayone.render.dictionary_text import MIN_WIDTH, to_text
        from dayone.render.terminal import styled_output

        to_terminal = output in (None, "-") and sys.stdout.isatty()
        if width is None:
            columns = os.environ.get("COLUMNS", "")
            width = shutil.get_terminal_size().columns if to_terminal else int(columns) if columns.isdigit() else 80
        text = to_text(found, width, styled=to_terminal and styled_output(sys.stdout))
        write_report(text.text, output)
        if text.left_out:
            click.echo(f"left out to fit {max(width, MIN_WIDTH)} columns: {', '.join(text.left_out)} "
                       "(--width, or --format markdown, json or csv for everything)", err=True)  # fmt: skip
    else:
        write_report({"markdown": formats.to_markdown, "json": formats.to_json, "csv": formats.to_csv}[output_format](found), output)
