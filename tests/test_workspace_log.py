"""The running log as a user keeps it: notes, to-dos, questions and answers, dated and attributed,
never rewritten; two branches merge in git without conflicts; writers at once lose nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dayone.project import find_project, log
from dayone.project.state import State
from workspace_log_helpers import dayone, run, log_json, make_project, ok, one_line_error, questions_json

PEOPLE = {"Priya Shah": {"role": "engineering lead", "contact": "priya@example.com", "owns": ["app"]},
          "Dan Okafor": {"role": "DBA", "owns": ["access"]}}  # fmt: skip


def app_database(path: Path) -> None:
    """A small application database with a few problems: orders without a primary key, money in a float."""
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, status TEXT, created_at TEXT);
            CREATE TABLE orders (user_id INTEGER, amount REAL, created_at TEXT);
            INSERT INTO users VALUES (1, 'a@example.com', 'active', '2026-01-01'), (2, 'b@example.com', 'gone', '2026-01-02');
            INSERT INTO orders VALUES (1, 9.99, '2026-01-01'), (2, 1.5, '2026-01-03');
        """)
    db.close()


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "launch"
    folder.mkdir()
    app_database(folder / "app.db")
    make_project(folder, {"app": {"prod": "sqlite:///app.db"}}, PEOPLE)
    return folder


def test_entries_are_dated_attributed_and_shown_in_every_format(project_dir):
    today = datetime.now(timezone.utc).date().isoformat()
    noted = ok(dayone("note", "kick-off with the app team", "--by", "Ana", cwd=project_dir))
    ok(run("todo", "ask for a read replica", "--owner", "priya shah", "--due", "2026-12-20", "--by", "Ana", cwd=project_dir))
    ok(run("ask", "Are orders archived after two years?", "--to", "Dan Okafor", "--source", "app", "--by", "Ana", cwd=project_dir))
    entries = log_json(project_dir)
    assert [e["kind"] for e in entries] == ["note", "todo", "ask"]
    assert all(e["by"] == "Ana" and e["at"].startswith(today) for e in entries)
    assert entries[0]["id"] in noted and entries[0]["id"].startswith("N-") and len(entries[0]["id"]) == 8
    assert entries[1]["owner"] == "Priya Shah" and entries[1]["due"] == "2026-12-20"  # the person as dayone.yml spells it
    assert entries[2]["to"] == "Dan Okafor" and entries[2]["source"] == "app"
    text = ok(run("log", cwd=project_dir))
    for entry in entries:
        assert entry["id"] in text and entry["text"] in text
    assert "owner Priya Shah, due 2026-12-20" in text
    markdown = ok(run("log", "--format", "markdown", cwd=project_dir))
    assert f"## {today}" in markdown and "**to-do**" in markdown
    # without --by: git's user name
    ok(run("note", "from git", cwd=project_dir, env={"GIT_CONFIG_GLOBAL": str(_git_config(project_dir, "Grace Hopper"))}))
    assert log_json(project_dir)[-1]["by"] == "Grace Hopper"


def _git_config(folder: Path, name: str) -> Path:
    path = folder.parent / "gitconfig"
    path.write_text(f"[user]\n\tname = {name}\n\temail = g@example.com\n", encoding="utf-8")
    return path


def test_bad_input_is_one_line_naming_what_to_do(project_dir):
    said = one_line_error(run("todo", "x", "--owner", "Bob", cwd=project_dir))
    assert "'Bob'" in said and "Dan Okafor, Priya Shah" in said
    assert "Priya Shah" in one_line_error(run("ask", "x", "--to", "nobody", cwd=project_dir))
    assert "YYYY-MM-DD" in one_line_error(run("todo", "x", "--due", "next friday", cwd=project_dir))
    said = one_line_error(run("ask", "x", "--source", "grading", cwd=project_dir))
    assert "'grading'" in said and "app" in said
    assert "empty" in one_line_error(run("note", "  ", cwd=project_dir))
    assert "YYYY-MM-DD" in one_line_error(run("log", "--since", "yesterday", cwd=project_dir))
    assert "dayone.yml" in one_line_error(run("note", "x", cwd=project_dir.parent))  # no project here
    assert log_json(project_dir) == []  # nothing was written by a command that failed


