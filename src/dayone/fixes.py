"""How to fix a finding, in the audited engine's own SQL, with the finding's real names.

A rule's documentation says how to fix its problem on every engine; a report on one database says
it once, for that engine: a MariaDB database gets MariaDB DDL, not `timestamptz`. A pure function
of the finding and the catalog's product, applied where a report shows fixes (so an audit that
prints no fix spends nothing on them). Rules without an engine-specific fix keep their documented one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from dayone.findings import Finding

# How each engine quotes an identifier: the quote character, doubled inside the name. These are
# sqlglot's IDENTIFIER_START/END for the dialects (a test holds them to sqlglot); importing sqlglot to
# read them would cost 0.13 s of every audit that prints fixes, and a fix is text a reader copies,
# never SQL that dayone runs.
QUOTES = {"postgresql": '"', "mysql": "`", "mariadb": "`", "sqlite": '"'}


@lru_cache(maxsize=1 << 16)
def quote(name: str, product: str) -> str:
    """An identifier quoted as the engine reads it."""
    mark = QUOTES.get(product, '"')
    return f"{mark}{name.replace(mark, mark * 2)}{mark}"


class _Names:
    """The finding's table and column, quoted for its engine."""

    def __init__(self, finding: Finding, product: str):
        self.product = product
        location = finding.location
        self.column = quote(location.column, product) if location.column else "c"
        table = quote(location.table, product) if location.table else "t"
        # SQLite has one schema per file: its tables are named alone
        self.table = f"{quote(location.schema, product)}.{table}" if location.schema and product != "sqlite" else table

    def q(self, name: str) -> str:
        return quote(name, self.product)


class Code(str):
    """A piece of SQL inside a fix: shown as code (a Markdown code span), never as prose."""


Fix = list[str | Code]  # prose and code, in order
_SQLITE_REBUILD = "SQLite cannot add it with ALTER TABLE: rebuild the table (create the new one, copy the rows, rename)"


def _primary_key(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    columns = ", ".join(n.q(c) for c in f.evidence.get("unique_not_null_columns") or ["id"])
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ADD PRIMARY KEY ({columns});")],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} ADD PRIMARY KEY ({columns});")],
        "sqlite": lambda: ["declare ", Code(f"PRIMARY KEY ({columns})"), f" in the table's definition; {_SQLITE_REBUILD}"],
    }


def _timestamp(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ALTER COLUMN {n.column} TYPE timestamptz USING {n.column} AT TIME ZONE 'UTC';"), " (if the application writes UTC; otherwise name its zone)"],
        "mysql": lambda: ["write UTC only and document it, or ", Code(f"ALTER TABLE {n.table} MODIFY {n.column} TIMESTAMP ...;"), " (stored in UTC, converted by the session's zone; its range ends in 2038)"],
        "sqlite": lambda: ["store ISO-8601 text with the offset (2026-11-02T09:00:00Z) or UTC epoch numbers, and document it"],
    }


def _comment(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code(f"COMMENT ON TABLE {n.table} IS '...';"), " and ", Code(f"COMMENT ON COLUMN {n.table}.{n.q('c')} IS '...';"), " for the columns whose meaning is not obvious"],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} COMMENT = '...';"), " and a COMMENT on the columns whose meaning is not obvious"],
        "sqlite": lambda: ["a ", Code("-- comment"), " after the opening parenthesis of the CREATE TABLE and after each column"],
    }


def _foreign_key(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    referred = f.evidence.get("referred_table", "parent")
    parent = ".".join(n.q(part) for part in referred.split(".")[-1 if n.product == "sqlite" else -2:])
    key = n.q(f.evidence.get("referred_column", "id"))
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ADD FOREIGN KEY ({n.column}) REFERENCES {parent} ({key}) NOT VALID;"), " then ", Code(f"ALTER TABLE {n.table} VALIDATE CONSTRAINT ...;"), " (NOT VALID takes no long lock); or document why the link cannot be enforced, so the warehouse tests it"],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} ADD FOREIGN KEY ({n.column}) REFERENCES {parent} ({key});"), " (InnoDB checks every row and needs an index on the column); or document why the link cannot be enforced"],
        "sqlite": lambda: [Code(f"FOREIGN KEY ({n.column}) REFERENCES {parent} ({key})"), " in the table's definition, with ", Code("PRAGMA foreign_keys = ON"), f" in the application; {_SQLITE_REBUILD}"],
    }


def _value_list(n: _Names, f: Finding) -> str:
    values = list((f.evidence.get("observed_values") or {}).keys())[:12]
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values) if values else "'...'"


