"""The pre-flight for a terminal: one block per checklist item, in the checklist's order, with its
evidence and the questions still open.

Plain lines like render/audit_text.py, and not even rich's console: `dayone check` should answer
in well under a second, and rich alone takes a tenth of that to import.
"""

from __future__ import annotations

import sys
import textwrap
from typing import IO, Any

from dayone.preflight.model import STATUSES, CheckReport
from dayone.render.escape import terminal_text as shown
from dayone.render.terminal import output_width, styled_output

MARKS = {"pass": "✔ pass   ", "warn": "▲ warn   ", "fail": "✖ fail   ", "unknown": "? unknown"}
ANSI = {"pass": "1;32", "warn": "33", "fail": "1;31", "unknown": "35", "bold": "1", "dim": "2", "italic": "3", "section": "1;4"}
WIDTH = 100
VALUES_SHOWN = 8  # items of a list printed on one evidence line
# Evidence the summary line already states (JSON keeps it all).
SAID_IN_SUMMARY = frozenset({"target", "connect_ms", "round_trip_ms", "product", "version", "flavour", "provider"})


class _Writer:
    def __init__(self, file: IO[str], color: bool, width: int):
        self.file = file
        self.color = color
        self.width = max(60, width)

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{ANSI[style]}m{text}\x1b[0m" if self.color else text

    def line(self, text: str = "") -> None:
        self.file.write(text + "\n")

    def wrapped(self, text: str, label: str = "", indent: str = "    ", style: str | None = None) -> None:
        lines = textwrap.wrap(label + text, self.width - len(indent), break_on_hyphens=False,
                              subsequent_indent="  " if label else "") or [""]  # fmt: skip
        for i, line in enumerate(lines):
            if i == 0 and label:
                line = self.paint(label.rstrip(), "italic") + " " + line[len(label):]
            elif style:
                line = self.paint(line, style)
            self.line(indent + line)


def print_check(report: CheckReport, file: IO[str] | None = None, color: bool | None = None, width: int | None = None) -> None:
    file = file or sys.stdout
    if color is None:
        color = styled_output(file)
    if width is None:
        width = output_width(file, WIDTH)
    out = _Writer(file, color, min(width, 120))
    facts, connection = report.facts, report.connection
    # the URL, the server's version, the login, and every summary, value and note may hold names
    # read from the database: shown with their control characters escaped
    title = f"{out.paint('dayone check', 'bold')} {shown(connection.target)}"
    if facts is not None and facts.version:
        title += f" — {shown(facts.product)} {shown(facts.version)}" + (f", login {shown(facts.login)}" if facts.login else "")
    out.line(title)
    for item in report.items:
        out.line()
        out.line(f"{out.paint(MARKS[item.status], item.status)} {out.paint(item.title, 'bold')} {out.paint(f'({item.id})', 'dim')}")
        out.wrapped(shown(item.summary))
        for key, value in item.evidence.items():
            if key in SAID_IN_SUMMARY:
                continue
            out.wrapped(shown(f"{key.replace('_', ' ')}: {_value(value)}"), indent="      ", style="dim")
        if item.status != "pass":
            for question in item.questions:
                out.wrapped(shown(question), label="ask: ")
    if facts is not None and facts.notes:
        out.line()
        for note in facts.notes:
            out.wrapped(shown(note), label="note: ", indent="")
    out.line()
    out.line(out.paint("Still to answer, whatever the database says", "section"))
    for question in report.questions:
        out.wrapped(shown(question), label="ask: ", indent="  ")
    out.line()
    counts = report.counts()
    out.line("   ".join(f"{out.paint(MARKS[s].split()[0], s)} {counts[s]} {s}" for s in STATUSES))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if not value:
            return "none"
        shown = ", ".join(map(_value, value[:VALUES_SHOWN]))
        return shown + (f" (+{len(value) - VALUES_SHOWN} more)" if len(value) > VALUES_SHOWN else "")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)
