"""Doing no harm on MariaDB, proven on the server: with the general log on, every statement dayone's
connection sent is a read; and a table another session holds locked is reported, never waited on.

What blocks MariaDB's information_schema (found by experiment on 10.11, kept here as tests): it opens
each table it describes, so it waits while a DDL statement holds the table's exclusive metadata lock
(CREATE [OR REPLACE] TABLE ... SELECT for its whole run, the short final phase of an ALTER), up to
lock_wait_timeout for every query and every such table, then skips the table with warning 1205.
LOCK TABLES ... WRITE, an open transaction, and an ALTER queued behind that transaction do not block it.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pymysql
import pytest

from dayone import api
from dayone.connect.options import SessionOptions
from dayone.dialects.mysql import CHANGED_REASON, _build
from statement_log import non_reads

from conftest import IN_CI, MySQLDatabase, _mysql_admin

pytestmark = pytest.mark.mysql

LOG_LOCK = "dayone_tests_general_log"  # one test run at a time switches the server's general log
CATALOG_QUERIES = (
    "TABLES", "VIEWS", "COLUMNS", "KEY_COLUMN_USAGE", "REFERENTIAL_CONSTRAINTS", "CHECK_CONSTRAINTS",
    "STATISTICS", "TRIGGERS",
)  # fmt: skip
ACCESS_DENIED = (1044, 1045, 1142, 1227)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _make_schema(db: MySQLDatabase) -> None:
    statements = [
        "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE,"
        " tier VARCHAR(10) CHECK (tier IN ('free', 'pro')))",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(10),"
        " KEY k_customer (customer_id), CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id)"
        " ON DELETE CASCADE)",
        "CREATE TABLE `it's a ``name``` (id INT PRIMARY KEY)",
        "CREATE TRIGGER orders_status BEFORE INSERT ON orders FOR EACH ROW SET NEW.status = COALESCE(NEW.status, 'new')",
        "CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE status = 'new'",
        "CREATE TABLE visits (day DATE NOT NULL, id INT NOT NULL, PRIMARY KEY (day, id)) PARTITION BY RANGE COLUMNS (day)"
        " (PARTITION p2024 VALUES LESS THAN ('2025-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE))",
        "INSERT INTO customers VALUES (1, 'a@example.com', 'pro')",
        "INSERT INTO orders (id, customer_id) VALUES (1, 1)",
    ]
    with db.connect() as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


# --- the general log ------------------------------------------------------------------------------


@dataclass
class LoggedSession:
    thread_id: int
    database: str
    commands: list[tuple[str, str]]  # (command_type, argument), in the order the server logged them

    @property
    def statements(self) -> list[str]:
        return [argument for command, argument in self.commands if command == "Query"]


class GeneralLog:
    def __init__(self, cursor, since):
        self.cursor = cursor
        self.since = since

    def sessions(self, databases: list[str]) -> list[LoggedSession]:
        """The sessions that connected to one of `databases` since the log was switched on."""
        self.cursor.execute(
            "SELECT thread_id, command_type, CONVERT(argument USING utf8mb4) FROM mysql.general_log "
            "WHERE event_time >= %s ORDER BY event_time, thread_id",
            (self.since,),
        )
        rows = [(int(t), c, a.decode() if isinstance(a, bytes) else a) for t, c, a in self.cursor.fetchall()]
        found: dict[int, LoggedSession] = {}
        for thread, command, argument in rows:
            connected = re.search(r" on (.*) using \S+$", argument) if command == "Connect" else None
            if connected and connected.group(1) in databases:
                found[thread] = LoggedSession(thread, connected.group(1), [])
            if thread in found:
                found[thread].commands.append((command, argument))
        return list(found.values())


@contextmanager
def general_log():
    """The server's general log written to mysql.general_log for the duration, then restored as it
    was (general_log, log_output, and an empty log table emptied again) on every exit path."""
    admin = _mysql_admin()
    try:
        cur = admin.cursor()
        cur.execute("SELECT GET_LOCK(%s, 120)", (LOG_LOCK,))  # released when this connection closes
        if cur.fetchone()[0] != 1:
            pytest.fail("another test run kept the server's general log for two minutes")
        cur.execute("SELECT @@global.general_log, @@global.slow_query_log, @@global.log_output, NOW(6)")
        was_on, slow_log, output, since = cur.fetchone()
        cur.execute("SELECT COUNT(*) FROM mysql.general_log")
        was_empty = cur.fetchone()[0] == 0
        outputs = {"TABLE"}
        if was_on or slow_log:  # whoever reads those logs where they go now keeps getting them
            outputs |= {o for o in output.upper().split(",") if o and o != "NONE"}
        try:
            try:
                cur.execute("SET GLOBAL log_output = %s", (",".join(sorted(outputs)),))
                cur.execute("SET GLOBAL general_log = ON")
            except pymysql.Error as exc:
                if exc.args and exc.args[0] in ACCESS_DENIED:
                    _unavailable(f"the test user may not switch the general log on: {exc.args[1]}")
                raise
            yield GeneralLog(cur, since)
        finally:
            cur.execute("SET GLOBAL general_log = %s", (int(was_on),))
            cur.execute("SET GLOBAL log_output = %s", (output,))
            if was_empty and not was_on:
                cur.execute("TRUNCATE TABLE mysql.general_log")  # what this test wrote, nobody else's
    finally:
        admin.close()


def test_catalog_read_sends_only_reads(mysql_db, sakila):
    _make_schema(mysql_db)
    with general_log() as log:
        catalog = api.read_catalog(mysql_db.url)
        sakila_catalog = api.read_catalog(sakila.url, schemas=[sakila.name])
        sessions = log.sessions([mysql_db.name, sakila.name])

    schema = catalog.schema(mysql_db.name)
    assert {t.name for t in schema.tables} == {"customers", "orders", "it's a `name`", "open_orders", "visits"}
    assert schema.table("orders").foreign_keys[0].name == "fk_customer"
    assert schema.table("orders").triggers[0].name == "orders_status"
    assert len(sakila_catalog.schema(sakila.name).tables) == 23

    # One connection per catalog read, logged from its login to its close.
    assert sorted(s.database for s in sessions) == sorted([mysql_db.name, sakila.name])
    for session in sessions:
        commands = [command for command, _ in session.commands]
        assert commands[0] == "Connect" and commands[-1] == "Quit", commands
        assert set(commands) == {"Connect", "Query", "Quit"}, commands
        statements = session.statements
        # the log captured dayone's catalog queries, not just a login
        for view in CATALOG_QUERIES:
            assert any(f"information_schema.{view} " in s for s in statements), (view, statements)
        # PARTITIONS is asked only where a table is partitioned (sakila has none)
        assert any("information_schema.PARTITIONS" in s for s in statements) == (session.database == mysql_db.name)
        assert "START TRANSACTION READ ONLY" in statements and statements.count("COMMIT") == 1
        # read-only and time-bounded before the first catalog query
        first_read = next(i for i, s in enumerate(statements) if "information_schema" in s)
        guards = statements[:first_read]
        assert "SET SESSION TRANSACTION READ ONLY" in guards
        assert any(s.startswith("SET SESSION max_statement_time") for s in guards)
        assert any(s.startswith("SET SESSION lock_wait_timeout") for s in guards)
        assert non_reads(statements, "mysql") == []


def test_big_catalog_read_on_two_connections_sends_only_reads(mysql_db, monkeypatch):
    """From SECOND_SESSION_FROM tables half of the information_schema queries run on a second
    connection: it is guarded like the first before its first query, sends only reads, and there is
    never a third."""
    from dayone.dialects import mysql

    _make_schema(mysql_db)
    monkeypatch.setattr(mysql, "SECOND_SESSION_FROM", 0)
    monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    with general_log() as log:
        catalog = api.read_catalog(mysql_db.url)
        # The client sends QUIT and goes; the server logs it a moment later, for two sessions at once.
        deadline = time.monotonic() + 5
        while True:
            sessions = log.sessions([mysql_db.name])
            if all(s.commands[-1][0] == "Quit" for s in sessions) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert catalog.schema(mysql_db.name).table("orders").foreign_keys[0].name == "fk_customer"
    assert len(sessions) == 2
    queried = set()
    for session in sessions:
        commands = [command for command, _ in session.commands]
        assert commands[0] == "Connect" and commands[-1] == "Quit", commands
        statements = session.statements
        first_read = next(i for i, s in enumerate(statements) if "information_schema" in s)
        assert "SET SESSION TRANSACTION READ ONLY" in statements[:first_read]
        assert any(s.startswith("SET SESSION max_statement_time") for s in statements[:first_read])
        assert non_reads(statements, "mysql") == []
        queried |= {view for view in CATALOG_QUERIES for s in statements if f"information_schema.{view} " in s}
        queried |= {"PARTITIONS"} if any("information_schema.PARTITIONS" in s for s in statements) else set()
    assert queried == {*CATALOG_QUERIES, "PARTITIONS"}
    for view in ("STATISTICS", "PARTITIONS"):  # the second connection's half
        assert all(any(f"information_schema.{view}" in s for s in session.statements) == (i == 1) for i, session in enumerate(sessions))


@pytest.mark.parametrize("tier", ["statistics", "sample", "full"])
def test_the_whole_audit_with_profiling_sends_only_reads(mysql_db, tier):
    from dayone.profile.options import ProfileOptions

    _make_schema(mysql_db)
    mysql_db.execute("CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(10))")
    mysql_db.execute("INSERT INTO events SELECT seq, 'k' FROM seq_1_to_3000" if _is_mariadb(mysql_db) else
                     "INSERT INTO events WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3000) "
                     "SELECT n, 'k' FROM s")  # fmt: skip
    mysql_db.execute("ANALYZE TABLE events")
    with general_log() as log:
        result = api.audit(mysql_db.url, profile=ProfileOptions(tier=tier, page_budget=1))
        sessions = log.sessions([mysql_db.name])

    assert len(sessions) == 1, "profiling opened another connection"
    statements = sessions[0].statements
    profiles = {t.table: t for t in result.profile.tables}
    assert all(t.method == ("statistics" if tier == "statistics" else t.method) for t in profiles.values())
    if tier != "statistics":
        assert {t.method for t in profiles.values()} <= {"sample", "full"}
        assert profiles["events"].rows_read > 0
        profile_reads = [s for s in statements if f"FROM `{mysql_db.name}`.`events`" in s]
        if tier == "sample":
            assert len(profile_reads) == 1, "one query per table"
            assert "UNION ALL" in profile_reads[0]  # key ranges
        else:  # computed by the server: the sample's distinct counts (over key ranges), then one aggregate
            assert len(profile_reads) == 2, profile_reads
            assert profile_reads[0].startswith("SELECT count(DISTINCT") and "UNION ALL" in profile_reads[0]
            assert "count(*)" in profile_reads[1] and "GROUP BY" in profile_reads[1]
    assert "START TRANSACTION READ ONLY" in statements
    assert non_reads(statements, "mysql") == []


def test_checker_catches_what_is_not_a_read():
    reads = [
        "SET SESSION TRANSACTION READ ONLY",
        "SET SESSION max_statement_time = 60.000",
        "SET STATEMENT lock_wait_timeout = 0 FOR SELECT TABLE_NAME FROM information_schema.TABLES",
        "START TRANSACTION READ ONLY",
        "SHOW ALL SLAVES STATUS",
        "SELECT `into`, 'FOR UPDATE' FROM t",
        "(SELECT `a` FROM `t` WHERE `a` >= 5 ORDER BY `a` LIMIT 10) UNION ALL (SELECT `a` FROM `t` ORDER BY `a` LIMIT 10)",
        "COMMIT",
    ]
    writes = [
        "SET GLOBAL general_log = 0",
        "SET @@global.read_only = 0",
        "SET SESSION TRANSACTION READ WRITE",
        "SET tx_read_only = 0",
        "SET sql_log_off = 1",
        "SET STATEMENT max_statement_time = 1 FOR DELETE FROM t",
        "SET STATEMENT lock_wait_timeout = 0 FOR SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t LOCK IN SHARE MODE",
        "SELECT * FROM t INTO OUTFILE '/tmp/t'",
        "SELECT NEXTVAL(s)",
        "SELECT GET_LOCK('x', 1)",
        "SELECT 1; DROP TABLE t",
        "(SELECT * FROM t FOR UPDATE) UNION ALL (SELECT * FROM u)",
        "(DELETE FROM t)",
        "START TRANSACTION READ WRITE",
        "LOCK TABLES t READ",
        "FLUSH TABLES",
        "ANALYZE TABLE t",
        "EXPLAIN ANALYZE SELECT * FROM t",
        "CREATE TEMPORARY TABLE x (a INT)",
        "HANDLER t OPEN",
    ]
    assert non_reads(reads + writes, "mysql") == writes


# --- locks ----------------------------------------------------------------------------------------


class OtherClient:
    """Someone else's session on the server, running one statement in the background."""

    def __init__(self, db: MySQLDatabase):
        self.connection = db.connect()
        self.id = self.connection.thread_id()
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cur:
            cur.execute(sql)

    def start(self, sql: str) -> None:
        def run():
            try:
                self.execute(sql)
            except BaseException as exc:  # noqa: BLE001 - killed at the end of the test
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait_for_state(self, admin, state: str) -> None:
        deadline = time.monotonic() + 15
        with admin.cursor() as cur:
            while time.monotonic() < deadline:
                cur.execute("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = %s", (self.id,))
                row = cur.fetchone()
                if row and row[0] == state:
                    return
                time.sleep(0.05)
        pytest.fail(f"the other session never reached {state!r} (last: {row}, error: {self.error!r})")

    def end(self, admin) -> None:
        with admin.cursor() as cur:
            try:
                cur.execute(f"KILL {int(self.id)}")
            except pymysql.Error:  # already gone
                pass
        if self.thread:
            self.thread.join(10)
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001 - killed: the socket is closed already
            pass


