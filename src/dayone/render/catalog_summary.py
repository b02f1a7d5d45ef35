"""A terminal overview of a catalog: one row per table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from dayone.catalog.model import Catalog


def print_catalog(catalog: Catalog, console: Console | None = None) -> None:
    console = console or Console()
    console.print(
        f"[bold]{catalog.database}[/bold]: {catalog.product} {catalog.version.split()[0]}"
        f"{', read replica' if catalog.is_replica else ''}; time zone {catalog.server_timezone or 'unknown'}"
    )
    for schema in catalog.schemas:
        table = RichTable(title=f"schema {schema.name}", title_justify="left", show_edge=False)
        for header, justify in (("table", "left"), ("kind", "left"), ("rows≈", "right"), ("columns", "right"),
                                ("primary key", "left"), ("FKs", "right"), ("triggers", "right"), ("comment", "left")):  # fmt: skip
            table.add_column(header, justify=justify, overflow="fold", no_wrap=header in ("table", "kind", "primary key"))
        for t in schema.tables:
            table.add_row(
                t.name + (" [yellow](skipped)[/yellow]" if t.skipped else ""),
                t.kind,
                "" if t.estimated_rows is None else f"{t.estimated_rows:,}",
                str(len(t.columns)),
                ", ".join(t.primary_key.columns) if t.primary_key else ("[red]none[/red]" if t.kind in ("table", "partition") else ""),
                str(len(t.foreign_keys)) if t.foreign_keys else "",
                str(len(t.triggers)) if t.triggers else "",
                (t.comment or "").splitlines()[0] if t.comment else "",
            )
        console.print(table)
        if schema.enums:
            console.print("  enum types: " + "; ".join(f"{e.name} ({', '.join(e.values)})" for e in schema.enums))
