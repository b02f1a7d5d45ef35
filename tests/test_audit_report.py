"""The audit a team reads: one question per pattern, the verdict first, fixes in the engine's own SQL,
and baselines that let CI fail on new problems only. Schemas are fragments in the style of Rails
applications' structure.sql (Lago, Danbooru): many tables, one convention."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_audit_cli import dayone

from dayone import api
from dayone.groups import build_report


def rails_tables(count: int, timestamp: str = "timestamp(6) without time zone") -> str:
    """`count` tables as Rails creates them: a bigint key, an organization reference without a foreign
    key, a status code, and created_at/updated_at that nothing in the database maintains."""
    tables = ["CREATE TABLE organizations (id bigint PRIMARY KEY, name varchar NOT NULL, "
              f"created_at {timestamp} NOT NULL, updated_at {timestamp} NOT NULL);"]  # fmt: skip
    for n in range(count):
        tables.append(
            f"CREATE TABLE things_{n} (id bigint PRIMARY KEY, organization_id bigint NOT NULL, status varchar NOT NULL, "
            f"created_at {timestamp} NOT NULL, updated_at {timestamp} NOT NULL);"
        )
    return "\n".join(tables)


@pytest.mark.postgres
def test_a_convention_is_one_group_with_one_question_and_every_target_kept(pg_db):
    pg_db.execute(rails_tables(40))
    result = api.audit(pg_db.url)
    report = build_report(result)
    naive = [f for f in result.findings if f.rule == "timestamp-without-time-zone"]
    assert len(naive) == 82  # still one finding per column, with its own stable id
    groups = [g for g in report.groups if g.rule == "timestamp-without-time-zone"]
    assert len(groups) == 1 and groups[0].count == 82 and groups[0].convention
    assert groups[0].message.startswith("all 82 date-time columns in public are wall-clock times with no time zone")
    # the text report asks each group's question once, and lists a few targets
    text = dayone("audit", pg_db.url, "--fail-on", "never").stdout
    assert text.count(groups[0].question[:60]) == 1
    assert "and 74 more (--expand lists them)" in text
    assert len(text.splitlines()) < 150  # 41 tables, 370 findings: a dozen questions
    expanded = dayone("audit", pg_db.url, "--expand", "--fail-on", "never").stdout
    assert all(f.target in expanded for f in naive)
    # JSON: findings unchanged, groups and sections beside them
    document = json.loads(dayone("audit", pg_db.url, "--format", "json", "--fail-on", "never").stdout)
    assert len(document["findings"]) == len(result.findings)
    group = next(g for g in document["groups"] if g["rule"] == "timestamp-without-time-zone")
    assert group["count"] == 82 and set(group["targets"]) == {f.target for f in naive}
    assert set(group["finding_ids"]) == {f.id for f in naive}
    assert {g["id"] for g in document["groups"]} == {g.id for g in build_report(api.audit(pg_db.url)).groups}  # stable
    sections = {s["section"]: s for s in document["sections"]}
    assert list(sections) == ["Infrastructure and access", "Data model", "Application and data flow", "What the data shows",
                              "Governance: personal data"]
    assert sections["What the data shows"]["status"] == "not read"  # every table is empty
    assert any("every table is empty" in line for line in document["not_read"])


def test_the_verdict_says_what_is_good_and_what_blocks(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, created_at TEXT, updated_at TEXT);
            CREATE TRIGGER customers_touch AFTER UPDATE ON customers BEGIN
                UPDATE customers SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE rowid = NEW.rowid; END;
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id),
                                 created_at TEXT, updated_at TEXT);
            CREATE TABLE page_views (url TEXT, viewed_at TEXT);
        """)
    report = build_report(api.audit(f"sqlite:///{path}"))
    model = next(s for s in report.sections if s.section == "Data model")
    assert model.status == "blocked" and [g.rule for g in model.blockers] == ["missing-primary-key"]
    flow = next(s for s in report.sections if s.section == "Application and data flow")
    assert "a last-modified column is maintained by the database (trigger or ON UPDATE) on 1 of 2 tables that have one" in flow.good
    assert not any(" 0 of 0 " in sentence for s in report.sections for sentence in s.good)  # no status column: nothing to praise
    text = dayone("audit", str(path)).stdout
    assert text.index("Verdict:") < text.index("blocks go-live:") < text.index("Data model\n")


