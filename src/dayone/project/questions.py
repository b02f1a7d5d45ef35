"""The questionnaire for the engineering team: what a person still has to answer about each source.

Three kinds of question, one list:

- from the audits: every group of findings that needs a human answer (errors, warnings, and the
  info groups that ask something) is a question, one per pattern and source: the same group seen
  in prod and dev, or in run after run, is one question (dayone.project.subjects). It is open while
  the latest audit of one of the source's environments shows it; `reconcile`, run after each kept
  audit, writes a log entry when it disappears ("closed") and when it comes back ("reopened");
- from `dayone check`: what no database can tell (who owns the credentials, where the shared
  secret lives, which environments there are, the network path, the go-live date), per source or
  once per project, with what the kept checks did find as facts;
- asked by people: `dayone ask`.

Nothing is stored for a question itself: it is worked out from the kept results and the log each
time, so two branches that audit and answer merge without conflicts. Its id is a hash of what it is
about (`Q-` and at least six hex digits, more where two would read alike); answers name the
question by that identity, so a longer id never loses one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dayone.errors import DayoneError
from dayone.findings import Answer
from dayone.project.model import ENVIRONMENTS
from dayone.project.subjects import subject_key
from dayone.rules.registry import FAMILIES

if TYPE_CHECKING:
    from dayone.project import Project
    from dayone.project.runs import SourceRef
    from dayone.project.state import Entry
    from dayone.rules.engine import AuditResult

# The checklist's sections in its order (the audit's: access first), then what people asked.
SECTIONS = {**{family: FAMILIES[family] for family in ("access", "model", "flow", "data", "governance")},
            "asked": "Asked by the team"}  # fmt: skip
STATUSES = ("open", "answered", "closed")
# Info groups that state a fact to act on rather than ask: the rows already show a column is always
# set; the extraction method is configuration for the ELT tool (its CDC half is the check's question).
NOT_ASKED = frozenset({"nullable-never-null", "extraction-method"})
# Rules about wall-clock time: the server's time zone is a fact worth showing with them.
TIME_RULES = frozenset({"timestamp-without-time-zone", "mixed-timestamp-conventions"})
FACTS_SHOWN = 6  # evidence items per question
# Evidence that says how a rule decided rather than what the database holds.
UNSAID_EVIDENCE = frozenset({"basis", "found_by", "detected_by", "marker_kind", "referenced_match_share", "observed_in"})
TARGETS_KEPT = 50  # targets a closing entry keeps


@dataclass
class Question:
    key: str  # what it is about, whatever its id: answers and closings name it
    origin: str  # audit, check, asked
    section: str  # a SECTIONS key
    text: str  # the question itself
    source: str | None = None  # None: the whole project
    id: str = ""
    rule: str | None = None
    severity: str | None = None
    message: str = ""  # what the audit found, in one sentence
    targets: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # what dayone already knows
    environments: list[str] = field(default_factory=list)  # where the audit shows it
    group_ids: dict[str, str] = field(default_factory=dict)  # environment -> the audit's group id
    present: bool = True  # the latest audits (or the check, the log) still ask it
    status: str = "open"
    to: str | None = None
    answer: Answer | None = None  # the latest answer
    answer_stands: bool = False  # given since the question was last closed or reopened
    asked_by: str | None = None
    asked_at: str | None = None

    @property
    def about(self) -> str:
        if not self.targets:
            return self.source or "the project"
        if len(self.targets) == 1:
            return self.targets[0]
        return f"{len(self.targets)} targets: " + ", ".join(self.targets[:3]) + (" …" if len(self.targets) > 3 else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "origin": self.origin, "section": SECTIONS[self.section],
            "source": self.source, "question": self.text, "about": self.about, "targets": self.targets,
            "facts": self.facts, "rule": self.rule, "severity": self.severity, "environments": self.environments,
            "group_ids": self.group_ids, "to": self.to, "answer": self.answer.as_dict() if self.answer else None,
            "answer_stands": self.answer_stands,
            "asked_by": self.asked_by, "asked_at": self.asked_at,
        }  # fmt: skip


@dataclass
class Questionnaire:
    questions: list[Question]
    problems: list[str]  # sources that could not be audited, said in one line each


# -- questions from an audit report -------------------------------------------------------------------


def asks(group: dict[str, Any]) -> bool:
    """Whether a group of the audit needs a person's answer."""
    return group.get("severity") in ("error", "warning") or (group.get("severity") == "info" and group.get("rule") not in NOT_ASKED
                                                             and bool(group.get("question")))  # fmt: skip


