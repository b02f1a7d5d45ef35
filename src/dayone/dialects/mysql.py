"""MySQL 5.7+/8 and MariaDB 10.5+: guarded sessions and the whole catalog from information_schema.

In MySQL and MariaDB a catalog "schema" is a database. The catalog is read with a constant number
of bulk information_schema queries (about a dozen, whatever the number of tables; PARTITIONS only
where a table is partitioned); rows are joined in Python on the exact names, because
information_schema compares names case-insensitively.

Differences between the two servers handled here:
- MariaDB prints COLUMN_DEFAULT as an SQL expression ('text' quoted, NULL for DEFAULT NULL,
  current_timestamp()); MySQL prints the bare value and NULL for "no default".
- MariaDB's JSON is LONGTEXT with an automatic CHECK (json_valid(`col`)).
- MariaDB's CHECK_CONSTRAINTS names the table; MySQL 8.0.16+ needs TABLE_CONSTRAINTS for it, and
  prints string literals with charset introducers (_utf8mb4'a').

Locks: MariaDB's information_schema opens each table it describes, and waits (up to
lock_wait_timeout, for every query and every table) while a DDL statement holds the table's
exclusive metadata lock, e.g. CREATE OR REPLACE TABLE ... SELECT; LOCK TABLES, open transactions and
ALTERs queued behind them do not block it. So on MariaDB every query runs with lock_wait_timeout = 0:
a table (or a view over one) that is locked right then comes back from TABLES at once with the lock
error as its comment, is reported as skipped, and the later queries leave it out by name (a
condition on the names alone, which the server checks before opening a table). MySQL cannot set
lock_wait_timeout to 0: there TABLES is read as before, and a table it reports locked is still left
out of the later queries.

Speed: PyMySQL decodes rows in pure Python, so on MariaDB each query asks for its rows as one JSON
array (orjson reads it); from SECOND_SESSION_FROM tables the slowest queries run on a second
connection at the same time.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from dayone.catalog.access import AccessFacts
from dayone.catalog.checks import value_sets
from dayone.catalog.model import (
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    UniqueConstraint,
)
from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.target import DatabaseTarget
from dayone.dialects.alongside import alongside
from dayone.dialects.base import Dialect
from dayone.dialects.mysql_access import read_access
from dayone.dialects.mysql_errors import LOCK_WAIT_TIMEOUT, STATEMENT_TIMEOUT, catalog_error, connect_error, guard_error, where
from dayone.dialects.mysql_partitions import PARTITIONS_SQL, partitionings
from dayone.dialects.mysql_rows import NO_LOCK_WAIT
from dayone.dialects.mysql_rows import rows as _rows
from dayone.dialects.mysql_rows import numeric_version as _numeric_version
from dayone.dialects.mysql_rows import text as _text
from dayone.dialects.mysql_rows import version_tuple as _version_tuple

SYSTEM_SCHEMAS = ("information_schema", "performance_schema", "mysql", "sys")
CDC_SETTINGS = (
    "log_bin",
    "binlog_format",
    "binlog_row_image",
    "gtid_mode",
    "gtid_strict_mode",
    "binlog_expire_logs_seconds",
    "expire_logs_days",
    "server_id",
    "log_slave_updates",
    "log_replica_updates",
)
NO_SUCH_TABLE = 1109  # information_schema.CHECK_CONSTRAINTS before MySQL 8.0.16
# The TABLE_COMMENT information_schema.TABLES gives a table it could not lock (error 1205's text).
LOCKED_COMMENT = re.compile(r"lock wait timeout", re.IGNORECASE)
# From this many tables, half of the information_schema queries run on a second connection.
SECOND_SESSION_FROM = 500

SERVER_SQL = (
    "SELECT VERSION(), @@version_comment, DATABASE(), CURRENT_USER(), @@global.time_zone, "
    "@@system_time_zone, @@session.time_zone, @@read_only, "
    # other sessions at work (running a statement, or done with one less than a second ago): a busy
    # server gets a gentle dayone (Session.settle_pace). Without the PROCESS privilege only this
    # user's sessions are listed.
    "(SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
    "AND COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Slave_IO', 'Slave_SQL', 'Slave_worker') "
    "AND USER NOT IN ('system user', 'event_scheduler') AND (COMMAND <> 'Sleep' OR TIME = 0))"
)
CDC_SQL = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({})".format(", ".join(f"'{name}'" for name in CDC_SETTINGS))
# Every query below takes the schema names as parameters: {schemas} becomes %s, %s, ...
SCHEMAS_SQL = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ({schemas})"
ALL_SCHEMAS_SQL = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ({schemas})"
TABLES_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH,
       CREATE_OPTIONS
FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ({schemas})
"""
# Names only: the server counts the tables without opening one.
TABLE_COUNT_SQL = "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ({schemas})"
VIEWS_SQL = "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN ({schemas})"
COLUMNS_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE,
       COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLUMN_COMMENT
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({schemas})
"""
KEYS_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION,
       REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA IN ({schemas})
"""
FK_RULES_SQL = """
SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN ({schemas})
"""
MARIADB_CHECKS_SQL = """
SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN ({schemas})
"""
MYSQL_CHECKS_SQL = """
SELECT tc.TABLE_SCHEMA, tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA IN ({schemas})
"""
INDEXES_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, INDEX_TYPE, {expression}
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN ({schemas})
"""
TRIGGERS_SQL = """
SELECT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION,
       ACTION_ORIENTATION, ACTION_STATEMENT
FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA IN ({schemas})
"""

TYPE_FAMILIES = {
    "tinyint": "integer", "smallint": "integer", "mediumint": "integer", "int": "integer",
    "integer": "integer", "bigint": "integer", "year": "integer",
    "decimal": "decimal", "numeric": "decimal", "dec": "decimal", "fixed": "decimal",
    "float": "float", "double": "float", "real": "float", "double precision": "float",
    "char": "string", "varchar": "string",
    "tinytext": "text", "text": "text", "mediumtext": "text", "longtext": "text",
    "date": "date", "time": "time", "datetime": "timestamp", "timestamp": "timestamptz",
    "json": "json", "uuid": "uuid",
    "binary": "binary", "varbinary": "binary",
    "tinyblob": "binary", "blob": "binary", "mediumblob": "binary", "longblob": "binary",
    "enum": "enum", "set": "set",
}  # fmt: skip
EVENT_ORDER = {"INSERT": 0, "UPDATE": 1, "DELETE": 2}
GENERATED = re.compile(r"\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b", re.IGNORECASE)
ON_UPDATE = re.compile(r"\bon update current_timestamp(?:\((\d*)\))?", re.IGNORECASE)
JSON_VALID = re.compile(r"^\(?\s*json_valid\(\s*`((?:[^`]|``)+)`\s*\)\s*\)?$", re.IGNORECASE)
# A string literal, a quoted identifier, or a charset introducer (_utf8mb4'a') before a literal.
SQL_TOKENS = re.compile(r"'(?:[^'\\]|\\.|'')*'|`(?:[^`]|``)*`|\b(_[a-z0-9]+)(?=')", re.IGNORECASE | re.DOTALL)
ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}


class MySQLDialect(Dialect):
    engine = "mysql"
    sqlglot_dialect = "mysql"
    has_enum_types = False  # ENUM is a column type, not a named type
    has_row_change_counters = False
    has_column_statistics = True
    text_ignores_case = True
    has_timestamp_with_time_zone = True  # TIMESTAMP is stored in UTC
    url_database_is_schema = True  # mysql://host/shop means the shop database, not the whole server
    column_names_ignore_case = True  # table names are file names: case-sensitive on Linux

    # -- connecting ----------------------------------------------------------------------------


    def read_access(self, session: Session, schemas: Sequence[str] | None = None) -> AccessFacts:
        return read_access(session, schemas)

    def connect(self, target: DatabaseTarget, options: SessionOptions) -> Session:
        from dayone.dialects.mysql_connection import WatchedConnection

        params: dict = {
            "host": target.host or "localhost",
            "port": target.port or 3306,
            "user": target.username,
            # UTF-8 bytes, as the mysql client sends what was typed: PyMySQL would encode a str as
            # Latin-1, fail on any other character, and name that character in its error
            "password": (target.password or "").encode("utf-8"),
            "database": target.database or None,
            "charset": "utf8mb4",
            "connect_timeout": options.connect_timeout,
            # The handshake must also answer within the connect timeout: a port that accepts the
            # TCP connection but never speaks MySQL would otherwise hold us for the read timeout.
            "read_timeout": options.connect_timeout,
            "write_timeout": options.connect_timeout,
            "autocommit": True,
            "program_name": options.application_name,
        }
        if target.query.get("unix_socket"):
            params["unix_socket"] = target.query["unix_socket"]
        my_cnf = Path(os.path.expanduser("~/.my.cnf"))
        if target.password is None and my_cnf.is_file():
            params["read_default_file"] = str(my_cnf)  # its [client] password, as the mysql client does
        try:
            connection = WatchedConnection(**params)
        except Exception as exc:  # PyMySQL errors, OSError, a damaged ~/.my.cnf...
            raise connect_error(exc, target, options) from None
        # from here on, no wait for the server lasts longer than the statement timeout plus a grace period
        connection.watch(where(target), options)
        session = Session(target=target, options=options, connection=connection)
        for statement in self._guards(options, _is_mariadb(connection)):
            try:
                session.query(statement)
            except Exception as exc:
                session.close()
                raise guard_error(exc, target, statement) from None
        return session

    @staticmethod
    def _guards(options: SessionOptions, mariadb: bool) -> list[str]:
        timeout = max(float(options.statement_timeout), 0.001)
        lock_wait = max(1, math.ceil(float(options.lock_timeout)))
        return [
            "SET SESSION TRANSACTION READ ONLY",
            f"SET SESSION max_statement_time = {timeout:.3f}"
            if mariadb
            else f"SET SESSION max_execution_time = {max(1, round(timeout * 1000))}",
            f"SET SESSION lock_wait_timeout = {lock_wait}",
            f"SET SESSION innodb_lock_wait_timeout = {lock_wait}",
            f"SET SESSION wait_timeout = {max(1, math.ceil(float(options.idle_timeout)))}",
        ]

    # -- profiling (mysql_profile.py: key-range samples, KILL QUERY on Ctrl-C) -------------------

    def read_statistics(self, session, tables, keep_values):
        from dayone.dialects import mysql_profile

        return mysql_profile.read_statistics(session, tables, keep_values, _is_mariadb(session.connection))

    def table_sizes(self, session, tables):
        from dayone.dialects import mysql_profile

        return mysql_profile.table_sizes(session, tables, _is_mariadb(session.connection))

    def profile_table(self, session, schema, table, request):
        from dayone.dialects import mysql_profile

        return mysql_profile.profile_table(session, schema, table, request)

    def look_up_keys(self, session, lookups):
        from dayone.dialects import mysql_profile

        return mysql_profile.look_up_keys(session, lookups)

    def interrupt(self, session):
        from dayone.dialects import mysql_profile

        mysql_profile.interrupt(session)

    def default_schemas(self, catalog, url_database):
        return [url_database] if url_database else []  # a table named alone is in the URL's database

    def run_query(self, session, sql, row_limit):
        from dayone.dialects.queries import run_mysql

        return run_mysql(session, sql, row_limit)

    # -- reading the catalog -------------------------------------------------------------------

    def read_catalog(self, session: Session, schemas: Sequence[str] | None = None) -> Catalog:
        import pymysql

        try:
            return self._read_catalog(session, list(schemas) if schemas else None)
        except pymysql.Error as exc:
            raise catalog_error(exc, session) from None
        except OSError as exc:
            raise catalog_error(exc, session) from None

    def _read_catalog(self, session: Session, wanted: list[str] | None) -> Catalog:
        version_text, _comment, database, user, global_tz, system_tz, session_tz, read_only, others_at_work = session.query(SERVER_SQL)[0]
        session.settle_pace(others_at_work)
        version_text = _text(version_text)
        mariadb = _is_mariadb(session.connection) or "mariadb" in version_text.lower()
        version = _numeric_version(version_text)
        cdc = {_text(name): _text(value) for name, value in session.query(CDC_SQL)}
        replicating = self._replicating(session, mariadb, version)

        session.query("START TRANSACTION READ ONLY")
        try:
            rows = self._bulk(session, mariadb, version, wanted)
            session.query("COMMIT")
        except BaseException:
            _rollback(session)
            raise

        schemas = _build(rows, mariadb)
        # the tables just read save the access reader from listing them again
        access = read_access(session, tables={s.name: [t.name for t in s.tables] for s in schemas}, mariadb=mariadb)
        system_tz = _text(system_tz)
        return Catalog(
            product="mariadb" if mariadb else "mysql",
            version=version,
            database=_text(database) or session.target.host or "localhost",
            current_user=_text(user),
            server_timezone=_zone(_text(global_tz), system_tz),
            session_timezone=_zone(_text(session_tz), system_tz),
            is_replica=_on(read_only) or replicating,
            cdc_settings=dict(sorted(cdc.items())),
            schemas=schemas,
            access=access,
        )

    @staticmethod
    def _replicating(session: Session, mariadb: bool, version: str) -> bool:
        """Whether the server replicates from a primary; False when we may not ask."""
        import pymysql

        if mariadb:
            statement = "SHOW ALL SLAVES STATUS"
        elif _version_tuple(version) >= (8, 0, 22):
            statement = "SHOW REPLICA STATUS"
        else:
            statement = "SHOW SLAVE STATUS"
        try:
            return bool(session.query(statement))
        except pymysql.Error:  # needs REPLICATION CLIENT / SLAVE MONITOR: @@read_only alone then
            return False

    def _bulk(self, session: Session, mariadb: bool, version: str, wanted: list[str] | None) -> dict:
        if wanted is None:
            found = [_text(r[0]) for r in session.query(_in(ALL_SCHEMAS_SQL, SYSTEM_SCHEMAS), SYSTEM_SCHEMAS)]
            # "#mysql50#lost+found": a directory in the data directory that MariaDB lists as a schema
            names = [n for n in found if n.lower() not in SYSTEM_SCHEMAS and not n.startswith("#mysql50#")]
        else:
            found = [_text(r[0]) for r in session.query(_in(SCHEMAS_SQL, wanted), wanted)]
            names = _match_names(found, wanted)
        rows: dict = {"schemas": sorted(set(names))}
        if not names:
            return rows
        names = rows["schemas"]

        locked: list[tuple[str, str]] = []

        def bulk(
            session: Session,
            sql: str,
            names_in: tuple[str, str] = ("TABLE_SCHEMA", "TABLE_NAME"),
            leave_out: Sequence[tuple[str, str]] = (),
            only: Sequence[tuple[str, str]] | None = None,
            aggregate: bool = True,
            **fmt: str,
        ) -> list[tuple]:
            # MariaDB: every query looks at a table being changed once, without waiting, and skips it
            sql, params = _in(sql, names, no_lock_wait=mariadb, **fmt), list(names)
            # conditions on the names alone: the server never opens the tables they leave out
            for pairs, test in ((list(locked) + list(leave_out), "NOT IN"), (only, "IN")):
                if pairs:
                    sql += f" AND (CAST({names_in[0]} AS BINARY), CAST({names_in[1]} AS BINARY)) {test} ({', '.join(['(%s, %s)'] * len(pairs))})"
                    params += [name for pair in pairs for name in pair]
            if only is not None and not only:
                return []
            return _aggregated(session, sql, params, mariadb) if aggregate else _rows(session, sql, params)

        tables_read = threading.Event()  # set once TABLES has named the partitioned and the locked tables

        def second_half(second: Session) -> dict[str, list[tuple]]:
            expression_indexes = not mariadb and _version_tuple(version) >= (8, 0, 13)
            half = {
                "indexes": bulk(second, INDEXES_SQL, expression="EXPRESSION" if expression_indexes else "NULL"),
                "checks": self._checks(second, mariadb, version, bulk),
            }
            # PARTITIONS opens every table it describes: only the partitioned ones are asked (none: no
            # query). It runs on this connection, the one with the lighter half, which by now has
            # mostly no need to wait for the first to have read TABLES.
            tables_read.wait()
            partitioned = [(row[0], row[1]) for row in rows.get("tables", ()) if _kind(row[2], row[8]) == "partitioned table"]
            half["partitions"] = bulk(second, PARTITIONS_SQL, only=partitioned)
            return half

        # information_schema opens every table it describes, for every query: from SECOND_SESSION_FROM
        # tables, the second connection opens them for the slowest queries (STATISTICS above all)
        # while the first runs the others. MariaDB never waits on a lock, so its second half starts
        # at once; MySQL's waits for TABLES to say which tables are locked, and leaves them out.
        with ExitStack() as stack:
            pending = None
            if mariadb and session.query(_in(TABLE_COUNT_SQL, names), names)[0][0] >= SECOND_SESSION_FROM:
                pending = stack.enter_context(alongside(session, second_half))
            try:
                rows["tables"] = bulk(session, TABLES_SQL)
                locked.extend((row[0], row[1]) for row in rows["tables"] if _locked(row[2], row[3], row[4]))
            finally:
                tables_read.set()  # also after an error: the second half must not wait for ever
            if pending is None and not mariadb and len(rows["tables"]) >= SECOND_SESSION_FROM:
                pending = stack.enter_context(alongside(session, second_half))
            # A view's columns are typed by evaluating the view, and the type of a GROUP_CONCAT column
            # follows group_concat_max_len, which MariaDB's aggregate raises: views are read row by row.
            views = [(row[0], row[1]) for row in rows["tables"] if row[2] == "VIEW"]
            rows["columns"] = bulk(session, COLUMNS_SQL, leave_out=views) + bulk(session, COLUMNS_SQL, only=views, aggregate=False)
            rows["keys"] = bulk(session, KEYS_SQL)
            rows["fk_rules"] = bulk(session, FK_RULES_SQL, ("CONSTRAINT_SCHEMA", "TABLE_NAME"))
            rows["views"] = bulk(session, VIEWS_SQL)
            rows["triggers"] = bulk(session, TRIGGERS_SQL, ("EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE"))
            rows.update(pending.result() if pending is not None else second_half(session))
        return rows

    @staticmethod
    def _checks(session: Session, mariadb: bool, version: str, bulk) -> list[tuple]:
        import pymysql

        if not mariadb and _version_tuple(version) < (8, 0, 16):
            return []  # no CHECK constraints before MySQL 8.0.16 (they were parsed and ignored)
        try:
            if mariadb:
                return bulk(session, MARIADB_CHECKS_SQL, ("CONSTRAINT_SCHEMA", "TABLE_NAME"))
            return bulk(session, MYSQL_CHECKS_SQL, ("tc.TABLE_SCHEMA", "tc.TABLE_NAME"))
        except pymysql.Error as exc:
            if exc.args and exc.args[0] == NO_SUCH_TABLE:
                return []
            raise


# -- turning rows into the catalog ---------------------------------------------------------------


def _build(rows: dict, mariadb: bool) -> tuple[Schema, ...]:
    names = rows["schemas"]
    if not names:
        return ()
    lookup = _TableLookup(rows["tables"])

    views = {lookup.key(s, t): definition for s, t, definition in rows["views"] if lookup.key(s, t)}

    json_columns: set[tuple] = set()
    checks: dict[tuple, list[CheckConstraint]] = defaultdict(list)
    for schema, table, name, clause in rows["checks"]:
        key = lookup.key(schema, table)
        if key is None or clause is None:
            continue
        match = JSON_VALID.match(clause.strip())
        if match:
            json_columns.add((key, match.group(1).replace("``", "`")))
        checks[key].append(CheckConstraint(name=name, expression=clause, value_sets=value_sets(_no_introducers(clause), "mysql")))

    columns: dict[tuple, list[Column]] = defaultdict(list)
    for schema, table, name, position, column_type, data_type, nullable, default, extra, generation, comment in rows["columns"]:
        key = lookup.key(schema, table)
        if key is None:
            continue
        columns[key].append(
            _column(name, int(position), column_type, data_type, nullable, default, extra or "", generation, comment,
                    is_json=(key, name) in json_columns, mariadb=mariadb)
        )

    rules = {}
    for schema, table, name, on_update, on_delete in rows["fk_rules"]:
        key = lookup.key(schema, table)
        if key is not None:
            rules[(key, name)] = (on_update, on_delete)
    key_parts: dict[tuple, list[tuple]] = defaultdict(list)
    for schema, table, name, column, position, ref_schema, ref_table, ref_column in rows["keys"]:
        key = lookup.key(schema, table)
        if key is None:
            continue
        kind = "fk" if ref_table is not None else "pk" if name == "PRIMARY" else "uq"
        key_parts[(key, kind, name)].append((int(position), column, ref_schema, ref_table, ref_column))
    primary: dict[tuple, PrimaryKey] = {}
    uniques: dict[tuple, list[UniqueConstraint]] = defaultdict(list)
    foreign: dict[tuple, list[ForeignKey]] = defaultdict(list)
    for (key, kind, name), parts in key_parts.items():
        parts.sort(key=lambda p: p[0])
        cols = tuple(p[1] for p in parts)
        if kind == "pk":
            primary[key] = PrimaryKey(name=name, columns=cols)
        elif kind == "uq":
            uniques[key].append(UniqueConstraint(name=name, columns=cols))
        else:
            on_update, on_delete = rules.get((key, name), ("NO ACTION", "NO ACTION"))
            foreign[key].append(
                ForeignKey(
                    name=name,
                    columns=cols,
                    referred_schema=parts[0][2],
                    referred_table=parts[0][3],
                    referred_columns=tuple(p[4] for p in parts),
                    on_delete=on_delete or "NO ACTION",
                    on_update=on_update or "NO ACTION",
                )
            )

    index_parts: dict[tuple, list[tuple]] = defaultdict(list)
    for schema, table, name, non_unique, seq, column, method, expression in rows["indexes"]:
        key = lookup.key(schema, table)
        if key is not None:
            index_parts[(key, name)].append((int(seq), column if column is not None else expression, int(non_unique), method))
    indexes: dict[tuple, list[Index]] = defaultdict(list)
    for (key, name), parts in index_parts.items():
        parts.sort(key=lambda p: p[0])
        indexes[key].append(
            Index(
                name=name,
                columns=tuple(p[1] if p[1] is not None else "(expression)" for p in parts),
                unique=parts[0][2] == 0,
                primary=name == "PRIMARY",
                method=parts[0][3] or None,
            )
        )

    partitioning = partitionings(rows["partitions"], lookup.key)

    trigger_rows: dict[tuple, list[tuple]] = defaultdict(list)
    for schema, table, name, timing, event, orientation, body in rows["triggers"]:
        key = lookup.key(schema, table)
        if key is not None:
            trigger_rows[(key, name)].append((timing, event, orientation, body))
    triggers: dict[tuple, list[Trigger]] = defaultdict(list)
    for (key, name), parts in trigger_rows.items():
        events = sorted({p[1] for p in parts}, key=lambda e: (EVENT_ORDER.get(e, 9), e))
        timing, _, orientation, body = parts[0]
        triggers[key].append(
            Trigger(name=name, timing=timing, events=tuple(events), orientation=orientation, body=(body or "").strip())
        )

    tables: dict[str, list[Table]] = defaultdict(list)
    for schema, name, table_type, engine, comment, table_rows, data_length, index_length, options in rows["tables"]:
        kind = _kind(table_type, options)
        if kind is None:
            continue
        key = (schema, name)
        skipped = None
        if _locked(table_type, engine, comment):
            skipped, comment = LOCKED_REASON[kind], None
        elif kind == "view":
            # A view's comment is the word VIEW, or why the view cannot be used (a dropped table).
            if comment and comment.upper() != "VIEW":
                skipped = comment
            comment = None
        elif engine is None and comment:
            skipped, comment = comment, None  # the table could not be opened: the comment is the error
        elif key not in columns:
            skipped = CHANGED_REASON  # every table has a column: it was locked or replaced after TABLES was read
        tables[schema].append(
            Table(
                name=name,
                kind=kind,
                comment=comment or None,
                estimated_rows=int(table_rows) if table_rows is not None and kind != "view" else None,
                size_bytes=int(data_length or 0) + int(index_length or 0)
                if kind != "view" and (data_length is not None or index_length is not None)
                else None,
                columns=_view_columns(columns.get(key, ())) if kind == "view" else _by_position(columns.get(key, ())),
                primary_key=primary.get(key),
                unique_constraints=_by_name(uniques.get(key, ())),
                foreign_keys=_by_name(foreign.get(key, ())),
                check_constraints=_by_name(checks.get(key, ())),
                indexes=_by_name(indexes.get(key, ())),
                triggers=_by_name(triggers.get(key, ())),
                view_definition=(views.get(key) or None) if kind == "view" else None,  # empty without SHOW VIEW
                partitioning=partitioning.get(key),
                skipped=skipped,
            )
        )
    return tuple(Schema(name=s, tables=tuple(sorted(tables.get(s, ()), key=lambda t: t.name))) for s in names)


LOCKED_REASON = {
    "table": "locked by another session (a DDL statement holds its metadata lock): columns, keys, indexes "
    "and triggers were not read, rather than waiting; run dayone again when the DDL has finished",
    "view": "locked by another session (a DDL statement holds the metadata lock of the view or of a table "
    "it reads): its columns were not read, rather than waiting; run dayone again when the DDL has finished",
}
LOCKED_REASON["partitioned table"] = LOCKED_REASON["table"]
CHANGED_REASON = (
    "locked or changed by another session while the catalog was read: its columns could not be read; "
    "run dayone again when the DDL has finished"
)


def _locked(table_type: str | None, engine: str | None, comment: str | None) -> bool:
    """Whether information_schema.TABLES could not describe this table or view because of a lock."""
    opened = engine is not None or (table_type == "VIEW" and (comment or "").upper() == "VIEW")
    return not opened and bool(comment) and LOCKED_COMMENT.search(comment) is not None


def _column(name, position, column_type, data_type, nullable, default, extra, generation, comment, *, is_json, mariadb):
    data_type = (data_type or "").lower()
    lowered = (column_type or "").lower()
    if data_type == "json" or (is_json and data_type in ("longtext", "text", "mediumtext", "tinytext")):
        normalized = "json"
    elif (data_type == "tinyint" and lowered.startswith("tinyint(1)")) or (data_type == "bit" and lowered in ("bit(1)", "bit")):
        normalized = "boolean"  # BOOLEAN is TINYINT(1) in MySQL; BIT(1) is a flag
    else:
        normalized = TYPE_FAMILIES.get(data_type, "other")
    generated = generation if GENERATED.search(extra) and generation else None
    on_update = ON_UPDATE.search(extra)
    return Column(
        name=name,
        position=position,
        declared_type=column_type,
        normalized_type=normalized,
        nullable=nullable == "YES",
        default=None if generated else _default(default, mariadb),
        identity="auto_increment" if "auto_increment" in extra.lower() else None,
        generated=generated,
        comment=comment or None,
        enum_values=_quoted_list(column_type) if data_type in ("enum", "set") else (),
        on_update=("CURRENT_TIMESTAMP" + (f"({on_update.group(1)})" if on_update.group(1) else "")) if on_update else None,
    )


@lru_cache(maxsize=4096)  # the same few defaults, types and checks come back table after table
def _default(value: str | None, mariadb: bool) -> str | None:
    """The default as MySQL reports it: the bare value of a literal, an expression as written,
    None when there is none. MariaDB (10.2.7+) quotes literals and reports DEFAULT NULL as NULL."""
    if value is None or not mariadb:
        return value
    if value == "NULL":
        return None
    if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        values = _quoted_list(value)
        return values[0] if len(values) == 1 else value
    return value


@lru_cache(maxsize=4096)  # the same few defaults, types and checks come back table after table
def _quoted_list(text: str) -> tuple[str, ...]:
    """The values of `enum('a','it''s','x,y')` (or one quoted literal), unescaped as the server wrote them."""
    values: list[str] = []
    i = text.find("'")
    while 0 <= i < len(text):
        i += 1
        chars: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "'" and text[i + 1 : i + 2] == "'":
                chars.append("'")
                i += 2
            elif ch == "'":
                break
            elif ch == "\\" and i + 1 < len(text):
                chars.append(ESCAPES.get(text[i + 1], text[i + 1]))
                i += 2
            else:
                chars.append(ch)
                i += 1
        values.append("".join(chars))
        i = text.find("'", i + 1)
    return tuple(values)


@lru_cache(maxsize=4096)  # the same few defaults, types and checks come back table after table
def _no_introducers(expression: str) -> str:
    """(`s` in (_utf8mb4'a',_utf8mb4'b')) -> (`s` in ('a','b')), leaving strings and names alone."""
    return SQL_TOKENS.sub(lambda m: "" if m.group(1) else m.group(0), expression)


def _kind(table_type: str | None, options: str | None) -> str | None:
    if table_type in ("BASE TABLE", "SYSTEM VERSIONED"):
        return "partitioned table" if "partitioned" in (options or "").lower() else "table"
    if table_type == "VIEW":
        return "view"
    return None  # MariaDB SEQUENCE objects, temporary tables: not data an analyst reads


class _TableLookup:
    """Attach rows to tables by exact name; fall back to a case-insensitive match, for servers
    with lower_case_table_names where information_schema tables disagree on a name's case."""

    def __init__(self, tables: Iterable[tuple]):
        self.exact = {(row[0], row[1]) for row in tables}
        self.folded: dict[tuple, tuple] = {}
        for schema, table in sorted(self.exact):
            self.folded.setdefault((schema.casefold(), table.casefold()), (schema, table))

    def key(self, schema: str | None, table: str | None) -> tuple | None:
        if schema is None or table is None:
            return None
        if (schema, table) in self.exact:
            return (schema, table)
        return self.folded.get((schema.casefold(), table.casefold()))