def _value_set(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    values = _value_list(n, f)
    return {
        "postgresql": lambda: ["a lookup table with a foreign key, or ", Code(f"ALTER TABLE {n.table} ADD CHECK ({n.column} IN ({values})) NOT VALID;"), ", and the meaning of each value in a COMMENT or the lookup table"],
        "mysql": lambda: ["a lookup table with a foreign key, ", Code(f"ALTER TABLE {n.table} MODIFY {n.column} ENUM({values}) ...;"), ", or a CHECK constraint (enforced from MySQL 8.0.16 and MariaDB 10.2), and the meaning of each value documented"],
        "sqlite": lambda: ["a lookup table with a foreign key, or ", Code(f"CHECK ({n.column} IN ({values}))"), f" in the table's definition ({_SQLITE_REBUILD}), and the meaning of each value documented"],
    }


def _json_shape(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: ["document a JSON Schema and validate it: in the application, or ", Code(f"CHECK (jsonb_matches_schema('...', {n.column}))"), " with the pg_jsonschema extension; move keys that metrics depend on into real columns"],
        "mysql": lambda: ["document a JSON Schema and validate it: ", Code(f"ALTER TABLE {n.table} ADD CHECK (JSON_SCHEMA_VALID('...', {n.column}));"), " (MySQL 8.0.17+, MariaDB 11.1+) or in the application; move keys that metrics depend on into real columns"],
        "sqlite": lambda: ["document a JSON Schema, ", Code(f"CHECK (json_valid({n.column}))"), " at least, and validate the shape in the application; move keys that metrics depend on into real columns"],
    }


def _created_at(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();"), " (existing rows get the time of the change: say so, or backfill them)"],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} ADD COLUMN created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP;"), " (existing rows get the time of the change: say so, or backfill them)"],
        "sqlite": lambda: [Code(f"ALTER TABLE {n.table} ADD COLUMN created_at TEXT;"), " set by the application in ISO-8601 UTC (SQLite cannot add a column whose default is CURRENT_TIMESTAMP)"],
    }


def _updated_at(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();"), " and a BEFORE UPDATE trigger that sets ", Code("NEW.updated_at = now()")],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP;")],
        "sqlite": lambda: [Code(f"ALTER TABLE {n.table} ADD COLUMN updated_at TEXT;"), " and an AFTER UPDATE trigger that sets it to ", Code("strftime('%Y-%m-%dT%H:%M:%fZ')")],
    }


def _maintained(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    declared = f.evidence.get("declared_type", "TIMESTAMP")
    return {
        "postgresql": lambda: [f"a BEFORE UPDATE trigger on {n.table} that sets ", Code(f"NEW.{n.column} = now()"), " (one shared trigger function serves every table)"],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} MODIFY {n.column} {declared.upper() if declared else 'TIMESTAMP'} NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP;")],
        "sqlite": lambda: [f"an AFTER UPDATE trigger on {n.table} that sets {n.column} (", Code(f"UPDATE ... SET {n.column} = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE rowid = NEW.rowid"), ")"],
    }


def _not_null(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    declared = f.evidence.get("declared_type") or "<its type>"
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ALTER COLUMN {n.column} SET NOT NULL;"), " (it scans the table under an exclusive lock: a CHECK ... NOT VALID, validated later, avoids the long lock); or document when it is empty"],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} MODIFY {n.column} {declared} NOT NULL;"), " (restate the rest of the column's definition); or document when it is empty"],
        "sqlite": lambda: [Code("NOT NULL"), f" on {n.column} in the table's definition ({_SQLITE_REBUILD}); or document when it is empty"],
    }


def _json_type(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code(f"ALTER TABLE {n.table} ALTER COLUMN {n.column} TYPE jsonb USING {n.column}::jsonb;"), " (fails on the first value that is not JSON: find those first); move the keys metrics depend on into real columns"],
        "mysql": lambda: [Code(f"ALTER TABLE {n.table} MODIFY {n.column} JSON;"), " (MariaDB: a LONGTEXT with a json_valid CHECK); move the keys metrics depend on into real columns"],
        "sqlite": lambda: [f"declare {n.column} as JSON with ", Code(f"CHECK (json_valid({n.column}))"), f" ({_SQLITE_REBUILD})"],
    }


def _read_only(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code("CREATE ROLE analytics LOGIN PASSWORD '...'; GRANT CONNECT ON DATABASE db TO analytics; "
                            "GRANT USAGE ON SCHEMA app TO analytics; GRANT SELECT ON ALL TABLES IN SCHEMA app TO analytics;"),
                       " (or ", Code("GRANT pg_read_all_data TO analytics;"), " on PostgreSQL 14+)"],
        "mysql": lambda: [Code("CREATE USER 'analytics'@'%' IDENTIFIED BY '...'; GRANT SELECT, SHOW VIEW ON app.* TO 'analytics'@'%';")],
    }


def _cdc(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code("wal_level = logical"), " (AWS RDS/Aurora: ", Code("rds.logical_replication = 1"),
                       "; Cloud SQL: ", Code("cloudsql.logical_decoding = on"), "), enough ",
                       Code("max_replication_slots"), " and ", Code("max_wal_senders"), ", and a restart"],
        "mysql": lambda: [Code("log_bin"), ", ", Code("binlog_format = ROW"), ", ", Code("binlog_row_image = FULL"),
                  " and a binlog retention of several days (", Code("binlog_expire_logs_seconds"), " on MySQL, ",
                  Code("expire_logs_days"), " / ", Code("binlog_expire_logs_seconds"), " on MariaDB), and a restart"],
    }