@contextmanager
def other_clients(db: MySQLDatabase, count: int):
    admin = _mysql_admin()
    clients = []
    try:
        clients = [OtherClient(db) for _ in range(count)]
        yield admin, clients
    finally:
        for client in reversed(clients):  # the waiting statement first, then the lock it waits for
            client.end(admin)
        admin.close()


def _timed_catalog(db: MySQLDatabase, options: SessionOptions):
    started = time.monotonic()
    catalog = api.read_catalog(db.url, options=options)
    return catalog.schema(db.name), time.monotonic() - started


def _is_mariadb(db: MySQLDatabase) -> bool:
    return "mariadb" in db.execute("SELECT VERSION()")[0][0].lower()


def _assert_complete(schema) -> None:
    orders = schema.table("orders")
    assert orders.skipped is None
    assert [c.name for c in orders.columns] == ["id", "customer_id", "status"]
    assert [fk.name for fk in orders.foreign_keys] == ["fk_customer"]
    assert [t.name for t in orders.triggers] == ["orders_status"]
    assert {i.name for i in orders.indexes} == {"PRIMARY", "k_customer"}
    customers = schema.table("customers")
    assert customers.skipped is None and customers.check_constraints[0].value_sets[0].values == ("free", "pro")
    assert schema.table("open_orders").skipped is None and len(schema.table("open_orders").columns) == 2
    visits = schema.table("visits").partitioning
    assert [(p.name, p.bound) for p in visits.partitions] == [("p2024", "'2025-01-01'"), ("pmax", "MAXVALUE")]


