"""PostgreSQL access facts in four bulk queries, whatever the number of tables.

1. the server, the session and the login (settings, TLS, role attributes, database privileges,
   default privileges, statement timeout set on the role or database);
2. every schema and its tables as the login sees them (has_schema_privilege / has_table_privilege
   per table, aggregated per schema; replica identity of tables without a key);
3. replication: publications, slots of this database and their lag, connected standbys;
4. the statement timeout in postgresql.conf, only when the login may read pg_file_settings.

Every system view used is readable by any login; still, each query runs on its own, so one that
the server refuses (a managed service revoking a view) leaves its facts unknown, never the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dayone.catalog.access import (
    AccessFacts,
    DefaultGrant,
    Privileges,
    Publication,
    ReplicaIdentity,
    ReplicationSlot,
    SchemaAccess,
    Tls,
)
from dayone.connect.session import Session
from dayone.dialects.hosting import SETTING_PREFIXES, infer_hosting, transport
from dayone.dialects.postgres import NOT_EXTENSION_MEMBER, SYSTEM_SCHEMA_FILTER

SETTINGS = (
    "wal_level", "max_replication_slots", "max_wal_senders", "max_slot_wal_keep_size", "wal_keep_size",
    "hot_standby", "hot_standby_feedback", "max_standby_streaming_delay", "max_standby_archive_delay",
    "ssl", "max_connections", "superuser_reserved_connections", "TimeZone", "log_timezone",
    "track_commit_timestamp",
)  # fmt: skip
ADMIN_ROLES = ("rds_superuser", "cloudsqlsuperuser", "azure_pg_admin", "alloydbsuperuser")
REPLICATION_ROLES = ("rds_replication",)
HOSTING_ROLES = ("rds_superuser", "rdsadmin", "cloudsqlsuperuser", "alloydbsuperuser", "azure_pg_admin", "azuresu")
MAY_READ_CONFIG = 22  # the column of SERVER_SQL saying whether pg_file_settings may be read
IDENTITY = {"d": "default", "n": "nothing", "i": "index", "f": "full"}

_PREFIX_FILTER = " OR ".join(f"name LIKE '{prefix.replace('_', chr(92) + '_')}%%'" for prefix, _ in SETTING_PREFIXES)


def _names(names: tuple[str, ...]) -> str:
    """A SQL list of the constant role names above (never user input)."""
    return ", ".join(f"'{name}'" for name in names)



SERVER_SQL = f"""
SELECT version(), current_setting('server_version'), current_database(), current_user,
       pg_is_in_recovery(),
       (SELECT json_build_object('ssl', s.ssl, 'version', s.version, 'cipher', s.cipher)
        FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()),
       r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolconnlimit, d.datconnlimit,
       has_database_privilege(d.oid, 'CREATE'), has_database_privilege(d.oid, 'TEMP'),
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid ORDER BY 1),
       ARRAY(SELECT g.rolname::text FROM pg_roles g
             WHERE g.rolname IN ('pg_read_all_data', 'pg_write_all_data', {_names(ADMIN_ROLES + REPLICATION_ROLES)})
               AND pg_has_role(g.oid, 'USAGE') ORDER BY 1),
       (SELECT coalesce(json_object_agg(name, current_setting(name)), '{{}}') FROM pg_settings
        WHERE name = ANY(%(settings)s) OR {_PREFIX_FILTER}),
       (SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), current_setting('TimeZone'),
       ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%(hosting)s)),
       EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'aurora_version'),
       -- the statement timeout set on this role and database (ALTER ROLE / DATABASE ... SET)
       (SELECT json_agg(json_build_array(rs.setrole <> 0, rs.setdatabase <> 0, rs.setconfig))
        FROM pg_db_role_setting rs
        WHERE rs.setrole IN (0, r.oid) AND rs.setdatabase IN (0, d.oid)
          AND EXISTS (SELECT 1 FROM unnest(rs.setconfig) c WHERE c LIKE 'statement\\_timeout=%%')),
       has_function_privilege('pg_show_all_file_settings()', 'EXECUTE'),
       -- default privileges that give this login SELECT on tables others create later
       (SELECT json_agg(DISTINCT jsonb_build_array(pg_get_userbyid(da.defaclrole), dn.nspname))
        FROM pg_default_acl da
        LEFT JOIN pg_namespace dn ON dn.oid = da.defaclnamespace
        CROSS JOIN LATERAL aclexplode(da.defaclacl) a
        WHERE da.defaclobjtype = 'r' AND a.privilege_type = 'SELECT'
          AND CASE WHEN a.grantee = 0 THEN true ELSE pg_has_role(a.grantee, 'USAGE') END)
