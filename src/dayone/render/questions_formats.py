"""The questionnaire as text, Markdown, JSON and CSV (for an issue tracker's importer).

Every question, fact, target and answer may hold a name read from a database or text a person
typed: each is escaped for where it stands (terminal, Markdown, a spreadsheet cell).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable

from dayone.project.questions import SECTIONS, Question
from dayone.render.escape import json_text, markdown_code, markdown_text, terminal_text as shown

CSV_COLUMNS = ("Title", "Body", "Labels", "Assignee")
TITLE_LIMIT = 255  # Jira's summary field holds 255 characters
TARGETS_SHOWN = 8


def _sections(questions: list[Question]) -> Iterable[tuple[str, list[Question]]]:
    for section, title in SECTIONS.items():
        found = [q for q in questions if q.section == section]
        if found:
            yield title, found


def _counts(questions: list[Question]) -> str:
    counted = {status: sum(1 for q in questions if q.status == status) for status in ("open", "answered", "closed")}
    return ", ".join(f"{n} {status}" for status, n in counted.items() if n) or "no questions"


def _targets(question: Question) -> str:
    names = question.targets[:TARGETS_SHOWN]
    more = len(question.targets) - len(names)
    return ", ".join(names) + (f" and {more:,} more" if more > 0 else "")


def _headline(question: Question) -> str:
    where = question.source or "project"
    if question.environments and question.environments != ["prod"]:
        where += f" ({', '.join(question.environments)})"
    parts = [question.id, where]
    if question.severity:
        parts.append(question.severity)
    if question.status != "open":
        parts.append(question.status)
    parts.append(f"→ {question.to or 'unassigned'}")
    return "  ".join(parts)


def to_text(questions: list[Question], project: str, width: int = 100) -> str:
    lines = [f"Questions for the engineering team — {shown(project)}: {_counts(questions)}"]
    indent = " " * 6

    def wrapped(label: str, text: str) -> None:
        lines.extend(textwrap.wrap(shown(text), width, initial_indent=indent + label, subsequent_indent=indent + " " * len(label),
                                   break_long_words=False, break_on_hyphens=False) or [indent + label])  # fmt: skip

    for title, found in _sections(questions):
        lines += ["", title]
        for question in found:
            lines.append("  " + shown(_headline(question)))
            wrapped("", question.text)
            if question.targets:
                wrapped("about: ", _targets(question))
            for number, fact in enumerate(f for f in question.facts if f):
                wrapped("known: " if number == 0 else "       ", fact)
            if question.asked_by:
                wrapped("asked: ", f"by {question.asked_by}, {question.asked_at[:10] if question.asked_at else ''}")
            if question.answer is not None:
                wrapped(_answer_label(question) + ": ", f"{question.answer.text} ({_who(question)})")
    if not questions:
        lines += ["", "nothing to ask: no question matches"]
    return "\n".join(lines) + "\n"


def _answer_label(question: Question) -> str:
    """An answer given before the finding went away and came back is an earlier one."""
    return "answer" if question.answer_stands or question.origin != "audit" else "earlier answer"


def _who(question: Question) -> str:
    answer = question.answer
    return f"{answer.by}, {answer.at[:10]}" if answer.at else answer.by


def to_markdown(questions: list[Question], project: str) -> str:
    lines = [f"# Questions for the engineering team: {markdown_text(project)}", "", _counts(questions) + "."]
    for title, found in _sections(questions):
        lines += ["", f"## {markdown_text(title)}"]
        for question in found:
            lines += ["", f"### {question.id}: {markdown_text(question.text)}", ""]
            lines.append(f"- **Source:** {markdown_code(question.source) if question.source else 'the whole project'}"
                         + (f" ({', '.join(question.environments)})" if question.environments else ""))  # fmt: skip
            lines.append(f"- **To:** {markdown_text(question.to) if question.to else 'unassigned'}")
            lines.append(f"- **Status:** {question.status}" + (f", {question.severity}" if question.severity else ""))
            if question.targets:
                names = ", ".join(markdown_code(t) for t in question.targets[:TARGETS_SHOWN])
                more = len(question.targets) - TARGETS_SHOWN
                lines.append(f"- **About:** {names}" + (f" and {more:,} more" if more > 0 else ""))
            facts = [f for f in question.facts if f]
            if facts:
                lines.append("- **What dayone already knows:**")
                lines += [f"  - {markdown_text(fact)}" for fact in facts]
            if question.asked_by:
                lines.append(f"- **Asked by:** {markdown_text(question.asked_by)}, {markdown_text((question.asked_at or '')[:10])}")
            if question.answer is not None:
                lines.append(f"- **{_answer_label(question).capitalize()}** ({markdown_text(_who(question))}): "
                             f"{markdown_text(question.answer.text)}")
    return "\n".join(lines) + "\n"


def to_json(questions: list[Question], project: str) -> str:
    document = {"project": project, "questions": [q.as_dict() for q in questions]}
    return json_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def to_csv(questions: list[Question], emails: dict[str, str]) -> str:
    """One row per question, as Jira's CSV importer takes them (a header row; Title mapped to
    Summary, Body to Description; Labels without spaces, several separated by spaces; Assignee an
    e-mail address where dayone.yml gives the person's contact as one, else the name). GitHub has
    no CSV import of its own; the same four columns feed `gh issue create --title --body --label
    --assignee` in a loop."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for question in questions:
        title = f"{question.source or 'project'}: {question.text}"
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1] + "…"
        labels = ["dayone", _label(SECTIONS[question.section].split(":")[0]), *([question.severity] if question.severity else []),
                  *([_label(f"source-{question.source}")] if question.source else [])]  # fmt: skip
        assignee = emails.get(question.to, question.to) if question.to else ""
        writer.writerow([_cell(title), _cell(_body(question)), _cell(" ".join(labels)), _cell(assignee)])
    return buffer.getvalue()


def _body(question: Question) -> str:
    where = []
    if question.source:
        where.append(f"Source: {question.source}" + (f" ({', '.join(question.environments)})" if question.environments else ""))
    if question.targets:
        where.append(f"About: {_targets(question)}")
    facts = [f for f in question.facts if f]
    paragraphs = [[question.text], where, (["What dayone already knows:"] + [f"- {fact}" for fact in facts]) if facts else []]
    if question.answer is not None:
        paragraphs.append([f"{_answer_label(question).capitalize()} ({_who(question)}): {question.answer.text}"])
    paragraphs.append([f"dayone question {question.id}: answer it with `dayone answer {question.id} \"...\"`."])
    # each line escaped on its own: a newline in a name stays escaped, on its line
    return "\n\n".join("\n".join(shown(line) for line in lines) for lines in paragraphs if lines)


def _label(text: str) -> str:
    """A label with no spaces (Jira's labels cannot hold one): words joined by hyphens, lower case."""
    return "-".join(text.lower().split())


def _cell(text: str) -> str:
    """A cell with its control characters escaped, that a spreadsheet opens as text: one starting
    with =, +, -, @ or a tab would be a formula."""
    text = shown(text)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