@pytest.mark.parametrize("connections", [1, 2])
def test_a_table_being_replaced_is_skipped_at_once(mysql_db, monkeypatch, connections):
    """CREATE OR REPLACE TABLE ... SELECT holds the table's exclusive metadata lock until it ends:
    MariaDB's information_schema would wait lock_wait_timeout per query; dayone reports it at once,
    also when a big catalog's second connection starts its half before TABLES has named the table."""
    if not _is_mariadb(mysql_db):
        _unavailable("CREATE OR REPLACE TABLE ... SELECT and this lock behaviour are MariaDB's")
    if connections == 2:
        from dayone.dialects import mysql

        monkeypatch.setattr(mysql, "SECOND_SESSION_FROM", 0)
        monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    _make_schema(mysql_db)
    mysql_db.execute("CREATE TABLE daily_report (day DATE PRIMARY KEY, total INT) PARTITION BY KEY () PARTITIONS 2")
    mysql_db.execute("CREATE VIEW report_view AS SELECT day FROM daily_report")
    options = SessionOptions(lock_timeout=2.0)
    with other_clients(mysql_db, 1) as (admin, (etl,)):
        etl.start("CREATE OR REPLACE TABLE daily_report (day DATE PRIMARY KEY, total INT) PARTITION BY KEY () PARTITIONS 2 "
                  "SELECT CURRENT_DATE AS day, SLEEP(60) AS total")  # fmt: skip
        etl.wait_for_state(admin, "User sleep")

        # The lock really blocks a plain information_schema read, for the whole lock_wait_timeout.
        with mysql_db.connect() as plain, plain.cursor() as cur:
            cur.execute("SET SESSION lock_wait_timeout = 1")
            started = time.monotonic()
            cur.execute(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'daily_report'",
                (mysql_db.name,),
            )
            assert (cur.fetchall(), time.monotonic() - started >= 0.9) == ((), True)
            cur.execute("SHOW WARNINGS")
            assert 1205 in [row[1] for row in cur.fetchall()]

        schema, elapsed = _timed_catalog(mysql_db, options)
        assert elapsed < options.lock_timeout, f"dayone waited {elapsed:.1f} s for a locked table"
        assert etl.thread.is_alive(), "the lock was released before dayone finished: the test proved nothing"

    report = schema.table("daily_report")
    assert report.kind == "table" and "locked by another session" in report.skipped
    assert report.columns == () and report.indexes == ()
    view = schema.table("report_view")
    assert view.kind == "view" and "locked by another session" in view.skipped
    _assert_complete(schema)  # everything else is read in full
    assert schema.table("it's a `name`").columns[0].name == "id"


