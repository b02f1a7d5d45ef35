"""Infrastructure and access rules: what the login may do, how it reaches the server, whether the
server is ready for change data capture. They read Catalog.access, the facts the dialect gathered
with the catalog; a snapshot without those facts (or a fact the server would not give) makes them
silent, never a guess.
"""

from __future__ import annotations

from dayone.rules.context import AuditContext
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

LIST_LIMIT = 20  # names quoted in a message; the evidence holds them all


def _source(ctx: AuditContext) -> str:
    """Server-wide findings are reported on the database."""
    return ctx.catalog.database


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:LIST_LIMIT])
    return shown + (f" and {len(names) - LIST_LIMIT} more" if len(names) > LIST_LIMIT else "")


def _not_read_only_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or ctx.catalog.access is None or ctx.catalog.access.write_reasons() is None
        else f"{ctx.catalog.access.login or 'the login'} is read-only")


@rule(name="not-read-only", code="DA301", family="access", scope="source", severity="error", praise=_not_read_only_praise)
def not_read_only(ctx: AuditContext):
    """The login dayone used can write data or change the schema.

    ## What it detects
    A login that is a superuser, holds server-wide write or administration privileges (PostgreSQL
    CREATEDB, CREATEROLE, pg_write_all_data, a cloud administrator role; MySQL ALL PRIVILEGES,
    SUPER, FILE, INSERT ON *.*), may INSERT, UPDATE, DELETE or TRUNCATE some table, may create
    objects in a schema or database, or owns tables (and so may alter or drop them).

    ## Why it matters for analytics
    An extraction or BI login that can write is one typo, one misconfigured tool or one leaked
    password away from changing production data. Read-only access is also what security reviews and
    auditors expect for analytics; dayone itself only reads, but the tools that follow may not.

    ## Question for the engineering team
    Can analytics get a dedicated login that may only SELECT (and, for CDC, replicate), separate
    from the application's and the administrators' logins? Who owns those credentials?

    ## How to fix
    PostgreSQL: `CREATE ROLE analytics LOGIN; GRANT CONNECT ON DATABASE db TO analytics; GRANT USAGE
    ON SCHEMA app TO analytics; GRANT SELECT ON ALL TABLES IN SCHEMA app TO analytics;` (or `GRANT
    pg_read_all_data TO analytics` on PostgreSQL 14+). MySQL/MariaDB: `CREATE USER 'analytics'@'%'
    ...; GRANT SELECT, SHOW VIEW ON app.* TO 'analytics'@'%';`

    ## What it leaves out
    Privileges dayone cannot see: grants through roles a login may only SET ROLE to, MySQL proxy
    users, and cloud IAM policies outside the database. A replication privilege alone (for CDC)
    is not called a write. Without access facts (an old snapshot) the rule is silent rather than
    guessing.
    """
    this = REGISTRY["not-read-only"]
    access = ctx.catalog.access
    reasons = access.write_reasons() if access else None
    if not reasons:
        return
    login = access.login or "the login"
    yield this.finding(
        _source(ctx),
        f"{login} is not read-only: {_listed(reasons)}",
        f"Can analytics use a login that may only read (SELECT), instead of {login}, and who owns its credentials?",
        login=access.login,
        superuser=access.privileges.superuser,
        reasons=reasons,
    )


@rule(name="connected-to-primary", code="DA302", family="access", scope="source", severity="warning")
def connected_to_primary(ctx: AuditContext):
    """dayone read the primary server, not a read replica.

    ## What it detects
    The server answers as a primary: PostgreSQL `pg_is_in_recovery()` is false; MySQL/MariaDB
    `read_only` is off and the server replicates from no other. When the primary streams to
    standbys, the finding says how many.

    ## Why it matters for analytics
    Extraction reads whole tables, often for minutes. On the primary those reads compete with the
    application for CPU, memory and I/O, and long transactions hold back vacuum (PostgreSQL) or the
    purge of old row versions (InnoDB). A read replica takes that load away from production.

    ## Question for the engineering team
    Is there a read replica analytics can read from (and may run long queries on)? If extraction
    must use the primary, at what times and with what load limits?

    ## How to fix
    Point the extraction at a read replica. On a PostgreSQL hot standby set `hot_standby_feedback =
    on` or raise `max_standby_streaming_delay`, so long queries are not cancelled. Log-based CDC on
    PostgreSQL before 16 must read the primary: that is expected.

    ## What it leaves out
    Servers that say nothing about their role (MySQL without `SLAVE MONITOR` or `REPLICA
    MONITOR`): reported as unknown by `dayone check`, not as a finding. SQLite, which has no
    servers.
    """
    this = REGISTRY["connected-to-primary"]
    access = ctx.catalog.access
    if access is None or access.replica is not False:
        return
    standbys = f"; it streams to {access.standbys} standby server(s)" if access.standbys else ""
    yield this.finding(
        _source(ctx),
        f"{access.database or ctx.catalog.database} was read on its primary server{standbys}",
        "Is there a read replica analytics can use, and may long extraction queries run on it?",
        signs=list(access.replica_evidence),
        standbys=access.standbys,
    )


