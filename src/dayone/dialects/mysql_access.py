"""MySQL and MariaDB access facts in at most six statements, whatever the number of tables.

1. the session: version, database, login, session time zone;
2. SHOW GLOBAL VARIABLES for the settings that matter (binlog, GTID, TLS, limits, time zone) and
   those only managed services have (aurora*, cloudsql*, azure*);
3. SHOW SESSION STATUS for this session's TLS cipher;
4. SHOW GRANTS: the login's privileges, including (on MariaDB) those of its enabled roles. The
   information_schema privilege tables leave role privileges out, so the grants are parsed; only
   privilege names and the objects they apply to are kept, never the statement text (MariaDB
   prints the password hash in it);
5. SHOW ALL SLAVES STATUS / SHOW REPLICA STATUS, which needs a monitoring privilege: without it the
   replication role rests on read_only alone and says so;
6. the visible tables (skipped when the catalog read already has them).

MySQL hides from a login every table it holds no privilege on: such tables cannot be listed, only
the possibility noted (`hidden_tables_possible`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dayone.catalog.access import AccessFacts, Privileges, SchemaAccess, Tls
from dayone.connect.session import Session
from dayone.dialects.hosting import infer_hosting, transport
from dayone.dialects.mysql_rows import NO_LOCK_WAIT
from dayone.dialects.mysql_rows import rows as _rows
from dayone.dialects.mysql_rows import numeric_version as _numeric
from dayone.dialects.mysql_rows import version_tuple as _version_tuple

SYSTEM_SCHEMAS = ("information_schema", "performance_schema", "mysql", "sys")
SETTINGS = (
    "version", "version_comment", "basedir", "time_zone", "system_time_zone", "lower_case_table_names",
    "read_only", "super_read_only", "innodb_read_only",
    "log_bin", "binlog_format", "binlog_row_image", "binlog_row_metadata", "binlog_expire_logs_seconds",
    "expire_logs_days", "gtid_mode", "enforce_gtid_consistency", "gtid_strict_mode", "gtid_domain_id", "server_id",
    "log_slave_updates", "log_replica_updates",
    "have_ssl", "have_openssl", "require_secure_transport",
    "max_connections", "max_user_connections", "max_execution_time", "max_statement_time", "wait_timeout",
)  # fmt: skip
SESSION_SQL = "SELECT VERSION(), DATABASE(), CURRENT_USER(), @@session.time_zone"
SETTINGS_SQL = (
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({}) OR Variable_name LIKE 'aurora%' "
    "OR Variable_name LIKE 'cloudsql%' OR Variable_name LIKE 'azure%'"
).format(", ".join(f"'{name}'" for name in SETTINGS))
TLS_SQL = "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')"
GRANTS_SQL = "SHOW GRANTS"
TABLES_SQL = """
SELECT s.SCHEMA_NAME, t.TABLE_NAME
FROM information_schema.SCHEMATA s
LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME
WHERE s.SCHEMA_NAME {condition}
"""

ALL = "ALL PRIVILEGES"
DATA_WRITES = ("INSERT", "UPDATE", "DELETE", "DELETE HISTORY")
SCHEMA_CHANGES = ("CREATE", "DROP", "ALTER", "INDEX", "CREATE VIEW", "TRIGGER", "CREATE ROUTINE", "ALTER ROUTINE",
                  "EVENT", "CREATE TABLESPACE")  # fmt: skip
# Server-wide privileges that administer the server (besides writing): any "... ADMIN" privilege too.
ADMINISTRATION = ("SUPER", "FILE", "CREATE USER", "RELOAD", "SHUTDOWN", "GRANT OPTION")
EXPLAINED = {
    "SUPER": "SUPER: may change server settings and bypass read_only",
    "FILE": "FILE: may read and write files on the server",
    "CREATE USER": "CREATE USER: may create logins",
    "GRANT OPTION": "GRANT OPTION: may grant its privileges to others",
}


@dataclass(frozen=True)
class Grant:
    privilege: str  # upper case, e.g. "SELECT", "CREATE TEMPORARY TABLES", "ALL PRIVILEGES"
    database: str | None  # a pattern (% and _ wildcards, \ escapes) for database-level grants; None: *.*
    table: str | None = None
    columns: tuple[str, ...] = ()


@dataclass
class ParsedGrants:
    grants: list[Grant]
    roles: list[str]
    max_user_connections: int | None = None
    max_statement_time: str | None = None


def read_access(
    session: Session,
    schemas: Sequence[str] | None = None,
    tables: Mapping[str, Iterable[str]] | None = None,
    mariadb: bool | None = None,
) -> AccessFacts:
    """The access facts of this session's login and server. `tables` (schema -> table names), when
    the catalog read already has them, saves listing them again."""
    import pymysql

    unknown: dict[str, str] = {}

    def attempt(group: str, sql: str, params=None):
        try:
            return _rows(session, sql, params)
        except pymysql.Error as exc:
            unknown[group] = _message(exc)
            return None

    host = session.target.host or "localhost"
    where = "socket" if session.target.query.get("unix_socket") else transport(host)
    first = attempt("server", SESSION_SQL)
    settings = dict(attempt("settings", SETTINGS_SQL) or ())
    version_text, database, login, session_tz = first[0] if first else (settings.get("version", ""), None, None, None)
    if mariadb is None:
        mariadb = "mariadb" in (version_text or "").lower()
    tls = attempt("tls", TLS_SQL)
    grant_rows = attempt("privileges", GRANTS_SQL)
    replica_rows = attempt("replica status", _replica_status_sql(mariadb, version_text or ""))
    if tables is None:
        tables = _visible_tables(attempt, schemas, mariadb)
    grants = parse_grants(row[0] for row in grant_rows) if grant_rows is not None else None

    version = _numeric(version_text)
    product = "mariadb" if mariadb else "mysql"
    case_insensitive = settings.get("lower_case_table_names", "0") != "0"
    privileges = schema_facts = None
    if grants is not None:
        privileges = _privileges(grants, settings, tables or {}, case_insensitive)
        if tables is not None:
            schema_facts = _schema_access(grants, tables, case_insensitive)
    replica, evidence = _replica(settings, replica_rows, unknown.get("replica status"))
    timeout, source = _statement_timeout(settings, grants, mariadb)
    tls_status = dict(tls or ())
    comment = settings.get("version_comment")
    marks = _hosting_marks(settings)
    notes = []
    if grants is not None and grants.roles and not mariadb:
        notes.append("SHOW GRANTS on MySQL does not expand the privileges of granted roles: "
                     f"{', '.join(grants.roles)} may give more than is shown")  # fmt: skip
    return AccessFacts(
        product=product,
        version=version,
        version_text=" ".join(v for v in (version_text, f"({comment})" if comment else None) if v) or None,
        database=database or host,
        login=login,
        transport=where,
        hosting=infer_hosting(host, settings=settings, marks=marks),
        replica=replica,
        replica_evidence=evidence,
        tls=Tls(
            in_use=bool(tls_status.get("Ssl_cipher")) if tls is not None else None,
            version=tls_status.get("Ssl_version") or None,
            cipher=tls_status.get("Ssl_cipher") or None,
            server_offers=_yes(settings.get("have_ssl") or settings.get("have_openssl")),
            server_requires=_yes(settings.get("require_secure_transport")),
        ),
        privileges=privileges,
        schemas=schema_facts,
        hidden_tables_possible=not (privileges and (privileges.read_all or privileges.superuser)),
        settings={k: v for k, v in sorted(settings.items()) if k not in ("version", "version_comment")},
        server_timezone=_zone(settings.get("time_zone"), settings.get("system_time_zone")),
        session_timezone=_zone(session_tz, settings.get("system_time_zone")),
        statement_timeout=timeout,
        statement_timeout_source=source,
        unknown=unknown,
        notes=tuple(notes),
    )


# -- SHOW GRANTS -----------------------------------------------------------------------------------


def parse_grants(lines: Iterable[str]) -> ParsedGrants:
    """Privileges, granted roles and limits from SHOW GRANTS output (MySQL 5.7/8, MariaDB)."""
    parsed = ParsedGrants(grants=[], roles=[])
    for line in lines:
        line = (line or "").strip()
        if not line.upper().startswith("GRANT "):
            continue
        privileges_text, to, tail = _split_top(line[6:], " TO ")
        limits = re.search(r"\bMAX_USER_CONNECTIONS\s+(\d+)", tail or "", re.IGNORECASE)
        if limits and int(limits.group(1)) > 0:
            parsed.max_user_connections = int(limits.group(1))
        statement_time = re.search(r"\bMAX_STATEMENT_TIME\s+([\d.]+)", tail or "", re.IGNORECASE)
        if statement_time and float(statement_time.group(1)) > 0:
            parsed.max_statement_time = statement_time.group(1)
        if not to:
            continue
        privileges_part, on, target = _split_top(privileges_text, " ON ")
        if not on:  # GRANT `role` TO user
            parsed.roles.extend(_name(part.split("@")[0].strip()) for part in _split_commas(privileges_part))
            continue
        scope = _object(target.strip())
        if scope is None:  # PROCEDURE, FUNCTION, PROXY: not about tables
            continue
        database, table = scope
        for part in _split_commas(privileges_part):
            name, _, columns = part.partition("(")
            privilege = " ".join(name.split()).upper()
            if privilege == "ALL":
                privilege = ALL
            cols = tuple(_name(c.strip()) for c in _split_commas(columns.rstrip().removesuffix(")"))) if columns else ()
            parsed.grants.append(Grant(privilege, database, table, cols))
        if re.search(r"\bWITH\b.*\bGRANT OPTION\b", tail or "", re.IGNORECASE):
            parsed.grants.append(Grant("GRANT OPTION", database, table))
    return parsed


def _split_top(text: str, separator: str) -> tuple[str, str, str]:
    """text.partition(separator), ignoring separators inside quotes or parentheses."""
    depth, quote, upper = 0, None, text.upper()
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "`'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(separator, i):
            return text[:i], separator, text[i + len(separator) :]
    return text, "", ""


def _split_commas(text: str) -> list[str]:
    parts, rest = [], text
    while rest.strip():
        head, comma, rest = _split_top(rest, ",")
        parts.append(head.strip())
        if not comma:
            break
    return [p for p in parts if p]


def _object(text: str) -> tuple[str | None, str | None] | None:
    """'*.*' -> (None, None); '`db`.*' -> ('db', None); '`db`.`t`' -> ('db', 't'); routines -> None."""
    if re.match(r"(PROCEDURE|FUNCTION|PACKAGE)\b", text, re.IGNORECASE) or "@" in text:
        return None
    first, dot, second = _split_top(text, ".")
    if not dot:  # GRANT ... ON t: a table of the current database; not in SHOW GRANTS output
        return None
    database = None if first.strip() == "*" else _name(first.strip())
    table = None if second.strip() == "*" else _name(second.strip())
    return database, table


def _name(text: str) -> str:
    text = text.strip()
    for quote in "`'\"":
        if len(text) >= 2 and text[0] == quote and text[-1] == quote:
            return text[1:-1].replace(quote * 2, quote)
    return text


def _database_matches(pattern: str, name: str, case_insensitive: bool) -> bool:
    """A database-level grant's name is a LIKE pattern: % and _ are wildcards unless escaped."""
    regex, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(regex), name, re.IGNORECASE if case_insensitive else 0) is not None


