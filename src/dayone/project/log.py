"""The running log: notes, to-dos, questions asked by people, answers and ticks, each a datestamped,
attributed entry written once (dayone.project.state) and never rewritten.

Ids are short (`N-1a2b3c`: a letter for the kind, six hex digits) and may be typed without the
letter, in any case, or shortened while they stay unambiguous; an id that matches nothing is
answered with the close ones in one line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from dayone.errors import DayoneError
from dayone.project.config import FILE_NAME

if TYPE_CHECKING:
    from dayone.project import Project
    from dayone.project.questions import Question
    from dayone.project.state import Entry

KIND_NAMES = {"note": "note", "todo": "to-do", "ask": "question", "answer": "answer", "done": "tick",
              "closed": "closing", "reopened": "reopening"}  # fmt: skip
MIN_TYPED = 4  # hex digits an abbreviated id needs


def _text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise DayoneError(f"the {what} is empty: say it in quotes, e.g. dayone note \"orders are archived after 2 years\"")
    return text


def require_person(project: Project, name: str, option: str) -> str:
    """The person of dayone.yml `name` names (any case), or one line saying who there is."""
    people = project.file.people
    found = next((known for known in people if known.casefold() == name.strip().casefold()), None)
    if found is None:
        known = ", ".join(sorted(people)) or "nobody yet"
        raise DayoneError(f"{option} {name!r}: no person of that name in {FILE_NAME} (people: {known}); "
                          "`dayone person add NAME --role ROLE` adds one")  # fmt: skip
    return found


def require_source(project: Project, name: str) -> str:
    project.environments(name)  # one line naming the sources when there is no such one
    return name


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DayoneError(f"{option} {text!r}: not a date: write it as YYYY-MM-DD (2026-12-31)") from None


def note(project: Project, text: str, by: str, source: str | None = None) -> Entry:
    return project.state.add("note", _text(text, "note"), by, source=source and require_source(project, source))


def todo(project: Project, text: str, by: str, owner: str | None = None, due: str | None = None,
         source: str | None = None) -> Entry:  # fmt: skip
    return project.state.add(
        "todo", _text(text, "to-do"), by,
        owner=owner and require_person(project, owner, "--owner"),
        due=due and parse_date(due, "--due").isoformat(),
        source=source and require_source(project, source),
    )  # fmt: skip


def ask(project: Project, text: str, by: str, to: str | None = None, source: str | None = None) -> Entry:
    return project.state.add("ask", _text(text, "question"), by, to=to and require_person(project, to, "--to"),
                             source=source and require_source(project, source))  # fmt: skip


@dataclass(frozen=True)
class Found:
    """What an id typed on the command line names: a question, or a log entry."""

    id: str
    question: Question | None = None
    entry: Entry | None = None

    @property
    def summary(self) -> str:
        text = self.question.text if self.question is not None else self.entry.text if self.entry is not None else ""
        return text if len(text) <= 60 else text[:57] + "…"


def resolve(project: Project, typed: str) -> Found:
    """The question or entry `typed` names: its id, the id without its letter (`1a2b3c`), any case,
    or a unique start of at least four hex digits."""
    from dayone.project.questions import collect

    match = re.fullmatch(r"(?:([A-Za-z])-)?([0-9A-Fa-f]+)", typed.strip())
    if match is None:
        raise DayoneError(f"{typed!r} is not an id: ids read like Q-1a2b3c or T-4d5e6f (`dayone log`, `dayone questions`)")
    letter, digits = (match.group(1) or "").upper(), match.group(2).lower()
    entries = project.state.entries()
    if letter in ("N", "T"):  # a note or a to-do: the log alone says, no audit need be read
        named = {e.id: Found(e.id, entry=e) for e in entries if e.kind in ("note", "todo")}
    else:
        named = {q.id: Found(q.id, question=q) for q in collect(project, audit_missing=False).questions}
        for entry in entries:
            if entry.kind in ("note", "todo"):
                named.setdefault(entry.id, Found(entry.id, entry=entry))
    exact = [f for i, f in named.items() if i[2:] == digits and (not letter or i[0] == letter)]
    hits = exact or ([f for i, f in named.items() if i[2:].startswith(digits) and (not letter or i[0] == letter)]
                     if len(digits) >= MIN_TYPED else [])  # fmt: skip
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = ", ".join(f"{f.id} ({f.summary})" for f in hits[:5])
        raise DayoneError(f"{typed!r} names {len(hits)} entries: {listed}; type more of the id")
    close = difflib.get_close_matches(digits, [i[2:] for i in named if not letter or i[0] == letter], n=3, cutoff=0.6)
    close_ids = [next(i for i in named if i[2:] == c and (not letter or i[0] == letter)) for c in close]
    hint = ("did you mean " + ", ".join(f"{i} ({named[i].summary})" for i in close_ids) + "?") if close_ids else \
        "`dayone questions --status all` and `dayone log` list the ids"  # fmt: skip
    raise DayoneError(f"no question or to-do with the id {typed!r}: {hint}")


def answer(project: Project, typed: str, text: str, by: str) -> tuple[Entry, Question]:
    """Record the answer to a question (dayone's or a person's): a new entry naming it; the latest
    answer is the one that counts."""
    found = resolve(project, typed)
    if found.question is None:
        entry = found.entry
        what = KIND_NAMES[entry.kind]
        hint = f"`dayone done {entry.id}` ticks it" if entry.kind == "todo" else "only questions take an answer"
        raise DayoneError(f"{entry.id} is a {what}, not a question: {hint}")
    question = found.question
    entry = project.state.add("answer", _text(text, "answer"), by, refers=question.id, source=question.source,
                              data={"question": question.key})  # fmt: skip
    return entry, question


def done(project: Project, typed: str, by: str) -> tuple[Entry | None, str]:
    """Tick a to-do or close a question someone asked. Returns the new entry (None when it was done
    already) and the id ticked."""
    found = resolve(project, typed)
    question, entry = found.question, found.entry
    if question is not None and question.origin != "asked":
        raise DayoneError(f"{found.id} is a question from the {question.origin}: answer it with "
                          f"`dayone answer {found.id} TEXT`" + (" (it closes by itself when the finding is gone)"
                                                                if question.origin == "audit" else ""))  # fmt: skip
    if question is None and entry.kind != "todo":
        raise DayoneError(f"{found.id} is a {KIND_NAMES[entry.kind]}: only to-dos and questions are done")
    key = question.key if question is not None else entry.id
    if any(e.kind == "done" and e.refers == key for e in project.state.entries()):
        return None, found.id
    source = question.source if question is not None else entry.source
    return project.state.add("done", f"done: {found.summary}", by, refers=key, source=source), found.id


def entries(project: Project, since: str | None = None, source: str | None = None) -> list[Entry]:
    """The log, oldest first: from `since` (a date, or a date and time) on, of `source` only."""
    found = project.state.entries()
    if source is not None:
        if source not in project.file.sources and not any(e.source == source for e in found):
            require_source(project, source)
        found = [e for e in found if e.source == source]
    if since is not None:
        start = _moment(since)
        found = [e for e in found if _moment(e.at) >= start]
    return found


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DayoneError(f"--since {text!r}: not a date: write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
