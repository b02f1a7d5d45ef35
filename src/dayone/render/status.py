"""`dayone status` drawn: one screen of plain lines for a terminal (about 40 lines at 100 columns
for four sources), Markdown for a ticket or a wiki page, JSON for scripts.

Plain lines, as render/check_text.py, and not rich: the screen is read often and should come at
once. Every name and text a database or a person wrote (sources, people, titles, log entries,
findings' messages) is shown with its control characters escaped, or escaped for Markdown; a line
longer than the screen is cut with "…" rather than wrapped, so the screen keeps its shape.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from typing import IO, Any

from dayone.render.escape import json_text, markdown_code, markdown_table_cell, markdown_text
from dayone.render.escape import terminal_text as shown
from dayone.render.terminal import output_width, styled_output

WIDTH = 100
ANSI = {"ok": "1;32", "warn": "33", "fail": "1;31", "dim": "2", "bold": "1", "section": "1;4"}
SECTION_LABELS = {  # the checklist's sections, short enough for one line per source
    "Infrastructure and access": "access",
    "Data model": "model",
    "Application and data flow": "flow",
    "What the data shows": "data",
    "Governance: personal data": "personal data",
}
SECTION_MARKS = {"blocked": ("✖", "fail"), "questions": ("▲", "warn"), "ready": ("✔", "ok")}
LABEL = 13  # width of the labels under a source: "access", "findings", ...

Segment = str | tuple[str, str]  # text, or (text, style)


def to_json(status: dict[str, Any]) -> str:
    return json_text(json.dumps(status, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


# -- text -----------------------------------------------------------------------------------------


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


class _Screen:
    def __init__(self, file: IO[str], color: bool, width: int):
        self.file, self.color, self.width = file, color, width

    def line(self, *segments: Segment) -> None:
        """One line of segments, cut with "…" at the screen's width."""
        out, used = [], 0
        for segment in segments:
            text, style = (segment, None) if isinstance(segment, str) else segment
            room = self.width - used
            if _cells(text) > room:
                cut = ""
                for char in text:
                    if _cells(cut + char) > room - 1:
                        break
                    cut += char
                out.append(self._paint(cut + "…", style))
                break
            out.append(self._paint(text, style))
            used += _cells(text)
        self.file.write("".join(out).rstrip() + "\n")

    def _paint(self, text: str, style: str | None) -> str:
        return f"\x1b[{ANSI[style]}m{text}\x1b[0m" if self.color and style and text else text


def print_status(status: dict[str, Any], file: IO[str] | None = None, color: bool | None = None, width: int | None = None) -> None:
    file = file or sys.stdout
    if color is None:
        color = styled_output(file)
    if width is None:
        width = output_width(file, WIDTH)
    screen = _Screen(file, color, max(60, min(width, 120)))
    screen.line(("dayone status", "bold"), f" · {shown(status['project'])} · ", _go_live(status))
    if not status["sources"]:
        screen.line()
        screen.line("no source yet: dayone source add NAME URL")
    for source in status["sources"]:
        screen.line()
        _source(screen, source, status)
    screen.line()
    _log(screen, status["log"])
    screen.line()
    _left(screen, status)


def _go_live(status: dict[str, Any]) -> str:
    days = status["days_left"]
    if days is None:
        return "go-live date not set (go_live: in dayone.yml)"
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}" if days > 0 else f"{-days} day{'s' if days != -1 else ''} ago"
    return f"go-live {status['go_live']}, {when}"


