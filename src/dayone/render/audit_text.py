"""The audit for a terminal: grouped by the checklist's sections, worst first, questions included."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from dayone.rules.engine import AuditResult
from dayone.rules.registry import FAMILIES

MARKS = {"error": "[bold red]✖ error  [/]", "warning": "[yellow]▲ warning[/]", "info": "[blue]• info   [/]"}
SEVERITIES = ("error", "warning", "info")


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
            console.print(Padding(Text(finding.message), (0, 0, 0, 4)))
            if finding.severity != "info":
                console.print(Padding(Text.assemble(("ask: ", "italic"), finding.question), (0, 0, 0, 4)))
        if hidden:
            console.print(f"    [dim]{hidden} info findings hidden (--show-info lists them)[/]")
    print_summary(result, console)


def print_summary(result: AuditResult, console: Console) -> None:
    """One line per severity: how many findings, and of which rules."""
    if not result.findings:
        console.print("\n[bold green]nothing to report[/]")
        return
    console.print()
    for severity in SEVERITIES:
        by_rule = Counter(f.rule for f in result.findings if f.severity == severity)
        total = sum(by_rule.values())
        rules = ", ".join(f"{name} {count}" for name, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])))
        console.print(f"{MARKS[severity]} [bold]{total:>4}[/]  [dim]{rules}[/]")
