"""`dayone check`, the access pre-flight, as a user runs it: on real PostgreSQL and MariaDB, as the
superuser and as a least-privilege login, with the formats and exit codes a script relies on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from access_logins import mysql_login, postgres_login
from dayone import api
from dayone.catalog import snapshot as snapshot_file

CHECK_IDS = [
    "reachability", "server", "hosting", "replication-role", "tls", "read-only", "readable-tables",
    "temporary-objects", "future-tables", "cdc", "replica-identity", "time-zone", "statement-timeout",
    "connection-limits",
]  # fmt: skip
STATUSES = {"pass", "warn", "fail", "unknown"}


def dayone(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"})  # fmt: skip


def pg_setting(db, name: str) -> str:
    return db.execute(f"SELECT current_setting('{name}')")[0][0]


def mysql_variable(db, name: str) -> str:
    return str(db.execute(f"SHOW GLOBAL VARIABLES LIKE '{name}'")[0][1])


PG_TABLES = """
CREATE TABLE orders (id int PRIMARY KEY, status text);
CREATE TABLE events (payload text);                       -- no primary key
CREATE TABLE audit_log (id int, note text);
ALTER TABLE audit_log REPLICA IDENTITY FULL;              -- no key, but publishable
CREATE SCHEMA vault;
CREATE TABLE vault.secrets (id int PRIMARY KEY, token text);
"""


# --- PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_superuser_is_not_read_only_and_every_item_is_answered(pg_db):
    pg_db.execute(PG_TABLES)
    report = api.check(pg_db.url)
    assert [item.id for item in report.items] == CHECK_IDS
    by_id = {item.id: item for item in report.items}
    assert by_id["reachability"].status == "pass" and by_id["reachability"].evidence["round_trip_ms"] >= 0
    assert by_id["server"].summary.startswith("PostgreSQL ") and by_id["server"].evidence["version_text"].startswith("PostgreSQL")
    assert by_id["read-only"].status == "fail" and "superuser" in by_id["read-only"].summary
    # a loopback connection without TLS: a warning, said to stay on this machine
    assert by_id["tls"].status == "warn" and by_id["tls"].evidence["transport"] == "loopback"
    assert by_id["replication-role"].status == "warn" and "primary" in by_id["replication-role"].summary
    assert by_id["readable-tables"].status == "pass" and by_id["readable-tables"].evidence["tables"] == 4
    assert by_id["future-tables"].status == "pass"
    identity = by_id["replica-identity"]
    assert identity.status == "warn" and "public.events" in identity.summary and "audit_log" not in identity.summary
    wal_level = pg_setting(pg_db, "wal_level")
    assert by_id["cdc"].evidence["wal_level"] == wal_level
    assert by_id["cdc"].status == ("fail" if wal_level != "logical" else "pass")
    assert all(item.status in STATUSES and item.summary for item in report.items)
    assert all(item.questions for item in report.items if item.status != "pass")
    assert report.reaches("fail") and not report.reaches("never")


@pytest.mark.postgres
def test_postgres_least_privilege_login_sees_what_it_cannot_read(pg_db):
    pg_db.execute(PG_TABLES)
    with postgres_login(pg_db, "GRANT SELECT ON orders, audit_log TO {role}") as (role, url):
        report = api.check(url)
        by_id = {item.id: item for item in report.items}
        assert report.facts.login == role
        readable = by_id["readable-tables"]
        assert readable.status == "warn"
        assert set(readable.evidence["unreadable"]) == {
            "public.events (no SELECT privilege)", "vault.secrets (no USAGE privilege on schema vault)",
        }  # fmt: skip
        assert readable.evidence["schemas_without_usage"] == ["vault"]
        assert by_id["read-only"].status == "pass", by_id["read-only"].summary  # TEMP is not a write
        assert by_id["temporary-objects"].evidence == {"temporary_tables": True, "create_views": False}
        assert by_id["future-tables"].status == "warn" and "public" in by_id["future-tables"].summary
        assert by_id["statement-timeout"].status == "unknown"  # postgresql.conf is not visible to it
        # the catalog still comes from the system catalogs, unreadable tables included
        catalog = api.read_catalog(url)
        assert {(s.name, t.name) for s, t in catalog.tables()} == {
            ("public", "orders"), ("public", "events"), ("public", "audit_log"), ("vault", "secrets"),
        }  # fmt: skip
        assert catalog.schema("vault").table("secrets").primary_key.columns == ("id",)


@pytest.mark.postgres
def test_postgres_default_privileges_and_a_role_timeout_are_seen(pg_db):
    pg_db.execute(PG_TABLES)
    owner = pg_db.execute("SELECT current_user")[0][0]
    with postgres_login(
        pg_db,
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public GRANT SELECT ON TABLES TO {{role}}',
        'REVOKE ALL ON SCHEMA vault FROM PUBLIC; DROP TABLE vault.secrets; DROP SCHEMA vault',
        f"ALTER ROLE {{role}} IN DATABASE \"{pg_db.name}\" SET statement_timeout = '90s'",
    ) as (_, url):
        by_id = {item.id: item for item in api.check(url).items}
    assert by_id["future-tables"].status == "pass", by_id["future-tables"].summary
    assert by_id["future-tables"].evidence["default_privileges"] == [f"from {owner} in public"]
    timeout = by_id["statement-timeout"]
    assert timeout.status == "warn" and timeout.evidence == {"statement_timeout": "90s", "set_by": "ALTER ROLE ... IN DATABASE ... SET"}


@pytest.mark.postgres
def test_postgres_a_view_the_login_may_not_read_leaves_that_fact_unknown(pg_db):
    """System views are objects of each database: revoking one here affects only this database."""
    pg_db.execute(PG_TABLES + "REVOKE SELECT ON pg_catalog.pg_replication_slots FROM PUBLIC;")
    with postgres_login(pg_db, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}") as (_, url):
        report = api.check(url)
        audit = api.audit(url)  # profiling included: a table it may not read is skipped, not a crash
    cdc = report.item("cdc")
    assert "permission denied" in cdc.evidence["not_visible"]["replication"]
    assert cdc.status in ("fail", "pass", "warn") and "slots" not in cdc.evidence
    assert report.item("read-only").status == "pass" and report.item("tls").status == "warn"
    assert "replication" in report.facts.unknown
    assert any(f.rule == "unreadable-table" and f.target == "vault.secrets" for f in audit.findings)


@pytest.mark.postgres
def test_cli_json_lists_the_checks_and_exit_codes_follow_fail_on(pg_db, tmp_path):
    pg_db.execute(PG_TABLES)
    run = dayone("check", pg_db.url, "--format", "json")
    assert run.returncode == 1, run.stderr  # the superuser is not read-only: a failed check
    report = json.loads(run.stdout)
    assert set(report) >= {"tool", "target", "product", "version", "database", "login", "summary", "checks", "questions"}
    assert report["product"] == "postgresql" and report["database"] == pg_db.name
    assert [c["id"] for c in report["checks"]] == CHECK_IDS
    for check in report["checks"]:
        assert set(check) == {"id", "title", "status", "summary", "evidence", "questions"}
        assert check["status"] in STATUSES and isinstance(check["evidence"], dict)
    assert sum(report["summary"].values()) == len(CHECK_IDS) and report["summary"]["fail"] >= 1
    assert any("credentials" in q for q in report["questions"])
    assert dayone("check", pg_db.url, "--fail-on", "never").returncode == 0
    markdown = tmp_path / "check.md"
    run = dayone("check", pg_db.url, "--format", "markdown", "-o", str(markdown), "--fail-on", "never")
    assert run.returncode == 0 and markdown.read_text().startswith(f"# dayone check: {pg_db.name}")
    text = dayone("check", pg_db.url).stdout
    assert "✖ fail    Login is read-only" in text and "ask:" in text and "Still to answer" in text


def test_unreachable_server_is_a_failed_check_not_a_crash():
    run = dayone("check", "postgresql://nobody@127.0.0.1:1/nothing", "--format", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    reach = report["checks"][0]
    assert reach["id"] == "reachability" and reach["status"] == "fail" and "127.0.0.1:1" in reach["summary"]
    assert {c["status"] for c in report["checks"][1:]} == {"unknown"}


def test_a_target_that_is_not_a_database_exits_2():
    run = dayone("check", "oracle://x@y/z")
    assert run.returncode == 2 and run.stderr.startswith("dayone: error:") and "Traceback" not in run.stderr


# --- MariaDB / MySQL ------------------------------------------------------------------------------

MYSQL_TABLES = (
    "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(10))",
    "CREATE TABLE events (id INT, payload TEXT)",
    "CREATE TABLE secrets (id INT PRIMARY KEY, token TEXT)",
)


@pytest.mark.mysql
def test_mysql_root_is_not_read_only_and_the_binlog_is_judged(mysql_db):
    for statement in MYSQL_TABLES:
        mysql_db.execute(statement)
    report = api.check(mysql_db.url)
    by_id = {item.id: item for item in report.items}
    assert [item.id for item in report.items] == CHECK_IDS
    assert by_id["read-only"].status == "fail" and "superuser" in by_id["read-only"].summary
    assert by_id["tls"].status == "warn" and by_id["tls"].evidence["transport"] == "loopback"
    assert by_id["readable-tables"].status == "pass" and by_id["readable-tables"].evidence["tables"] == 3
    assert by_id["replica-identity"].status == "pass"  # not applicable: the binlog carries the row
    log_bin, binlog_format = mysql_variable(mysql_db, "log_bin"), mysql_variable(mysql_db, "binlog_format")
    assert by_id["cdc"].evidence["log_bin"] == log_bin and by_id["cdc"].evidence["binlog_format"] == binlog_format
    if log_bin.upper() != "ON" or binlog_format.upper() != "ROW":
        assert by_id["cdc"].status == "fail"
    assert by_id["replication-role"].status == "warn"  # root may read the replica status: a primary
    assert report.facts.product in ("mariadb", "mysql") and report.facts.database == mysql_db.name


@pytest.mark.mysql
def test_mysql_least_privilege_login_completes_with_unknowns_not_errors(mysql_db):
    for statement in MYSQL_TABLES:
        mysql_db.execute(statement)
    grants = ("GRANT SELECT ON {db}.orders TO {user}", "GRANT SELECT (id) ON {db}.events TO {user}")
    with mysql_login(mysql_db, *grants) as (user, url):
        report = api.check(url)
        by_id = {item.id: item for item in report.items}
        readable = by_id["readable-tables"]
        assert readable.status == "warn"
        assert readable.evidence["unreadable"] == [f"{mysql_db.name}.events (SELECT on some columns only)"]
        assert readable.evidence["hidden_tables_possible"] is True  # secrets: no privilege, so not even listed
        assert by_id["read-only"].status == "pass", by_id["read-only"].summary
        assert by_id["future-tables"].status == "warn"  # table grants only: new tables will not be readable
        # SHOW ALL SLAVES STATUS needs SLAVE MONITOR: the role is unknown, with the server's reason
        role = by_id["replication-role"]
        assert role.status == "unknown" and "not visible" in role.summary
        assert "replica status" in report.facts.unknown
        # the catalog and the whole audit (profiling included) complete, and name what it cannot read
        catalog = api.read_catalog(url)
        assert {t.name for _, t in catalog.tables()} == {"orders", "events"}
        audit = api.audit(url)
        assert {f.target for f in audit.findings if f.rule == "unreadable-table"} == {f"{mysql_db.name}.events"}


# --- snapshots and SQLite -------------------------------------------------------------------------


def test_sqlite_and_its_snapshot(tmp_path):
    import sqlite3

    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT)")
    report = api.check(f"sqlite:///{path}")
    by_id = {item.id: item for item in report.items}
    assert not report.reaches("fail")
    assert by_id["read-only"].status == "warn" and by_id["read-only"].evidence == {"file_writable": True}
    assert by_id["cdc"].status == "warn" and by_id["tls"].summary.startswith("not applicable")
    assert report.facts.journal_mode == "delete"
    snapshot = tmp_path / "shop.json"
    api.snapshot(f"sqlite:///{path}", snapshot)
    offline = api.check(str(snapshot))
    assert offline.item("reachability").status == "unknown" and not offline.connection.live
    assert [(i.id, i.status) for i in offline.items[1:]] == [(i.id, i.status) for i in report.items[1:]]


def test_an_older_snapshot_without_access_facts_is_all_unknown(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    document = json.loads(snapshot_file.to_json(api.read_catalog(f"sqlite:///{path}")))
    del document["catalog"]["access"]  # as dayone wrote snapshots before access facts
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    report = api.check(str(old))
    assert {item.status for item in report.items} == {"unknown"}
    assert "older dayone" in report.item("read-only").summary
    assert not any(f.rule in ("not-read-only", "no-tls") for f in api.audit(str(old)).findings)
