"""The access rules (DA301-DA308) on real servers: as the superuser, as a least-privilege login, and
offline over facts changed the way another server would have them."""

from __future__ import annotations

import dataclasses

import pytest

from access_logins import mysql_login, postgres_login
from dayone import api
from dayone.catalog.access import Tls
from dayone.rules import REGISTRY, run_rules, select_rules

ACCESS_RULES = {r.name for r in REGISTRY.values() if r.family == "access"}


def access_findings(catalog) -> dict[str, dict[str, object]]:
    """rule -> target -> finding, access rules only."""
    found: dict[str, dict[str, object]] = {}
    for f in run_rules(catalog, select_rules(["access"])).findings:
        found.setdefault(f.rule, {})[f.target] = f
    return found


def with_access(catalog, **changes):
    return dataclasses.replace(catalog, access=dataclasses.replace(catalog.access, **changes))


def test_the_rules_are_the_interface():
    assert ACCESS_RULES == {
        "not-read-only", "connected-to-primary", "no-tls", "unreadable-table", "cdc-not-enabled",
        "no-default-privileges", "replica-identity-missing", "server-timezone-not-utc",
    }  # fmt: skip
    assert {r.code for r in REGISTRY.values() if r.family == "access"} == {f"DA30{i}" for i in range(1, 9)}


# --- PostgreSQL -----------------------------------------------------------------------------------

PG_DDL = """
CREATE TABLE orders (id int PRIMARY KEY, status text);
CREATE TABLE events (id int, payload text);
CREATE TABLE clicks (id int NOT NULL, url text);
CREATE UNIQUE INDEX clicks_id ON clicks (id);
ALTER TABLE clicks REPLICA IDENTITY USING INDEX clicks_id;
CREATE TABLE tombstones (id int PRIMARY KEY);
ALTER TABLE tombstones REPLICA IDENTITY NOTHING;
CREATE SCHEMA vault;
CREATE TABLE vault.secrets (id int PRIMARY KEY, token text);
"""


@pytest.mark.postgres
def test_postgres_superuser_findings(pg_db):
    pg_db.execute(PG_DDL)
    catalog = api.read_catalog(pg_db.url)
    found = access_findings(catalog)
    database = pg_db.name
    not_read_only = found["not-read-only"][database]
    assert not_read_only.severity == "error" and not_read_only.evidence["superuser"] is True
    assert "it is a superuser" in not_read_only.message
    assert database in found["connected-to-primary"]
    no_tls = found["no-tls"][database]
    assert no_tls.severity == "warning" and no_tls.evidence["transport"] == "loopback"  # loopback: not an error
    # NOTHING: flagged; a USING INDEX identity or a key: not; no key and the default identity: the
    # missing key is asked about once, by missing-primary-key, which says what it costs replication
    assert set(found["replica-identity-missing"]) == {"public.tombstones"}
    missing_key = {f.target: f for f in run_rules(catalog, select_rules(["missing-primary-key"])).findings}
    assert missing_key["public.events"].evidence["replica_identity_missing"] is True
    assert "publication cannot carry its updates and deletes" in missing_key["public.events"].message
    assert found["replica-identity-missing"]["public.tombstones"].evidence["replica_identity"] == "nothing"
    wal_level = pg_db.execute("SELECT current_setting('wal_level')")[0][0]
    if wal_level != "logical":
        cdc = found["cdc-not-enabled"][database]
        assert cdc.evidence["settings"]["wal_level"] == wal_level and f"wal_level is {wal_level}" in cdc.message
        assert "replication slot" in cdc.question and "binlog" not in cdc.question
    assert "unreadable-table" not in found and "no-default-privileges" not in found
    # a network connection without TLS is an error
    networked = access_findings(with_access(catalog, transport="network"))
    assert networked["no-tls"][database].severity == "error"
    assert "no-tls" not in access_findings(with_access(catalog, tls=Tls(in_use=True, version="TLSv1.3")))


@pytest.mark.postgres
def test_postgres_server_time_zone_other_than_utc(pg_db):
    pg_db.execute(f"ALTER DATABASE \"{pg_db.name}\" SET timezone = 'America/New_York'")
    found = access_findings(api.read_catalog(pg_db.url))
    finding = found["server-timezone-not-utc"][pg_db.name]
    assert finding.evidence["server_timezone"] == "America/New_York" and "not UTC" in finding.message
    pg_db.execute(f"ALTER DATABASE \"{pg_db.name}\" SET timezone = 'UTC'")
    assert "server-timezone-not-utc" not in access_findings(api.read_catalog(pg_db.url))


