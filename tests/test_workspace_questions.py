"""The questionnaire for the engineering team as a user gets it: questions from the audits of real
sources, one per pattern and source across environments and runs, closed when the finding is fixed
and reopened when it comes back, answered findings acknowledged in the next audit, routed to their
owners, and a CSV an issue tracker imports."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import _create_mysql_database, _drop_mysql_database, unique_name
from dayone.project import find_project, log
from dayone.project.questions import addressee, collect
from dayone.project.runs import SourceRef, audit_source
from dayone.render import audit_formats
from dayone.render.audit_text import print_audit
from workspace_log_helpers import dayone, run, log_json, make_project, ok, one_line_error, questions_json

PEOPLE = {
    "Priya Shah": {"role": "engineering lead", "contact": "priya@example.com", "owns": ["app"]},
    "Dan Okafor": {"role": "DBA", "owns": ["access"]},
}


def sqlite_app(path: Path, table: str = "orders") -> None:
    with sqlite3.connect(path) as db:
        db.executescript(f"""
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, status TEXT, created_at TEXT);
            CREATE TABLE "{table}" (user_id INTEGER, amount REAL, created_at TEXT);
            INSERT INTO users VALUES (1, 'a@example.com', 'active', '2026-01-01'), (2, 'b@example.com', 'gone', '2026-01-02');
            INSERT INTO "{table}" VALUES (1, 9.99, '2026-01-01'), (2, 1.5, '2026-01-03');
        """)
    db.close()


@pytest.fixture
def sqlite_project(tmp_path: Path) -> Path:
    folder = tmp_path / "launch"
    folder.mkdir()
    sqlite_app(folder / "app.db")
    make_project(folder, {"app": {"prod": "sqlite:///app.db"}}, PEOPLE)
    return folder


def by_rule(questions: list[dict]) -> dict[str, dict]:
    return {q["rule"]: q for q in questions if q["origin"] == "audit"}


def test_questionnaire_of_a_sqlite_source(sqlite_project):
    """A source never audited is audited first; each group that needs an answer is one question
    with what dayone knows, by checklist section, addressed to its owner."""
    questions = questions_json(sqlite_project)
    assert find_project(sqlite_project).state.latest("app", "prod", "audit") is not None  # audited first, and kept
    rules = by_rule(questions)
    assert {"missing-primary-key", "money-in-float", "personal-data", "unexplained-value-set"} <= set(rules)
    assert "nullable-never-null" not in rules and "extraction-method" not in rules  # facts, not questions
    primary_key = rules["missing-primary-key"]
    assert primary_key["targets"] == ["app.orders"] and primary_key["section"] == "Data model"
    assert primary_key["facts"][0] == "orders has no primary key" and primary_key["to"] == "Priya Shah"
    assert primary_key["id"].startswith("Q-") and len(primary_key["id"]) == 8
    money = rules["money-in-float"]
    assert "values beyond cents: 0" in money["facts"]  # evidence the message did not say,
    assert "declared type: REAL" not in money["facts"]  # not what it said already
    # the questions no database answers: per source, and once for the project, to the access owner
    checks = {q["rule"]: q for q in questions if q["origin"] == "check"}
    assert {"environments", "secret-storage", "go-live"} <= set(checks)
    assert not {"credentials", "network"} & set(checks)  # a database file has no login and no network path
    assert checks["environments"]["source"] == "app" and checks["secret-storage"]["source"] is None
    assert checks["environments"]["to"] == "Dan Okafor"  # owns the access section
    # the text: sections in the checklist's order, each question with its facts
    text = ok(dayone("questions", cwd=sqlite_project))
    assert text.index("Infrastructure and access") < text.index("Data model") < text.index("What the data shows")
    assert f"{primary_key['id']}  app  error  → Priya Shah" in text and "known: orders has no primary key" in text
    markdown = ok(run("questions", "--format", "markdown", cwd=sqlite_project))
    assert f"### {primary_key['id']}: Which column(s)" in markdown and "- **To:** Priya Shah" in markdown
    # the same questions on a second run, with the same ids: nothing is asked twice
    audit_source(find_project(sqlite_project), SourceRef("app", "prod"))
    assert sorted(q["id"] for q in questions_json(sqlite_project)) == sorted(q["id"] for q in questions)


def test_a_check_kept_gives_its_facts(sqlite_project):
    from dayone.project.runs import check_source

    project = find_project(sqlite_project)
    check_source(project, SourceRef("app", "prod"))
    checks = {q["rule"]: q for q in questions_json(sqlite_project) if q["origin"] == "check"}
    assert not {"credentials", "network"} & set(checks)  # what the check found of a file answers them
    assert checks["environments"]["facts"] == ["dayone.yml names prod for app"]
    project.config.set(["go_live"], "2027-02-01")
    project.config.save()
    answered = {q["rule"]: q for q in questions_json(sqlite_project, "--status", "answered")}
    assert answered["go-live"]["answer"]["answer"] == "go_live: 2027-02-01"


PG_SCHEMA = """
CREATE TABLE users (id serial PRIMARY KEY, email text, created_at timestamp NOT NULL DEFAULT now());
CREATE TABLE orders (user_id int, amount double precision, status text, created_at timestamp, shipped_at timestamp);
INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO orders VALUES (1, 9.99, 'paid', now(), now()), (2, 1.5, 'new', now(), NULL);
"""


def test_a_finding_fixed_closes_its_question_and_one_back_reopens_it(pg_db, tmp_path):
    """PostgreSQL: the question of a table without a primary key closes with a log entry when the
    key is added and the source audited again, and reopens when it is dropped."""
    pg_db.execute(PG_SCHEMA)
    folder = tmp_path / "launch"
    make_project(folder, {"shop": {"prod": pg_db.url}}, PEOPLE)
    rules = by_rule(questions_json(folder))
    primary_key, wall_clock = rules["missing-primary-key"], rules["timestamp-without-time-zone"]
    assert primary_key["targets"] == ["public.orders"] and primary_key["status"] == "open"
    zone = pg_db.execute("SHOW timezone")[0][0]
    assert any("time zone" in fact.replace("timezone", "time zone") and fact.endswith(zone) for fact in wall_clock["facts"])
    assert wall_clock["to"] is None  # nobody owns shop or the data model
    # a server: who owns the login and from which network extraction runs are a person's to say
    assert {"credentials", "network"} <= {q["rule"] for q in questions_json(folder) if q["origin"] == "check"}
    pg_db.execute("ALTER TABLE orders ADD COLUMN id serial PRIMARY KEY")
    ok(run("questions", "--refresh", cwd=folder))  # audits again
    assert "missing-primary-key" not in by_rule(questions_json(folder))
    closed = by_rule(questions_json(folder, "--status", "all"))["missing-primary-key"]
    assert closed["id"] == primary_key["id"] and closed["status"] == "closed" and closed["targets"] == ["public.orders"]
    entries = log_json(folder)
    assert [e["kind"] for e in entries] == ["closed"] and entries[0]["refers"] == primary_key["id"]
    assert "the finding is gone" in entries[0]["text"] and entries[0]["source"] == "shop"
    # audited again with nothing changed: nothing more is written
    audit_source(find_project(folder), SourceRef("shop", "prod"))
    assert len(log_json(folder)) == 1
    pg_db.execute("ALTER TABLE orders DROP CONSTRAINT orders_pkey")
    audit_source(find_project(folder), SourceRef("shop", "prod"))
    assert [e["kind"] for e in log_json(folder)] == ["closed", "reopened"]
    again = by_rule(questions_json(folder))["missing-primary-key"]
    assert again["id"] == primary_key["id"] and again["status"] == "open"


MYSQL_SCHEMA = (
    "CREATE TABLE orders (user_id INT, amount DOUBLE, created_at DATETIME)",
    "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200))",
    "INSERT INTO orders VALUES (1, 9.99, NOW()), (2, 1.5, NOW())",
    "INSERT INTO users VALUES (1, 'a@example.com')",
)


def test_one_question_for_prod_and_dev_named_differently(mysql_db, tmp_path):
    """MySQL: prod and dev databases of one source have different names, so their groups have
    different ids; the questionnaire asks each question once, seen in both."""
    dev = _create_mysql_database(unique_name("dayone_dev"))
    try:
        for db in (mysql_db, dev):
            for statement in MYSQL_SCHEMA:
                db.execute(statement)
        dev.execute("CREATE TABLE audit_scratch (note TEXT)")  # one table more without a key, in dev only
        folder = tmp_path / "launch"
        project = make_project(folder, {"shop": {"prod": mysql_db.url, "dev": dev.url}}, PEOPLE)
        audit_source(project, SourceRef("shop", "prod"))
        audit_source(project, SourceRef("shop", "dev"))
        questions = [q for q in questions_json(folder) if q["origin"] == "audit"]
        rules = [q["rule"] for q in questions]
        assert len(rules) == len(set(rules)) and "missing-primary-key" in rules
        primary_key = by_rule(questions)["missing-primary-key"]
        assert primary_key["environments"] == ["prod", "dev"]
        assert primary_key["group_ids"]["prod"] != primary_key["group_ids"]["dev"]  # ids differ; one question
        assert any(fact.startswith("dev: ") for fact in primary_key["facts"])  # dev says more: shown
    finally:
        _drop_mysql_database(dev.name)


def test_an_answered_finding_is_acknowledged_in_the_next_audit(sqlite_project):
    project = find_project(sqlite_project)
    before = audit_source(project, SourceRef("app", "prod"))
    text = io.StringIO()
    print_audit(before, file=text)
    assert "1 blocker before go-live" in text.getvalue() and "Acknowledged" not in text.getvalue()
    primary_key = by_rule(questions_json(sqlite_project))["missing-primary-key"]
    ok(run("answer", primary_key["id"], "orders.id becomes the primary key in release 42", "--by", "Priya Shah",
              cwd=sqlite_project))  # fmt: skip
    after = audit_source(project, SourceRef("app", "prod"))
    text = io.StringIO()
    print_audit(after, file=text)
    shown = text.getvalue()
    assert "nothing blocks go-live" in shown
    acknowledged = shown.split("Acknowledged", 1)[1]
    assert "missing-primary-key" in acknowledged and "orders.id becomes the primary key in release 42 (Priya Shah, " in acknowledged
    kept = json.loads(project.state.latest("app", "prod", "audit").read_text())
    group = next(g for g in kept["groups"] if g["rule"] == "missing-primary-key")
    assert group["acknowledged"]["answer"] == "orders.id becomes the primary key in release 42"
    assert group["acknowledged"]["by"] == "Priya Shah" and group["acknowledged"]["at"]
    model = next(s for s in kept["sections"] if s["section"] == "Data model")
    assert model["blockers"] == [] and model["acknowledged"] == [group["id"]]
    markdown = audit_formats.to_markdown(after)
    assert "## Acknowledged" in markdown and "**Answer** (Priya Shah," in markdown
    sarif = json.loads(audit_formats.to_sarif(after))["runs"][0]["results"]
    suppressed = [r for r in sarif if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["DM101"]
    assert suppressed[0]["suppressions"][0]["justification"].startswith("orders.id becomes the primary key in release 42")
    # the questionnaire: answered, not open
    assert primary_key["id"] not in [q["id"] for q in questions_json(sqlite_project)]
    assert primary_key["id"] in [q["id"] for q in questions_json(sqlite_project, "--status", "answered")]


def test_csv_imports_as_issues(sqlite_project):
    project = find_project(sqlite_project)
    project.config.set(["people", "=ops"], {"role": "ops", "owns": ["governance"]})  # a cell a spreadsheet would run
    project.config.save()
    open_questions = questions_json(sqlite_project)
    rows = list(csv.DictReader(io.StringIO(ok(run("questions", "--format", "csv", cwd=sqlite_project)), newline="")))
    assert rows and list(rows[0]) == ["Title", "Body", "Labels", "Assignee"]
    assert len(rows) == len(open_questions)
    for row, question in zip(rows, open_questions, strict=True):
        assert row["Title"] == f"{question['source'] or 'project'}: {question['question']}"
        assert question["id"] in row["Body"] and all(fact in row["Body"] for fact in question["facts"])
        labels = row["Labels"].split(" ")
        assert "dayone" in labels and all(label and " " not in label for label in labels)
    primary_key = next(r for r in rows if "primary key" in r["Title"])
    assert primary_key["Assignee"] == "priya@example.com"  # an e-mail: Jira maps users by it
    assert {"data-model", "error", "source-app"} <= set(primary_key["Labels"].split())
    assert "About: app.orders" in primary_key["Body"]
    personal = next(r for r in rows if "personal" in r["Body"] or "governance" in r["Labels"])
    assert personal["Assignee"] == "'=ops"
    assert next(r for r in rows if "shared secret" in r["Title"])["Assignee"] == "Dan Okafor"


def test_questions_go_to_the_owner_of_their_source_or_section(tmp_path):
    folder = tmp_path / "launch"
    people = {
        "Ana": {"role": "app lead", "owns": ["app"]},
        "Bo": {"role": "data architect", "owns": ["Data model"]},
        "Cy": {"role": "platform", "owns": ["app", "Infrastructure"]},
    }
    project = make_project(folder, {"app": {"prod": "app.db"}, "billing": {"prod": "billing.db"}}, people)
    assert addressee(project, "app", "access") == "Cy"  # owns the source and the section
    assert addressee(project, "app", "model") == "Bo"  # the section's owner before the source's
    assert addressee(project, "app", "flow") == "Ana"  # nobody owns the section: the source's first owner
    assert addressee(project, "billing", "access") == "Cy"
    assert addressee(project, "billing", "flow") is None
    log.ask(project, "Which currency are invoices in?", "Ana", source="billing")
    log.ask(project, "Who signs off the schema?", "Ana", to="Bo")
    for name in ("app", "billing"):
        sqlite_app(folder / f"{name}.db")
    addressed = {q["to"] for q in questions_json(folder, "--to", "bo")}
    assert addressed == {"Bo"}
    unassigned = questions_json(folder, "--to", "unassigned")
    assert unassigned and all(q["to"] is None for q in unassigned)
    assert "Which currency are invoices in?" in [q["question"] for q in unassigned]
    assert {q.source for q in collect(project, sources=["billing"]).questions} == {"billing"}
    said = one_line_error(run("questions", "--to", "Zed", cwd=folder))
    assert "Ana, Bo, Cy" in said
    assert "'nope'" in one_line_error(run("questions", "--source", "nope", cwd=folder))


def test_a_source_that_cannot_be_audited_is_named_and_the_others_go_on(sqlite_project):
    project = find_project(sqlite_project)
    project.config.set(["sources", "gone", "prod", "url"], "postgresql://nobody@127.0.0.1:1/nothing")
    project.config.save()
    result = run("questions", "--format", "json", cwd=sqlite_project)
    assert result.returncode == 0 and "gone: not audited" in result.stderr
    assert "missing-primary-key" in by_rule(json.loads(result.stdout)["questions"])


def test_names_from_the_database_are_escaped_in_every_format(tmp_path):
    folder = tmp_path / "launch"
    folder.mkdir()
    hostile = "evil\x1b[2J\nrows"
    sqlite_app(folder / "app.db", table=hostile)
    make_project(folder, {"app": {"prod": "sqlite:///app.db"}}, PEOPLE)
    for output_format in ("text", "markdown", "csv"):
        shown = ok(run("questions", "--format", output_format, cwd=folder))
        assert "\x1b" not in shown and "\\x1b[2J" in shown, output_format
    assert hostile in json.dumps(questions_json(folder), ensure_ascii=False) or any(
        any(hostile in t for t in q["targets"]) for q in questions_json(folder))


def test_an_audit_of_fewer_rules_closes_nothing_it_did_not_look_at(sqlite_project):
    project = find_project(sqlite_project)
    audit_source(project, SourceRef("app", "prod"))
    audit_source(project, SourceRef("app", "prod"), select=("missing-primary-key",))
    assert log_json(sqlite_project) == []  # money-in-float was not looked for: not "gone"