def test_a_new_table_being_filled_is_skipped_at_once(mysql_db):
    """CREATE TABLE ... SELECT: the table shows in information_schema while it is filled, locked."""
    if not _is_mariadb(mysql_db):
        _unavailable("this lock behaviour is MariaDB's")
    _make_schema(mysql_db)
    with other_clients(mysql_db, 1) as (admin, (etl,)):
        etl.start("CREATE TABLE new_report SELECT 1 AS id, SLEEP(60) AS total")
        etl.wait_for_state(admin, "User sleep")
        schema, elapsed = _timed_catalog(mysql_db, SessionOptions(lock_timeout=2.0))
        assert etl.thread.is_alive()
    assert elapsed < 2.0, f"dayone waited {elapsed:.1f} s for a locked table"
    assert "locked by another session" in schema.table("new_report").skipped
    _assert_complete(schema)


def test_lock_tables_write_does_not_block_the_catalog(mysql_db):
    """LOCK TABLES ... WRITE blocks reading the rows, not information_schema: the catalog is whole."""
    _make_schema(mysql_db)
    with other_clients(mysql_db, 1) as (admin, (locker,)):
        locker.execute("LOCK TABLES orders WRITE, customers WRITE")
        with mysql_db.connect() as plain, plain.cursor() as cur:  # the rows are locked indeed
            cur.execute("SET SESSION lock_wait_timeout = 1")
            with pytest.raises(pymysql.err.OperationalError, match="Lock wait timeout"):
                cur.execute("SELECT COUNT(*) FROM orders")
        schema, elapsed = _timed_catalog(mysql_db, SessionOptions(lock_timeout=2.0))
    assert elapsed < 2.0
    _assert_complete(schema)