@pytest.mark.postgres
def test_postgres_least_privilege_login(pg_db):
    pg_db.execute(PG_DDL)
    grants = ("GRANT SELECT ON orders, clicks, tombstones TO {role}", "GRANT SELECT (id) ON events TO {role}")
    with postgres_login(pg_db, *grants) as (role, url):
        result = api.audit(url)  # the whole audit, profiling included, as the limited login
        found = access_findings(result.catalog)
        assert "not-read-only" not in found
        unreadable = found["unreadable-table"]
        assert set(unreadable) == {"public.events", "vault.secrets"}
        assert unreadable["public.events"].evidence["reason"] == "SELECT on some columns only"
        assert unreadable["vault.secrets"].evidence["reason"] == "no USAGE privilege on schema vault"
        assert role in unreadable["public.events"].message
        assert {f.target for f in result.findings if f.rule == "unreadable-table"} == set(unreadable)
        future = found["no-default-privileges"][pg_db.name]
        assert set(future.evidence["schemas"]) == {"public (tables made by postgres)", "vault (tables made by postgres)"}
        # catalog facts still come from the system catalogs: the unreadable table's missing key is known
        assert "public.events" in {f.target for f in result.findings if f.rule == "missing-primary-key"}


@pytest.mark.postgres
def test_postgres_default_privileges_clear_the_finding(pg_db):
    pg_db.execute("CREATE TABLE orders (id int PRIMARY KEY)")
    owner = pg_db.execute("SELECT current_user")[0][0]
    grants = (
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public GRANT SELECT ON TABLES TO {{role}}',
    )
    with postgres_login(pg_db, *grants) as (_, url):
        found = access_findings(api.read_catalog(url))
    assert "no-default-privileges" not in found and "unreadable-table" not in found and "not-read-only" not in found


# --- MariaDB / MySQL ------------------------------------------------------------------------------


@pytest.mark.mysql
def test_mysql_root_and_least_privilege_login(mysql_db):
    mysql_db.execute("CREATE TABLE orders (id INT PRIMARY KEY)")
    mysql_db.execute("CREATE TABLE events (id INT, payload TEXT)")
    mysql_db.execute("CREATE TABLE hidden (id INT PRIMARY KEY)")
    root = access_findings(api.read_catalog(mysql_db.url))
    assert root["not-read-only"][mysql_db.name].evidence["superuser"] is True
    log_bin = str(mysql_db.execute("SHOW GLOBAL VARIABLES LIKE 'log_bin'")[0][1])
    if log_bin.upper() != "ON":
        cdc = root["cdc-not-enabled"][mysql_db.name]
        assert "log_bin is OFF" in cdc.message
        assert "binlog" in cdc.question and "replication slot" not in cdc.question  # PostgreSQL's word
    assert "replica-identity-missing" not in root  # the binlog carries the row: not applicable
    grants = ("GRANT SELECT ON {db}.orders TO {user}", "GRANT SELECT (id), INSERT ON {db}.events TO {user}")
    with mysql_login(mysql_db, *grants) as (user, url):
        result = api.audit(url)
    found = access_findings(result.catalog)
    assert set(found["unreadable-table"]) == {f"{mysql_db.name}.events"}  # hidden is not visible to it at all
    not_read_only = found["not-read-only"][mysql_db.name]
    assert not_read_only.evidence["reasons"] == [f"INSERT on 1 table(s) in {mysql_db.name}"]
    assert found["no-default-privileges"][mysql_db.name].evidence["schemas"] == [mysql_db.name]
    assert "connected-to-primary" not in found  # replica status is not visible to it: no guess


@pytest.mark.mysql
def test_mysql_database_wide_select_covers_future_tables(mysql_db):
    mysql_db.execute("CREATE TABLE orders (id INT PRIMARY KEY)")
    with mysql_login(mysql_db, "GRANT SELECT ON {db}.* TO {user}") as (_, url):
        found = access_findings(api.read_catalog(url))
    assert not ({"no-default-privileges", "unreadable-table", "not-read-only"} & set(found))


# --- offline: the same rules over facts another server would give ------------------------------


def test_rules_are_silent_without_facts_and_on_sqlite(tmp_path):
    import sqlite3

    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    catalog = api.read_catalog(f"sqlite:///{path}")
    assert catalog.access is not None and catalog.access.file_writable is True
    assert access_findings(catalog) == {}
    assert access_findings(dataclasses.replace(catalog, access=None)) == {}


def test_time_zone_and_cdc_judged_from_the_facts(tmp_path):
    import sqlite3

    path = tmp_path / "x.db"
    sqlite3.connect(path).close()
    catalog = api.read_catalog(f"sqlite:///{path}")
    mysql_like = with_access(catalog, product="mariadb", server_timezone="Europe/Paris",
                             settings={"log_bin": "ON", "binlog_format": "STATEMENT"})  # fmt: skip
    found = access_findings(mysql_like)
    assert found["server-timezone-not-utc"][catalog.database].evidence["server_timezone"] == "Europe/Paris"
    assert "binlog_format is STATEMENT, not ROW" in found["cdc-not-enabled"][catalog.database].message
    ready = with_access(catalog, product="mariadb", server_timezone="+00:00", settings={"log_bin": "ON", "binlog_format": "ROW"})
    assert access_findings(ready) == {}
