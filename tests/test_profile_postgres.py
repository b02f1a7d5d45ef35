"""Profiling PostgreSQL: what a sample costs the server, what a full pass reads, and that a locked,
slow or interrupted table never holds dayone (or the server) up.

Costs are measured on the server, not taken from dayone's word: pg_statio_user_tables counts the
heap blocks every backend touched (read from disk or found in shared buffers).

A statement that is slow on the server (to time out, or to be interrupted with Ctrl-C while it
runs) comes from row-level security: the table's policy calls a function that sleeps a little per
row, and dayone connects as a role the policy applies to (a superuser or the owner would bypass it).
That is an honest slow read of a table: the server is busy inside dayone's statement, not waiting
for dayone, so only a cancel request stops it early.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from conftest import _create_pg_database, _drop_pg_database, _pg_admin, unique_name
from dayone import api
from dayone.connect.options import SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects.postgres import PostgresDialect
from dayone.profile.options import ProfileOptions, TableRequest

pytestmark = pytest.mark.postgres

BIG_ROWS = 200_000
MEDIUM_ROWS = 20_000
SLOW_ROWS = 40
SLOW_SECONDS_PER_ROW = 0.25  # 10 s to read the slow table in full
CANARY = "canary-7f3a9c@corp.internal"

SETUP = f"""
CREATE TABLE big (id int PRIMARY KEY, email text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL)
    WITH (autovacuum_enabled = false);
INSERT INTO big SELECT g, 'user' || g || '@mail.test', (ARRAY['new', 'paid', 'shipped'])[1 + g % 3],
                       timestamptz '2026-01-01' + g * interval '1 minute'