@rule(name="no-tls", code="DA303", family="access", scope="source", severity="warning")
def no_tls(ctx: AuditContext):
    """The connection to the database is not encrypted.

    ## What it detects
    The session dayone opened did not use TLS (PostgreSQL `pg_stat_ssl` for its own backend; MySQL
    and MariaDB `Ssl_cipher` of the session), and whether the server offers TLS at all. It is an
    error when the connection crossed a network; a warning when it stayed on one machine (a local
    socket, 127.0.0.1, or an SSH tunnel, which encrypts on its own).

    ## Why it matters for analytics
    Extraction copies every row of every table: without TLS, customer data and the login's password
    travel in clear text over each network between the database and the warehouse.

    ## Question for the engineering team
    Can the server require TLS for the analytics login (PostgreSQL `hostssl` in pg_hba.conf and
    `ssl = on`; MySQL `REQUIRE SSL` or `require_secure_transport = ON`)? Which CA certificate should
    clients verify?

    ## How to fix
    Enable TLS on the server and require it; connect with `sslmode=verify-full` (PostgreSQL) or
    `ssl_ca=`/`ssl-mode=VERIFY_IDENTITY` (MySQL), or reach the server only through an SSH tunnel.

    ## What it leaves out
    How the client verifies the certificate (`sslmode`, `ssl-mode`): that is the client's
    setting, not the server's. SQLite files, which are read locally.
    """
    this = REGISTRY["no-tls"]
    access = ctx.catalog.access
    if access is None or access.tls is None or access.tls.in_use is not False:
        return
    networked = access.transport == "network"
    offered = {True: "the server offers TLS but this session did not use it",
               False: "the server does not offer TLS"}.get(access.tls.server_offers, "")  # fmt: skip
    where = " and crosses the network" if networked else " (it stays on this machine: a socket, 127.0.0.1 or an SSH tunnel)"
    yield this.finding(
        _source(ctx),
        f"the connection to {access.database or ctx.catalog.database} is not encrypted{where}"
        + (f": {offered}" if offered else ""),
        "Can the server require TLS for the analytics login, and which CA certificate should clients verify?",
        severity="error" if networked else None,
        transport=access.transport,
        server_offers_tls=access.tls.server_offers,
        server_requires_tls=access.tls.server_requires,
    )


UNREADABLE_TABLE_ROLLUP = Rollup(
    says="the login cannot read {n} tables in {where}",
    asks="Should analytics read these tables? If not, is that on purpose and written down; if so, can the login get "
    "SELECT on the whole schema?",
)


@rule(name="unreadable-table", code="DA304", family="access", scope="table", severity="warning", rollup=UNREADABLE_TABLE_ROLLUP)
def unreadable_table(ctx: AuditContext):
    """The login cannot read this table or view.

    ## What it detects
    Tables and views the login may not SELECT from: no SELECT privilege, SELECT on some columns
    only, or (PostgreSQL) no USAGE on the schema. Their structure still comes from the system
    catalogs, so the rest of the audit covers them; their rows cannot be extracted. On MySQL and
    MariaDB a table the login holds no privilege on at all is hidden from it and cannot be listed.

    ## Why it matters for analytics
    A table the extraction login cannot read silently drops out of the warehouse, or makes the sync
    fail the day someone selects it. Which tables are deliberately excluded (secrets, credentials)
    should be a decision, not an accident of grants.

    ## Question for the engineering team
    Should analytics read this table? If not, is it excluded on purpose (sensitive data), and is
    that written down? If yes, can the login get SELECT on it?

    ## How to fix
    `GRANT SELECT ON schema.table TO analytics;` (PostgreSQL also `GRANT USAGE ON SCHEMA schema TO
    analytics;`). Grant on the schema or database rather than table by table, so new tables follow.

    ## What it leaves out
    Tables MySQL and MariaDB hide from the login altogether (no privilege on them at all): they
    cannot be listed, and the report says so once. Framework and `--exclude`d tables.
    """
    this = REGISTRY["unreadable-table"]
    access = ctx.catalog.access
    if access is None:
        return
    for schema, table, why in access.unreadable_tables():
        yield this.finding(
            ctx.located_by_name(schema, table),
            f"{access.login or 'the login'} cannot read {table}: {why}",
            f"Should analytics read {schema}.{table}? If not, is it excluded on purpose; if so, can the login get SELECT on it?",
            login=access.login,
            reason=why,
        )


