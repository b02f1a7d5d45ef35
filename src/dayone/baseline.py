"""Baselines: the findings a team has accepted, so that CI fails only on new ones.

As ruff, sqlfluff and Atlas do it: `--write-baseline FILE` records today's findings by id; `--baseline
FILE` leaves those out of the report and the exit status, and says how many it left out. The file
is sorted, indented JSON, one finding per entry with its rule and target beside the id so that a
reviewer sees what was accepted, and it diffs cleanly in git. Ids are stable for the same rule and
target across runs (Finding.id), so a baseline outlives schema changes that do not touch what it
accepted.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from dayone.errors import DayoneError
from dayone.rules.engine import AuditResult

FORMAT = "dayone-baseline"
FORMAT_VERSION = 1


def write(result: AuditResult, path: str | Path) -> int:
    """Record every finding of `result` (before a baseline is applied: what is fixed drops out of the
    file, what is new enters it); returns how many."""
    from dayone.fileio import write_atomically

    entries = {f.id: {"id": f.id, "rule": f.rule, "target": f.target} for f in result.findings}
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "database": result.catalog.database,
        "findings": [entries[key] for key in sorted(entries)],
    }
    write_atomically(path, json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return len(entries)


def read(path: str | Path) -> list[dict]:
    """The accepted findings of a baseline file, or DayoneError with one line naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DayoneError(f"baseline {path} does not exist: create it with --write-baseline {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DayoneError(f"cannot read baseline {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DayoneError(f"baseline {path} is not valid JSON (line {exc.lineno}): write it again with --write-baseline") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DayoneError(f"{path} is not a dayone baseline (no \"format\": \"{FORMAT}\"): write one with --write-baseline")
    version = document.get("format_version")
    if type(version) is not int or version > FORMAT_VERSION:
        raise DayoneError(f"baseline {path} has format_version {version!r}; this dayone reads version {FORMAT_VERSION}")
    findings = document.get("findings")
    if not isinstance(findings, list) or not all(isinstance(f, dict) and isinstance(f.get("id"), str) for f in findings):
        raise DayoneError(f"baseline {path}: \"findings\" must be a list of objects with an \"id\"")
    return findings


def apply(result: AuditResult, accepted: list[dict], path: str | Path) -> AuditResult:
    """`result` without the findings the baseline accepted: they are counted, not reported."""
    ids = {entry["id"] for entry in accepted}
    new = tuple(f for f in result.findings if f.id not in ids)
    kept = tuple(f for f in result.findings if f.id in ids)
    return replace(result, findings=new, accepted_findings=kept, baseline=str(path))
