"""The audit for a terminal: the verdict first, then one question per group of findings, by the
checklist's sections, worst first; info groups last.

Written as plain lines (ANSI colour only on a colour terminal) rather than through rich's layout
engine: rich spends about 0.3 ms per finding, 13 s for the 40,000 findings of a 5,000-table schema,
which would make printing the audit slower than reading the catalog.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING, TextIO

from dayone.findings import target_name
from dayone.render import profile_summary
from dayone.render.escape import terminal_text as shown
from dayone.rules.engine import AuditResult
from dayone.rules.registry import REGISTRY

if TYPE_CHECKING:
    from dayone.groups import Group, Report

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

    def item(self, text: str, mark: str, style: str, indent: str = "    ") -> None:
        """A list item: `mark` painted in `style`, the text wrapped with a hanging indent under it."""
        lines = _wrap(text, self.width - len(indent) - len(mark) - 1)
        self.line(f"{indent}{self.paint(mark, style)} {lines[0]}")
        for line in lines[1:]:
            self.line(f"{indent}{' ' * (len(mark) + 1)}{line}")


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
    expand: bool = False,
    file: TextIO | None = None,
    width: int = 120,
) -> None:
    """The verdict first, then one entry per group of findings (`expand`: with each finding under
    it), info groups last. To `console` (the demo's), to `file` (`width` columns, no colour), or to
    standard output."""
    from dayone.groups import build_report

    if console is not None:
        out = _Writer.of_console(console)
    elif file is not None:
        out = _Writer(file, False, width)
    else:
        out = _Writer.standard_output()
    report = build_report(result)
    _header(report, out)
    _verdict(report, out)
    info: list[Group] = []
    for verdict in report.sections:
        groups = [*verdict.blockers, *verdict.questions]
        info += verdict.notes
        if not groups:
            continue
        out.line()
        out.line(out.paint(verdict.section, "section"))
        for group in groups:
            _group(group, out, expand, ask=True)
    if info and show_info:
        out.line()
        out.line(out.paint("For information", "section") + out.paint("  (facts and questions no go-live decision rests on)", "dim"))
        for group in info:
            _group(group, out, expand, ask=True)
    elif info:
        out.line()
        out.line(out.paint(f"{len(info)} groups of info findings hidden (--show-info lists them)", "dim"))
    _acknowledged(report, out)
    _summary(report, out, expand)
    out.flush()


def _acknowledged(report: Report, out: _Writer) -> None:
    """Groups a project's log answered (`dayone answer`): each with its answer, who and when."""
    groups = [g for verdict in report.sections for g in verdict.acknowledged]
    if not groups:
        return
    out.line()
    out.line(out.paint("Acknowledged", "section") + out.paint("  (answered in the project's log: not open questions)", "dim"))
    for group in groups:
        answer = report.result.answers[group.id]
        _group(group, out, expand=False, ask=False)
        out.wrapped(f"{shown(answer.text)} ({shown(answer.by)}, {shown(answer.at[:10])})", label="answer: ")


def _header(report: Report, out: _Writer) -> None:
    result = report.result
    catalog = result.catalog
    audited = sum(1 for s, t in catalog.tables() if t.kind in ("table", "partitioned table") and result.scope.audits(s.name, t.name))
    left_out = sum(1 for key in result.scope.excluded if _is_table(catalog, key))
    out.line(
        f"{out.paint(shown(catalog.database), 'bold')} — {shown(catalog.product)} {shown(catalog.version.split()[0])}, "
        f"{audited:,} tables audited" + (f" ({left_out:,} left out, see below)" if left_out else "") + f", {len(result.rules)} rules"
    )
    if result.profile is not None:
        for line in profile_summary.lines(catalog, result.profile):
            out.line(out.paint(shown(line), "dim"))
    if result.baseline is not None:
        out.line(out.paint(f"baseline {shown(result.baseline)}: {result.accepted:,} accepted findings left out; "
                           f"{len(result.findings):,} new", "dim"))  # fmt: skip


def _is_table(catalog, key: tuple[str, str]) -> bool:
    schema = catalog.schema(key[0])
    table = schema.table(key[1]) if schema else None
    return table is not None and not table.partition_of


_STATUS = {"blocked": ("✖", "error"), "questions": ("▲", "warning"), "ready": ("✔", "ok"), "not checked": ("–", "dim"),
           "not read": ("–", "dim")}


def _verdict(report: Report, out: _Writer) -> None:
    out.line()
    notes = sum(len(s.notes) for s in report.sections)
    headline = (f"{report.blockers} blocker{'s' if report.blockers != 1 else ''} before go-live" if report.blockers
                else "nothing blocks go-live")  # fmt: skip
    out.line(f"{out.paint('Verdict', 'section')}: {out.paint(headline, 'error' if report.blockers else 'ok')} · "
             f"{report.open_questions} open question{'s' if report.open_questions != 1 else ''} · {notes} for information")  # fmt: skip
    label = max(len(s.section) for s in report.sections)
    for verdict in report.sections:
        mark, style = _STATUS[verdict.status]
        counted = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
                   ((len(verdict.blockers), "blocker"), (len(verdict.questions), "question"), (len(verdict.notes), "note")) if n]  # fmt: skip
        said = ", ".join(counted) if counted else {"not checked": "not checked (no rule selected)",
                                                   "not read": "not read: no rows (see below)"}.get(verdict.status, "nothing found")  # fmt: skip
        if verdict.accepted:
            said = (said if counted else "nothing new") + f" ({verdict.accepted:,} accepted by the baseline)"
        if verdict.acknowledged:
            said = (said if counted else "nothing open") + f", {len(verdict.acknowledged)} acknowledged"
        out.line(f"  {out.paint(mark, style)} {verdict.section:<{label}}  {said}")
    blockers = [g for s in report.sections for g in s.blockers]
    if blockers:
        out.line("  blocks go-live:")
        for group in blockers:
            out.item(_headline(shown(group.message)), "✖", "error")
    good = [sentence for s in report.sections for sentence in s.good]
    if good:
        out.line("  already good:")
        for sentence in good:
            out.item(shown(sentence), "✔", "ok")
    if report.not_read:
        out.line("  not read:")
        for sentence in report.not_read:
            out.item(shown(sentence), "–", "dim")