def _cdc_not_enabled_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or ctx.catalog.access is None or ctx.catalog.access.cdc_problems() is None
        else "log-based change data capture is possible")


@rule(name="cdc-not-enabled", code="DA305", family="access", scope="source", severity="warning", praise=_cdc_not_enabled_praise)
def cdc_not_enabled(ctx: AuditContext):
    """The server's change log is not set up for log-based change data capture.

    ## What it detects
    PostgreSQL: `wal_level` is not `logical`, or `max_replication_slots` / `max_wal_senders` is 0.
    MySQL/MariaDB: the binary log is off (`log_bin`) or not row-based (`binlog_format` other than
    ROW).

    ## Why it matters for analytics
    Log-based CDC (Debezium, Airbyte, Fivetran) is the only extraction that sees every change,
    deletes included, without a last-modified column and without scanning tables again and again.
    Turning it on needs a server restart (wal_level, log_bin) and a maintenance window: better
    decided before launch than discovered after.

    ## Question for the engineering team
    Can logical replication / a row-based binlog be enabled before launch, in a maintenance window?
    Who will own the replication slot or binlog reader and watch its lag and disk use?

    ## How to fix
    PostgreSQL: `wal_level = logical` (AWS RDS/Aurora: `rds.logical_replication = 1`; Cloud SQL:
    `cloudsql.logical_decoding = on`), enough `max_replication_slots` and `max_wal_senders`, and a
    restart. MySQL/MariaDB: `log_bin`, `binlog_format = ROW`, `binlog_row_image = FULL` and a binlog
    retention of several days.

    ## What it leaves out
    Whether a CDC tool may also read the log (replication privileges, `REPLICATION SLAVE`):
    `dayone check` asks that. SQLite, which has no change log.
    """
    this = REGISTRY["cdc-not-enabled"]
    access = ctx.catalog.access
    problems = access.cdc_problems() if access else None
    if not problems:
        return
    names = ("wal_level", "max_replication_slots", "max_wal_senders", "log_bin", "binlog_format", "binlog_row_image")
    yield this.finding(
        _source(ctx),
        f"log-based change data capture is not possible on {access.database or ctx.catalog.database}: {'; '.join(problems)}",
        ("Can logical replication be enabled before launch, and who will own the replication slot?" if ctx.catalog.product == "postgresql"
         else "Can a row-based binlog be enabled before launch, and who will own the binlog reader and its retention?"),
        problems=problems,
        settings={name: access.settings[name] for name in names if name in access.settings},
        hosting=access.hosting.provider if access.hosting else None,
    )


@rule(name="no-default-privileges", code="DA306", family="access", scope="source", severity="warning")
def no_default_privileges(ctx: AuditContext):
    """Tables created later will not be readable by the login.

    ## What it detects
    PostgreSQL: a schema where some role other than the login creates tables (it owns tables or the
    schema there) and no default privileges (`ALTER DEFAULT PRIVILEGES ... GRANT SELECT ON TABLES`)
    give the login SELECT on what that role creates next. MySQL/MariaDB: the login has SELECT on
    single tables of a database but not on the database (`db.*`) as a whole.

    ## Why it matters for analytics
    Today's grants cover today's tables. The first migration after launch adds a table the
    extraction login cannot read: the new feature's data is missing from the warehouse, or the sync
    fails, and someone has to notice and ask for another grant every time.

    ## Question for the engineering team
    Which role runs the migrations that create tables, and can it grant SELECT on future tables to
    the analytics login (default privileges), or can the login get SELECT on the whole database?

    ## How to fix
    PostgreSQL, as the role that creates tables: `ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT
    SELECT ON TABLES TO analytics;` (or grant `pg_read_all_data`, PostgreSQL 14+). MySQL/MariaDB:
    `GRANT SELECT ON app.* TO 'analytics'@'%';`

    ## What it leaves out
    Roles that create no table today; grants through group roles the login inherits only with
    `SET ROLE`. MySQL/MariaDB logins granted on the whole database (`db.*`), for which new
    tables are readable.
    """
    this = REGISTRY["no-default-privileges"]
    access = ctx.catalog.access
    missing = access.future_tables_unreadable() if access else None
    if not missing:
        return
    yield this.finding(
        _source(ctx),
        f"tables created later will not be readable by {access.login or 'the login'} in {_listed(missing)}",
        "Which role creates tables in production, and can it grant SELECT on future tables to the analytics login?",
        schemas=missing,
        default_privileges=[f"{g.creator} in {g.schema or 'every schema'}" for g in access.default_grants] or None,
    )


