"""The running log as text, Markdown and JSON, oldest first. Entry texts are what people typed and
what audits found (database names): escaped for where they stand."""

from __future__ import annotations

import json

from dayone.project.state import Entry
from dayone.render.escape import json_text, markdown_code, markdown_text, terminal_text as shown

LABELS = {"note": "note", "todo": "to-do", "ask": "question", "answer": "answer", "done": "done", "closed": "closed",
          "reopened": "reopened"}  # fmt: skip


def _when(entry: Entry) -> tuple[str, str]:
    """(date, HH:MM) of an entry, in UTC as it is stored."""
    return entry.at[:10], entry.at[11:16]


def _details(entry: Entry, ticked: dict[str, Entry]) -> list[str]:
    said = []
    if entry.refers:
        said.append(f"on {entry.refers}")
    if entry.to:
        said.append(f"to {entry.to}")
    if entry.owner:
        said.append(f"owner {entry.owner}")
    if entry.due:
        said.append(f"due {entry.due}")
    if entry.id in ticked:
        said.append(f"done {ticked[entry.id].at[:10]}")
    return said


def _ticked(entries: list[Entry]) -> dict[str, Entry]:
    return {e.refers: e for e in entries if e.kind == "done" and e.refers}


def to_text(entries: list[Entry], project: str, everything: list[Entry] | None = None) -> str:
    ticked = _ticked(everything if everything is not None else entries)
    lines = [f"Log of {shown(project)} — {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} (times in UTC)"]
    day = None
    for entry in entries:
        date, time = _when(entry)
        if date != day:
            lines += ["", date]
            day = date
        where = f"[{entry.source}] " if entry.source else ""
        details = _details(entry, ticked)
        lines.append(f"  {time}  {entry.id:<9} {LABELS.get(entry.kind, entry.kind):<8}  {shown(entry.by)}: {shown(where + entry.text)}"
                     + (f"  ({shown(', '.join(details))})" if details else ""))  # fmt: skip
    if not entries:
        lines += ["", "nothing logged yet: `dayone note TEXT` starts the log"]
    return "\n".join(lines) + "\n"


def to_markdown(entries: list[Entry], project: str, everything: list[Entry] | None = None) -> str:
    ticked = _ticked(everything if everything is not None else entries)
    lines = [f"# Log: {markdown_text(project)}", "", "Times in UTC."]
    day = None
    for entry in entries:
        date, time = _when(entry)
        if date != day:
            lines += ["", f"## {date}", ""]
            day = date
        where = f" {markdown_code(entry.source)}" if entry.source else ""
        details = _details(entry, ticked)
        lines.append(f"- {time} **{LABELS.get(entry.kind, entry.kind)}** {entry.id} ({markdown_text(entry.by)}){where}: "
                     f"{markdown_text(entry.text)}" + (f" — {markdown_text(', '.join(details))}" if details else ""))  # fmt: skip
    return "\n".join(lines) + "\n"


def to_json(entries: list[Entry], project: str) -> str:
    document = {"project": project, "entries": [e.as_dict() for e in entries]}
    return json_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
