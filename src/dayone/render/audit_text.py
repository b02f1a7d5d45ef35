"""The audit for a terminal: grouped by the checklist's sections, worst first, questions included.

Written as plain lines (ANSI colour only on a colour terminal) rather than through rich's layout
engine: rich spends about 0.3 ms per finding, 13 s for the 40,000 findings of a 5,000-table schema,
which would make printing the audit slower than reading the catalog.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from dayone.render import profile_summary
from dayone.render.escape import terminal_text as shown
from dayone.rules.engine import AuditResult
from dayone.rules.registry import FAMILIES

if TYPE_CHECKING:  # the demo prints through rich; the audit itself does not need it
    from rich.console import Console

SEVERITIES = ("error", "warning", "info")
MARKS = {"error": "✖ error  ", "warning": "▲ warning", "info": "• info   "}
ANSI = {"error": "1;31", "warning": "33", "info": "34", "bold": "1", "dim": "2", "italic": "3", "section": "1;4", "ok": "1;32"}


class _Writer:
    def __init__(self, file: TextIO, color: bool, width: int):
        self.file = file
        self.color = color
        self.width = max(40, width)
        self._lines: list[str] = []

    @classmethod
    def of_console(cls, console: Console) -> _Writer:
        return cls(console.file, console.is_terminal and console.color_system is not None and not console.no_color, console.width)

    @classmethod
    def standard_output(cls) -> _Writer:
        """Colour and the terminal's width on a terminal (as rich decides them: NO_COLOR, TERM=dumb),
        80 columns and no colour otherwise; without importing rich, 0.03 s of every audit's start-up."""
        terminal = sys.stdout.isatty()
        color = terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        return cls(sys.stdout, color, shutil.get_terminal_size((80, 24)).columns if terminal else 80)

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{ANSI[style]}m{text}\x1b[0m" if self.color else text

    def line(self, text: str = "") -> None:
        self._lines.append(text)

    def flush(self) -> None:
        """The report in one write: a 5,000-table audit is 125,000 lines."""
        if self._lines:
            self.file.write("\n".join(self._lines) + "\n")
            self._lines.clear()

    def wrapped(self, text: str, label: str = "", indent: str = "    ") -> None:
        if not label and len(text) <= self.width - len(indent) and "\n" not in text:  # most lines
            self._lines.append(indent + text)
            return
        whole = label + text
        fits = len(whole) <= self.width - len(indent) and "\n" not in whole
        lines = [whole] if fits else _wrap(whole, self.width - len(indent))
        if label:  # wrapped with the label so widths are right, then painted
            lines[0] = self.paint(label.rstrip(), "italic") + " " + lines[0][len(label):]
        for line in lines:
            self.line(indent + line)


def _wrap(text: str, width: int) -> list[str]:
    """Words packed greedily into lines of at most `width` characters; a word longer than that (a
    long identifier, a URL) keeps a line of its own, whole. textwrap does the same with regular
    expressions and many options, and took a third of printing a 5,000-table audit; here each line
    is cut at the last space that fits, found in C."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        rest = " ".join(paragraph.split())
        while len(rest) > width:
            cut = rest.rfind(" ", 0, width + 1)
            if cut <= 0:  # the first word alone is too long: it keeps its line, whole
                cut = rest.find(" ")
                if cut < 0:
                    break
            lines.append(rest[:cut])
            rest = rest[cut + 1 :]
        lines.append(rest)
    return lines


def print_audit(
    result: AuditResult,
    console: Console | None = None,
    show_info: bool = True,
    *,
    file: TextIO | None = None,
    width: int = 120,
) -> None:
    """To `console` (the demo's), to `file` (`width` columns, no colour), or to standard output."""
    if console is not None:
        out = _Writer.of_console(console)
    elif file is not None:
        out = _Writer(file, False, width)
    else:
        out = _Writer.standard_output()
    catalog = result.catalog
    out.line(
        f"{out.paint(shown(catalog.database), 'bold')} — {shown(catalog.product)} {shown(catalog.version.split()[0])}, "
        f"{sum(1 for _ in catalog.tables())} tables and views, {len(result.rules)} rules"
    )
    if result.profile is not None:
        for line in profile_summary.lines(catalog, result.profile):
            out.line(out.paint(shown(line), "dim"))
    by_section: dict[str, list] = {}
    for finding in result.findings:  # once, in order: 30,000 findings for 5,000 tables
        by_section.setdefault(result.section_of(finding), []).append(finding)
    for section in FAMILIES.values():
        findings = by_section.get(section, ())
        if not findings:
            continue
        out.line()
        out.line(out.paint(section, "section"))
        hidden = 0
        paint, line, wrapped = out.paint, out.line, out.wrapped  # three lines per finding, 30,000 findings
        marks = {severity: paint(mark, severity) for severity, mark in MARKS.items()}
        for finding in findings:
            severity = finding.severity
            if severity == "info" and not show_info:
                hidden += 1
                continue
            # names and values in the target, message and question come from the database
            line(f"{marks[severity]} {paint(finding.code, 'dim')} {finding.rule}  {paint(shown(finding.target), 'bold')}")
            wrapped(shown(finding.message))
            if severity != "info":
                wrapped(shown(finding.question), label="ask: ")
        if hidden:
            out.line(out.paint(f"    {hidden} info findings hidden (--show-info lists them)", "dim"))
    print_summary(result, out)
    out.flush()


def print_summary(result: AuditResult, out: _Writer) -> None:
    """One line per severity: how many findings, and of which rules."""
    out.line()
    if not result.findings:
        out.line(out.paint("nothing to report", "ok"))
        return
    for severity in SEVERITIES:
        by_rule = Counter(f.rule for f in result.findings if f.severity == severity)
        rules = ", ".join(f"{name} {count}" for name, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])))
        out.line(f"{out.paint(MARKS[severity], severity)} {out.paint(f'{sum(by_rule.values()):>5}', 'bold')}  {rules}")