def test_an_alter_queued_behind_a_transaction_does_not_block_the_catalog(mysql_db):
    """An open transaction that read the table, and an ALTER waiting for it: the ALTER's pending
    exclusive lock does not stop information_schema (its reads take a high-priority shared lock)."""
    _make_schema(mysql_db)
    with other_clients(mysql_db, 2) as (admin, (reader, alter)):
        reader.execute("START TRANSACTION")
        reader.execute("SELECT * FROM orders")
        alter.start("ALTER TABLE orders ADD COLUMN note TEXT")
        alter.wait_for_state(admin, "Waiting for table metadata lock")
        schema, elapsed = _timed_catalog(mysql_db, SessionOptions(lock_timeout=2.0))
        assert alter.thread.is_alive()
    assert elapsed < 2.0
    _assert_complete(schema)  # without the column the ALTER has not added yet


def test_a_table_without_columns_was_changed_during_the_read():
    """A table locked or dropped after information_schema.TABLES was read has no columns: reported."""
    table = ("db", "t", "BASE TABLE", "InnoDB", "", 0, 16384, 0, "")
    rows = {
        "schemas": ["db"], "tables": [table], "views": [], "columns": [], "keys": [], "fk_rules": [],
        "checks": [], "indexes": [], "triggers": [], "partitions": [],
    }  # fmt: skip
    assert _build(rows, mariadb=True)[0].tables[0].skipped == CHANGED_REASON


