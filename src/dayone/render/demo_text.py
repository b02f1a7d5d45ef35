"""What `dayone demo` prints: each database's audit, then the launch at a glance."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from dayone.api import DemoDatabase
from dayone.render.audit_text import print_audit


def print_demo(databases: list[DemoDatabase], folder: Path, show_info: bool = False, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    console.print(
        "[bold]dayone demo[/bold]: a collectibles company launches a single login, grading submissions, "
        "a vault and a collection feature on four new databases (go-live 2026-11-02).\n"
    )
    for database in databases:
        console.rule(f"[bold]{database.name}[/]", align="left")
        print_audit(database.result, console, show_info=show_info)
        console.print()
    from dayone.groups import build_report

    overview = Table(title="The launch at a glance", title_justify="left", show_edge=False)
    numbers = ("tables", "blockers", "open questions", "for information")
    for header in ("database", *numbers, "report"):
        overview.add_column(header, justify="right" if header in numbers else "left")
    for database in databases:
        report = build_report(database.result)
        tables = sum(1 for _ in database.result.catalog.tables())
        notes = sum(len(s.notes) for s in report.sections)
        overview.add_row(database.name, str(tables), str(report.blockers), str(report.open_questions), str(notes),
                         f"reports/{database.name}.audit.md")  # fmt: skip
    console.print(overview)
    console.print(
        f"\nEverything is in {folder}: the databases (*.db), their catalogs (*.snapshot.json) and the audits "
        "(reports/*.audit.md, reports/*.audit.json).\n"
        f"Next: [bold]dayone audit {folder / 'grading.db'} --show-info[/] or "
        f"[bold]dayone rules explain timestamp-without-time-zone[/]"
    )
