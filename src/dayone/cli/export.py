"""`dayone export`: what the audit learned, written for the tools that come next (dbt, data
contracts, ELT sync settings). Each subcommand renders the same facts (dayone.export.facts)."""

from __future__ import annotations

import click


@click.group()
def export() -> None:
    """Write what the audit learned as files other tools read: a dbt project's sources, staging
    models and snapshots (`export dbt`)."""