def test_implicit_references_are_looked_up_in_one_read_per_table(mysql_db):
    """Values of columns that look like references are looked up in the referenced primary key: one
    statement per table that has such columns, the values escaped by the driver, nothing but reads."""
    mysql_db.execute("CREATE TABLE customers (id INT PRIMARY KEY)")
    mysql_db.execute("CREATE TABLE `plan%` (`id%` INT PRIMARY KEY)")  # names the driver's %s formatting must not touch
    mysql_db.execute("CREATE TABLE invoices (id INT PRIMARY KEY, customer_id INT, `plan%_id` INT)")
    mysql_db.execute("INSERT INTO customers VALUES " + ", ".join(f"({i})" for i in range(1, 51)))
    mysql_db.execute("INSERT INTO `plan%` VALUES (1), (2)")
    mysql_db.execute("INSERT INTO invoices VALUES " + ", ".join(f"({i}, {1 + i % 60}, {1 + i % 2})" for i in range(1, 301)))
    with general_log() as log:
        result = api.audit(mysql_db.url)
        sessions = log.sessions([mysql_db.name])
    statements = [s for session in sessions for s in session.statements]
    lookups = [s for s in statements if "CAST(" in s and " IN (" in s]
    assert len(lookups) == 1, statements
    assert f"FROM `{mysql_db.name}`.`customers` WHERE `id` IN (" in lookups[0]
    assert f"FROM `{mysql_db.name}`.`plan%` WHERE `id%` IN (" in lookups[0]
    checks = {c.column: c for c in next(t for t in result.profile.tables if t.table == "invoices").reference_checks}
    assert checks["customer_id"].values_missing == 10 and checks["plan%_id"].values_missing == 0
    assert non_reads(statements, "mysql") == []