def _headline(message: str, limit: int = 160) -> str:
    """A blocker's message, cut at a word for the verdict: its group below says it all."""
    return message if len(message) <= limit else message[: message.rfind(" ", 0, limit)].rstrip(",;:") + " …"


TARGETS_SHOWN = 8  # a group lists this many targets; --expand lists them all


def _group(group: Group, out: _Writer, expand: bool, ask: bool) -> None:
    severity = group.severity
    rule = REGISTRY[group.rule]
    if group.count == 1:
        subject = group.findings[0].target
    else:
        noun = rule.rollup.noun[1] if rule.rollup else "targets"
        subject = f"{group.count:,} {noun}" + (f" in {group.where}" if group.where else "")
    out.line(f"{out.paint(MARKS[severity], severity)} {out.paint(group.code, 'dim')} {group.rule}  {out.paint(shown(subject), 'bold')}")
    out.wrapped(shown(group.message))
    if ask:
        out.wrapped(shown(group.question), label="ask: ")
    if group.count == 1:
        return
    if expand:
        for finding in group.findings:
            out.item(f"{shown(finding.target)}: {shown(finding.message)}", "-", "dim", indent="      ")
        return
    names = [shown(_short(f)) for f in group.findings[:TARGETS_SHOWN]]
    more = group.count - len(names)
    out.wrapped(", ".join(names) + (f" and {more:,} more (--expand lists them)" if more > 0 else ""), label="on: ")


def _short(finding) -> str:
    """A target without its schema: the group already names it."""
    location = finding.location
    parts = [p for p in (location.table, location.column) if p]
    return target_name(*parts) if parts else finding.target


def _summary(report: Report, out: _Writer, expand: bool) -> None:
    result = report.result
    out.line()
    if not result.findings:
        out.line(out.paint("nothing to report", "ok") + (f" beyond the baseline's {result.accepted:,} accepted findings"
                                                         if result.accepted else ""))  # fmt: skip
        return
    counts = result.counts()
    said = ", ".join(f"{counts[s]:,} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES)
    out.line(out.paint(f"{said} in {len(report.groups):,} groups"
                       + ("" if expand else "; --expand lists every finding") + ", --format json holds them all", "dim"))