class _Grants:
    """Which privileges apply where."""

    def __init__(self, grants: Iterable[Grant], case_insensitive: bool):
        self.grants = list(grants)
        self.fold = case_insensitive

    def _same(self, a: str, b: str) -> bool:
        return a.casefold() == b.casefold() if self.fold else a == b

    def server(self, privilege: str) -> bool:
        return any(g.database is None and g.privilege in (privilege, ALL) for g in self.grants)

    def database(self, privilege: str, database: str) -> bool:
        """Granted on the whole database (or server-wide): covers tables made later too."""
        return self.server(privilege) or any(
            g.database is not None and g.table is None and g.privilege in (privilege, ALL)
            and _database_matches(g.database, database, self.fold)
            for g in self.grants
        )  # fmt: skip

    def table(self, privilege: str, database: str, table: str, columns: bool = False) -> bool:
        if self.database(privilege, database):
            return True
        return any(
            g.table is not None and g.privilege in (privilege, ALL) and bool(g.columns) == columns
            and self._same(g.database or "", database) and self._same(g.table, table)
            for g in self.grants
        )  # fmt: skip


def _privileges(parsed: ParsedGrants, settings: dict, tables: Mapping[str, Iterable[str]], fold: bool) -> Privileges:
    grants = _Grants(parsed.grants, fold)
    superuser = grants.server(ALL) or grants.server("SUPER")
    server_writes = []
    if not superuser:
        for g in parsed.grants:
            if g.database is not None:
                continue
            if g.privilege in DATA_WRITES or g.privilege in SCHEMA_CHANGES:
                server_writes.append(f"{g.privilege} ON *.*: on every database")
            elif g.privilege in ADMINISTRATION or g.privilege.endswith(" ADMIN") or g.privilege.endswith("_ADMIN"):
                server_writes.append(EXPLAINED.get(g.privilege, f"{g.privilege} ON *.*: administers the server"))
    in_scope = list(tables)
    limit = parsed.max_user_connections or _positive(settings.get("max_user_connections"))
    return Privileges(
        superuser=superuser,
        server_writes=tuple(dict.fromkeys(server_writes)),
        read_all=grants.server("SELECT"),
        create_in_database=None,  # MySQL: a schema is a database, covered by CREATE on it
        temporary_tables=grants.server("CREATE TEMPORARY TABLES")
        or any(grants.database("CREATE TEMPORARY TABLES", db) for db in in_scope),
        create_views=grants.server("CREATE VIEW") or any(grants.database("CREATE VIEW", db) for db in in_scope),
        replication=grants.server("REPLICATION SLAVE"),
        roles=tuple(sorted(set(parsed.roles))),
        connection_limit=limit,
    )


