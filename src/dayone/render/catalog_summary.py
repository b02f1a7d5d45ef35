"""A terminal overview of a catalog: one row per table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from dayone.catalog.model import Catalog
from dayone.render.escape import terminal_text


def _shown(text: str, style: str = "") -> Text:
    """A name, comment or value from the database as rich Text: never parsed as console markup (a
    table named `[link=...]` stays a name), its control characters escaped."""
    return Text(terminal_text(text), style=style)


def print_catalog(catalog: Catalog, console: Console | None = None) -> None:
    console = console or Console()
    console.print(Text.assemble(
        _shown(catalog.database, "bold"),
        f": {terminal_text(catalog.product)} {terminal_text(catalog.version.split()[0])}",
        ", read replica" if catalog.is_replica else "",
        f"; time zone {terminal_text(catalog.server_timezone or 'unknown')}",
    ))  # fmt: skip
    for schema in catalog.schemas:
        table = RichTable(title=Text(f"schema {terminal_text(schema.name)}"), title_justify="left", show_edge=False)
        for header, justify in (("table", "left"), ("kind", "left"), ("rows≈", "right"), ("columns", "right"),
                                ("primary key", "left"), ("FKs", "right"), ("triggers", "right"), ("comment", "left")):  # fmt: skip
            table.add_column(header, justify=justify, overflow="fold", no_wrap=header in ("table", "kind", "primary key"))
        for t in schema.tables:
            primary_key = (_shown(", ".join(t.primary_key.columns)) if t.primary_key
                           else Text("none", style="red") if t.kind in ("table", "partition") else "")  # fmt: skip
            table.add_row(
                Text.assemble(_shown(t.name), (" (skipped)", "yellow") if t.skipped else ""),
                t.kind,
                "" if t.estimated_rows is None else f"{t.estimated_rows:,}",
                str(len(t.columns)),
                primary_key,
                str(len(t.foreign_keys)) if t.foreign_keys else "",
                str(len(t.triggers)) if t.triggers else "",
                _shown(t.comment.splitlines()[0]) if t.comment else "",
            )
        console.print(table)
        if schema.enums:
            enums = "; ".join(f"{e.name} ({', '.join(e.values)})" for e in schema.enums)
            console.print(Text("  enum types: " + terminal_text(enums)))
