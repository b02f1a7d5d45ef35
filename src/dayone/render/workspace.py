"""The project's listings as text (sources, people) and the combined summary of `dayone audit` /
`dayone check` run on every source: one row per source, as text or JSON. Names are the user's and
errors may quote a server: control characters are shown escaped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dayone.render.escape import json_text, terminal_text

if TYPE_CHECKING:
    from dayone.cli.every import Outcome

CHECK_STATUSES = ("pass", "warn", "fail", "unknown")


def audit_counts(report: dict[str, Any] | None) -> dict[str, int]:
    """Blockers, open questions and information of a kept audit report, as its verdict counts them."""
    sections = (report or {}).get("sections") or []
    return {
        "blockers": sum(len(s.get("blockers") or ()) for s in sections),
        "open_questions": sum(s.get("open_questions", 0) for s in sections),
        "information": sum(s.get("info_questions", 0) for s in sections),
    }


def check_counts(report: dict[str, Any] | None) -> dict[str, int]:
    summary = (report or {}).get("summary") or {}
    return {status: summary.get(status, 0) for status in CHECK_STATUSES}


def said(outcome: Outcome) -> str:
    """What one source's run came to, in a few words: a progress line's and a summary row's."""
    if outcome.status in ("failed", "unreachable"):
        return f"{outcome.status}: {outcome.error or 'no reason given'}"
    if outcome.status == "audited":
        counts = audit_counts(outcome.report)
        return (f"audited, {counts['blockers']} blocker{'s' if counts['blockers'] != 1 else ''}, "
                f"{counts['open_questions']} question{'s' if counts['open_questions'] != 1 else ''}")  # fmt: skip
    counts = check_counts(outcome.report)
    return "checked, " + ", ".join(f"{counts[s]} {s}" for s in CHECK_STATUSES if counts[s] or s != "unknown")


def summary_json(kind: str, outcomes: list[Outcome], folder: Path) -> str:
    rows = []
    for outcome in outcomes:
        row: dict[str, Any] = {"source": outcome.source, "env": outcome.env, "status": outcome.status, "error": outcome.error,
                               "report": str(outcome.path.relative_to(folder)) if outcome.path else None}  # fmt: skip
        if outcome.status == "audited":
            row.update(audit_counts(outcome.report), findings=(outcome.report or {}).get("summary"))
        elif outcome.status in ("checked", "unreachable"):
            row.update(check_counts(outcome.report))
        rows.append(row)
    document = {"command": kind, "sources": rows}
    return json_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def summary_text(kind: str, outcomes: list[Outcome]) -> str:
    numbers = ("blockers", "open questions", "for information") if kind == "audit" else CHECK_STATUSES
    rows = []
    for outcome in outcomes:
        if outcome.status == "audited":
            counts = list(audit_counts(outcome.report).values())
        elif outcome.status in ("checked", "unreachable"):
            counts = list(check_counts(outcome.report).values())
        else:
            counts = ["-"] * len(numbers)
        rows.append((outcome.source, outcome.env, outcome.status, *map(str, counts)))
    text = aligned(("source", "env", "status", *numbers), rows, right=numbers)
    return text + "".join(terminal_text(f"{o.label}: {o.error}") + "\n" for o in outcomes if o.error)


def aligned(headers: tuple[str, ...], rows: list[tuple[str, ...]], right: tuple[str, ...] = ()) -> str:
    """A plain table: columns padded to their widest cell, two spaces apart, never cut or wrapped
    (a URL stays whole, to copy), each cell's control characters escaped."""
    from rich.cells import cell_len

    shown = [tuple(headers)] + [tuple(terminal_text(cell) for cell in row) for row in rows]
    widths = [max(cell_len(row[i]) for row in shown) for i in range(len(headers))]
    lines = []
    for row in shown:
        cells = []
        for header, cell, width in zip(headers, row, widths):
            pad = " " * (width - cell_len(cell))
            cells.append(pad + cell if header in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