def _label(text: str) -> str:
    return f"  {text:<{LABEL - 2}}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _source(screen: _Screen, source: dict[str, Any], status: dict[str, Any]) -> None:
    head: list[Segment] = [(shown(source["name"]), "bold"), f" · {source['env']}"]
    if source["product"]:
        head.append(f" · {shown(source['product'])}")
    if source["audited_at"]:
        head.append((f" · audited {_when(source['audited_at'])}", "dim"))
    screen.line(*head)
    for error in source["errors"]:
        screen.line(_label("error"), ("✖ ", "fail"), shown(error))
    access = source["access"]
    if access is None:
        screen.line(_label("access"), ("– not checked yet: dayone check", "dim"))
    else:
        line: list[Segment] = [_label("access"), ("✔", "ok"), f" {access['pass']} pass  ", ("▲", "warn"), f" {access['warn']} warn  ",
                               ("✖", "fail" if access["fail"] else None), f" {access['fail']} fail"]  # fmt: skip
        if access["unknown"]:
            line.append(f"  ? {access['unknown']} unknown")
        if access["failed"]:
            line.append(": " + "; ".join(shown(title) for title in access["failed"]))
        screen.line(*line)
    if source["sections"]:
        screen.line(_label("findings"), *_sections(source["sections"]))
    elif not source["errors"]:
        screen.line(_label("findings"), ("– not audited yet: dayone audit", "dim"))
    questions = source["questions"]
    if questions["open"]:
        owners = ", ".join(f"{shown(row['owner']) if row['owner'] else 'nobody yet'} {row['open']}" for row in questions["by_owner"])
        screen.line(_label("questions"), f"{questions['open']} open: {owners}")
    elif source["sections"]:
        screen.line(_label("questions"), ("none open", "dim"))
    screen.line(_label("metrics"), *_metrics(source["metrics"], status["metrics"]["checked"]))


def _when(moment: str) -> str:
    return moment[:16].replace("T", " ") + " UTC"


def _sections(sections: list[dict[str, Any]]) -> list[Segment]:
    """Blocked sections first, then those with questions, then the ready ones together."""
    segments: list[Segment] = []
    ready = []
    for wanted in ("blocked", "questions"):
        for section in sections:
            if section["status"] != wanted:
                continue
            mark, style = SECTION_MARKS[wanted]
            blockers = len(section["blockers"])
            questions = section["open_questions"] - blockers
            said = ", ".join(_plural(n, word) for n, word in ((blockers, "blocker"), (questions, "question")) if n)
            segments += [(mark, style), f" {_short(section['section'])} {said}  "]
    for section in sections:
        if section["status"] == "ready":
            ready.append(_short(section["section"]))
        elif section["status"] not in ("blocked", "questions"):
            segments += [("–", "dim"), f" {_short(section['section'])} {section['status']}  "]
    if ready:
        segments += [("✔", "ok"), " " + ", ".join(ready)]
    return segments


def _short(section: str) -> str:
    return SECTION_LABELS.get(section, shown(section))


def _metrics(counts: dict[str, Any], checked: bool) -> list[Segment]:
    if not counts["declared"]:
        return [("no metric yet: dayone metric add", "dim")]
    later = counts["declared"] - counts["day_1"]
    tail = f" · {later} later" if later else ""
    if not checked:
        return [f"{counts['day_1']} for day 1{tail} · ", ("not checked yet: dayone metrics check", "dim")]
    if not counts["day_1"]:
        return [f"none for day 1{tail}"]
    return ["day 1: ", ("✔", "ok"), f" {counts['feasible']} feasible  ", ("▲", "warn" if counts["at-risk"] else None),
            f" {counts['at-risk']} at risk  ", ("✖", "fail" if counts["blocked"] else None), f" {counts['blocked']} blocked{tail}"]  # fmt: skip


def _log(screen: _Screen, log: dict[str, Any]) -> None:
    if log["error"]:
        screen.line(("Log", "section"), " ", ("✖ ", "fail"), shown(log["error"]))
        return
    if not log["entries"]:
        screen.line(("Log", "section"), ("  empty: dayone note TEXT, dayone todo TEXT, dayone ask TEXT", "dim"))
        return
    latest = log["latest"]
    screen.line(("Log", "section"), (f"  the last {len(latest)} of {log['entries']} entries (dayone log)", "dim"))
    by_width = min(16, max(_cells(shown(e["by"])) for e in latest))
    open_todos = {e["id"] for e in log["open_todos"]}
    for entry in latest:
        by = shown(entry["by"])
        by = by if _cells(by) <= by_width else by[: by_width - 1] + "…"
        text = shown(entry["text"])
        if entry.get("refers"):
            text = f"{shown(entry['refers'])}: {text}"
        if entry["kind"] == "todo":
            text = _todo(entry) + (" · open" if entry["id"] in open_todos else "")
        screen.line(f"  {entry['at'][:10]}  ", (f"{shown(entry['id']):<8}", "dim"), f"  {by}{' ' * (by_width - _cells(by))}  {entry['kind']:<6}  {text}")