FROM pg_roles r, pg_database d
WHERE r.rolname = current_user AND d.datname = current_database()
"""

# One row per schema: what the login may do in it and to its tables, aggregated.
OBJECTS_SQL = f"""
WITH rel AS (
    SELECT c.oid, c.relnamespace, c.relname, c.relkind, c.relreplident, c.relispartition, c.relowner,
           has_table_privilege(c.oid, 'SELECT') AS can_select
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM_SCHEMA_FILTER} AND {NOT_EXTENSION_MEMBER}
)
SELECT n.nspname,
       has_schema_privilege(n.oid, 'USAGE'), has_schema_privilege(n.oid, 'CREATE'),
       count(rel.oid),
       array_agg(rel.relname::text ORDER BY rel.relname)
           FILTER (WHERE NOT rel.can_select OR NOT has_schema_privilege(n.oid, 'USAGE')),
       array_agg(rel.relname::text ORDER BY rel.relname)
           FILTER (WHERE NOT rel.can_select AND has_any_column_privilege(rel.oid, 'SELECT')),
       array_agg(rel.relname::text ORDER BY rel.relname)
           FILTER (WHERE rel.can_select AND rel.relkind IN ('r', 'p') AND row_security_active(rel.oid)),
       count(*) FILTER (WHERE rel.relkind <> 'm' AND has_table_privilege(rel.oid, 'INSERT')),
       count(*) FILTER (WHERE rel.relkind <> 'm' AND has_table_privilege(rel.oid, 'UPDATE')),
       count(*) FILTER (WHERE rel.relkind <> 'm' AND has_table_privilege(rel.oid, 'DELETE')),
       count(*) FILTER (WHERE rel.relkind IN ('r', 'p') AND has_table_privilege(rel.oid, 'TRUNCATE')),
       count(*) FILTER (WHERE pg_has_role(rel.relowner, 'USAGE')),
       -- who makes tables here: their owners and the schema's (pg_database_owner: the database's owner)
       ARRAY(SELECT DISTINCT pg_get_userbyid(o)::text
             FROM unnest(array_append(array_agg(rel.relowner), CASE WHEN pg_get_userbyid(n.nspowner) = 'pg_database_owner'
                 THEN (SELECT datdba FROM pg_database WHERE datname = current_database()) ELSE n.nspowner END)) o
             WHERE o IS NOT NULL AND NOT pg_has_role(o, 'USAGE') ORDER BY 1),
       -- tables whose UPDATE and DELETE a publication cannot carry: no key to identify the row
       json_agg(json_build_array(rel.relname, rel.relreplident, pk.conrelid IS NOT NULL) ORDER BY rel.relname)
           FILTER (WHERE rel.relkind IN ('r', 'p') AND NOT rel.relispartition
                   AND (rel.relreplident = 'n' OR (rel.relreplident = 'd' AND pk.conrelid IS NULL)))
FROM pg_namespace n
LEFT JOIN rel ON rel.relnamespace = n.oid
LEFT JOIN pg_constraint pk ON pk.conrelid = rel.oid AND pk.contype = 'p'
WHERE {SYSTEM_SCHEMA_FILTER}
GROUP BY n.oid, n.nspname, n.nspowner
"""

REPLICATION_SQL = """
SELECT (SELECT coalesce(json_agg(to_jsonb(p) || jsonb_build_object(
                    'table_count', (SELECT count(*) FROM pg_publication_tables t WHERE t.pubname = p.pubname),
                    -- which tables: a new table is in a publication or not (all tables: in it by itself)
                    'members', CASE WHEN p.puballtables THEN NULL ELSE (
                        SELECT coalesce(json_agg(json_build_array(t.schemaname, t.tablename)
                                                 ORDER BY t.schemaname, t.tablename), '[]')
                        FROM pg_publication_tables t WHERE t.pubname = p.pubname) END)), '[]')
        FROM pg_publication p),
       (SELECT coalesce(json_agg(to_jsonb(s) || jsonb_build_object('lag_bytes', pg_wal_lsn_diff(
                    CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,
                    coalesce(s.confirmed_flush_lsn, s.restart_lsn))::bigint)), '[]')
        FROM pg_replication_slots s WHERE s.database IS NULL OR s.database = current_database()),
       (SELECT count(*) FROM pg_stat_replication)
