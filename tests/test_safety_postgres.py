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


def test_checker_catches_a_write():
    assert non_reads(["SELECT 1", "INSERT INTO t VALUES (1)", "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"], "postgres") == [
        "INSERT INTO t VALUES (1)",
        "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
    ]
