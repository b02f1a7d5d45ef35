"""The profiling flags of `dayone audit` and its progress display, without a server (SQLite)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from dayone.cli.progress import MIN_TABLES, ProfileProgress
from dayone.profile.model import TableProfile
from dayone.profile.profiler import Progress


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL);
            INSERT INTO orders (status) VALUES ('new'), ('paid'), ('paid'), ('shipped'), ('new'), ('paid');
        """)
    return path


def dayone(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=60)


def test_the_profile_flags_choose_a_tier_and_conflicting_ones_are_refused(database):
    for flags, tier in (((), "sample"), (("--full",), "full"), (("--profile", "statistics"), "statistics")):
        done = dayone("audit", str(database), "--format", "json", "--fail-on", "never", *flags)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["profile"]["tier"] == tier
    done = dayone("audit", str(database), "--format", "json", "--fail-on", "never", "--no-profile")
    assert json.loads(done.stdout)["profile"] is None
    refused = dayone("audit", str(database), "--full", "--no-profile")
    assert refused.returncode == 2 and "--full and --no-profile" in refused.stderr


def test_a_snapshot_has_no_rows_to_profile(database, tmp_path):
    snapshot = tmp_path / "shop.json"
    assert dayone("snapshot", str(database), "-o", str(snapshot)).returncode == 0
    done = dayone("audit", str(snapshot), "--format", "json", "--fail-on", "never", "--full")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["profile"] is None


def test_the_text_report_says_what_was_read(database):
    done = dayone("audit", str(database), "--fail-on", "never")
    assert "data: sample profile of 1 table(s) (1 by full scan), 6 rows read" in done.stdout


def test_progress_keeps_a_line_per_skipped_table_and_stays_quiet_for_a_few_tables(capsys):
    skipped = TableProfile(schema="public", table="orders", method="skipped", skipped="locked by another session")
    with ProfileProgress(enabled=True) as progress:
        progress(Progress(1, MIN_TABLES - 1, "public", "orders"))
        progress(Progress(1, MIN_TABLES - 1, "public", "orders", skipped))
    assert capsys.readouterr().err == ""  # too few tables to bother
    with ProfileProgress(enabled=True) as progress:
        for position in range(1, MIN_TABLES + 1):
            progress(Progress(position, MIN_TABLES, "public", f"t{position}"))
            progress(Progress(position, MIN_TABLES, "public", f"t{position}", skipped if position == 3 else
                              TableProfile(schema="public", table=f"t{position}", method="full")))  # fmt: skip
    err = capsys.readouterr().err
    assert "skipped public.t3: locked by another session" in err
    assert err.count("skipped") == 1
    with ProfileProgress(enabled=False) as progress:  # not a terminal: nothing at all
        progress(Progress(1, MIN_TABLES, "public", "t1", skipped))
    assert capsys.readouterr().err == ""