def _schema_access(parsed: ParsedGrants, tables: Mapping[str, Iterable[str]], fold: bool) -> tuple[SchemaAccess, ...]:
    grants = _Grants(parsed.grants, fold)
    found = []
    for schema in sorted(tables):
        names = sorted(set(tables[schema]))
        unreadable, columns_only = [], []
        writable: dict[str, int] = defaultdict(int)
        for table in names:
            if not grants.table("SELECT", schema, table):
                unreadable.append(table)
                if grants.table("SELECT", schema, table, columns=True):
                    columns_only.append(table)
            for privilege in ("INSERT", "UPDATE", "DELETE"):
                if grants.table(privilege, schema, table) or grants.table(privilege, schema, table, columns=True):
                    writable[privilege] += 1
            for privilege in ("DROP", "ALTER"):
                if grants.table(privilege, schema, table):
                    writable[privilege] += 1
        found.append(
            SchemaAccess(
                name=schema,
                usage=True,  # MySQL has no USAGE on a database: what the login sees, it may name
                create=grants.database("CREATE", schema),
                tables=len(names),
                unreadable=tuple(unreadable),
                columns_only=tuple(columns_only),
                writable=dict(sorted(writable.items())),
                future_select=grants.database("SELECT", schema),
            )
        )
    return tuple(found)


