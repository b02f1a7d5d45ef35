"""`dayone demo`: builds offline, runs the audit, and the audit finds what was planted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dayone import api
from dayone.demo import DEMO_PROBLEMS, build_demo
from dayone.rules import REGISTRY


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    run = subprocess.run([sys.executable, "-m", "dayone", "demo", "--dir", str(folder)],
                         capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"})  # fmt: skip
    return folder, run


def test_demo_runs_offline_and_says_where_its_output_is(demo_run):
    folder, run = demo_run
    assert run.returncode == 0, run.stderr
    assert str(folder.resolve()) in run.stdout.replace("\n", "")
    for name in ("identity", "grading", "vault", "collection"):
        assert (folder / f"{name}.db").is_file()
        assert json.loads((folder / f"{name}.snapshot.json").read_text())["format"] == "dayone-snapshot"
        report = json.loads((folder / "reports" / f"{name}.audit.json").read_text())
        assert report["database"] == name and report["findings"]
        assert (folder / "reports" / f"{name}.audit.md").read_text().startswith(f"# dayone audit: {name}")
    assert "The launch at a glance" in run.stdout
    assert "missing-primary-key" in run.stdout  # the audit itself is shown, not just a summary


def test_every_planted_problem_the_database_shows_is_found(demo_run):
    folder, _ = demo_run
    found = set()
    for name in ("identity", "grading", "vault", "collection"):
        for finding in json.loads((folder / "reports" / f"{name}.audit.json").read_text())["findings"]:
            found.add((name, finding["rule"], finding["target"].split(".", 1)[1] if "." in finding["target"] else ""))
    visible = [p for p in DEMO_PROBLEMS if p.seen_from in ("catalog", "data")]  # the demo profiles its data
    assert len(visible) >= 25
    assert all(p.rule in REGISTRY for p in visible)
    missed = [p for p in visible if (p.database, p.rule, p.target) not in found]
    assert missed == []


def test_demo_findings_on_tables_that_are_fine_are_absent(demo_run):
    folder, _ = demo_run
    findings = {(name, f["rule"], f["target"]) for name in ("identity", "grading", "vault", "collection")
                for f in json.loads((folder / "reports" / f"{name}.audit.json").read_text())["findings"]}  # fmt: skip
    # accounts.updated_at and vault_items.updated_at are kept current by triggers
    assert ("identity", "updated-at-not-maintained", "identity.accounts.updated_at") not in findings
    assert ("vault", "updated-at-not-maintained", "vault.vault_items.updated_at") not in findings
    # items.status is explained by its CHECK list; vault_items.status by a foreign key to its lookup table
    assert ("grading", "unexplained-value-set", "grading.items.status") not in findings
    assert ("vault", "unexplained-value-set", "vault.vault_items.status") not in findings
    # a history table's changed_at is when the change happened: written once, never "not maintained"
    assert not any(rule == "updated-at-not-maintained" and "submission_status_history" in target for _, rule, target in findings)
    assert ("grading", "missing-created-at", "grading.submission_status_history") not in findings
    # submissions.status changes are recorded in submission_status_history
    assert ("grading", "untracked-status-changes", "grading.submissions.status") not in findings


def test_the_demo_is_the_same_every_time(tmp_path):
    first = [api.read_catalog(f"sqlite:///{p}") for p in build_demo(tmp_path / "a")]
    second = [api.read_catalog(f"sqlite:///{p}") for p in build_demo(tmp_path / "b")]
    from dayone.catalog.snapshot import to_json

    assert [to_json(c) for c in first] == [to_json(c) for c in second]
    assert (tmp_path / "a" / "grading.db").read_bytes() == (tmp_path / "b" / "grading.db").read_bytes()
