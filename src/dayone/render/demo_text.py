"""What `dayone demo` prints: each database's audit, then the demo project's status screen and
what to try next."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from rich.console import Console

from dayone.api import DemoDatabase
from dayone.render.audit_text import print_audit
from dayone.render.escape import terminal_text


def print_demo(databases: list[DemoDatabase], folder: Path, status: dict[str, Any], shown_as: str,
               show_info: bool = False, console: Console | None = None, report: Path | None = None) -> None:  # fmt: skip
    """`folder` is where the demo is; `shown_as` the folder as the user named it, for `cd`; `report` the
    launch's report site, said last: the one thing to open."""
    from dayone.render.status import print_status

    console = console or Console(highlight=False)
    console.print(
        "[bold]dayone demo[/bold]: a collectibles company launches a single login, grading submissions, "
        "a vault and a collection feature on four new databases (go-live 2026-11-02).\n"
    )
    for database in databases:
        console.rule(f"[bold]{database.name}[/]", align="left")
        print_audit(database.result, console, show_info=show_info)
        console.print()
    console.rule("[bold]the project[/]: dayone status", align="left")
    console.file.flush()
    print_status(status, console.file, color=console.is_terminal and console.color_system is not None and not console.no_color,
                 width=console.width)  # fmt: skip
    where = terminal_text(str(folder))
    console.print(
        f"\nEverything is in {where}: dayone.yml (the sources, people and metrics), state/ (the log and every "
        "audit and check kept), the databases (*.db) and the audits (reports/*.audit.md, reports/*.audit.json).",
        markup=False,
    )
    console.print("Try next:")
    commands = ((f"cd {terminal_text(shlex.quote(shown_as))} && dayone status", "this screen"),
                ("dayone questions", "the questionnaire for the engineering team"),
                ("dayone metrics check", "which metrics the data model can answer"),
                ("dayone rules explain timestamp-without-time-zone", "why a finding matters"))  # fmt: skip
    width = max(len(command) for command, _ in commands)
    side_by_side = all(2 + width + 2 + len(what) <= console.width for _, what in commands)
    for command, what in commands:
        if side_by_side:
            console.print(f"  [bold]{escape(command)}[/]{' ' * (width - len(command))}  [dim]{escape(what)}[/]")
        else:  # a narrow terminal: each description under its command, not wrapped into the next column
            console.print(f"  [bold]{escape(command)}[/]\n      [dim]{escape(what)}[/]")
    if report is not None:
        console.print(f"\nThe launch's report, to open in a browser (it needs no network): {terminal_text(str(report))}",
                      markup=False, soft_wrap=True)  # fmt: skip


def escape(text: str) -> str:
    from rich.markup import escape as markup_escape

    return markup_escape(text)