"""

FILE_SETTINGS_SQL = "SELECT setting FROM pg_file_settings WHERE name = 'statement_timeout' AND applied"


def read_access(session: Session, schemas: Sequence[str] | None = None) -> AccessFacts:
    """The access facts of this session's login and server; facts the server refuses stay unknown."""
    unknown: dict[str, str] = {}
    params = {"schemas": list(schemas) if schemas else None, "settings": list(SETTINGS), "hosting": list(HOSTING_ROLES)}
    server = _attempt(session, "server", SERVER_SQL, params, unknown)
    objects = _attempt(session, "privileges", OBJECTS_SQL, params, unknown)
    replication = _attempt(session, "replication", REPLICATION_SQL, None, unknown)
    may_read_config = bool(server) and bool(server[0][MAY_READ_CONFIG])
    config = _attempt(session, "configuration", FILE_SETTINGS_SQL, None, unknown) if may_read_config else None
    _end(session)

    host = session.target.host or session.target.query.get("host")
    if not server:
        return AccessFacts(product="postgresql", version="", transport=transport(host), unknown=unknown)
    (version_text, version, database, login, in_recovery, ssl, superuser, createrole, createdb, replication_attr,
     role_limit, database_limit, create_db, temp, member_of, notable, settings, server_tz, session_tz, hosting_roles,
     aurora, timeout_settings, _may_read_config, default_acl) = server[0]  # fmt: skip
    settings = dict(sorted((settings or {}).items()))
    notable = set(notable or ())
    server_writes = []
    if createdb:
        server_writes.append("CREATEDB: may create databases")
    if createrole:
        server_writes.append("CREATEROLE: may create and change roles")
    if "pg_write_all_data" in notable and not superuser:
        server_writes.append("member of pg_write_all_data: may write every table")
    server_writes += [f"member of {role}: an administrator role of the service" for role in ADMIN_ROLES if role in notable and not superuser]
    privileges = Privileges(
        superuser=superuser,
        server_writes=tuple(server_writes),
        read_all=bool(superuser) or "pg_read_all_data" in notable,
        create_in_database=create_db,
        temporary_tables=temp,
        create_views=None,  # filled from the schemas below
        replication=bool(superuser or replication_attr or notable & set(REPLICATION_ROLES)),
        roles=tuple(member_of or ()),
        connection_limit=None if role_limit is None or role_limit < 0 else role_limit,
    )
    grants = tuple(sorted({DefaultGrant(creator=c, schema=s) for c, s in (default_acl or ())}, key=lambda g: (g.creator, g.schema or "")))
    schema_facts, identities = _schemas(objects, grants, privileges) if objects is not None else (None, None)
    if schema_facts is not None:
        privileges = replace(privileges, create_views=any(s.create for s in schema_facts))
    timeout, source = _statement_timeout(timeout_settings, config, may_read_config, "configuration" in unknown)
    if database_limit is not None and database_limit >= 0:
        settings["database connection limit"] = str(database_limit)
    publications = slots = standbys = None
    if replication:
        pubs, slot_rows, standbys = replication[0]
        publications = tuple(sorted((_publication(p) for p in pubs), key=lambda p: p.name))
        slots = tuple(sorted((_slot(s) for s in slot_rows), key=lambda s: s.name))
    evidence = ("pg_is_in_recovery() is " + ("true: a hot standby" if in_recovery else "false: the primary"),)
    return AccessFacts(
        product="postgresql",
        version=version.split()[0],
        version_text=version_text,
        database=database,
        login=login,
        transport=transport(host),
        hosting=infer_hosting(host, settings=settings, roles=hosting_roles or (), functions=("aurora_version",) if aurora else ()),
        replica=in_recovery,
        replica_evidence=evidence,
        standbys=standbys,
        tls=Tls(
            in_use=ssl["ssl"] if ssl else None,
            version=(ssl or {}).get("version"),
            cipher=(ssl or {}).get("cipher"),
            server_offers=_on(settings.get("ssl")),
        ),
        privileges=privileges,
        schemas=schema_facts,
        default_grants=grants,
        publications=publications,
        slots=slots,
        replica_identity=identities,
        settings=settings,
        server_timezone=server_tz,
        session_timezone=session_tz,
        statement_timeout=timeout,
        statement_timeout_source=source,
        unknown=unknown,
    )