# -- the rest ----------------------------------------------------------------------------------------


def _visible_tables(attempt, schemas: Sequence[str] | None, mariadb: bool) -> dict[str, list[str]] | None:
    if schemas:
        condition = "IN ({})".format(", ".join(["%s"] * len(schemas)))
        params = list(schemas)
    else:
        condition = "NOT IN ({})".format(", ".join(["%s"] * len(SYSTEM_SCHEMAS)))
        params = list(SYSTEM_SCHEMAS)
    sql = (NO_LOCK_WAIT if mariadb else "") + TABLES_SQL.format(condition=condition).strip()
    rows = attempt("tables", sql, params)
    if rows is None:
        return None
    found: dict[str, list[str]] = {}
    for schema, table in rows:
        if schema.startswith("#mysql50#"):
            continue
        found.setdefault(schema, [])
        if table is not None:
            found[schema].append(table)
    return found


def _replica_status_sql(mariadb: bool, version_text: str) -> str:
    if mariadb:
        return "SHOW ALL SLAVES STATUS"
    return "SHOW REPLICA STATUS" if _version_tuple(_numeric(version_text)) >= (8, 0, 22) else "SHOW SLAVE STATUS"


def _replica(settings: dict, rows: list | None, refused: str | None) -> tuple[bool | None, tuple[str, ...]]:
    evidence = []
    # read_only is 0/1, ON/OFF, or on MariaDB 11 an enum (OFF, ON, NO_LOCK, NO_LOCK_NO_ADMIN)
    flags = [name for name in ("read_only", "super_read_only", "innodb_read_only")
             if str(settings.get(name) or "OFF").upper() not in ("0", "OFF")]  # fmt: skip
    for name in ("read_only", "super_read_only"):
        if name in settings:
            evidence.append(f"{name} is {settings[name]}")
    if rows:
        evidence.append(f"replicates from a primary (replica status lists {len(rows)} connection(s))")
        return True, tuple(evidence)
    if rows is not None:
        evidence.append("replicates from no primary (replica status is empty)")
        return bool(flags), tuple(evidence)
    evidence.append(f"replica status not visible to this login ({refused})")
    return (True if flags else None), tuple(evidence)


