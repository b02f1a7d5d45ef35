"""Doing no harm, proven on a server the test starts with every statement logged."""

from __future__ import annotations

import re

import pytest

from dayone import api
from statement_log import non_reads


@pytest.fixture(scope="module")
def logged_server(pgserver_dir):
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(pgserver_dir, cleanup_mode="stop")
    server.psql("ALTER SYSTEM SET log_statement = 'all';")
    server.psql("ALTER SYSTEM SET log_line_prefix = '%m [%p] app=%a ';")
    server.psql("SELECT pg_reload_conf();")
    server.psql(
        "CREATE TABLE accounts (id int PRIMARY KEY, email text, updated_at timestamp);"
        "CREATE TABLE orders (id int PRIMARY KEY, account_id int REFERENCES accounts, status text CHECK (status IN ('a', 'b')));"
        "CREATE VIEW open_orders AS SELECT * FROM orders WHERE status = 'a';"
        "INSERT INTO accounts SELECT g, 'user' || g || '@mail.test', now() FROM generate_series(1, 5000) g;"
        "INSERT INTO orders SELECT g, 1 + g % 5000, 'a' FROM generate_series(1, 5000) g;"
        "ANALYZE;"
    )
    yield server
    server.cleanup()


def dayone_statements(log_text: str) -> list[str]:
    """Statements the server logged for sessions whose application_name is dayone."""
    entries = re.split(r"^(?=\d{4}-\d{2}-\d{2} )", log_text, flags=re.MULTILINE)
    found = []
    for entry in entries:
        match = re.match(r".*? app=dayone LOG:  (?:statement|execute [^:]*): (.*)", entry, flags=re.DOTALL)
        if match:
            found.append(match.group(1).strip())
    return found


def test_catalog_read_sends_only_reads(logged_server):
    log_path = logged_server.log
    before = log_path.stat().st_size
    catalog = api.read_catalog(logged_server.get_uri())
    assert {t.name for _, t in catalog.tables()} == {"accounts", "orders", "open_orders"}
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        handle.seek(before)
        statements = dayone_statements(handle.read())
    assert len(statements) >= 8, "the statement log did not capture dayone's catalog queries"
    assert non_reads(statements, "postgres") == []


def test_big_catalog_read_on_two_connections_sends_only_reads(logged_server, monkeypatch):
    """From SECOND_SESSION_FROM relations the constraints and access facts are read on a second
    connection, in the snapshot the first exported: still reads only, and never a third connection."""
    from dayone.dialects import postgres

    monkeypatch.setattr(postgres, "SECOND_SESSION_FROM", 0)
    monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    before = logged_server.log.stat().st_size
    catalog = api.read_catalog(logged_server.get_uri())
    statements = logged_since(logged_server, before)
    assert {t.name for _, t in catalog.tables()} == {"accounts", "orders", "open_orders"}
    assert catalog.schema("public").table("orders").foreign_keys[0].referred_table == "accounts"
    assert any(s.startswith("SET TRANSACTION SNAPSHOT") for s in statements), "the second connection was not used"
    assert non_reads(statements, "postgres") == []
    with open(logged_server.log, encoding="utf-8", errors="replace") as handle:
        handle.seek(before)
        backends = set(re.findall(r"\[(\d+)\] app=dayone ", handle.read()))
    assert len(backends) == 2


def logged_since(server, before: int) -> list[str]:
    with open(server.log, encoding="utf-8", errors="replace") as handle:
        handle.seek(before)
        return dayone_statements(handle.read())


