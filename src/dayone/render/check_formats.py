"""The pre-flight as JSON (an object listing the checks) and Markdown (for a ticket or a wiki page)."""

from __future__ import annotations

import json

from dayone.preflight.model import STATUSES, CheckReport
from dayone.render.escape import json_text, markdown_code, markdown_table_cell, markdown_text


def to_dict(report: CheckReport) -> dict:
    from dayone import __version__

    facts, connection = report.facts, report.connection
    return {
        "tool": {"name": "dayone", "version": __version__},
        "target": connection.target,
        "live": connection.live,
        "reached": connection.reached if connection.live else None,
        "product": facts.product if facts else None,
        "version": facts.version if facts else None,
        "database": facts.database if facts else None,
        "login": facts.login if facts else None,
        "summary": report.counts(),
        "checks": [item.as_dict() for item in report.items],
        "questions": list(report.questions),
        "not_visible": dict(facts.unknown) if facts else {},
        "notes": list(facts.notes) if facts else [],
    }


def to_json(report: CheckReport) -> str:
    return json_text(json.dumps(to_dict(report), indent=2, ensure_ascii=False)) + "\n"


def to_markdown(report: CheckReport) -> str:
    facts, counts = report.facts, report.counts()
    # the database's and the login's names, the URL and every summary, value and question may hold
    # names read from the database: each escaped for where it stands (code span, table cell, text)
    heading = facts.database if facts and facts.database else report.connection.target
    lines = [f"# dayone check: {markdown_text(heading)}", ""]
    if facts is not None and facts.version:
        lines.append(f"{markdown_text(facts.product)} {markdown_text(facts.version)}"
                     + (f", login {markdown_code(facts.login)}" if facts.login else "")
                     + f" — **{', '.join(f'{counts[s]} {s}' for s in STATUSES)}**")  # fmt: skip
    else:
        lines.append(f"{markdown_code(report.connection.target)} — **{', '.join(f'{counts[s]} {s}' for s in STATUSES)}**")
    lines += ["", "| | check | answer |", "| --- | --- | --- |"]
    lines += [f"| {item.status} | {item.title} | {markdown_table_cell(item.summary)} |" for item in report.items]
    for item in report.items:
        lines += ["", f"## {item.title} — {item.status}", "", markdown_text(item.summary)]
        if item.evidence:
            lines.append("")
            lines += [f"- {markdown_text(key.replace('_', ' '))}: {markdown_text(_value(value))}" for key, value in item.evidence.items()]
        if item.status != "pass" and item.questions:
            lines.append("")
            lines += [f"- **Question:** {markdown_text(q)}" for q in item.questions]
    lines += ["", "## Still to answer", ""]
    lines += [f"- [ ] {markdown_text(q)}" for q in report.questions]
    return "\n".join(lines) + "\n"


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(_value, value)) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)