def _todo(entry: dict[str, Any]) -> str:
    return shown(_todo_plain(entry))


LEFT_SHOWN = 6  # lines under "Before go-live": the screen keeps its shape; Markdown lists everything


def _left(screen: _Screen, status: dict[str, Any]) -> None:
    days, left = status["days_left"], status["left"]
    if days is not None and days < 0:
        screen.line(("Still open", "section"), f"  go-live was {status['go_live']}")
    else:
        screen.line(("Before go-live", "section"), f"  {status['go_live'] or 'date not set'}" + ("" if days is None else f", {_plural(days, 'day')} left"))
    items = _left_items(status, left)
    if len(items) > LEFT_SHOWN:
        items = items[: LEFT_SHOWN - 1] + [[("…", "dim"), f" and {len(items) - LEFT_SHOWN + 1} more: dayone status --format markdown"]]
    for item in items or [[("✔", "ok"), " nothing left: no blocker, no open question, every day-1 metric feasible"]]:
        screen.line("  ", *item)


def _left_items(status: dict[str, Any], left: dict[str, Any]) -> list[list[Segment]]:
    """What is left, most pressing first: each a line's segments."""
    items: list[list[Segment]] = []
    blockers = left["blockers"]
    if len(blockers) <= 2:
        items += [[("✖", "fail"), f" blocker: {shown(b['source'])}: {shown(b['message'])}"] for b in blockers]
    else:
        items.append([("✖", "fail"), f" {len(blockers)} blockers: " + "; ".join(f"{shown(b['source'])}: {shown(b['message'])}" for b in blockers)])
    if left["open_questions"]:
        day_1 = "" if left["day_1_questions"] is None else f" ({left['day_1_questions']} on what day-1 metrics read)"
        owners = ", ".join(f"{shown(row['owner']) if row['owner'] else 'nobody yet'} {row['open']}" for row in status["questions"]["by_owner"])
        items.append([("?", "warn"), f" {_plural(left['open_questions'], 'open question')}{day_1}: {owners}"])
    for key, word, mark, style in (("metrics_blocked", "blocked", "✖", "fail"), ("metrics_at_risk", "at risk", "▲", "warn")):
        if left[key]:
            named = "; ".join(shown(m["name"]) + (f" ({shown(m['reasons'][0])})" if m["reasons"] else "") for m in left[key])
            items.append([(mark, style), f" day-1 metric{'s' if len(left[key]) != 1 else ''} {word}: {named}"])
    metrics = status["metrics"]
    day_1 = sum(1 for m in metrics["declared"] if m["priority"] == "day-1")
    if not metrics["checked"] and day_1:
        reason = f": {shown(metrics['error'])}" if metrics["error"] else ": dayone metrics check"
        items.append([("–", "dim"), f" {_plural(day_1, 'day-1 metric')} not checked{reason}"])
    todos = status["log"]["open_todos"]
    if todos:
        items.append([("☐", "warn"), f" {_plural(len(todos), 'open to-do')}: " + "; ".join(_todo(t) for t in todos)])
    if left["failed_checks"]:
        items.append([("✖", "fail"), " access checks failed: " + "; ".join(
            f"{shown(f['source'])}: {', '.join(shown(t) for t in f['failed'])}" for f in left["failed_checks"])])  # fmt: skip
    if left["unread"]:
        items.append([("✖", "fail"), f" not audited: {', '.join(shown(n) for n in left['unread'])} (see the errors above)"])
    if left["not_checked"]:
        items.append([("–", "dim"), f" access not checked yet: {', '.join(shown(n) for n in left['not_checked'])} (dayone check)"])
    return items


# -- markdown -------------------------------------------------------------------------------------


