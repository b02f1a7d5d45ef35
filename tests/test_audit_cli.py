"""`dayone audit` and `dayone rules` as a user runs them: formats, exit codes, selection, stable ids,
documentation that cannot go missing, and rules that never touch the database."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dayone import api
from dayone.connect.session import Session
from dayone.demo import build_demo
from dayone.render.rule_docs import generated_docs
from dayone.rules import REGISTRY
from dayone.rules.registry import DOC_SECTIONS

REPO = Path(__file__).resolve().parent.parent


def dayone(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "160"})  # fmt: skip


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder)
    return folder


# --- the rules and their documentation -----------------------------------------------------------


def test_every_rule_is_documented_in_every_section():
    assert len(REGISTRY) >= 15
    for rule in REGISTRY.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name), rule.name
        assert re.fullmatch(r"D[MFADG]\d{3}", rule.code), rule.code  # model, flow, access, data, governance
        assert rule.summary, rule.name
        for section in DOC_SECTIONS:
            assert len(rule.docs.get(section, "")) > 20, f"{rule.name}: section {section!r} is missing or empty"
    assert len({r.code for r in REGISTRY.values()}) == len(REGISTRY)


def test_docs_rules_is_generated_from_the_registry():
    """docs/rules/ must be what `dayone rules docs docs/rules` writes: regenerate it when a rule changes."""
    folder = REPO / "docs" / "rules"
    expected = generated_docs()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    assert sorted(on_disk) == sorted(expected), "run: dayone rules docs docs/rules"
    stale = [name for name, text in expected.items() if on_disk[name] != text]
    assert stale == [], f"stale pages {stale}: run dayone rules docs docs/rules"


def test_rules_list_and_explain():
    listing = dayone("rules")
    assert listing.returncode == 0
    for rule in REGISTRY.values():
        assert rule.name in listing.stdout and rule.code in listing.stdout
    explained = dayone("rules", "explain", "implicit-foreign-key")
    assert explained.returncode == 0
    for section in DOC_SECTIONS:
        assert f"## {section}" in explained.stdout
    assert dayone("rules", "explain", "DM101").stdout.startswith("# missing-primary-key (DM101)")
    unknown = dayone("rules", "explain", "no-such-rule")
    assert unknown.returncode == 2 and "no rule named 'no-such-rule'" in unknown.stderr and "Traceback" not in unknown.stderr


# --- formats, exit codes, selection ---------------------------------------------------------------


def test_text_report_opens_with_the_verdict_then_one_question_per_group(demo_dir):
    run = dayone("audit", str(demo_dir / "vault.db"))
    assert run.returncode == 1  # vault_items has no primary key: an error
    out = run.stdout
    lines = out.splitlines()
    assert lines[3].startswith("Verdict: 1 blocker before go-live")  # after the database and what was read
    blocks = lines.index("  blocks go-live:")
    assert "vault_items has no primary key" in lines[blocks + 1]
    # the checklist's order, info groups last, each with its question
    titles = ("Infrastructure and access", "Data model", "Application and data flow", "What the data shows")
    headings = [line for line in lines if line in titles or line.startswith("For information")]
    assert headings == ["Data model", "Application and data flow", "For information  (facts and questions no go-live decision rests on)"]
    info = out[out.index("\nFor information"):]
    assert "• info" in info and "ask:" in info
    assert re.search(r"^\S.* errors?, .* warnings?, .* info in \d+ groups", lines[-1])


def test_json_report_has_findings_with_every_field(demo_dir, tmp_path):
    out = tmp_path / "grading.json"
    run = dayone("audit", str(demo_dir / "grading.db"), "--format", "json", "--output", str(out))
    assert run.returncode == 0, run.stderr  # warnings only: below the default --fail-on error
    report = json.loads(out.read_text())
    assert report["database"] == "grading" and report["summary"]["warning"] > 0
    finding = next(f for f in report["findings"] if f["rule"] == "timestamp-without-time-zone")
    assert set(finding) >= {"id", "rule", "code", "severity", "target", "message", "question", "evidence", "fix"}
    assert finding["target"].startswith("grading.") and finding["question"].endswith("?") and finding["fix"]


def test_markdown_and_sarif(demo_dir):
    markdown = dayone("audit", str(demo_dir / "collection.db"), "--format", "markdown").stdout
    assert markdown.startswith("# dayone audit: collection") and "## Verdict" in markdown and "## Data model" in markdown
    assert markdown.index("## Verdict") < markdown.index("## Data model")
    assert "cascade-delete (DM107)" in markdown and "**Ask:**" in markdown and "**Fix:**" in markdown
    sarif = json.loads(dayone("audit", str(demo_dir / "collection.db"), "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {(r["id"], r["name"]) for r in rules} >= {("DM107", "cascade-delete")}
    levels = {rules[r["ruleIndex"]]["name"]: r["level"] for r in run["results"]}
    assert levels["cascade-delete"] == "warning" and levels["soft-delete-column"] == "note"
    assert all(r["partialFingerprints"]["dayoneFindingId"] for r in run["results"])


def test_fail_on_select_and_ignore(demo_dir):
    vault = str(demo_dir / "vault.db")
    assert dayone("audit", vault, "--ignore", "missing-primary-key").returncode == 0
    assert dayone("audit", vault, "--fail-on", "never").returncode == 0
    assert dayone("audit", str(demo_dir / "grading.db"), "--fail-on", "warning").returncode == 1
    only = json.loads(dayone("audit", vault, "--select", "model", "--format", "json").stdout)
    assert {f["rule"] for f in only["findings"]} <= {r.name for r in REGISTRY.values() if r.family == "model"}
    assert {f["code"] for f in json.loads(dayone("audit", vault, "--select", "DM104", "--format", "json").stdout)["findings"]} == {"DM104"}
    typo = dayone("audit", vault, "--select", "missing-primary-keys")
    assert typo.returncode == 2 and "no rule, code or family named 'missing-primary-keys'" in typo.stderr


def test_a_database_that_cannot_be_read_exits_2():
    run = dayone("audit", "postgresql://nobody@127.0.0.1:1/nothing")
    assert run.returncode == 2 and run.stderr.startswith("dayone: error:") and "Traceback" not in run.stderr


# --- stability and offline rules ------------------------------------------------------------------


def test_ids_are_stable_across_runs_and_snapshots(demo_dir, tmp_path):
    live = api.audit(f"sqlite:///{demo_dir / 'grading.db'}", profile=None)  # a snapshot has no rows to profile
    snapshot = tmp_path / "grading.json"
    api.snapshot(f"sqlite:///{demo_dir / 'grading.db'}", snapshot)
    offline = api.audit(str(snapshot))
    assert [f.id for f in live.findings] == [f.id for f in offline.findings]
    assert len({f.id for f in live.findings}) == len(live.findings)  # one id per (rule, target)


def test_auditing_a_snapshot_needs_no_database(demo_dir, tmp_path, monkeypatch):
    snapshot = tmp_path / "vault.json"
    api.snapshot(f"sqlite:///{demo_dir / 'vault.db'}", snapshot)
    (demo_dir / "vault.db").rename(tmp_path / "moved.db")
    try:
        monkeypatch.setattr(Session, "query", lambda *a, **k: pytest.fail("a rule touched the database"))
        result = api.audit(str(snapshot))
        assert any(f.rule == "missing-primary-key" for f in result.findings)
    finally:
        (tmp_path / "moved.db").rename(demo_dir / "vault.db")


def test_auditing_a_snapshot_loads_no_project_or_export_code(demo_dir, tmp_path):
    """A file or URL TARGET needs no dayone.yml and writes no export: the project's models and YAML
    and the export facts are work such an audit does not need (CLI modules imported them for a
    helper and a constant once)."""
    snapshot = tmp_path / "vault.json"
    api.snapshot(f"sqlite:///{demo_dir / 'vault.db'}", snapshot)
    script = (
        "import sys\n"
        "from dayone.cli import cli\n"
        "try:\n"
        f"    cli.main(['audit', {str(snapshot)!r}, '--format', 'json', '-o', {str(tmp_path / 'out.json')!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('dayone.project', 'dayone.export', 'ruamel'))))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out.json").exists()
    assert run.stdout.strip() == "[]"


@pytest.mark.postgres
def test_audit_sends_the_catalog_queries_and_nothing_more(pg_db, monkeypatch):
    """Auditing costs the catalog read: the same statements, however many tables there are."""
    sent: list[str] = []
    original = Session.query

    def recording(self, sql, params=None):
        sent.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(Session, "query", recording)
    pg_db.execute("CREATE TABLE a (id int PRIMARY KEY, status text, updated_at timestamp)")
    api.read_catalog(pg_db.url)
    catalog_only = list(sent)
    sent.clear()
    api.audit(pg_db.url, profile=None)  # what profiling sends: tests/test_profile_postgres.py
    small = list(sent)
    pg_db.execute(";".join(f"CREATE TABLE t{i} (id int PRIMARY KEY, a_id int REFERENCES a, status text)" for i in range(40)))
    sent.clear()
    result = api.audit(pg_db.url, profile=None)
    assert small == catalog_only == sent
    assert sum(1 for f in result.findings if f.rule == "unexplained-value-set") == 41


def test_text_report_wraps_words_to_the_width_and_keeps_long_names_whole():
    from dayone.render.audit_text import _wrap

    text = "orders.customer_reference_identifier_for_the_legacy_billing_system looks like a reference to customers(id)"
    lines = _wrap(text, 30)
    assert " ".join(lines) == text  # nothing lost, nothing added
    assert lines[0] == "orders.customer_reference_identifier_for_the_legacy_billing_system"  # a long name, whole
    assert all(len(line) <= 30 for line in lines if " " in line)
    assert _wrap("first paragraph\nsecond", 80) == ["first paragraph", "second"]


def test_word_wrap_boundaries():
    from dayone.render.audit_text import _wrap

    assert _wrap("aaaa bbbb cccc", 9) == ["aaaa bbbb", "cccc"]  # a line of exactly the width fits
    assert _wrap("aaaa bbbb cccc", 8) == ["aaaa", "bbbb", "cccc"]
    assert _wrap("averyveryverylongword a b", 5) == ["averyveryverylongword", "a b"]
    assert _wrap("  spaced   out  ", 80) == ["spaced out"] and _wrap("", 10) == [""]