def _statement_timeout(settings: dict, grants: ParsedGrants | None, mariadb: bool) -> tuple[str | None, str | None]:
    if mariadb:
        if grants is not None and grants.max_statement_time:
            return f"{grants.max_statement_time}s", "the login's MAX_STATEMENT_TIME"
        value = settings.get("max_statement_time")
        if value is None:
            return None, None
        return ("0" if float(value) == 0 else f"{float(value):g}s"), "global max_statement_time"
    value = settings.get("max_execution_time")
    if value is None:
        return None, None
    return ("0" if int(value) == 0 else f"{int(value)}ms"), "global max_execution_time (SELECT statements only)"


def _hosting_marks(settings: dict) -> list[tuple[str, str]]:
    marks = []
    basedir = settings.get("basedir") or ""
    if basedir.startswith("/rdsdbbin/"):
        marks.append(("AWS Aurora" if "oscar" in basedir else "AWS RDS", f"basedir is {basedir}"))
    comment = settings.get("version_comment") or ""
    if "(google)" in comment.lower():
        marks.append(("Google Cloud SQL", f"version_comment is {comment!r}"))
    return marks


def _message(exc: Exception) -> str:
    args = getattr(exc, "args", ())
    if len(args) >= 2:
        return f"{args[1]} (error {args[0]})"
    return str(exc) or type(exc).__name__


def _yes(value) -> bool | None:
    if value is None:
        return None
    return str(value).upper() in ("ON", "1", "YES", "TRUE", "FORCE_PLUS_PERMANENT")


def _positive(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _zone(zone: str | None, system_zone: str | None) -> str | None:
    return system_zone if zone == "SYSTEM" and system_zone else zone


__all__ = ["read_access", "parse_grants"]