@pytest.mark.mysql
def test_fixes_are_written_in_the_engines_own_sql(mysql_db, pg_db):
    mysql_db.execute("CREATE TABLE events (id int PRIMARY KEY, happened_at datetime NOT NULL, created_at datetime)")
    pg_db.execute("CREATE TABLE events (id int PRIMARY KEY, happened_at timestamp NOT NULL, created_at timestamp)")
    mariadb = json.loads(dayone("audit", mysql_db.url, "--format", "json", "--fail-on", "never").stdout)
    fix = next(f["fix"] for f in mariadb["findings"] if f["target"].endswith("events.happened_at"))
    assert "timestamptz" not in fix and "MODIFY `happened_at` TIMESTAMP" in fix and f"`{mysql_db.name}`.`events`" in fix
    postgres = json.loads(dayone("audit", pg_db.url, "--format", "json", "--fail-on", "never").stdout)
    fix = next(f["fix"] for f in postgres["findings"] if f["target"] == "public.events.happened_at")
    assert 'ALTER TABLE "public"."events" ALTER COLUMN' in fix and "TYPE timestamptz" in fix
    markdown = dayone("audit", mysql_db.url, "--format", "markdown", "--fail-on", "never").stdout
    assert f"``ALTER TABLE `{mysql_db.name}`.`events` MODIFY" in markdown  # a code span MySQL's backticks cannot close


def test_a_baseline_reports_only_what_is_new(tmp_path):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE page_views (url TEXT, viewed_at TEXT);")
    baseline = tmp_path / "dayone-baseline.json"
    written = dayone("audit", str(path), "--write-baseline", str(baseline), "--fail-on", "never")
    assert written.returncode == 0 and "wrote" in written.stderr
    document = json.loads(baseline.read_text())
    assert document["format"] == "dayone-baseline" and document["format_version"] == 1
    ids = [entry["id"] for entry in document["findings"]]
    assert ids == sorted(ids) and all(set(entry) == {"id", "rule", "target"} for entry in document["findings"])
    # nothing new: exit 0 although the baseline holds an error (no primary key)
    again = dayone("audit", str(path), "--baseline", str(baseline))
    assert again.returncode == 0, again.stdout
    assert f"baseline {baseline}: {len(ids)} accepted findings left out; 0 new" in again.stdout
    # a new table with a new problem: only it is reported, and it fails the run
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE clicks (x TEXT);")
    new = json.loads(dayone("audit", str(path), "--baseline", str(baseline), "--format", "json").stdout)
    assert new["baseline"] == {"file": str(baseline), "accepted": len(ids)}
    assert {f["target"] for f in new["findings"]} == {"app.clicks"} and any(f["severity"] == "error" for f in new["findings"])
    assert dayone("audit", str(path), "--baseline", str(baseline)).returncode == 1
    # and the same file written again accepts it; the baseline diffs by the entries added
    dayone("audit", str(path), "--baseline", str(baseline), "--write-baseline", str(baseline))
    assert len(json.loads(baseline.read_text())["findings"]) == len(ids) + len(new["findings"])


@pytest.mark.parametrize("content, said", [
    (None, "does not exist: create it with --write-baseline"),
    ("{not json", "is not valid JSON (line 1)"),
    ('{"format": "dayone-snapshot"}', "is not a dayone baseline"),
    ('{"format": "dayone-baseline", "format_version": "1", "findings": []}', "has format_version '1'"),
    ('{"format": "dayone-baseline", "format_version": 1, "findings": [{"rule": "x"}]}', '"findings" must be a list of objects with an "id"'),
])  # fmt: skip
def test_a_bad_baseline_is_one_line_before_any_work(tmp_path, content, said):
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content)
    run = dayone("audit", "postgresql://nobody@127.0.0.1:1/nothing", "--baseline", str(baseline))
    assert run.returncode == 2 and said in run.stderr and len(run.stderr.splitlines()) == 1, run.stderr


def test_fix_quoting_is_sqlglots():
    """Fixes quote names with sqlglot's own quote characters for each engine, without importing it."""
    import sqlglot
    from sqlglot import exp

    from dayone.fixes import QUOTES, quote

    dialects = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
    for product, dialect in dialects.items():
        assert QUOTES[product] == sqlglot.Dialect.get_or_raise(dialect).IDENTIFIER_START
        for name in ("orders", 'we"ird', "back`tick", "a.b", "Ünïcode name"):
            assert quote(name, product) == exp.to_identifier(name, quoted=True).sql(dialect=dialect)
