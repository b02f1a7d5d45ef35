"""The pure parts of the access facts, for servers the test machine does not have: MySQL 8 grants,
managed-service hosting marks, replicas, replication slots, binlog retention on RDS."""

from __future__ import annotations

from dayone.catalog.access import AccessFacts, Hosting, Privileges, ReplicationSlot, SchemaAccess, Tls
from dayone.dialects.hosting import infer_hosting, transport
from dayone.dialects.mysql_access import _database_matches, _privileges, _schema_access, parse_grants
from dayone.preflight import Connection, evaluate

LIVE = Connection(target="postgresql://analyst@db/shop", live=True, reached=True, connect_ms=12.0, round_trip_ms=0.4)


def items(facts: AccessFacts) -> dict:
    return {item.id: item for item in evaluate(LIVE, facts).items}


# --- SHOW GRANTS -----------------------------------------------------------------------------------


def test_mysql8_grants_with_roles_dynamic_privileges_and_columns():
    parsed = parse_grants([
        "GRANT USAGE ON *.* TO `analyst`@`%`",
        "GRANT SELECT, SHOW VIEW ON `shop`.* TO `analyst`@`%`",
        "GRANT SELECT (`id`, `email`), UPDATE (`email`) ON `crm`.`people` TO `analyst`@`%`",
        "GRANT INSERT ON `crm`.`audit` TO `analyst`@`%`",
        "GRANT EXECUTE ON PROCEDURE `shop`.`refresh` TO `analyst`@`%`",
        "GRANT `reporting`@`%`,`etl`@`%` TO `analyst`@`%`",
        "GRANT PROXY ON ''@'' TO 'analyst'@'%' WITH GRANT OPTION",
    ])  # fmt: skip
    assert parsed.roles == ["reporting", "etl"]
    tables = {"shop": ["orders", "items"], "crm": ["people", "audit", "notes"]}
    schemas = {s.name: s for s in _schema_access(parsed, tables, fold=False)}
    assert schemas["shop"].unreadable == () and schemas["shop"].future_select is True
    assert schemas["crm"].unreadable == ("audit", "notes", "people") and schemas["crm"].columns_only == ("people",)
    assert schemas["crm"].writable == {"INSERT": 1, "UPDATE": 1} and schemas["crm"].future_select is False
    privileges = _privileges(parsed, {}, tables, fold=False)
    assert privileges.superuser is False and privileges.server_writes == () and privileges.read_all is False


def test_admin_grants_are_named_and_the_password_hash_is_never_kept():
    parsed = parse_grants([
        "GRANT RELOAD, PROCESS, FILE, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%` "
        "IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122' WITH MAX_USER_CONNECTIONS 4",
        "GRANT BACKUP_ADMIN,SYSTEM_VARIABLES_ADMIN ON *.* TO `cdc`@`%`",
        "GRANT CREATE TEMPORARY TABLES, CREATE VIEW ON `shop`.* TO `cdc`@`%`",
    ])  # fmt: skip
    assert "D821809F" not in repr(parsed)
    privileges = _privileges(parsed, {"max_user_connections": "0"}, {"shop": []}, fold=False)
    assert privileges.replication is True and privileges.connection_limit == 4
    assert privileges.temporary_tables is True and privileges.create_views is True
    assert "FILE: may read and write files on the server" in privileges.server_writes
    assert any(w.startswith("BACKUP_ADMIN") for w in privileges.server_writes)
    assert not any("PROCESS" in w or "REPLICATION" in w for w in privileges.server_writes)  # reads, not writes


def test_all_privileges_on_everything_is_a_superuser():
    parsed = parse_grants(["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"])
    privileges = _privileges(parsed, {}, {"shop": ["orders"]}, fold=False)
    assert privileges.superuser and privileges.read_all and privileges.replication


def test_database_grants_are_like_patterns():
    assert _database_matches("shop\\_%", "shop_eu", False)
    assert not _database_matches("shop\\_%", "shopeu", False)
    assert _database_matches("shop_eu", "shopXeu", False)  # an unescaped _ matches any one character
    assert not _database_matches("Shop", "shop", False) and _database_matches("Shop", "shop", True)


# --- hosting ---------------------------------------------------------------------------------------