def _match_names(found: list[str], wanted: list[str]) -> list[str]:
    """Schemas named exactly as asked; a differently-cased one only when no exact match exists."""
    result = []
    for name in wanted:
        if name in found:
            result.append(name)
        else:
            result.extend(f for f in found if f.casefold() == name.casefold())
    return result


def _by_position(columns: Iterable[Column]) -> tuple[Column, ...]:
    return tuple(sorted(columns, key=lambda c: c.position))


def _view_columns(columns: Iterable[Column]) -> tuple[Column, ...]:
    """A view's columns declare no default, identity or ON UPDATE: information_schema shows what
    it derives from the tables underneath (MariaDB even a default of 0 for an AUTO_INCREMENT id)."""
    return tuple(replace(c, default=None, identity=None, on_update=None) for c in _by_position(columns))


def _by_name(items):
    return tuple(sorted(items, key=lambda item: (item.name or "", getattr(item, "columns", ()))))


def _in(sql: str, values: Sequence[str], no_lock_wait: bool = False, **fmt: str) -> str:
    sql = sql.format(schemas=", ".join(["%s"] * len(values)), **fmt).strip()
    return NO_LOCK_WAIT + sql if no_lock_wait else sql


AGGREGATE_MAX_LEN = 4294967295  # bytes: MariaDB's largest group_concat_max_len
SELECT_LIST = re.compile(r"^(?P<prefix>(?:SET STATEMENT .*? FOR )?)SELECT (?P<columns>.*?)\s+FROM (?P<rest>information_schema\..*)$", re.DOTALL)


