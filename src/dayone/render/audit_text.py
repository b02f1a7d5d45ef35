"""The audit for a terminal: grouped by the checklist's sections, worst first, questions included."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from dayone.rules.engine import AuditResult
from dayone.rules.registry import FAMILIES

MARKS = {"error": "[bold red]✖ error  [/]", "warning": "[yellow]▲ warning[/]", "info": "[blue]• info   [/]"}


def print_audit(result: AuditResult, console: Console | None = None, show_info: bool = True) -> None:
    console = console or Console(highlight=False)
    catalog = result.catalog
    console.print(
        f"[bold]{escape(catalog.database)}[/bold] — {catalog.product} {catalog.version.split()[0]}, "
        f"{sum(1 for _ in catalog.tables())} tables and views, {len(result.rules)} rules"
    )
    for section in FAMILIES.values():
        findings = [f for f in result.findings if result.section_of(f) == section]
        if not findings:
            continue
        console.print(f"\n[bold underline]{section}[/]")
        hidden = 0
        for finding in findings:
            if finding.severity == "info" and not show_info:
                hidden += 1
                continue
            console.print(f"{MARKS[finding.severity]} [dim]{finding.code}[/] {finding.rule}  [bold]{escape(finding.target)}[/]")
            console.print(f"    {escape(finding.message)}")
            if finding.severity != "info":
                console.print(f"    [italic]ask:[/] {escape(finding.question)}")
        if hidden:
            console.print(f"    [dim]{hidden} info findings hidden (--show-info lists them)[/]")
    counts = result.counts()
    console.print(
        f"\n[bold]{counts['error']} error(s)[/], {counts['warning']} warning(s), {counts['info']} info"
        + (" — nothing to report" if not result.findings else "")
    )