def to_markdown(status: dict[str, Any]) -> str:
    cell, text = markdown_table_cell, markdown_text
    lines = [f"# dayone status: {text(status['project'])}", "", _go_live(status).capitalize() + f" (as of {status['today']}).", ""]
    lines += ["## Sources", ""]
    if not status["sources"]:
        lines.append("No source yet: `dayone source add NAME URL`.")
    else:
        lines += ["| source | env | access checks | findings by section | open questions | day-1 metrics | audited |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
        for source in status["sources"]:
            access = source["access"]
            checks = ("not checked yet" if access is None else f"{access['pass']} pass, {access['warn']} warn, {access['fail']} fail"
                      + (": " + "; ".join(access["failed"]) if access["failed"] else ""))  # fmt: skip
            findings = "; ".join([*source["errors"], *(_section_said(s) for s in source["sections"])]) or "not audited yet"
            owners = ", ".join(f"{row['owner'] or 'nobody yet'} {row['open']}" for row in source["questions"]["by_owner"])
            metrics = source["metrics"]
            day_1 = ("none" if not metrics["day_1"] else f"{metrics['day_1']} declared, not checked" if "feasible" not in metrics else
                     f"{metrics['feasible']} feasible, {metrics['at-risk']} at risk, {metrics['blocked']} blocked")  # fmt: skip
            audited = _when(source["audited_at"]) if source["audited_at"] else ""
            lines.append(f"| {cell(source['name'])} | {source['env']} | {cell(checks)} | {cell(findings)} | "
                         f"{source['questions']['open']}{cell(': ' + owners) if owners else ''} | {day_1} | {audited} |")  # fmt: skip
    log = status["log"]
    lines += ["", "## Log", ""]
    if log["error"]:
        lines.append(text(log["error"]))
    elif not log["latest"]:
        lines.append("Empty.")
    else:
        lines += [f"The last {len(log['latest'])} of {log['entries']} entries.", ""]
        lines += [f"- {entry['at'][:10]} {markdown_code(entry['id'])} {text(entry['by'])}, {entry['kind']}: "
                  + (f"{markdown_code(entry['refers'])} " if entry.get("refers") else "") + text(entry["text"]) for entry in log["latest"]]  # fmt: skip
    lines += ["", "## Left before go-live" if (status["days_left"] or 0) >= 0 else "## Still open after go-live", ""]
    lines += [f"- [ ] {item}" for item in _markdown_left(status)] or ["Nothing: no blocker, no open question, every day-1 metric feasible."]
    return "\n".join(lines) + "\n"


def _section_said(section: dict[str, Any]) -> str:
    blockers = len(section["blockers"])
    counted = [_plural(n, word) for n, word in ((blockers, "blocker"), (section["open_questions"] - blockers, "question")) if n]
    return f"{_short_plain(section['section'])}: {', '.join(counted) if counted else section['status']}"


def _markdown_left(status: dict[str, Any]) -> list[str]:
    text, left, log = markdown_text, status["left"], status["log"]
    items = [f"Blocker, {text(b['source'])}: {text(b['message'])}" for b in left["blockers"]]
    if left["open_questions"]:
        owners = ", ".join(f"{text(row['owner']) if row['owner'] else 'nobody yet'} {row['open']}" for row in status["questions"]["by_owner"])
        items.append(f"{_plural(left['open_questions'], 'open question')}"
                     + ("" if left["day_1_questions"] is None else f" ({left['day_1_questions']} on what day-1 metrics read)") + f": {owners}")  # fmt: skip
    for key, word in (("metrics_blocked", "blocked"), ("metrics_at_risk", "at risk")):
        items += [f"Day-1 metric {markdown_code(m['name'])} {word}" + (f": {text('; '.join(m['reasons']))}" if m["reasons"] else "") for m in left[key]]
    day_1 = sum(1 for m in status["metrics"]["declared"] if m["priority"] == "day-1")
    if not status["metrics"]["checked"] and day_1:
        error = status["metrics"]["error"]
        items.append(f"{_plural(day_1, 'day-1 metric')} not checked: " + (text(error) if error else "`dayone metrics check`"))
    items += [f"To-do {markdown_code(t['id'])}: {text(_todo_plain(t))}" for t in log["open_todos"]]
    items += [f"Access check failed, {text(f['source'])}: {text(', '.join(f['failed']))}" for f in left["failed_checks"]]
    items += [f"Not audited: {text(name)}" for name in left["unread"]]
    items += [f"Access not checked yet: {text(name)} (`dayone check`)" for name in left["not_checked"]]
    return items


def _todo_plain(entry: dict[str, Any]) -> str:
    extra = [entry.get("owner"), f"due {entry['due']}" if entry.get("due") else None]
    return entry["text"] + (f" ({', '.join(e for e in extra if e)})" if any(extra) else "")


def _short_plain(section: str) -> str:
    return SECTION_LABELS.get(section, section)