def test_done_and_answer_find_ids_as_people_type_them(project_dir):
    project = find_project(project_dir)
    note, todo, asked = [e.as_dict() for e in (log.note(project, "a note", "Ana"), log.todo(project, "get the ERD", "Ana"),
                                               log.ask(project, "Who approves the VPN?", "Ana"))]  # fmt: skip
    # without its letter, in capitals
    assert f"done {todo['id']}" in ok(run("done", todo["id"][2:].upper(), "--by", "Ana", cwd=project_dir))
    assert "done already" in ok(run("done", todo["id"], cwd=project_dir))
    assert "done " in ok(run("log", cwd=project_dir)).split(todo["id"], 1)[1].splitlines()[0]
    # one wrong digit: one line naming the close one
    wrong = todo["id"][:-1] + ("0" if todo["id"][-1] != "0" else "1")
    said = one_line_error(run("done", wrong, cwd=project_dir))
    assert todo["id"] in said and "did you mean" in said
    assert "not a question" in one_line_error(run("answer", note["id"], "x", cwd=project_dir))
    assert "to-dos and questions" in one_line_error(run("done", note["id"], cwd=project_dir))
    assert "is not an id" in one_line_error(run("answer", "hello world", "x", cwd=project_dir))
    # a question people asked: answered, then its answer in the questionnaire
    ok(run("answer", asked["id"], "Dan, through the firewall ticket", "--by", "Priya Shah", cwd=project_dir))
    answered = {q["id"]: q for q in questions_json(project_dir, "--status", "answered")}
    assert answered[asked["id"]]["answer"]["answer"] == "Dan, through the firewall ticket"
    assert answered[asked["id"]]["answer"]["by"] == "Priya Shah"
    entries = log_json(project_dir)
    assert [e["kind"] for e in entries][-1] == "answer" and entries[-1]["refers"] == asked["id"]


def test_log_filters_by_day_and_source(project_dir):
    project = find_project(project_dir)
    state = project.state
    log.note(project, "about app", "Ana", source="app")
    log.note(project, "about the launch", "Ana")
    old = state.entries()[0]
    # an entry of last year, as a file written then would be (entries are never rewritten: a new file)
    (state.root / "log" / "20251201T090000.000000Z-N-01d0e0.json").write_text(
        json.dumps({"id": "N-01d0e0", "kind": "note", "text": "last year", "at": "2025-12-01T09:00:00+00:00", "by": "Ana"}))
    assert [e["text"] for e in log_json(project_dir, "--source", "app")] == ["about app"]
    assert [e["text"] for e in log_json(project_dir)][0] == "last year"  # oldest first
    assert "last year" not in [e["text"] for e in log_json(project_dir, "--since", old.at[:10])]
    assert len(log_json(project_dir, "--since", "2025-01-01")) == 3