def _default_privileges(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: ["as the role that creates tables: ",
                       Code("ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO analytics;"),
                       " (or grant ", Code("pg_read_all_data"), ", PostgreSQL 14+)"],
        "mysql": lambda: [Code("GRANT SELECT, SHOW VIEW ON app.* TO 'analytics'@'%';"), " (the whole database, so new tables follow)"],
    }


def _server_zone(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: [Code("timezone = 'UTC'"), " in postgresql.conf (or ", Code("ALTER DATABASE db SET timezone = 'UTC';"),
                       "), before launch; store instants in ", Code("timestamptz"), " columns"],
        "mysql": lambda: [Code("default_time_zone = '+00:00'"), " in the server's configuration before launch; ", Code("TIMESTAMP"),
                  " columns then convert from UTC, ", Code("DATETIME"), " columns keep what the application writes"],
    }


def _tls(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    return {
        "postgresql": lambda: ["enable TLS (", Code("ssl = on"), ") and require it for the analytics login (", Code("hostssl"),
                       " in pg_hba.conf); connect with ", Code("sslmode=verify-full"), ", or only through an SSH tunnel"],
        "mysql": lambda: ["enable TLS and require it: ", Code("ALTER USER 'analytics'@'%' REQUIRE SSL;"), ", and connect with ",
                  Code("ssl-mode=VERIFY_IDENTITY"), " (MySQL) or ", Code("--ssl-verify-server-cert"),
                  " (MariaDB), or only through an SSH tunnel"],
    }


def _cascade(n: _Names, f: Finding) -> dict[str, Callable[[], Fix]]:
    name = n.q(f.evidence.get("foreign_key") or "fk")
    return {
        "postgresql": lambda: ["soft deletes on the parent, or ", Code(f"ALTER TABLE {n.table} DROP CONSTRAINT {name}, ADD CONSTRAINT "
                       f"{name} FOREIGN KEY (...) REFERENCES ... ON DELETE RESTRICT;"),
                       "; if cascading is intended, log-based CDC carries the deletes to the warehouse"],
        "mysql": lambda: ["soft deletes on the parent, or ", Code(f"ALTER TABLE {n.table} DROP FOREIGN KEY {name}, ADD CONSTRAINT "
                  f"{name} FOREIGN KEY (...) REFERENCES ... ON DELETE RESTRICT;"),
                  "; if cascading is intended, a row-based binlog carries the deletes to the warehouse"],
        "sqlite": lambda: ["soft deletes on the parent, or ON DELETE RESTRICT in the table's definition (", _SQLITE_REBUILD, ")"],
    }


FIXES: dict[str, Callable[[_Names, Finding], dict[str, str]]] = {
    "missing-primary-key": _primary_key,
    "timestamp-without-time-zone": _timestamp,
    "undocumented-table": _comment,
    "implicit-foreign-key": _foreign_key,
    "unexplained-value-set": _value_set,
    "json-without-schema": _json_shape,
    "missing-created-at": _created_at,
    "missing-updated-at": _updated_at,
    "updated-at-not-maintained": _maintained,
    "nullable-never-null": _not_null,
    "json-in-text": _json_type,
    "cascade-delete": _cascade,
    # server-wide: the engine, not a table, decides what to write
    "not-read-only": _read_only,
    "cdc-not-enabled": _cdc,
    "no-default-privileges": _default_privileges,
    "server-timezone-not-utc": _server_zone,
    "no-tls": _tls,
}
SERVER_WIDE = {"not-read-only", "cdc-not-enabled", "no-default-privileges", "server-timezone-not-utc", "no-tls"}


def fix_for(finding: Finding, product: str) -> Fix | None:
    """The fix of `finding` for a database of `product` (postgresql, mysql, mariadb, sqlite), as
    prose and code; None where the rule's documented fix is all there is to say."""
    make = FIXES.get(finding.rule)
    if make is None or (finding.location.table is None and finding.rule not in SERVER_WIDE):
        return None
    # each engine's text is built only when asked for: a big audit has 30,000 findings
    build = make(_Names(finding, product), finding).get("mysql" if product == "mariadb" else product)
    return build() if build is not None else None


def fix_text(finding: Finding, product: str) -> str:
    """The fix as plain text: for JSON, SARIF and the terminal (MySQL quotes names in backticks, so
    the code is not marked with them)."""
    parts = fix_for(finding, product)
    return finding.fix if parts is None else "".join(parts)


def fix_markdown(finding: Finding, product: str) -> str:
    """The fix as Markdown: prose escaped as text, SQL as code spans no name can break out of. The
    rule's documented fix is Markdown dayone wrote, kept as it is."""
    from dayone.render.escape import markdown_code, markdown_text

    parts = fix_for(finding, product)
    if parts is None:
        return finding.fix
    return "".join(markdown_code(p) if isinstance(p, Code) else markdown_text(p) for p in parts)