FROM generate_series(1, {BIG_ROWS}) g;
CREATE TABLE medium (id int PRIMARY KEY, amount numeric, note text) WITH (autovacuum_enabled = false);
INSERT INTO medium SELECT g, g * 1.5, md5(g::text) FROM generate_series(1, {MEDIUM_ROWS}) g;
UPDATE medium SET note = '{CANARY}' WHERE id = 4242;
CREATE TABLE small (code text PRIMARY KEY, label text);
INSERT INTO small VALUES ('a', 'one'), ('b', 'two'), ('c', 'three');
CREATE TABLE events (id int, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO events SELECT g, date '2025-06-01' + g % 400, 'k' || g % 4 FROM generate_series(1, 1000) g;
CREATE VIEW paid AS SELECT * FROM big WHERE status = 'paid';
CREATE SCHEMA slow;
CREATE TABLE slow.slow_rows (id int PRIMARY KEY, payload text);
INSERT INTO slow.slow_rows SELECT g, 'x' FROM generate_series(1, {SLOW_ROWS}) g;
CREATE FUNCTION slow.sleepy() RETURNS boolean LANGUAGE plpgsql VOLATILE AS
    $$ BEGIN PERFORM pg_sleep({SLOW_SECONDS_PER_ROW}); RETURN true; END $$;
ALTER TABLE slow.slow_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY slowly ON slow.slow_rows USING (slow.sleepy());
CREATE TABLE slow.then_this (id int PRIMARY KEY);
INSERT INTO slow.then_this VALUES (1), (2);
"""


@pytest.fixture(scope="module")
def shop(pg_server):
    """One database for the module (building 200,000 rows once), and a role row-level security
    applies to; both dropped on every exit path."""
    db = _create_pg_database(unique_name("dayone_prof"))
    role = unique_name("dayone_role")
    try:
        with _pg_admin() as admin:
            admin.execute(f'CREATE ROLE "{role}" LOGIN')
        with db.connect() as conn:
            conn.execute(SETUP)
            conn.execute("VACUUM ANALYZE")  # the planner's page counts, pg_stats, and no autovacuum later
            conn.execute(f'GRANT USAGE ON SCHEMA public, slow TO "{role}"; '
                         f'GRANT SELECT ON ALL TABLES IN SCHEMA public, slow TO "{role}"')  # fmt: skip
        db.role_url = db.url.replace("postgres@", f"{role}@", 1)
        yield db
    finally:
        _drop_pg_database(db.name)
        with _pg_admin() as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def dayone_backends(db) -> list[tuple]:
    return db.execute(
        "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'dayone' AND datname = %s", (db.name,)
    )


def wait_for_no_dayone(db, seconds: float = 5.0) -> list[tuple]:
    deadline = time.monotonic() + seconds
    while (left := dayone_backends(db)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def long_running_read(db, seconds: float = 0.3) -> bool:
    return bool(db.execute(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'dayone' AND datname = %s AND state = 'active' "
        "AND (query LIKE '%%slow_rows%%' OR query LIKE 'FETCH%%') AND now() - query_start > make_interval(secs => %s)",
        (db.name, seconds),
    ))  # fmt: skip


def heap_blocks(db, table: str) -> int:
    """Heap blocks of `table` every backend touched so far, once dayone's backends have exited
    (a backend flushes its counters when it ends)."""
    assert wait_for_no_dayone(db) == []
    (count,) = db.execute(
        "SELECT coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0) FROM pg_statio_user_tables WHERE relname = %s",
        (table,),
    )[0]
    return count


def relpages(db, table: str) -> int:
    return db.execute("SELECT relpages FROM pg_class WHERE relname = %s", (table,))[0][0]


def profile_of(result, table: str, schema: str = "public"):
    found = result.profile.table(schema, table)
    assert found is not None, f"{table} is not in the profile"
    return found


def test_a_sample_reads_a_bounded_share_of_a_big_table(shop):
    budget = 50
    pages = relpages(shop, "big")
    assert pages > 20 * budget, "the table is too small for this test to mean anything"
    before = heap_blocks(shop, "big")
    result = api.audit(shop.url, profile=ProfileOptions(page_budget=budget))
    touched = heap_blocks(shop, "big") - before

    big = profile_of(result, "big")
    assert big.method == "sample" and big.rows_estimated == BIG_ROWS
    assert big.pages_read_share == pytest.approx(budget / pages, rel=0.01)
    # TABLESAMPLE SYSTEM picks each page with that probability: about `budget` pages, never the table
    assert 0.5 * budget <= touched <= 2 * budget, f"{touched} heap blocks touched of {pages}"
    assert 0.3 * big.rows_estimated * big.pages_read_share <= big.rows_read <= 3 * big.rows_estimated * big.pages_read_share
    assert big.how.startswith(f"sample of {big.rows_read:,} rows")
    status = big.column("status")
    assert {v.value for v in status.top_values} == {"new", "paid", "shipped"}
    assert status.distinct_estimate == 3  # whole-table estimate from pg_stats, next to the sample's count
    assert big.column("created_at").spike is None  # steady inserts, one a minute

    # the same table gives the same sample from one run to the next (findings do not flicker)
    again = profile_of(api.audit(shop.url, profile=ProfileOptions(page_budget=budget)), "big")
    assert again.rows_read == big.rows_read


def test_a_sample_reads_about_sample_rows_rows_when_fewer_pages_than_the_budget_hold_them(shop):
    big = profile_of(api.audit(shop.url, profile=ProfileOptions(page_budget=1000, sample_rows=10_000)), "big")
    assert big.method == "sample" and 5_000 <= big.rows_read <= 15_000
    assert big.pages_read_share == pytest.approx(10_000 / BIG_ROWS, rel=0.05)


def test_small_tables_are_read_whole_partitions_through_their_parent_views_not_at_all(shop):
    result = api.audit(shop.url, profile=ProfileOptions(page_budget=50))
    small = profile_of(result, "small")
    assert (small.method, small.rows_read, small.pages_read_share) == ("full", 3, 1.0)
    events = profile_of(result, "events")
    assert events.method == "full" and events.rows_read == 1000  # both partitions, through the parent
    names = {t.table for t in result.profile.tables}
    assert not names & {"events_2025", "events_2026", "paid"}


def test_full_reads_every_row_once(shop):
    from dayone.profile.profiler import profile_catalog

    catalog = api.read_catalog(shop.url)
    public = catalog.schema("public")
    only = replace(catalog, schemas=(replace(public, tables=(public.table("medium"),)),))  # one table, quicker
    pages = relpages(shop, "medium")
    before = heap_blocks(shop, "medium")
    with api.open_session(parse_target(shop.url)) as session:
        profile = profile_catalog(session, PostgresDialect(), only, ProfileOptions(tier="full"))
    touched = heap_blocks(shop, "medium") - before
    medium = profile.table("public", "medium")
    assert (medium.method, medium.rows_read) == ("full", MEDIUM_ROWS)
    assert (medium.column("amount").minimum, medium.column("amount").maximum) == ("1.5", "30000.0")
    assert pages <= touched <= pages + 2, f"{touched} heap blocks touched for a table of {pages}"


def test_statistics_tier_reads_no_table(shop):
    before = heap_blocks(shop, "big")
    result = api.audit(shop.url, profile=ProfileOptions(tier="statistics"))
    assert heap_blocks(shop, "big") == before
    big = profile_of(result, "big")
    assert big.method == "statistics" and big.rows_read == 0 and "pg_stats" in big.how
    status = big.column("status")
    assert sorted(v.value for v in status.top_values) == ["new", "paid", "shipped"]
    assert sum(v.count for v in status.top_values) == pytest.approx(BIG_ROWS, rel=0.01)
    created = big.column("created_at")
    assert created.minimum.startswith("2026-01-01") and created.maximum.startswith("2026-05")  # histogram ends
    assert big.column("email").top_values == ()  # high cardinality: no values
    without = profile_of(api.audit(shop.url, profile=ProfileOptions(tier="statistics", keep_values=False)), "big")
    assert without.column("status").top_values == ()


def test_a_locked_table_is_skipped_at_once_and_the_rest_is_read(shop):
    with shop.connect() as holder:
        holder.autocommit = False
        holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        result = api.audit(shop.url, options=SessionOptions(lock_timeout=2), profile=ProfileOptions(page_budget=20))
        elapsed = time.monotonic() - started
        holder.rollback()
    small = profile_of(result, "small")
    assert small.method == "skipped" and small.skipped.startswith("locked by another session")
    assert elapsed < 2, f"dayone waited {elapsed:.1f} s"
    assert profile_of(result, "big").method == "sample"


def test_a_lock_taken_after_the_catalog_read_costs_the_lock_timeout_then_the_table_is_skipped(shop):
    catalog = api.read_catalog(shop.url)
    schema = catalog.schema("public")
    request = TableRequest(tier="sample", page_budget=10, keep_values=True, now=datetime.now(timezone.utc))
    with shop.connect() as holder:
        holder.autocommit = False
        holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        with api.open_session(parse_target(shop.url), SessionOptions(lock_timeout=0.3)) as session:
            started = time.monotonic()
            small = PostgresDialect().profile_table(session, schema, schema.table("small"), request)
            elapsed = time.monotonic() - started
            after = PostgresDialect().profile_table(session, schema, schema.table("medium"), request)
        holder.rollback()
    assert small.method == "skipped" and "locked by another session" in small.skipped
    assert elapsed < 1.5
    assert after.method == "sample"  # the session is usable again: the failed transaction was rolled back


def test_a_statement_past_the_timeout_is_reported_and_the_audit_goes_on(shop):
    started = time.monotonic()
    result = api.audit(shop.role_url, ["slow"], options=SessionOptions(statement_timeout=1))
    elapsed = time.monotonic() - started
    slow = profile_of(result, "slow_rows", "slow")
    assert slow.method == "skipped" and slow.skipped.startswith("statement timeout after 1 s")
    assert 1 <= slow.seconds < 2.5
    assert profile_of(result, "then_this", "slow").rows_read == 2  # read after the slow table
    assert elapsed < SLOW_ROWS * SLOW_SECONDS_PER_ROW / 2
    assert wait_for_no_dayone(shop) == []


def test_no_dayone_session_is_left_on_the_server(shop):
    api.audit(shop.url, profile=ProfileOptions(page_budget=20))
    assert wait_for_no_dayone(shop, seconds=2) == []


def test_one_query_per_table_and_a_constant_number_besides(shop):
    catalog = api.read_catalog(shop.url)
    from dayone.profile.profiler import profile_catalog

    with api.open_session(parse_target(shop.url)) as session:
        start = len(session.statements)
        profile = profile_catalog(session, PostgresDialect(), catalog, ProfileOptions(page_budget=20))
        sent = session.statements[start:]
    tables = [t for t in profile.tables if t.method != "skipped"]
    per_table = [s for s in sent if "FROM ONLY" in s or 'FROM "public"."events"' in s]
    assert len(per_table) == len(tables) == 6
    assert len(sent) - len(per_table) == 2  # pg_stats, table sizes
    assert not any("BERNOULLI" in s or "random()" in s.lower() or "count(" in s.lower() for s in per_table)


@pytest.mark.parametrize("tier", ["--page-budget=20", "--full"])
def test_ctrl_c_cancels_the_running_statement_and_exits_130(shop, tier):
    """SIGINT while the server runs dayone's read of the slow table: psycopg sends a cancel request,
    dayone says so and exits 130, and no dayone statement keeps running. Without the cancel the
    statement would run on for ~10 s (the server does not notice a closed client while it sleeps)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dayone", "audit", shop.role_url, "--schema", "slow", "--format", "json", tier],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if long_running_read(shop):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("dayone never ran its read of slow_rows")
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        took = time.monotonic() - interrupted
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert "dayone: interrupted" in err and "Traceback" not in err
    assert took < 3, f"dayone took {took:.1f} s to stop"
    assert wait_for_no_dayone(shop, seconds=1) == []


def test_no_row_values_in_the_report_but_value_sets_and_none_with_no_values(shop, tmp_path):
    import json

    assert relpages(shop, "medium") < 300  # read whole below: the canary row is among the rows read

    def report(*flags: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "dayone", "audit", shop.url, "--format", "json", "--page-budget", "300", "--sample-rows", "50000", "--fail-on",
             "never", *flags],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        tables = {t["table"]: t for t in json.loads(done.stdout)["profile"]["tables"]}
        assert (tables["public.medium"]["method"], tables["public.medium"]["rows_read"]) == ("full", MEDIUM_ROWS)
        return done.stdout

    kept = report()
    assert CANARY not in kept and "@mail.test" not in kept  # high-cardinality columns' values never
    assert json.loads(kept)["profile"]["values_kept"] is True
    assert "shipped" in kept  # a low-cardinality value set (big.status) may be shown
    bare = report("--no-values")
    assert CANARY not in bare and "@mail.test" not in bare and "shipped" not in bare
    assert json.loads(bare)["profile"]["values_kept"] is False


def test_json_profile_summary_names_skipped_tables_and_reasons(shop):
    done = subprocess.run(
        [sys.executable, "-m", "dayone", "audit", shop.role_url, "--format", "json", "--statement-timeout", "1",
         "--page-budget", "20", "--fail-on", "never", "--schema", "public", "--schema", "slow"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    import json

    summary = json.loads(done.stdout)["profile"]
    assert summary["tier"] == "sample"
    assert {"table": "slow.slow_rows", "reason": summary["skipped"][0]["reason"]} in summary["skipped"]
    assert summary["skipped"][0]["reason"].startswith("statement timeout after 1 s")
    read = {t["table"]: t for t in summary["tables"]}
    assert read["public.big"]["method"] == "sample" and read["public.big"]["how"].startswith("sample of ")
    assert read["public.small"]["method"] == "full"
    assert summary["rows_read"] == sum(t["rows_read"] for t in summary["tables"])


def test_snapshots_have_no_profile(shop, tmp_path):
    path = tmp_path / "shop.json"
    api.snapshot(shop.url, path)
    assert api.audit(str(path)).profile is None


def test_values_python_cannot_hold_are_profiled_as_text(pg_db):
    """infinity, BC dates, year 10000, NaN, intervals beyond timedelta: psycopg cannot turn them into
    Python objects; the profile reads them as text instead of giving up on the table."""
    pg_db.execute(
        "CREATE TABLE odd (d date, ts timestamp, tz timestamptz, iv interval, n numeric, f float8, ds date[]);"
        "INSERT INTO odd VALUES ('infinity', '-infinity', 'infinity', '100000000 years', 'NaN', 'NaN', '{infinity}'),"
        " ('2020-01-01 BC', '10000-01-01', '2026-01-01', '1 day', 1.5, 2.5, '{2026-01-01}'),"
        " ('2026-01-02', '2026-01-02', '2026-01-02', '2 days', 3, 'Infinity', NULL)"
    )
    odd = api.audit(pg_db.url, profile=ProfileOptions(tier="full")).profile.table("public", "odd")
    assert (odd.method, odd.rows_read) == ("full", 3)
    assert odd.column("n").maximum == "3" and odd.column("d").distinct == 3


def test_tables_without_a_page_are_not_queried_in_a_sample(pg_db):
    """A database before go-live is full of empty tables: a sample sends them no query (the page count
    says there is nothing to read), while --full still reads each one."""
    pg_db.execute("CREATE TABLE empty_orders (id int PRIMARY KEY, status text); "
                  "CREATE TABLE one_order (id int PRIMARY KEY, status text); INSERT INTO one_order VALUES (1, 'new')")  # fmt: skip
    catalog = api.read_catalog(pg_db.url)
    from dayone.profile.profiler import profile_catalog

    for tier, queried in (("sample", {"one_order"}), ("full", {"one_order", "empty_orders"})):
        with api.open_session(parse_target(pg_db.url)) as session:
            start = len(session.statements)
            profile = profile_catalog(session, PostgresDialect(), catalog, ProfileOptions(tier=tier))
            sent = session.statements[start:]
        assert {name for name in ("one_order", "empty_orders") if any(f'"{name}"' in s for s in sent)} == queried
        empty = profile.table("public", "empty_orders")
        assert empty.method == ("statistics" if tier == "sample" else "full") and empty.rows_read == 0