def test_hosting_is_inferred_from_marks_and_says_how():
    aurora = infer_hosting("shop.cluster-ro-abc123.eu-west-1.rds.amazonaws.com", settings=["rds.extensions"],
                           functions=["aurora_version"])  # fmt: skip
    assert aurora.provider == "AWS Aurora" and aurora.managed
    assert "function aurora_version() exists" in aurora.evidence and "server setting rds.extensions" in aurora.evidence
    assert infer_hosting("10.0.0.5", settings=["cloudsql.iam_authentication"]).provider == "Google Cloud SQL"
    assert infer_hosting("shop.postgres.database.azure.com").provider == "Azure Database"
    assert infer_hosting("db.internal", roles=["rds_superuser"]).evidence == ("role rds_superuser exists",)
    assert infer_hosting("db.internal").provider == "self-hosted or unrecognized"
    assert infer_hosting("127.0.0.1").provider.startswith("self-hosted (this machine")
    assert [transport(h) for h in (None, "/var/run/postgresql", "localhost", "::1", "db.example.com")] == [
        "socket", "socket", "loopback", "loopback", "network",
    ]  # fmt: skip


# --- judging facts ---------------------------------------------------------------------------------


def postgres(**changes) -> AccessFacts:
    facts = AccessFacts(
        product="postgresql", version="15.4", database="shop", login="analyst", transport="network",
        hosting=Hosting("AWS RDS", ("server setting rds.extensions",), managed=True), replica=False,
        tls=Tls(in_use=True, version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384", server_offers=True),
        privileges=Privileges(superuser=False, read_all=False, temporary_tables=True, create_views=False),
        schemas=(SchemaAccess("public", usage=True, create=False, tables=3, future_select=True),),
        publications=(), slots=(), replica_identity=(),
        settings={"wal_level": "logical", "max_replication_slots": "10", "max_wal_senders": "10", "max_connections": "200",
                  "rds.logical_replication": "1", "hot_standby_feedback": "off", "max_standby_streaming_delay": "30s"},
        server_timezone="UTC", session_timezone="UTC", statement_timeout="0", statement_timeout_source="postgresql.conf",
    )  # fmt: skip
    from dataclasses import replace

    return replace(facts, **changes)


def test_a_well_set_up_read_only_login_passes_everything():
    found = items(postgres())
    assert {k: v.status for k, v in found.items() if v.status != "pass"} == {"replication-role": "warn"}
    assert found["tls"].summary == "encrypted: TLSv1.3 (TLS_AES_256_GCM_SHA384)"


def test_a_replica_that_cancels_long_queries_and_a_network_without_tls():
    found = items(postgres(replica=True, tls=Tls(in_use=False, server_offers=True)))
    assert found["replication-role"].status == "warn" and "cancelled after 30s" in found["replication-role"].summary
    assert found["tls"].status == "fail" and "sslmode=require" in found["tls"].summary
    assert "logical decoding needs the primary before PostgreSQL 16" in found["cdc"].evidence["notes"][0]
    feedback = dict(postgres().settings, hot_standby_feedback="on")
    assert items(postgres(replica=True, settings=feedback))["replication-role"].status == "pass"


def test_slots_that_hold_back_wal_and_a_short_role_timeout():
    slot = ReplicationSlot("airbyte", "logical", plugin="pgoutput", database="shop", active=False, lag_bytes=5 << 30)
    found = items(postgres(slots=(slot,), statement_timeout="30s", statement_timeout_source="ALTER ROLE ... SET"))
    assert found["cdc"].status == "warn" and "holds back 5.0 GB" in found["cdc"].summary
    assert found["statement-timeout"].status == "warn"
    off = items(postgres(settings=dict(postgres().settings, wal_level="replica")))["cdc"]
    assert off.status == "fail" and "rds.logical_replication = 1" in off.summary


def test_mysql_binlog_retention_and_rds():
    settings = {"log_bin": "ON", "binlog_format": "ROW", "binlog_row_image": "FULL", "binlog_expire_logs_seconds": "86400",
                "gtid_mode": "ON", "max_connections": "151"}  # fmt: skip
    self_hosted = postgres(product="mysql", version="8.0.36", hosting=Hosting("self-hosted or unrecognized"), settings=settings)
    cdc = items(self_hosted)["cdc"]
    assert cdc.status == "warn" and "kept 1 day(s)" in cdc.summary
    week = dict(settings, binlog_expire_logs_seconds="604800")
    assert items(postgres(product="mysql", version="8.0.36", hosting=Hosting("self-hosted"), settings=week))["cdc"].status == "pass"
    rds = items(postgres(product="mysql", version="8.0.36", settings=week))["cdc"]
    assert rds.status == "warn" and "binlog retention hours" in rds.summary