REPLICA_IDENTITY_MISSING_ROLLUP = Rollup(
    says="{n} tables in {where} have no replica identity: a publication cannot carry their updates and deletes",
    asks="Can these tables get primary keys, or is REPLICA IDENTITY FULL acceptable for them?",
)


@rule(name="replica-identity-missing", code="DA307", family="access", scope="table", severity="warning", rollup=REPLICA_IDENTITY_MISSING_ROLLUP)
def replica_identity_missing(ctx: AuditContext):
    """Logical replication cannot carry this table's updates and deletes.

    ## What it detects
    PostgreSQL tables with neither a primary key nor another replica identity (`REPLICA IDENTITY
    DEFAULT` and no primary key), or with `REPLICA IDENTITY NOTHING`. Once such a table is in a
    publication, PostgreSQL refuses UPDATE and DELETE on it; outside a publication, a CDC tool gets
    no key to match changed rows with. MySQL and MariaDB log the row image itself: not applicable.

    ## Why it matters for analytics
    Adding the table to a publication for CDC would break the application's updates and deletes
    on it ("cannot update table because it does not have a replica identity and publishes
    updates"); leaving it out means copying it in full on every sync.

    ## Question for the engineering team
    Can this table get a primary key? If not, is `REPLICA IDENTITY FULL` (whole old row in the
    WAL: more WAL) or `REPLICA IDENTITY USING INDEX` on a unique, not-null index acceptable?

    ## How to fix
    `ALTER TABLE t ADD PRIMARY KEY (id);` or `ALTER TABLE t REPLICA IDENTITY FULL;` or `ALTER TABLE
    t REPLICA IDENTITY USING INDEX t_key;`

    ## What it leaves out
    Tables without a primary key and with the default replica identity: `missing-primary-key`
    asks for the key once, and says what it costs replication. Framework and `--exclude`d
    tables. MySQL and MariaDB, whose row-based binlog carries whole rows.
    """
    this = REGISTRY["replica-identity-missing"]
    access = ctx.catalog.access
    if access is None or not access.replica_identity:
        return
    for item in access.replica_identity:
        if not ctx.scope.audits(item.schema, item.table):
            continue
        if item.identity != "nothing" and not item.primary_key:
            continue  # no primary key: missing-primary-key asks for one, which gives the replica identity too
        why = ("REPLICA IDENTITY NOTHING" if item.identity == "nothing"
               else "no primary key and REPLICA IDENTITY DEFAULT")  # fmt: skip
        yield this.finding(
            ctx.located_by_name(item.schema, item.table),
            f"{item.table} has no replica identity ({why}): a publication cannot carry its updates and deletes",
            f"Can {item.table} get a primary key, or is REPLICA IDENTITY FULL acceptable for it?",
            replica_identity=item.identity,
            primary_key=item.primary_key,
        )


@rule(name="server-timezone-not-utc", code="DA308", family="access", scope="source", severity="warning")
def server_timezone_not_utc(ctx: AuditContext):
    """The server's time zone is not UTC.

    ## What it detects
    The server's default time zone (PostgreSQL `TimeZone` as sessions start with it; MySQL/MariaDB
    `@@global.time_zone`, or the system zone when it is SYSTEM) is something other than UTC.

    ## Why it matters for analytics
    `now()`, `CURRENT_TIMESTAMP` and every conversion of a timestamp without time zone follow the
    server's zone: times jump at daylight-saving changes (an hour missing or twice in the data) and
    differ from servers and tools that run in UTC. Moving the server to UTC later changes the
    meaning of data already stored.

    ## Question for the engineering team
    Why is the server in this zone? Does the application write local or UTC times, and will the
    server, the replicas and every environment keep the same zone?

    ## How to fix
    Set the server's zone to UTC (PostgreSQL `timezone = 'UTC'`; MySQL `default_time_zone = '+00:00'`)
    before launch, and store instants in `timestamptz` / `TIMESTAMP` columns.

    ## What it leaves out
    The zone each session sets for itself, and the application's own zone: `timestamp-without-
    time-zone` asks in which zone the columns are written. SQLite, which has no server zone.
    """
    this = REGISTRY["server-timezone-not-utc"]
    access = ctx.catalog.access
    if access is None or access.server_timezone_is_utc() is not False:
        return
    yield this.finding(
        _source(ctx),
        f"the server's time zone is {access.server_timezone}, not UTC",
        f"Why is the server in {access.server_timezone}, and does the application write local or UTC times?",
        server_timezone=access.server_timezone,
        session_timezone=access.session_timezone,
    )