def test_two_branches_merge_without_conflicts(project_dir):
    """Two people keep the same project folder on two git branches: each audits, notes, asks and
    answers; the merge has no conflict and the log and questionnaire hold everything."""
    git_env = {"GIT_CONFIG_GLOBAL": str(_git_config(project_dir, "Tester")), "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(project_dir), **git_env})  # fmt: skip

    assert git("init", "-q", "-b", "main").returncode == 0
    ok(run("note", "project started", "--by", "Ana", cwd=project_dir))
    git("add", "-A")
    assert git("commit", "-qm", "start").returncode == 0
    git("branch", "priya")
    # on main, Ana audits (through the questionnaire), notes and answers
    questions = questions_json(project_dir)
    primary_key = next(q for q in questions if q["rule"] == "missing-primary-key")
    money = next(q for q in questions if q["rule"] == "money-in-float")
    ok(run("note", "Ana's note", "--by", "Ana", cwd=project_dir))
    ok(run("answer", primary_key["id"], "id becomes the primary key", "--by", "Ana", cwd=project_dir))
    git("add", "-A")
    assert git("commit", "-qm", "Ana's work").returncode == 0
    # on the other branch, Priya audits too, notes, asks, answers another question and the same one
    assert git("checkout", "-q", "priya").returncode == 0
    questions_json(project_dir)
    ok(run("note", "Priya's note", "--by", "Priya Shah", cwd=project_dir))
    ok(run("ask", "Is there a staging copy?", "--by", "Priya Shah", cwd=project_dir))
    ok(run("answer", money["id"], "amounts are in EUR cents from next release", "--by", "Priya Shah", cwd=project_dir))
    ok(run("answer", primary_key["id"], "agreed: id", "--by", "Priya Shah", cwd=project_dir))
    git("add", "-A")
    assert git("commit", "-qm", "Priya's work").returncode == 0
    assert git("checkout", "-q", "main").returncode == 0
    merged = git("merge", "--no-edit", "priya")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout
    assert git("status", "--porcelain").stdout == ""
    texts = [e["text"] for e in log_json(project_dir)]
    for said in ("project started", "Ana's note", "Priya's note", "Is there a staging copy?", "id becomes the primary key",
                 "agreed: id", "amounts are in EUR cents from next release"):  # fmt: skip
        assert said in texts
    answered = {q["id"]: q for q in questions_json(project_dir, "--status", "answered")}
    assert answered[money["id"]]["answer"]["by"] == "Priya Shah"
    assert answered[primary_key["id"]]["answer"]["answer"] in ("id becomes the primary key", "agreed: id")  # the later one
    assert len([q for q in questions_json(project_dir, "--status", "all") if q["rule"] == "missing-primary-key"]) == 1


WRITER = """
import sys
from pathlib import Path
from dayone.project import find_project, log
project = find_project(Path(sys.argv[1]))
for n in range(int(sys.argv[3])):
    log.note(project, f"writer {sys.argv[2]} note {n}", f"writer {sys.argv[2]}")
"""


def test_writers_at_once_lose_and_corrupt_nothing(project_dir):
    """Processes, threads and the command itself adding entries at the same moment: every entry is
    there afterwards, whole, with an id of its own."""
    writers, each = 3, 40
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(project_dir), str(w), str(each)]) for w in range(writers)]
    project = find_project(project_dir)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: log.note(project, f"thread note {n}", "thread"), range(80)))
        commands = list(pool.map(lambda n: dayone("note", f"cli note {n}", "--by", "cli", cwd=project_dir), range(4)))
    assert [p.wait(timeout=120) for p in processes] == [0] * writers
    assert all(c.returncode == 0 for c in commands)
    entries = State(project_dir / "state").entries()  # every file parses
    expected = [f"writer {w} note {n}" for w in range(writers) for n in range(each)]
    expected += [f"thread note {n}" for n in range(80)] + [f"cli note {n}" for n in range(4)]
    assert sorted(e.text for e in entries) == sorted(expected)
    assert len({e.id for e in entries}) == len(entries)
    assert not [p for p in (project_dir / "state" / "log").iterdir() if p.name.startswith(".") and p.name != ".gitkeep"]


def test_a_write_cut_short_leaves_the_log_readable(project_dir):
    """A crash between writing the temporary file and linking it leaves a hidden file: never read as
    an entry, never in the way of the next one."""
    ok(run("note", "before the crash", "--by", "Ana", cwd=project_dir))
    folder = project_dir / "state" / "log"
    (folder / ".20261203T000000.000000Z-N-abcdef.json.k2j3h4").write_text('{"id": "N-abc', encoding="utf-8")
    ok(run("note", "after the crash", "--by", "Ana", cwd=project_dir))
    assert [e["text"] for e in log_json(project_dir)] == ["before the crash", "after the crash"]
    # an entry a bad merge or a hand edit broke is named, not skipped in silence
    broken = next(folder.glob("*.json"))
    broken.write_text("<<<<<<< HEAD\n", encoding="utf-8")
    said = one_line_error(run("log", cwd=project_dir))
    assert broken.name in said
