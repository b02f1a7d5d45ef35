"""Findings: what a rule reports, with the evidence and the question for the engineering team."""

from __future__ import annotations

import hashlib
from functools import lru_cache
import re
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


# A name with one of these is quoted in a target: a dot (schema "s" with table "a.b" and schema
# "s.a" with table "b" would both read s.a.b, with one finding id), a double quote (the quoting
# itself), whitespace and control characters (a name that looks like another, or like nothing).
_NEEDS_QUOTES = re.compile('[."\\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]')


@lru_cache(maxsize=1 << 16)  # every finding spells its target; names repeat from rule to rule
def quoted_name(name: str) -> str:
    """`name` as a part of a target: as it is when plain (so targets and finding ids of ordinary
    names never change), in SQL-style double quotes with inner quotes doubled otherwise, as in
    `"a.b"`, `"say ""hi"" "` and `""` (the empty name)."""
    if name.isidentifier() or (name and _NEEDS_QUOTES.search(name) is None):  # isidentifier: most names, fast
        return name
    return '"' + name.replace('"', '""') + '"'


def target_name(*names: str, label: str | None = None) -> str:
    """A finding's target: schema, table and column names joined by dots, each quoted where it must
    be, so two different objects never share a spelling (nor a finding id). `label` stands first
    as it is: the SQLite database file's stem, the one label of its catalog, chosen by the user."""
    parts = [quoted_name(name) for name in names]
    return ".".join(parts if label is None else [label, *parts])


# One part of a target: a name as it is, or in double quotes with inner quotes doubled.
_PART = re.compile(r'"((?:[^"]|"")*)"|([^."]*)')


def split_target(target: str) -> list[str]:
    """`public."a.b".c` -> ["public", "a.b", "c"]: the names of a target as target_name spelled
    them."""
    parts: list[str] = []
    position = 0
    while True:
        match = _PART.match(target, position)
        quoted, plain = match.group(1), match.group(2)
        parts.append(quoted.replace('""', '"') if quoted is not None else plain)
        position = match.end()
        if position >= len(target) or target[position] != ".":
            return parts
        position += 1


class Location(NamedTuple):
    """Where a finding is, as names (not parsed back from the target's spelling): what groups of
    findings are made by (a schema, a table). A tuple: 30,000 findings make as many."""

    schema: str | None = None  # as the catalog names it (SQLite: "main")
    table: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str  # kebab-case rule name, e.g. "missing-primary-key"
    code: str  # short code, e.g. "DM101"
    severity: Severity
    target: str  # "schema.table", "schema.table.column", or the database name
    message: str  # what is wrong, in one sentence
    question: str  # what to ask the people who own the production system
    fix: str  # how to fix it at the source
    evidence: dict[str, Any] = field(default_factory=dict)  # the facts and numbers behind the claim
    location: Location = field(default=Location(), compare=False)  # not in the JSON: `target` says it

    @property  # not cached: filling a cache on first look costs about what the hash does, and the
    # JSON report hashes each finding's id once for its finding and its group (render.audit_formats)
    def id(self) -> str:
        """Stable across runs: the same rule on the same target always has the same id."""
        digest = hashlib.sha1(f"{self.rule}\0{self.target}".encode()).hexdigest()[:10]
        return f"{self.code}-{digest}"

    def as_dict(self, fix: str | None = None) -> dict[str, Any]:
        """The finding as JSON reports hold it; `fix` replaces the rule's documented fix (with the
        engine's own SQL, dayone.fixes)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "target": self.target,
            "message": self.message,
            "question": self.question,
            "fix": fix if fix is not None else self.fix,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Answer:
    """A person's answer to a group's question, recorded in a project's log (`dayone answer`): the
    group is then shown as acknowledged, with it, instead of as an open problem."""

    text: str
    by: str
    at: str  # ISO-8601

    def as_dict(self) -> dict[str, str]:
        return {"answer": self.text, "by": self.by, "at": self.at}