def audit_questions(source: str, env: str, report: dict[str, Any]) -> dict[str, Question]:
    """The questions one kept audit report asks, by key."""
    database = report.get("database") or ""
    findings = {f.get("id"): f for f in report.get("findings", ())}
    found: dict[str, Question] = {}
    for group in report.get("groups", ()):
        if not asks(group):
            continue
        members = [findings[i] for i in group.get("finding_ids", ()) if i in findings]
        first = members[0] if members else {"target": (group.get("targets") or [""])[0], "evidence": {}}
        key = "\0".join(("audit", source, group["rule"], subject_key(group["rule"], first["target"], first.get("evidence") or {}, database)))
        found[key] = Question(
            key=key, origin="audit", section=_family(group.get("section")), text=group.get("question", ""), source=source,
            rule=group["rule"], severity=group.get("severity"), message=group.get("message", ""),
            targets=list(group.get("targets", ())), facts=[group.get("message", ""), *_evidence_facts(members, group.get("message", ""))],
            environments=[env], group_ids={env: group["id"]},
        )  # fmt: skip
    return found


def _family(section: str | None) -> str:
    return next((family for family, title in FAMILIES.items() if title == section), "model")


def _evidence_facts(findings: list[dict[str, Any]], message: str) -> list[str]:
    """The evidence every finding of the group shares, as short facts ("declared type: REAL"), but
    what the group's message says already."""
    if not findings:
        return []
    said = message.lower()
    shared = dict(findings[0].get("evidence") or {})
    for finding in findings[1:]:
        evidence = finding.get("evidence") or {}
        shared = {k: v for k, v in shared.items() if evidence.get(k) == v}
    facts = []
    for name, value in shared.items():
        if value in (None, "", [], {}) or isinstance(value, dict) or name in UNSAID_EVIDENCE:
            continue
        if not isinstance(value, bool) and (", ".join(map(str, value)) if isinstance(value, list) else str(value)).lower() in said:
            continue
        facts.append(f"{name.replace('_', ' ')}: {_said(value)}")
        if len(facts) == FACTS_SHOWN:
            break
    return facts


