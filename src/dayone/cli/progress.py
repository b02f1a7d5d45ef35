"""Profiling progress on stderr: a bar naming the table being read, only on a terminal and only when
there are enough tables for the wait to be noticed. A table that could not be read keeps a line."""

from __future__ import annotations

import sys
from types import TracebackType

from dayone.render.escape import terminal_text

MIN_TABLES = 10  # fewer tables are profiled in about a second: no bar


class ProfileProgress:
    """The progress callback of api.audit, and a context manager that removes the bar on every exit."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None
        self.task = None

    def __call__(self, event) -> None:
        if not self.enabled or event.total < MIN_TABLES:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("profiling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("", total=event.total)
        # the names are the database's: markup escaped (the description is rendered as console
        # markup) and control characters shown, never sent to the terminal
        from rich.markup import escape

        name = terminal_text(f"{event.schema}.{event.table}")
        if event.result is None:
            self.bar.update(self.task, description=escape(name))
            return
        self.bar.advance(self.task)
        if event.result.method == "skipped":
            from rich.text import Text

            self.bar.console.print(Text.assemble(("skipped ", "yellow"), f"{name}: {terminal_text(event.result.skipped)}"))

    def __enter__(self) -> ProfileProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.stop()