@pytest.mark.parametrize("tier", ["statistics", "sample", "full"])
def test_the_whole_audit_with_profiling_sends_only_reads(logged_server, tier):
    from dayone.profile.options import ProfileOptions

    before = logged_server.log.stat().st_size
    result = api.audit(logged_server.get_uri(), profile=ProfileOptions(tier=tier, page_budget=5))
    statements = logged_since(logged_server, before)
    read = {t.table: t for t in result.profile.tables}
    assert set(read) == {"accounts", "orders"} and all(t.method != "skipped" for t in read.values())
    if tier != "statistics":
        assert read["accounts"].rows_read > 0
    if tier == "full":  # the log holds the profile's reads: server-side cursors, fetched, closed; a table
        # bigger than the sample is computed by the server: the sample's distinct counts, then aggregates
        declared = [s for s in statements if s.startswith("DECLARE")]
        assert 2 <= len(declared) <= 10 and any("FETCH" in s for s in statements), statements
        assert any("count(DISTINCT" in s and "TABLESAMPLE SYSTEM" in s for s in declared), declared
        assert all("TABLESAMPLE" in s or "count(" in s for s in declared if "count(DISTINCT" in s or "GROUP BY" in s)
    if tier == "sample":  # one statement per table
        assert len([s for s in statements if s.startswith("SELECT") and 'FROM ONLY "public".' in s]) == 2, statements
        assert any("TABLESAMPLE SYSTEM" in s for s in statements)
    assert any("pg_stats" in s for s in statements)
    assert non_reads(statements, "postgres") == []


def test_checker_takes_cursors_over_reads_only():
    reads = ['DECLARE "dayone_profile" CURSOR FOR SELECT "a" FROM ONLY "s"."t" TABLESAMPLE SYSTEM (1.5) REPEATABLE (3)',
             'FETCH FORWARD 2000 FROM "dayone_profile"', 'CLOSE "dayone_profile"']  # fmt: skip
    writes = ["DECLARE c CURSOR FOR DELETE FROM t RETURNING *", "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
              "DECLARE c NO SCROLL CURSOR FOR SELECT * FROM t FOR UPDATE"]  # fmt: skip
    assert non_reads(reads + writes, "postgres") == writes


def test_checker_catches_a_write():
    assert non_reads(["SELECT 1", "INSERT INTO t VALUES (1)", "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"], "postgres") == [
        "INSERT INTO t VALUES (1)",
        "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
    ]


def test_implicit_references_are_looked_up_in_one_read_per_table(logged_server):
    """Values of columns that look like references are looked up in the referenced primary key: one
    statement per table that has such columns, values as parameters, nothing but reads."""
    from dayone.profile.options import ProfileOptions

    logged_server.psql(
        "CREATE SCHEMA refs;"
        "CREATE TABLE refs.customers (id int PRIMARY KEY); CREATE TABLE refs.plans (id int PRIMARY KEY);"
        "CREATE TABLE refs.invoices (id int PRIMARY KEY, customer_id int, plan_id int, note text);"
        "INSERT INTO refs.customers SELECT generate_series(1, 50); INSERT INTO refs.plans VALUES (1), (2);"
        "INSERT INTO refs.invoices SELECT g, 1 + g % 60, 1 + g % 2, 'x' FROM generate_series(1, 300) g;"
    )
    try:
        before = logged_server.log.stat().st_size
        result = api.audit(logged_server.get_uri(), schemas=["refs"], profile=ProfileOptions(page_budget=5))
        statements = logged_since(logged_server, before)
    finally:
        logged_server.psql("DROP SCHEMA refs CASCADE;")
    lookups = [s for s in statements if 'FROM "refs"."customers" WHERE' in s]
    assert len(lookups) == 1, statements  # both references of invoices, in one statement
    assert 'FROM "refs"."customers" WHERE "id" = ANY($1)' in lookups[0] and 'FROM "refs"."plans"' in lookups[0]
    checks = {c.column: c for c in next(t for t in result.profile.tables if t.table == "invoices").reference_checks}
    assert checks["customer_id"].values_missing == 10 and checks["plan_id"].values_missing == 0
    assert non_reads(statements, "postgres") == []


def test_a_diff_of_two_live_databases_with_their_profiles_sends_only_reads(logged_server):
    """dayone diff (and watch, which reads the catalog the same way) only ever reads the databases."""
    before = logged_server.log.stat().st_size
    side = api.diff_side(logged_server.get_uri(), "new")
    result = api.diff(side, side, profile=True)
    assert result.changes == ()  # the same database twice, profiled twice: nothing changed
    statements = logged_since(logged_server, before)
    assert len([s for s in statements if 'FROM ONLY "public".' in s]) == 4, "the profiles' reads were not logged"
    assert non_reads(statements, "postgres") == []
