"""Profiling SQLite: rowid ranges for a sample, a full pass on request, the hidden rowid read where no
INTEGER PRIMARY KEY names it, a slow read cut at the statement timeout, Ctrl-C exits 130."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from dayone import api
from dayone.connect.options import SessionOptions
from dayone.profile.options import ProfileOptions

ROWS = 100_000


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = tmp_path_factory.mktemp("profile") / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript(f"""
            CREATE TABLE big (id INTEGER PRIMARY KEY, status TEXT NOT NULL, created_at TEXT NOT NULL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
            INSERT INTO big SELECT i, CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' ELSE 'shipped' END,
                                   datetime('2026-01-01', '+' || i || ' minutes') FROM n;
            CREATE TABLE plain (name TEXT, note TEXT);
            INSERT INTO plain SELECT 'n' || id, 'x' FROM big WHERE id <= 50;
            DELETE FROM plain WHERE name IN ('n10', 'n11', 'n12', 'n13', 'n14', 'n15');
            CREATE TABLE ranked (id INTEGER PRIMARY KEY, label TEXT) WITHOUT ROWID;
            INSERT INTO ranked SELECT id, status FROM big;
            CREATE TABLE coded (code TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;
            INSERT INTO coded SELECT 'c' || id, status FROM big;
            CREATE VIEW paid AS SELECT * FROM big WHERE status = 'paid';
        """)
    return f"sqlite:///{path}"


def profile_of(result, table: str):
    found = result.profile.table("main", table)
    assert found is not None, f"{table} is not in the profile"
    return found


def test_a_sample_reads_ranges_of_rowids_and_small_tables_whole(shop):
    result = api.audit(shop, profile=ProfileOptions(page_budget=20))
    big = profile_of(result, "big")
    assert big.method == "sample" and "ranges of consecutive rowids" in big.how
    assert 0 < big.rows_read <= 0.1 * ROWS
    ids = big.column("id")
    assert int(ids.maximum) - int(ids.minimum) > 0.8 * ROWS  # spread over the table
    assert {v.value for v in big.column("status").top_values} == {"new", "paid", "shipped"}
    ranked = profile_of(result, "ranked")
    assert ranked.method == "sample" and "ranges of consecutive primary keys" in ranked.how
    coded = profile_of(result, "coded")
    assert coded.method == "sample" and "not a random sample" in coded.how and coded.rows_read < ROWS
    plain = profile_of(result, "plain")
    assert (plain.method, plain.rows_read) == ("full", 44)
    rowid = plain.column("rowid")  # no INTEGER PRIMARY KEY names it: read under its own name
    assert (rowid.minimum, rowid.maximum, rowid.non_null) == ("1", "50", 44)
    assert big.column("rowid") is None  # big.id is the rowid
    assert "paid" not in {t.table for t in result.profile.tables}


def test_full_reads_every_row(shop):
    result = api.audit(shop, profile=ProfileOptions(tier="full"))
    for name in ("big", "ranked", "coded"):
        assert (profile_of(result, name).method, profile_of(result, name).rows_read) == ("full", ROWS)


def test_statistics_tier_has_nothing_to_read(shop):
    result = api.audit(shop, profile=ProfileOptions(tier="statistics"))
    big = profile_of(result, "big")
    assert big.method == "skipped" and "keeps no column statistics" in big.skipped


def test_a_read_past_the_statement_timeout_is_reported_and_the_audit_goes_on(shop):
    result = api.audit(shop, options=SessionOptions(statement_timeout=0.05), profile=ProfileOptions(tier="full"))
    big = profile_of(result, "big")
    assert big.method == "skipped" and big.skipped.startswith("statement timeout after 0.05 s"), big.how
    assert profile_of(result, "plain").method == "full"


def test_ctrl_c_exits_130(shop):
    process = subprocess.Popen([sys.executable, "-m", "dayone", "audit", shop, "--full"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(1.0)  # the catalog is read in a few hundredths; the full pass takes seconds
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130, err
    assert "dayone: interrupted" in err and "Traceback" not in err


def test_ctrl_c_inside_sqlite_is_an_interruption_not_a_timeout(shop):
    """Python's sqlite3 swallows a KeyboardInterrupt raised inside the progress handler and stops the
    statement as 'interrupted', as a timeout would: before the timeout, it is Ctrl-C again."""
    from datetime import datetime, timezone

    from dayone.connect.target import parse_target
    from dayone.dialects.sqlite import SQLiteDialect
    from dayone.profile.options import TableRequest

    catalog = api.read_catalog(shop)
    schema = catalog.schema("main")
    request = TableRequest(tier="full", page_budget=20, keep_values=True, now=datetime.now(timezone.utc))
    with api.open_session(parse_target(shop)) as session:
        def handler():
            raise KeyboardInterrupt

        session.connection.set_progress_handler(handler, 1000)
        with pytest.raises(KeyboardInterrupt):
            SQLiteDialect().profile_table(session, schema, schema.table("big"), request)