def _said(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        shown = ", ".join(_said(v) for v in value[:5])
        return shown + (f" and {len(value) - 5} more" if len(value) > 5 else "")
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


# -- questions no database can answer (dayone check) ----------------------------------------------------


def _is_file(url: str) -> bool:
    return "://" not in url or url.lower().startswith(("sqlite:", "sqlite+"))


def check_questions(project: Project, source: str) -> list[Question]:
    """Per source: who owns its credentials, which network extraction comes from, which environments
    it has; with what its latest kept check found."""
    from dayone.project.runs import SourceRef, latest_check

    environments = project.environments(source)
    check = next((c for env in ENVIRONMENTS if env in environments and (c := latest_check(project, SourceRef(source, env)))), None)
    items = {item.get("id"): item for item in (check or {}).get("checks", ())}

    def summary(item_id: str, label: str) -> list[str]:
        item = items.get(item_id)
        return [f"{label}: {item['summary']}"] if item and item.get("summary") else []

    login = (check or {}).get("login")
    credentials = ([f"dayone logged in as {login}"] if login else []) + summary("read-only", "read-only check")
    network = summary("reachability", "reachability") + summary("hosting", "hosting") + summary("tls", "encryption")
    bastions = sorted({db.ssh for db in environments.values() if db.ssh})
    if bastions:
        from dayone.errors import redact

        network.append("dayone.yml reaches it through " + ", ".join(redact(b) for b in bastions))
    names = ", ".join(environments)
    # A database file (SQLite) has no login and no network path: those questions would ask what the
    # facts already answer. Which copy of the file is production still needs a person.
    files = all(_is_file(db.url) for db in environments.values())
    return [
        *([] if files else [
            _check_question(source, "credentials", f"Who owns the credentials dayone uses for {source} (a person or a "
                            "service account), and who rotates them?", credentials),
            _check_question(source, "network", f"From which network will extraction from {source} run (VPN, bastion, "
                            "allow-listed IP addresses), and who approves that access?", network),
        ]),
        _check_question(source, "environments", f"Are there separate development, staging and production databases for "
                        f"{source}, and do schema changes reach them in the same order, at known times?",
                        [f"dayone.yml names {names} for {source}"]),
    ]  # fmt: skip


def project_questions(project: Project) -> list[Question]:
    from dayone.preflight import OPEN_QUESTIONS

    secret = _check_question(None, "secret-storage", OPEN_QUESTIONS[1], ["dayone.yml holds no password: each user gives it "
                             "through DAYONE_PASSWORD_<SOURCE>, a password command, the keyring or .pgpass / .my.cnf"])  # fmt: skip
    go_live = _check_question(None, "go-live", "When does production go live: the date analytics must be ready by?", [])
    if project.file.go_live is not None:
        go_live.answer = Answer(f"go_live: {project.file.go_live.isoformat()}", "dayone.yml", "")
        go_live.answer_stands = True
    return [secret, go_live]


def _check_question(source: str | None, item: str, text: str, facts: list[str]) -> Question:
    return Question(key="\0".join(("check", source or "", item)), origin="check", section="access", text=text,
                    source=source, rule=item, facts=facts)  # fmt: skip


# -- the whole questionnaire --------------------------------------------------------------------------


def collect(project: Project, sources: list[str] | None = None, refresh: bool = False, audit_missing: bool = True,
            say: Callable[[str], None] | None = None) -> Questionnaire:  # fmt: skip
    """Every question of the project (of `sources`), with its status, answer and addressee.

    A source with no kept audit is audited first (`audit_missing`); `refresh` audits each source
    again; `say` is told before each audit. A source that cannot be audited is named in
    `problems`; the others go on."""
    from dayone.project.runs import SourceRef, audit_source

    chosen = list(project.file.sources) if sources is None else sources
    problems: list[str] = []
    found: dict[str, Question] = {}
    for source in chosen:
        environments = [env for env in ENVIRONMENTS if env in project.environments(source)]
        kept = [env for env in environments if project.state.latest(source, env, "audit") is not None]
        wanted = kept if refresh else [] if kept or not audit_missing else environments[:1]
        if refresh and environments[0] not in wanted:
            wanted.insert(0, environments[0])
        for env in wanted:
            if say is not None:
                say(f"auditing {SourceRef(source, env).label}" + ("" if refresh else ": it has no kept audit yet"))
            try:
                audit_source(project, SourceRef(source, env))
            except DayoneError as exc:
                problems.append(f"{SourceRef(source, env).label}: not audited: {exc}")
        for env in environments:
            report = _latest_report(project, source, env)
            if report is None:
                continue
            timezone = _server_timezone(project, source, env) if _asks_about_time(report) else None
            for key, question in audit_questions(source, env, report).items():
                if timezone and question.rule in TIME_RULES and not any(timezone in fact for fact in question.facts):
                    question.facts.append(f"server time zone ({env}): {timezone}")
                _merge(found, key, question)
        for question in check_questions(project, source):
            found[question.key] = question
    if sources is None:
        for question in project_questions(project):
            found[question.key] = question
    entries = project.state.entries()
    _add_closed_and_asked(project, found, entries, chosen if sources is not None else None)
    questions = list(found.values())
    _apply_log(questions, entries)
    _name(questions)
    for question in questions:
        question.to = question.to or addressee(project, question.source, question.section)
    order = {name: i for i, name in enumerate(SECTIONS)}
    questions.sort(key=lambda q: (order[q.section], q.source or "", q.origin != "check", _RANK.get(q.severity, 3), q.id))
    return Questionnaire(questions, problems)


_RANK = {"error": 0, "warning": 1, "info": 2}


def _merge(found: dict[str, Question], key: str, question: Question) -> None:
    """The same question from another environment: one question, seen in both."""
    known = found.get(key)
    if known is None:
        found[key] = question
        return
    for env in question.environments:
        if env not in known.environments:
            known.environments.append(env)
            known.group_ids.update(question.group_ids)
    said = [f"{', '.join(question.environments)}: {question.message}"] if question.message != known.message else []
    known.facts += [f for f in said + question.facts[1:] if f not in known.facts]


def _latest_report(project: Project, source: str, env: str) -> dict[str, Any] | None:
    path = project.state.latest(source, env, "audit")
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DayoneError(f"{path} cannot be read ({type(exc).__name__}): audit {source} again (--refresh)") from None


def _asks_about_time(report: dict[str, Any]) -> bool:
    return any(g.get("rule") in TIME_RULES for g in report.get("groups", ()))


def _server_timezone(project: Project, source: str, env: str) -> str | None:
    path = project.state.latest(source, env, "snapshot")
    try:
        return json.loads(path.read_text(encoding="utf-8"))["catalog"].get("server_timezone") if path else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _add_closed_and_asked(project: Project, found: dict[str, Question], entries: list[Entry], sources: list[str] | None) -> None:
    """Questions the latest audits no longer ask (known from their closing entries), and those people asked."""
    for entry in entries:
        if sources is not None and entry.source not in sources:
            continue
        key = (entry.data or {}).get("question")
        if entry.kind == "closed" and key and key not in found and entry.source in project.file.sources:
            data = entry.data
            found[key] = Question(key=key, origin="audit", section=data.get("section", "model"), text=data.get("text", ""),
                                  source=entry.source, rule=data.get("rule"), severity=data.get("severity"),
                                  message=data.get("message", ""), targets=list(data.get("targets", ())),
                                  facts=[data.get("message", "")], present=False)  # fmt: skip
        elif entry.kind == "ask":
            found[entry.id] = Question(key=entry.id, origin="asked", section="asked", text=entry.text, source=entry.source,
                                       id=entry.id, to=entry.to, asked_by=entry.by, asked_at=entry.at)  # fmt: skip


def _apply_log(questions: list[Question], entries: list[Entry]) -> None:
    """Status and answer from the log: the latest answer counts unless the question was closed or
    reopened after it; a question someone ticked (`dayone done`) is closed."""
    answers: dict[str, tuple[int, Answer]] = {}
    changed: dict[str, int] = {}  # key -> position of its latest closing or reopening
    done: set[str] = set()
    for position, entry in enumerate(entries):
        key = (entry.data or {}).get("question") or entry.refers
        if key is None:
            continue
        if entry.kind == "answer":
            answers[key] = (position, Answer(entry.text, entry.by, entry.at))
        elif entry.kind in ("closed", "reopened"):
            changed[key] = position
        elif entry.kind == "done":
            done.add(key)
    for question in questions:
        answered = answers.get(question.key)
        if answered is not None:
            question.answer = answered[1]
            question.answer_stands = answered[0] > changed.get(question.key, -1)
        if not question.present or question.key in done:
            question.status = "closed"
        elif question.answer is not None and (question.answer_stands or question.origin != "audit"):
            question.status = "answered"


def _name(questions: list[Question]) -> None:
    """Ids: `Q-` and the first six hex digits of the key's hash, more where two would read alike
    (as git abbreviates commits). People's questions keep the id their entry got."""
    taken = {q.id[2:] for q in questions if q.id}
    digests = sorted((hashlib.sha1(q.key.encode()).hexdigest(), i) for i, q in enumerate(questions) if not q.id)
    for position, (digest, index) in enumerate(digests):
        length = 6
        for neighbour in (position - 1, position + 1):
            if 0 <= neighbour < len(digests):
                other = digests[neighbour][0]
                common = next((n for n in range(len(digest)) if digest[n] != other[n]), len(digest))
                length = max(length, common + 1)
        while digest[:length] in taken:
            length += 1
        questions[index].id = f"Q-{digest[:length]}"


# -- who is asked ---------------------------------------------------------------------------------------

_SECTION_WORDS = {
    "access": ("access", "infrastructure", "infrastructure and access", "access and infrastructure"),
    "model": ("model", "data model"),
    "flow": ("flow", "data flow", "application", "application and data flow"),
    "data": ("data", "what the data shows"),
    "governance": ("governance", "personal data", "governance: personal data", "privacy"),
}


def owned_section(word: str) -> str | None:
    """The checklist section a person's `owns` entry names ("Data model", "access"...), if any."""
    said = " ".join(word.replace("-", " ").replace("_", " ").lower().split())
    return next((family for family, words in _SECTION_WORDS.items() if said in words), None)


def addressee(project: Project, source: str | None, section: str | None) -> str | None:
    """Who a question goes to: the person who owns both its source and its section, else its
    section, else its source; None when nobody does."""
    owners = {name: set(person.owns) for name, person in project.file.people.items()}
    sections = {name: {owned_section(w) for w in owns} for name, owns in owners.items()}
    has_source = [name for name, owns in owners.items() if source is not None and source in owns]
    has_section = [name for name in owners if section is not None and section in sections[name]]
    for candidates in ([n for n in has_source if n in has_section], has_section, has_source):
        if candidates:
            return candidates[0]
    return None


# -- after each kept audit ------------------------------------------------------------------------------


def reconcile(project: Project, ref: SourceRef, audit: dict[str, Any], by: str) -> None:
    """Called after a source's audit is kept: a question whose group no latest audit of the source
    shows any more is closed with a log entry; one that comes back after a closing is reopened."""
    others: dict[str, Question] = {}
    for env in project.environments(ref.name):
        if env != ref.env and (report := _latest_report(project, ref.name, env)) is not None:
            others.update(audit_questions(ref.name, env, report))
    kept = project.state.results(ref.name, ref.env, "audit")
    before = dict(others)
    if len(kept) >= 2:  # the latest is the one just kept: the one before it is what was known
        try:
            before.update(audit_questions(ref.name, ref.env, json.loads(kept[-2].read_text(encoding="utf-8"))))
        except (OSError, ValueError):  # unreadable: what it asked is unknown, so nothing is closed
            return
    now = {**others, **audit_questions(ref.name, ref.env, audit)}
    last: dict[str, str] = {}
    for entry in project.state.entries():
        if entry.kind in ("closed", "reopened") and (key := (entry.data or {}).get("question")):
            last[key] = entry.kind
    for key, question in before.items():
        if key not in now and _could_see(audit, question.rule):
            _log(project, "closed", f"the finding is gone from the {ref.label} audit: {question.message}", question, by)
    for key, question in now.items():
        if key not in before and last.get(key) == "closed":
            _log(project, "reopened", f"the finding is back in the {ref.label} audit: {question.message}", question, by)


def _could_see(audit: dict[str, Any], rule_name: str | None) -> bool:
    """Whether the audit could have found what the rule finds: the rule ran (not left out by
    --select or --ignore) and, for a rule that reads rows, rows were read. Otherwise a finding
    missing from it is not gone: its question stays as it is."""
    from dayone.rules import REGISTRY

    rule = REGISTRY.get(rule_name or "")
    if rule is None or rule.name not in audit.get("rules", ()):
        return False
    return "profile" not in rule.needs or audit.get("profile") is not None


def _log(project: Project, kind: str, text: str, question: Question, by: str) -> None:
    _name([question])
    data = {"question": question.key, "rule": question.rule, "section": question.section, "severity": question.severity,
            "text": question.text, "message": question.message, "targets": question.targets[:TARGETS_KEPT]}  # fmt: skip
    project.state.add(kind, text, by, refers=question.id, source=question.source, data=data)


# -- answers shown in audits -----------------------------------------------------------------------------


def acknowledge(project: Project, ref: SourceRef, result: AuditResult) -> AuditResult:
    """`result` with the project's answers to its groups' questions (AuditResult.answers), which the
    reports show as acknowledged instead of as open problems."""
    from dayone.groups import group_findings

    answered = _answers(project, ref.name)
    if not answered:
        return result
    found = {}
    database = result.catalog.database
    for group in group_findings(result):
        first = group.findings[0]
        key = "\0".join(("audit", ref.name, group.rule, subject_key(group.rule, first.target, first.evidence, database)))
        if key in answered:
            found[group.id] = answered[key]
    return replace(result, answers=found) if found else result


def _answers(project: Project, source: str) -> dict[str, Answer]:
    """The audit questions of `source` answered since their latest closing or reopening, by key."""
    entries = [e for e in project.state.entries() if e.source == source]
    questions = {}
    for entry in entries:
        key = (entry.data or {}).get("question")
        if key and key.startswith("audit\0") and entry.kind in ("answer", "closed", "reopened"):
            questions.setdefault(key, Question(key=key, origin="audit", section="model", text=""))
    if not questions:
        return {}
    _apply_log(list(questions.values()), entries)
    return {key: q.answer for key, q in questions.items() if q.answer is not None and q.answer_stands}