def _aggregated(session: Session, sql: str, params: list, mariadb: bool) -> list[tuple]:
    """The rows of an information_schema query, sent by the server as one JSON array.

    PyMySQL decodes rows in pure Python: 20,000 rows of COLUMNS took longer to decode than the server
    took to produce them, while orjson reads the same rows as one JSON document in a few milliseconds.
    MariaDB's JSON_ARRAYAGG is cut at group_concat_max_len, raised for this statement only; a result
    over max_allowed_packet, or cut short, gets the plain query.

    MariaDB only: MySQL 8 writes a binary string into JSON as "base64:type15:...", and several of its
    information_schema columns are binary, so names would come back encoded; its rows are read as rows."""
    import orjson
    import pymysql

    parts = SELECT_LIST.match(sql)
    if parts is None or not mariadb:
        return _rows(session, sql, params)
    settings = parts["prefix"][: -len(" FOR ")] + ", " if parts["prefix"] else "SET STATEMENT "
    aggregate = (
        f"{settings}group_concat_max_len = {AGGREGATE_MAX_LEN} FOR "
        f"SELECT COUNT(*), JSON_ARRAYAGG(JSON_ARRAY({parts['columns']})) FROM {parts['rest']}"
    )
    try:
        count, document = session.query(aggregate, params)[0]
        rows = orjson.loads(document) if document else []
    except (pymysql.err.ProgrammingError, pymysql.err.OperationalError, pymysql.err.InternalError, orjson.JSONDecodeError) as exc:
        if isinstance(exc, pymysql.err.OperationalError) and _timed_out(exc):
            raise
        count, rows = None, None
    if rows is not None and len(rows) == count:
        return rows  # lists, unpacked like the driver's tuples
    return _rows(session, sql, params)


def _timed_out(exc) -> bool:
    """A statement or lock timeout is the server's answer, not a reason to ask again."""
    return bool(exc.args) and (exc.args[0] == LOCK_WAIT_TIMEOUT or exc.args[0] in STATEMENT_TIMEOUT)


def _on(value) -> bool:
    """@@read_only: 0/1, or on MariaDB 11 an enum (OFF, ON, NO_LOCK, NO_LOCK_NO_ADMIN)."""
    return str(_text(value) or "0").upper() not in ("0", "OFF")


def _zone(zone: str | None, system_zone: str | None) -> str | None:
    return system_zone if zone == "SYSTEM" and system_zone else zone


def _is_mariadb(connection) -> bool:
    return "mariadb" in (connection.get_server_info() or "").lower()


def _rollback(session: Session) -> None:
    try:
        session.query("ROLLBACK")
    except Exception:  # the connection may be gone; the original error matters more
        pass


__all__ = ["MySQLDialect"]
