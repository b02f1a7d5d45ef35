"""Access facts: what the login and the server allow, read from the database itself.

A dialect reads them with a constant number of bulk queries (`read_access(session)`); `dayone
check` judges them item by item and the access rules turn them into findings. Like the rest of the
catalog they are plain frozen data with stable, sorted collections, and every field has a default
so that snapshots taken before (or without) these facts still load.

`None` always means "not known": the server did not say, or the login may not ask. Why a group of
facts is missing is in `unknown` (group name -> reason), so a report can say so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UTC_NAMES = frozenset({"utc", "etc/utc", "gmt", "etc/gmt", "uct", "etc/uct", "zulu", "etc/zulu", "universal",
                       "etc/universal", "greenwich", "etc/greenwich", "gmt0", "etc/gmt0", "gmt+0", "gmt-0",
                       "etc/gmt+0", "etc/gmt-0", "+00:00", "-00:00", "z"})  # fmt: skip

# Kinds of privilege that let a login change data or structure. Keys of SchemaAccess.writable and
# of Privileges.server_writes are privilege names as the engine spells them.
DATA_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCATE", "DELETE HISTORY"})


@dataclass(frozen=True)
class Hosting:
    """Where the server runs, and how we know (the settings, functions or names that gave it away)."""

    provider: str  # "AWS RDS", "AWS Aurora", "Google Cloud SQL", "Azure Database", "self-hosted or unrecognized"...
    evidence: tuple[str, ...] = ()
    managed: bool | None = None  # True for a managed service; None when nothing said either way


@dataclass(frozen=True)
class Tls:
    in_use: bool | None = None  # this session is encrypted
    version: str | None = None  # TLSv1.3
    cipher: str | None = None
    server_offers: bool | None = None  # the server has TLS configured (PostgreSQL ssl, MySQL have_ssl)
    server_requires: bool | None = None  # MySQL require_secure_transport (PostgreSQL: pg_hba, not visible)


@dataclass(frozen=True)
class Privileges:
    """What the login may do beyond reading, server- and database-wide."""

    superuser: bool | None = None
    # Role attributes and server-wide privileges that let it write, change schema or administer:
    # CREATEDB, CREATEROLE, BYPASSRLS, pg_write_all_data; MySQL ALL PRIVILEGES, SUPER, INSERT ON *.*...
    server_writes: tuple[str, ...] = ()
    read_all: bool | None = None  # reads every table, present and future (pg_read_all_data, SELECT ON *.*)
    create_in_database: bool | None = None  # PostgreSQL: CREATE on the database (new schemas)
    temporary_tables: bool | None = None  # TEMP on the database / CREATE TEMPORARY TABLES
    create_views: bool | None = None  # CREATE on some schema / CREATE VIEW
    replication: bool | None = None  # REPLICATION attribute / REPLICATION SLAVE: may stream the change log
    roles: tuple[str, ...] = ()  # roles granted to the login
    connection_limit: int | None = None  # the login's own limit (None: none set or not visible)


@dataclass(frozen=True)
class SchemaAccess:
    """One schema (MySQL: database) as the login sees it."""

    name: str
    usage: bool | None = None  # may look inside (PostgreSQL USAGE; MySQL: always, if visible)
    create: bool | None = None  # may create tables, views... in it
    tables: int = 0  # tables and views the login can see
    unreadable: tuple[str, ...] = ()  # tables and views it may not SELECT from
    columns_only: tuple[str, ...] = ()  # ...of which it may read some columns only
    row_security: tuple[str, ...] = ()  # readable, but row-level security hides rows from it
    writable: dict[str, int] = field(default_factory=dict)  # privilege -> how many tables it has it on
    owned: int = 0  # tables it owns (and so may alter or drop)
    other_owners: tuple[str, ...] = ()  # roles other than the login that own tables here
    future_select: bool | None = None  # tables created here later will be readable


@dataclass(frozen=True)
class DefaultGrant:
    """PostgreSQL default privileges that give the login SELECT on tables `creator` makes later."""

    creator: str
    schema: str | None = None  # None: in every schema


@dataclass(frozen=True)
class Publication:
    name: str
    all_tables: bool = False
    operations: tuple[str, ...] = ()  # insert, update, delete, truncate
    tables: int = 0
    # (schema, table) of the tables it carries; None when not read (snapshots taken before dayone read
    # it) or when it carries every table (all_tables): a new table is then in it by itself
    members: tuple[tuple[str, str], ...] | None = None

    def carries(self, schema: str, table: str) -> bool | None:
        """Whether changes of that table go out through this publication (None: not known)."""
        if self.all_tables:
            return True
        return None if self.members is None else (schema, table) in self.members


@dataclass(frozen=True)
class ReplicationSlot:
    name: str
    kind: str  # logical, physical
    plugin: str | None = None
    database: str | None = None
    active: bool = False
    lag_bytes: int | None = None  # WAL the slot holds back (pg_wal_lsn_diff from its confirmed position)


@dataclass(frozen=True)
class ReplicaIdentity:
    """A table whose updates and deletes a logical-replication publication cannot carry."""

    schema: str
    table: str
    identity: str  # default, nothing, index, full
    primary_key: bool = False


@dataclass(frozen=True)
class AccessFacts:
    product: str  # postgresql, mysql, mariadb, sqlite
    version: str  # numeric, as in Catalog.version
    version_text: str | None = None  # the server's own description: PostgreSQL version(), MySQL version + comment
    database: str | None = None
    login: str | None = None
    transport: str | None = None  # "socket", "loopback" or "network": how the session reaches the server
    hosting: Hosting | None = None
    replica: bool | None = None  # read replica (hot standby, read_only or replicating)
    replica_evidence: tuple[str, ...] = ()
    standbys: int | None = None  # replicas streaming from this server (PostgreSQL pg_stat_replication)
    tls: Tls | None = None
    privileges: Privileges | None = None
    schemas: tuple[SchemaAccess, ...] | None = None
    # Tables the login cannot see at all cannot be listed (MySQL hides them from information_schema).
    hidden_tables_possible: bool = False
    default_grants: tuple[DefaultGrant, ...] = ()
    publications: tuple[Publication, ...] | None = None
    slots: tuple[ReplicationSlot, ...] | None = None
    replica_identity: tuple[ReplicaIdentity, ...] | None = None  # None: not applicable or not read
    # Server settings that matter here, as the server prints them (wal_level, ssl, max_connections,
    # binlog_format, rds.* ...). Settings the server does not have are absent.
    settings: dict[str, str] = field(default_factory=dict)
    server_timezone: str | None = None
    session_timezone: str | None = None
    # The server's own statement timeout for this login, and where it is set (None: not visible).
    statement_timeout: str | None = None
    statement_timeout_source: str | None = None
    journal_mode: str | None = None  # SQLite
    file_writable: bool | None = None  # SQLite: the OS user running dayone could write the file
    unknown: dict[str, str] = field(default_factory=dict)  # fact group -> why it could not be read
    notes: tuple[str, ...] = ()

    # -- judgements shared by `dayone check` and the access rules ----------------------------------

    def write_reasons(self) -> list[str] | None:
        """Why the login is not read-only, one phrase per reason; [] when it is; None when unknown."""
        privileges = self.privileges
        if privileges is None:
            return None
        reasons = []
        if privileges.superuser:
            reasons.append("it is a superuser")
        reasons += list(privileges.server_writes)
        if privileges.create_in_database:
            reasons.append(f"CREATE on database {self.database}")
        for schema in self.schemas or ():
            if schema.create:
                reasons.append(f"CREATE on schema {schema.name}")
            for privilege, count in sorted(schema.writable.items()):
                reasons.append(f"{privilege} on {count} table(s) in {schema.name}")
            if schema.owned:
                reasons.append(f"owns {schema.owned} table(s) in {schema.name}")
        if privileges.superuser is None and not reasons:
            return None
        return reasons

    def unreadable_tables(self) -> list[tuple[str, str, str]]:
        """(schema, table, why) of every table or view the login cannot read in full."""
        found = []
        for schema in self.schemas or ():
            partial = set(schema.columns_only)
            for table in schema.unreadable:
                if schema.usage is False:
                    why = f"no USAGE privilege on schema {schema.name}"
                elif table in partial:
                    why = "SELECT on some columns only"
                else:
                    why = "no SELECT privilege"
                found.append((schema.name, table, why))
        return found

    def cdc_problems(self) -> list[str] | None:
        """What keeps log-based change data capture from working; [] when ready, None when unknown."""
        s = {k.lower(): v for k, v in self.settings.items()}
        if self.product == "postgresql":
            if "wal_level" not in s:
                return None
            problems = []
            if s["wal_level"] != "logical":
                problems.append(f"wal_level is {s['wal_level']}, not logical")
            if _int(s.get("max_replication_slots")) == 0:
                problems.append("max_replication_slots is 0")
            if _int(s.get("max_wal_senders")) == 0:
                problems.append("max_wal_senders is 0")
            return problems
        if self.product in ("mysql", "mariadb"):
            if "log_bin" not in s:
                return None
            problems = []
            if s["log_bin"].upper() not in ("ON", "1"):
                problems.append(f"log_bin is {s['log_bin']}: the binary log is off")
            if s.get("binlog_format", "").upper() != "ROW":
                problems.append(f"binlog_format is {s.get('binlog_format', 'unknown')}, not ROW")
            return problems
        return None

    def future_tables_unreadable(self) -> list[str] | None:
        """Schemas (with who creates tables there) where tables made later will not be readable."""
        if self.privileges is None or self.schemas is None:
            return None
        if self.privileges.superuser or self.privileges.read_all:
            return []
        missing = []
        for schema in self.schemas:
            if schema.future_select is False:
                owners = f" (tables made by {', '.join(schema.other_owners)})" if schema.other_owners else ""
                missing.append(schema.name + owners)
        return missing

    def server_timezone_is_utc(self) -> bool | None:
        return is_utc(self.server_timezone) if self.server_timezone else None


def is_utc(zone: str) -> bool:
    return zone.strip().lower() in UTC_NAMES


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