def _attempt(session: Session, group: str, sql: str, params, unknown: dict[str, str]) -> list[tuple] | None:
    """Run one bulk query; if the server refuses it, note why and carry on with the others."""
    import psycopg

    try:
        return session.query(sql, params)
    except psycopg.Error as exc:
        _end(session)
        unknown[group] = _first_line(str(exc)) or type(exc).__name__
        return None


def _end(session: Session) -> None:
    """End the read-only transaction at once: short transactions only."""
    try:
        session.connection.rollback()
    except Exception:  # a dead connection: the facts already say what failed
        pass


def _schemas(rows, grants: tuple[DefaultGrant, ...], privileges: Privileges):
    schemas = []
    identities = []
    for (name, usage, create, count, unreadable, columns_only, rls, ins, upd, dele, trunc, owned, others,
         no_identity) in sorted(rows):  # fmt: skip
        writable = {k: v for k, v in (("INSERT", ins), ("UPDATE", upd), ("DELETE", dele), ("TRUNCATE", trunc)) if v}
        others = tuple(others or ())
        if privileges.superuser or privileges.read_all:
            future = True
        elif not count:
            future = None  # no tables yet: who will make them there is not known
        else:  # every role that makes tables here must have granted SELECT on them in advance
            covered = {g.creator for g in grants if g.schema in (None, name)}
            future = usage and all(owner in covered for owner in others)
        schemas.append(
            SchemaAccess(
                name=name,
                usage=usage,
                create=create,
                tables=count,
                unreadable=tuple(unreadable or ()),
                columns_only=tuple(columns_only or ()),
                row_security=tuple(rls or ()),
                writable=writable,
                owned=owned,
                other_owners=others,
                future_select=future,
            )
        )
        for table, identity, has_key in no_identity or ():
            identities.append(ReplicaIdentity(schema=name, table=table, identity=IDENTITY.get(identity, identity), primary_key=has_key))
    return tuple(schemas), tuple(identities)


def _statement_timeout(role_settings, config, may_read_config: bool, config_failed: bool) -> tuple[str | None, str | None]:
    """The statement timeout this login gets from the server, most specific level first."""
    levels = {}
    for on_role, on_database, entries in role_settings or ():
        for entry in entries:
            key, _, value = entry.partition("=")
            if key == "statement_timeout":
                levels[(on_role, on_database)] = value
    for key, label in (((True, True), "ALTER ROLE ... IN DATABASE ... SET"), ((True, False), "ALTER ROLE ... SET"),
                       ((False, True), "ALTER DATABASE ... SET")):  # fmt: skip
        if key in levels:
            return _ms(levels[key]), label
    if config:
        return _ms(config[-1][0]), "postgresql.conf"
    if may_read_config and not config_failed:
        return "0", "not set (the built-in default: no limit)"
    return None, None


def _ms(value: str) -> str:
    """pg_db_role_setting and pg_file_settings keep the value as written: a bare number is ms."""
    value = value.strip().strip("'")
    return f"{value}ms" if value.lstrip("-").isdigit() and value != "0" else value


def _publication(row: dict) -> Publication:
    operations = tuple(op for op in ("insert", "update", "delete", "truncate") if row.get(f"pub{op}"))
    members = row.get("members")
    return Publication(name=row["pubname"], all_tables=bool(row.get("puballtables")), operations=operations,
                       tables=int(row.get("table_count") or 0),
                       members=None if members is None else tuple(sorted((s, t) for s, t in members)))  # fmt: skip


def _slot(row: dict) -> ReplicationSlot:
    return ReplicationSlot(
        name=row["slot_name"],
        kind=row.get("slot_type") or "unknown",
        plugin=row.get("plugin"),
        database=row.get("database"),
        active=bool(row.get("active")),
        lag_bytes=row.get("lag_bytes"),
    )


def _on(value: str | None) -> bool | None:
    return None if value is None else value.lower() in ("on", "true", "1")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


__all__ = ["read_access"]
