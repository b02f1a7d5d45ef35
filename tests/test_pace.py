"""A busy server gets a gentle dayone: it rests after each statement and holds one connection.

Other sessions at work (a statement running, a transaction open, or a statement finished less than a
second ago) make `--pace auto` rest as long as each statement took (BUSY_PACE); `--pace N` sets it.
The catalog read that way is the same as the eager one's.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pymysql
import pytest

from dayone import api
from dayone.catalog.snapshot import to_json
from dayone.connect import session as session_module
from dayone.connect.options import BUSY_PACE, SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects import dialect_for, mysql, postgres

from conftest import _mysql_params
from test_cli_errors import run_dayone


@pytest.fixture
def rests(monkeypatch):
    """The rests the sessions took, instead of sleeping them."""
    taken: list[float] = []
    monkeypatch.setattr(session_module.time, "sleep", taken.append)
    return taken


def read_catalog(url: str, schemas=None, **options):
    target = parse_target(url)
    with api.open_session(target, SessionOptions(**options)) as session:
        catalog = dialect_for(target.engine).read_catalog(session, schemas)
        return catalog, session.rest, list(session.statements)


def after_the_probe(statements: list[str], probe: str) -> list[str]:
    """The statements sent once the session knew the server was busy."""
    first = next(i for i, s in enumerate(statements) if probe in s)
    return statements[first + 1 :]


def test_pure_decision():
    session = session_module.Session(target=None, options=SessionOptions(), connection=None)
    session.settle_pace(0)
    assert session.rest == 0.0
    session.settle_pace(3)
    assert session.rest == BUSY_PACE > 0
    session.options = SessionOptions(pace=0)
    session.settle_pace(3)
    assert session.rest == 0.0
    session.options = SessionOptions(pace=2.5)
    session.settle_pace(0)
    assert session.rest == 2.5


@pytest.fixture
def pg_busy(pg_db):
    """Another session of the application, inside a transaction while dayone reads."""
    pg_db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text CHECK (status IN ('new', 'paid')));"
                  "CREATE TABLE lines (id int PRIMARY KEY, order_id int REFERENCES orders)")  # fmt: skip
    with psycopg.connect(pg_db.url, application_name="shop") as app:
        app.execute("SELECT 1 FROM orders")  # and the transaction stays open
        yield pg_db


def test_postgres_busy_server_gets_rests_on_one_connection(pg_busy, monkeypatch, rests):
    eager, rest, statements = read_catalog(pg_busy.url, pace=0)
    assert rest == 0 and not rests
    monkeypatch.setattr(postgres, "SECOND_SESSION_FROM", 0)  # the catalog is big enough for two connections
    gentle, rest, statements = read_catalog(pg_busy.url)
    assert rest == BUSY_PACE
    assert len(rests) == len(after_the_probe(statements, "pg_stat_activity"))  # a rest after every statement
    assert not any("pg_export_snapshot" in s or s.startswith("SET TRANSACTION SNAPSHOT") for s in statements)  # no second connection
    assert to_json(gentle) == to_json(eager)


def test_postgres_pace_zero_is_eager_on_a_busy_server(pg_busy, monkeypatch, rests):
    monkeypatch.setattr(postgres, "SECOND_SESSION_FROM", 0)
    _, rest, statements = read_catalog(pg_busy.url, pace=0)
    assert rest == 0 and not rests
    assert any(s.startswith("SET TRANSACTION SNAPSHOT") for s in statements)  # both connections


def test_a_rest_never_outlasts_the_idle_in_transaction_timeout(pg_busy, monkeypatch, rests):
    # a statement of 1 s at pace 100 would rest 100 s: the server ends a session idle in its
    # transaction for idle_timeout, so the rest stops at a quarter of it
    clock = iter(float(i) for i in range(0, 10_000))
    monkeypatch.setattr(session_module.time, "perf_counter", lambda: next(clock))
    read_catalog(pg_busy.url, pace=100, idle_timeout=8)
    assert rests and max(rests) == 2.0


def test_mysql_busy_server_gets_rests_on_one_connection(mysql_db, monkeypatch, rests):
    mysql_db.execute("CREATE TABLE orders (id INT PRIMARY KEY, status ENUM('new', 'paid'))")
    eager, rest, _ = read_catalog(mysql_db.url, [mysql_db.name], pace=0)
    assert rest == 0
    app = pymysql.connect(**_mysql_params(), database=mysql_db.name)
    running = threading.Thread(target=lambda: app.cursor().execute("SELECT SLEEP(3)"))
    running.start()
    try:
        for _ in range(100):  # until the server lists the application's statement
            if mysql_db.execute("SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(3)%%'"):
                break
            time.sleep(0.02)
        monkeypatch.setattr(mysql, "SECOND_SESSION_FROM", 0)
        gentle, rest, statements = read_catalog(mysql_db.url, [mysql_db.name])
    finally:
        running.join()
        app.close()
    assert rest == BUSY_PACE and len(rests) == len(after_the_probe(statements, "PROCESSLIST"))
    assert sum(s.startswith("SET SESSION TRANSACTION READ ONLY") for s in statements) == 1  # one session only
    assert to_json(gentle) == to_json(eager)


def test_cli_refuses_a_pace_that_is_not_a_number():
    result = run_dayone("audit", "postgresql://127.0.0.1:1/x", "--pace", "fast")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--pace': 'fast' is neither auto nor a number" in result.stderr


def test_the_caller_is_told_when_a_busy_server_slows_the_run(pg_busy):
    told = []
    read_catalog(pg_busy.url, on_busy=lambda others, rest: told.append((others, rest)))
    assert told and told[0][0] >= 1 and told[0][1] == BUSY_PACE
    told.clear()
    read_catalog(pg_busy.url, pace=2, on_busy=lambda others, rest: told.append((others, rest)))
    assert told == []  # asked for: nothing to explain


def test_a_busy_server_gets_a_rest_after_every_statement_profiles_included(pg_busy, rests):
    from dayone.profile.options import ProfileOptions
    from dayone.profile.profiler import profile_catalog

    pg_busy.execute("INSERT INTO orders SELECT i, 'new' FROM generate_series(1, 500) i; ANALYZE orders")
    target = parse_target(pg_busy.url)
    dialect = dialect_for(target.engine)
    with api.open_session(target) as session:
        catalog = dialect.read_catalog(session)
        profile = profile_catalog(session, dialect, catalog, ProfileOptions())
        statements = list(session.statements)
    sampled = [s for s in statements if "TABLESAMPLE" in s or '"orders"' in s]
    assert any(t.table == "orders" and t.rows_read for t in profile.tables) and sampled  # the table was read
    assert len(rests) == len(after_the_probe(statements, "pg_stat_activity"))  # and rested after, like every statement


def test_full_profile_on_a_busy_server_rests_after_each_statement(pg_busy, rests):
    from dayone.profile.options import ProfileOptions
    from dayone.profile.profiler import profile_catalog

    pg_busy.execute("INSERT INTO orders SELECT i, CASE WHEN i % 3 = 0 THEN 'paid' ELSE 'new' END FROM generate_series(1, 20000) i;"
                    "ANALYZE orders")  # fmt: skip
    target = parse_target(pg_busy.url)
    dialect = dialect_for(target.engine)
    with api.open_session(target) as session:
        catalog = dialect.read_catalog(session)
        profile = profile_catalog(session, dialect, catalog, ProfileOptions(tier="full", page_budget=10, sample_rows=100))
        statements = list(session.statements)
    orders = next(t for t in profile.tables if t.table == "orders")
    assert orders.rows_read == 20000 and any("GROUP BY" in s and '"orders"' in s for s in statements)  # pushed down
    pushed = [s for s in after_the_probe(statements, "pg_stat_activity") if not s.startswith("SET LOCAL")]
    assert len(rests) == len(pushed)  # a rest after every statement, the pushed-down ones included
