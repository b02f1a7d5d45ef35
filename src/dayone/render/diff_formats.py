"""A diff as text, JSON and Markdown. Names and comments come from databases: escaped for where
they go (control characters in a terminal, Markdown punctuation, JSON's raw controls)."""

from __future__ import annotations

import orjson

from dayone.diff.model import IMPACTS, Change, DiffResult
from dayone.render.escape import json_text, markdown_code, markdown_code_cell, markdown_table_cell, terminal_text

HEADINGS = {"breaking": "Breaking", "action": "Needs action", "info": "Info"}


def to_json(result: DiffResult) -> str:
    """{"changes": [{"kind", "target", "impact", "detail", "metrics"}], "summary": {...}}"""
    return json_text(orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode())


def _metrics(change: Change) -> str:
    if not change.metrics:
        return ""
    said = [f"{m.name} (blocked{': ' + m.reason if m.reason else ''})" if m.blocked else m.name for m in change.metrics]
    return "metrics: " + ", ".join(said)


def summary_line(result: DiffResult) -> str:
    if not result.changes:
        return f"no changes between {result.old} and {result.new}"
    counts = ", ".join(f"{result.count(i)} {i}" for i in IMPACTS if result.count(i))
    return f"{len(result.changes)} change(s) from {result.old} to {result.new}: {counts}"


def _by_impact(result: DiffResult) -> list[tuple[str, list[Change]]]:
    """The changes under their impact, the most severe first, impacts without one left out."""
    grouped: dict[str, list[Change]] = {impact: [] for impact in IMPACTS}
    for change in result.changes:
        grouped[change.impact].append(change)
    return [(impact, changes) for impact, changes in grouped.items() if changes]


def to_text(result: DiffResult) -> str:
    lines = [terminal_text(summary_line(result))]
    for impact, changes in _by_impact(result):
        lines += ["", f"{HEADINGS[impact]} ({len(changes)})"]
        for change in changes:
            lines.append(terminal_text(f"  {change.target}  [{change.kind}]"))
            lines.append(terminal_text(f"      {change.detail}"))
            if change.metrics:
                lines.append(terminal_text(f"      {_metrics(change)}"))
    blocked = result.summary()["metrics_blocked"]
    if blocked:
        lines += ["", terminal_text(f"metrics blocked: {', '.join(blocked)}")]
    return "\n".join(lines) + "\n"


def to_markdown(result: DiffResult) -> str:
    lines = [f"# Drift: {markdown_code(result.old)} → {markdown_code(result.new)}", ""]
    if not result.changes:
        return "\n".join(lines + ["No changes.", ""])
    counts = " · ".join(f"**{result.count(i)}** {i}" for i in IMPACTS)
    lines += [counts, ""]
    for impact, changes in _by_impact(result):
        lines += [f"## {HEADINGS[impact]} ({len(changes)})", "", "| target | change | detail | metrics |", "|---|---|---|---|"]
        for change in changes:
            metrics = ", ".join(f"{m.name} (blocked)" if m.blocked else m.name for m in change.metrics)
            lines.append(f"| {markdown_code_cell(change.target)} | {change.kind} | {markdown_table_cell(change.detail)} | "
                         f"{markdown_table_cell(metrics)} |")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


FORMATS = {"text": to_text, "json": to_json, "markdown": to_markdown}
