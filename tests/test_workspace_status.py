"""`dayone status`: a project's sources, questions, metrics, log and what is left, on one screen,
from the kept results (a source never audited is audited first), on SQLite files and a real
PostgreSQL database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import types
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import PG_ADMIN_URL, unique_name
from dayone.project import Project, init_project
from dayone.project.runs import SourceRef, check_source
from dayone.project.status import build_status, owner_of
from dayone.render.status import print_status, to_markdown

HOSTILE = "evil\x1b[2J\x1b]8;;http://x.example\x07link\r"


def dayone(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"})  # fmt: skip


def sqlite_db(path: Path, ddl: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(ddl)
    conn.close()
    return path


GOOD = """CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
          INSERT INTO members VALUES (1, 'a@example.com', '2026-10-01T10:00:00Z');"""
NO_KEY = "CREATE TABLE events (payload TEXT, created_at TIMESTAMPTZ NOT NULL); INSERT INTO events VALUES ('x', '2026-10-01T10:00:00Z');"


def make_project(folder: Path, sources: dict[str, str], people: dict | None = None, metrics: dict | None = None,
                 go_live: date | None = None) -> Project:  # fmt: skip
    project = init_project(folder, "launch")
    for name, url in sources.items():
        project.config.set(["sources", name, "prod"], {"url": url})
    for name, person in (people or {}).items():
        project.config.set(["people", name], person)
    for name, metric in (metrics or {}).items():
        project.config.set(["metrics", name], metric)
    if go_live:
        project.config.set(["go_live"], go_live.isoformat())
    project.config.save()
    return Project(project.folder, project.config)


@pytest.fixture
def launch(tmp_path, pg_db):
    """Two SQLite sources (one with a table without a primary key) and a PostgreSQL one."""
    sqlite_db(tmp_path / "members.db", GOOD)
    sqlite_db(tmp_path / "events.db", NO_KEY)
    pg_db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL)")
    project = make_project(tmp_path / "launch", {"members": "sqlite:///../members.db", "events": "sqlite:///../events.db",
                                                 "orders": pg_db.url},  # fmt: skip
                           people={"Priya Shah": {"role": "engineering lead", "owns": ["events"]},
                                   "Marcus Lee": {"role": "platform", "owns": ["orders", "access"]}},
                           go_live=date.today() + timedelta(days=10))  # fmt: skip
    return project


def test_status_audits_the_sources_never_audited_and_shows_each(launch):
    run = dayone("status", cwd=launch.folder)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for name in ("members", "events", "orders"):
        assert f"\n{name} · prod · " in out
        assert launch.state.latest(name, "prod", "audit") is not None  # kept: the next status reads it
        assert f"auditing {name}" in run.stderr
    assert "postgresql" in out and "sqlite" in out
    assert out.count("not checked yet: dayone check") == 3  # checks are kept by `dayone check`, not run here
    assert "blocker: events: events has no primary key" in out
    assert "go-live " in out and "in 10 days" in out and "10 days left" in out
    assert "Priya Shah" in out  # the events questions go to the owner of events
    assert "Log  empty" in out


def test_status_reads_the_kept_results_and_reports_a_source_that_fails(launch, tmp_path):
    dayone("status", cwd=launch.folder)
    check_source(launch, SourceRef("orders", "prod"))
    (tmp_path / "members.db").unlink()  # kept results are read, the file is not opened again
    missing = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{unique_name('dayone_gone')}"
    launch.config.set(["sources", "gone", "prod"], {"url": missing})
    launch.config.save()
    run = dayone("status", "--format", "json", cwd=launch.folder)
    assert run.returncode == 0, run.stderr
    status = json.loads(run.stdout)
    sources = {s["name"]: s for s in status["sources"]}
    assert sources["members"]["sections"] and not sources["members"]["errors"]
    access = sources["orders"]["access"]
    assert access["pass"] > 0 and sum(access[k] for k in ("pass", "warn", "fail", "unknown")) == 14
    assert len(access["failed"]) == access["fail"] and all(title[0].isupper() for title in access["failed"])
    assert sources["members"]["access"] is None
    assert sources["gone"]["errors"] and "audit failed" in sources["gone"]["errors"][0]
    assert "does not exist" in sources["gone"]["errors"][0]
    assert status["left"]["unread"] == ["gone"]
    assert "auditing gone" in run.stderr and "auditing members" not in run.stderr


def test_refresh_reads_and_checks_every_source_again(launch, tmp_path):
    dayone("status", cwd=launch.folder)
    with sqlite3.connect(tmp_path / "members.db") as conn:
        conn.execute("CREATE TABLE visits (page TEXT, created_at TIMESTAMPTZ NOT NULL)")
    assert "visits has no primary key" not in dayone("status", cwd=launch.folder).stdout
    run = dayone("status", "--refresh", cwd=launch.folder)
    assert run.returncode == 0, run.stderr
    assert "members: visits has no primary key" in run.stdout
    assert "not checked yet" not in run.stdout
    for name in ("members", "events", "orders"):
        assert len(launch.state.results(name, "prod", "audit")) == 2
        assert len(launch.state.results(name, "prod", "check")) == 1
    assert run.stdout.count("✔ 12 pass") == 2  # the SQLite files' checks ran and are shown


def test_status_of_four_sources_fits_one_screen(tmp_path, monkeypatch):
    sources = {}
    for name in ("identity", "grading", "vault", "collection"):
        sqlite_db(tmp_path / f"{name}.db", NO_KEY + GOOD.replace("members", f"{name}_members"))
        sources[name] = f"sqlite:///../{name}.db"
    metrics = {f"m{i}": {"source": name, "priority": "day-1", "sql": "SELECT 1"} for i, name in enumerate(sources, 1)}
    metrics["later"] = {"source": "vault", "priority": "later", "sql": "SELECT 1"}
    project = make_project(tmp_path / "p", sources, people={"A Very Long Person Name Indeed": {"role": "lead", "owns": ["identity"]}},
                           metrics=metrics, go_live=date(2026, 11, 2))  # fmt: skip
    for i in range(8):
        project.state.add("todo" if i % 3 == 0 else "note", "a long note " * 20, "Someone With A Long Name", owner="A Very Long Person Name Indeed")
    for name in sources:
        check_source(project, SourceRef(name, "prod"))
    _fake_metrics(monkeypatch, [{"name": f"m{i}", "source": name, "priority": "day-1", "status": ("feasible", "at-risk", "blocked")[i % 3],
                                 "reasons": ["x.y does not exist " * 5] if i % 3 else [], "depends_on": ["events.payload"]}
                                for i, name in enumerate(sources, 1)])  # fmt: skip
    status = build_status(project)
    lines = _text(status, width=100).splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    assert max(_cells(line) for line in lines) <= 100
    assert sum(1 for line in lines if line.startswith("  metrics") and "feasible" in line) == 4


def test_names_and_texts_are_escaped_in_text_and_markdown(tmp_path):
    sqlite_db(tmp_path / "h.db", f'CREATE TABLE "{HOSTILE}" (payload TEXT);')
    project = make_project(tmp_path / "p", {"hostile": "sqlite:///../h.db"}, people={HOSTILE: {"role": "**lead** <b>x</b>", "owns": ["hostile"]}})
    project.state.add("note", f"note {HOSTILE} | # heading", HOSTILE)
    project.state.add("todo", f"do {HOSTILE}", HOSTILE, owner=HOSTILE)
    status = build_status(project)
    text = _text(status, width=100)
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert "evil\\x1b[2J\\x1b]8;;http://x.example\\x07link\\r" in text
    assert "no primary key" in text
    markdown = to_markdown(status)
    assert "\x1b" not in markdown and "\r" not in markdown and "<b>" not in markdown
    assert "\n#" not in markdown.replace("\n# dayone status", "").replace("\n## ", "")  # no heading planted by a note
    raw = json.loads(dayone("status", "--format", "json", "--project", str(project.folder)).stdout)
    assert raw["log"]["latest"][0]["by"] == HOSTILE  # JSON keeps the real text, its readers decode it


def test_open_questions_go_to_the_owner_of_their_section_then_of_their_source(tmp_path):
    project = make_project(tmp_path / "p", {"grading": "sqlite:///g.db", "vault": "sqlite:///v.db"}, people={
        "Priya": {"role": "lead", "owns": ["grading"]},
        "Marcus": {"role": "platform", "owns": ["access", "vault"]},
        "Dana": {"role": "modeller", "owns": ["Data model"]},
    })  # fmt: skip
    assert owner_of(project, "grading", "Application and data flow") == "Priya"
    assert owner_of(project, "grading", "Infrastructure and access") == "Marcus"  # a word of the section
    assert owner_of(project, "grading", "Data model") == "Dana"
    assert owner_of(project, "vault", "Infrastructure and access") == "Marcus"
    assert owner_of(project, "collection", "What the data shows") is None
    assert owner_of(project, "vault", None) == "Marcus"


def test_fallback_questions_are_the_audits_open_groups_and_the_logs_unanswered_asks(tmp_path, monkeypatch):
    from dayone.project import questions

    for name in ("open_questions", "collect"):  # as before the questionnaire lands
        monkeypatch.delattr(questions, name, raising=False)
    sqlite_db(tmp_path / "e.db", NO_KEY)
    project = make_project(tmp_path / "p", {"events": "sqlite:///../e.db"}, people={"Priya": {"role": "lead", "owns": ["events"]}})
    asked = project.state.add("ask", "who writes events?", "me", to="Priya", source="events")
    project.state.add("ask", "answered already?", "me", source="events")
    status = build_status(project)
    audit = json.loads(project.state.latest("events", "prod", "audit").read_text())
    groups = sum(1 for g in audit["groups"] if g["severity"] in ("error", "warning"))
    assert groups >= 1
    assert status["questions"] == {"from": "audits", "open": groups + 2, "by_owner": [
        {"owner": "Priya", "role": "lead", "open": groups + 2, "sources": {"events": groups + 2}}]}  # fmt: skip
    project.state.add("answer", "the importer", "Priya", refers=asked.id)
    assert build_status(project)["questions"]["open"] == groups + 1


def test_the_questionnaire_and_the_metric_checks_are_used_when_they_exist(tmp_path, monkeypatch):
    sqlite_db(tmp_path / "e.db", NO_KEY)
    project = make_project(tmp_path / "p", {"events": "sqlite:///../e.db"}, people={"Priya": {"role": "lead"}},
                           metrics={"per_day": {"source": "events", "sql": "SELECT 1"}, "later": {"source": "events", "priority": "later", "sql": "SELECT 1"},
                                    "gone": {"source": "events", "sql": "SELECT 1"}})  # fmt: skip
    from dayone.project import questions

    monkeypatch.setattr(questions, "open_questions", lambda p: [
        {"id": "q1", "source": "events", "section": "Data model", "targets": ["main.events"], "to": "Priya"},
        types.SimpleNamespace(id="q2", source="events", section=None, target="main.other.x", to=None),
    ], raising=False)  # fmt: skip
    reason = types.SimpleNamespace  # the checks as objects (a report's .checks, reasons with a .message)
    _fake_metrics(monkeypatch, types.SimpleNamespace(checks=[
        reason(name="per_day", source="events", priority="day-1", status="at-risk", reasons=[reason(message="events.payload is never filled")],
               depends_on=["main.events.payload"], tables=["main.events"]),
        reason(name="later", source="events", priority="later", status="blocked", reasons=[reason(message="x")], depends_on=[], tables=[]),
        reason(name="gone", source="events", priority="day-1", status="blocked",
               reasons=[reason(message="events.created does not exist; did you mean created_at?")], depends_on=[], tables=[]),
    ]))  # fmt: skip
    status = build_status(project)
    assert status["questions"]["from"] == "questionnaire"
    assert [(r["owner"], r["open"]) for r in status["questions"]["by_owner"]] == [("Priya", 1), (None, 1)]
    assert status["sources"][0]["metrics"] == {"declared": 3, "day_1": 2, "feasible": 0, "at-risk": 1, "blocked": 1}
    assert status["left"]["day_1_questions"] == 1  # q1 is about events, which per_day reads
    assert [m["name"] for m in status["left"]["metrics_blocked"]] == ["gone"]  # a later metric does not hold up go-live
    text = _text(status, width=100)
    assert "day 1: ✔ 0 feasible  ▲ 1 at risk  ✖ 1 blocked · 1 later" in text
    assert "day-1 metric blocked: gone (events.created does not exist; did you mean created_at?)" in text
    assert "2 open questions (1 on what day-1 metrics read): Priya 1, nobody yet 1" in text


def test_status_outside_a_project_says_how_to_make_one(tmp_path):
    run = dayone("status", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == "dayone: error: no dayone.yml here or in a folder above: `dayone init` creates a project"


def _fake_metrics(monkeypatch, checked) -> None:
    module = types.ModuleType("dayone.project.metrics")
    module.check_metrics = lambda project: checked
    monkeypatch.setitem(sys.modules, "dayone.project.metrics", module)


def _text(status: dict, width: int) -> str:
    import io

    buffer = io.StringIO()
    print_status(status, buffer, color=False, width=width)
    return buffer.getvalue()


def _cells(line: str) -> int:
    from dayone.render.status import _cells as cells

    return cells(line)
