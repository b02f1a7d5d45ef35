"""`dayone demo`: a small launch of four databases, built locally, run through dayone."""

from __future__ import annotations

from pathlib import Path

import click

from dayone import api


@click.command()
@click.option("--dir", "directory", default="dayone-demo", show_default=True, type=click.Path(file_okay=False), help="Where to build the demo databases and write the output.")
def demo(directory):
    """Build the embedded demo (no server needed) and run dayone on it."""
    from dayone.demo import build_demo
    from dayone.render.catalog_summary import print_catalog

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = build_demo(folder)
    for path in paths:
        catalog = api.snapshot(f"sqlite:///{path}", path.with_suffix(".snapshot.json"))
        print_catalog(catalog)
    click.echo(f"\ndemo databases and snapshots are in {folder.resolve()}")
