"""Profiling MySQL/MariaDB: key-range samples read a bounded number of rows through the primary key,
a full pass reads every row once, and a locked, slow or interrupted table never holds dayone (or the
server) up. Rows the server examined are measured on the server where it can say (MariaDB's
ANALYZE statement runs a query and reports the rows each table access read)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import MySQLDatabase, _create_mysql_database, _drop_mysql_database, _mysql_admin, unique_name
from dayone import api
from dayone.connect.options import SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects.mysql import MySQLDialect
from dayone.profile.options import ProfileOptions
from dayone.profile.profiler import profile_catalog

pytestmark = pytest.mark.mysql

BIG_ROWS = 100_000
DIGITS = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 " \
         "UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"  # fmt: skip
CANARY = "canary-7f3a9c@corp.internal"
SETUP = [
    "CREATE TABLE big (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL, status VARCHAR(10) NOT NULL, created_at DATETIME NOT NULL)",
    f"INSERT INTO big SELECT n, CONCAT('user', n, '@mail.test'), ELT(1 + n % 3, 'new', 'paid', 'shipped'), "
    f"'2026-01-01' + INTERVAL n MINUTE FROM (SELECT a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d + 1 AS n "
    f"FROM {DIGITS} a, {DIGITS} b, {DIGITS} c, {DIGITS} e, {DIGITS} f) numbers",
    "CREATE TABLE nopk (a INT, b VARCHAR(40))",
    "INSERT INTO nopk SELECT id, MD5(id) FROM big WHERE id <= 5000",
    f"UPDATE nopk SET b = '{CANARY}' WHERE a = 1",  # the first row of a plain scan, in a column of distinct values
    "CREATE TABLE codes (code CHAR(36) PRIMARY KEY, label VARCHAR(20))",
    "INSERT INTO codes SELECT MD5(id), 'x' FROM big WHERE id <= 3000",
    "CREATE TABLE small (code VARCHAR(5) PRIMARY KEY, label VARCHAR(20))",
    "INSERT INTO small VALUES ('a', 'one'), ('b', 'two'), ('c', 'three')",
    "CREATE VIEW paid AS SELECT * FROM big WHERE status = 'paid'",
    "ANALYZE TABLE big, nopk, codes, small",
]


@pytest.fixture(scope="module")
def shop(mysql_server):
    db = _create_mysql_database(unique_name("dayone_prof"))
    try:
        with db.connect() as conn, conn.cursor() as cur:
            for statement in SETUP:
                cur.execute(statement)
                if cur.description:
                    cur.fetchall()
        yield db
    finally:
        _drop_mysql_database(db.name)


def is_mariadb(db: MySQLDatabase) -> bool:
    return "mariadb" in db.execute("SELECT VERSION()")[0][0].lower()


def profile_of(result, table: str):
    found = result.profile.table(result.catalog.schemas[0].name, table)
    assert found is not None, f"{table} is not in the profile"
    return found


def statements_of_profile(db: MySQLDatabase, options: ProfileOptions) -> tuple:
    catalog = api.read_catalog(db.url)
    with api.open_session(parse_target(db.url)) as session:
        start = len(session.statements)
        profile = profile_catalog(session, MySQLDialect(), catalog, options)
        return profile, session.statements[start:]


def test_a_sample_reads_a_bounded_number_of_rows_through_the_primary_key(shop):
    budget = 20
    profile, sent = statements_of_profile(shop, ProfileOptions(page_budget=budget))
    big = profile.table(shop.name, "big")
    assert big.method == "sample" and "ranges of consecutive primary keys" in big.how
    assert 0 < big.rows_read <= 0.25 * BIG_ROWS
    ids = big.column("id")
    assert int(ids.maximum) - int(ids.minimum) > 0.8 * BIG_ROWS  # spread over the whole key space
    assert {v.value for v in big.column("status").top_values} == {"new", "paid", "shipped"}

    statement = next(s for s in sent if "UNION ALL" in s and "`big`" in s)
    assert "ORDER BY `id` LIMIT" in statement and "RAND" not in statement.upper()
    if is_mariadb(shop):  # the server's own count of what the statement read (ANALYZE runs it)
        with shop.connect() as conn, conn.cursor() as cur:
            cur.execute("ANALYZE FORMAT=JSON " + statement)
            plan = json.loads(cur.fetchone()[0])
            cur.execute("SELECT DATA_LENGTH / @@innodb_page_size FROM information_schema.TABLES "
                        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'big'", (shop.name,))  # fmt: skip
            table_pages = float(cur.fetchone()[0])
        accesses = table_accesses(plan)
        assert accesses and all(a["access_type"] == "range" and a["key"] == "PRIMARY" for a in accesses)
        rows = sum(a["r_rows"] * a.get("r_loops", 1) for a in accesses)
        pages = sum(a.get("r_engine_stats", {}).get("pages_accessed", 0) for a in accesses)
        assert rows <= 1.1 * big.rows_read + 10, f"the server read {rows} rows for a sample of {big.rows_read}"
        assert pages <= 2 * budget and pages < 0.25 * table_pages, f"{pages} pages accessed of {table_pages:.0f}"


def table_accesses(node) -> list[dict]:
    """Every table access in a MariaDB ANALYZE FORMAT=JSON plan."""
    if isinstance(node, list):
        return [found for child in node for found in table_accesses(child)]
    if not isinstance(node, dict):
        return []
    here = [node] if "table_name" in node and "r_rows" in node else []
    return here + [found for value in node.values() for found in table_accesses(value)]


def test_a_sample_reads_about_sample_rows_rows(shop):
    big = profile_of(api.audit(shop.url, profile=ProfileOptions(page_budget=1000, sample_rows=5_000)), "big")
    assert big.method == "sample" and 4_000 <= big.rows_read <= 5_000


def test_without_an_integer_key_the_first_rows_are_read_and_the_profile_says_so(shop):
    result = api.audit(shop.url, profile=ProfileOptions(page_budget=2))
    for name in ("nopk", "codes"):
        table = profile_of(result, name)
        assert table.method == "sample" and "not a random sample" in table.how, table.how
        assert table.rows_read < table.rows_estimated
    small = profile_of(result, "small")
    assert (small.method, small.rows_read) == ("full", 3)
    assert {t.table for t in result.profile.tables} == {"big", "nopk", "codes", "small"}  # not the view


def test_full_reads_every_row_once(shop):
    result = api.audit(shop.url, profile=ProfileOptions(tier="full"))
    assert (profile_of(result, "big").method, profile_of(result, "big").rows_read) == ("full", BIG_ROWS)
    assert profile_of(result, "nopk").rows_read == 5000


def make_heavy(db: MySQLDatabase, rows: int) -> None:
    """A table whose every row costs the server ~15 ms of CPU to read: a virtual column hashes a
    12 MB string. An honest slow read, whatever the network buffers between server and client."""
    db.execute("CREATE TABLE heavy (id INT PRIMARY KEY, b CHAR(32), "
               "digest CHAR(1) AS (LEFT(SHA2(REPEAT(b, 400000), 512), 1)) VIRTUAL)")  # fmt: skip
    db.execute(f"INSERT INTO heavy (id, b) SELECT n, MD5(n) FROM (SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS n "
               f"FROM {DIGITS} a, {DIGITS} b, {DIGITS} c, {DIGITS} e) numbers WHERE n < {rows}")  # fmt: skip


def test_a_statement_past_the_timeout_is_reported_and_the_audit_goes_on(mysql_db):
    make_heavy(mysql_db, 200)  # 3 s to read
    mysql_db.execute("CREATE TABLE light (id INT PRIMARY KEY)")
    mysql_db.execute("INSERT INTO light VALUES (1), (2)")
    started = time.monotonic()
    result = api.audit(mysql_db.url, options=SessionOptions(statement_timeout=0.5), profile=ProfileOptions(tier="full"))
    heavy = profile_of(result, "heavy")
    assert heavy.method == "skipped" and heavy.skipped.startswith("statement timeout after 0.5 s"), heavy.how
    assert (profile_of(result, "light").method, profile_of(result, "light").rows_read) == ("full", 2)  # read after it
    assert time.monotonic() - started < 2.5


def test_a_locked_table_is_skipped_within_the_lock_timeout(shop):
    holder = shop.connect()
    try:
        with holder.cursor() as cur:
            cur.execute("LOCK TABLES big WRITE")
        started = time.monotonic()
        result = api.audit(shop.url, options=SessionOptions(lock_timeout=1), profile=ProfileOptions(page_budget=5))
        elapsed = time.monotonic() - started
    finally:
        holder.close()
    big = profile_of(result, "big")
    assert big.method == "skipped" and big.skipped.startswith("locked by another session")
    assert elapsed < 3, f"dayone waited {elapsed:.1f} s"
    assert profile_of(result, "small").method == "full"


def test_statistics_the_server_keeps_and_none_where_they_may_not_be_read(shop):
    if is_mariadb(shop):  # the test's admin collects them; dayone never runs ANALYZE
        shop.execute("ANALYZE TABLE big PERSISTENT FOR ALL")
    result = api.audit(shop.url, profile=ProfileOptions(tier="statistics"))
    big = profile_of(result, "big")
    assert big.method == "statistics" and big.rows_read == 0
    assert big.column("id").distinct_estimate == pytest.approx(BIG_ROWS, rel=0.2)  # index cardinality
    if is_mariadb(shop):
        assert "mysql.column_stats" in big.how
        assert big.column("status").distinct_estimate == pytest.approx(3, rel=0.1)
        assert big.column("id").minimum == "1" and big.column("id").maximum == str(BIG_ROWS)

    user = unique_name("dayone_u")
    admin = _mysql_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw-{user}'")
            cur.execute(f"GRANT SELECT, SHOW VIEW ON `{shop.name}`.* TO '{user}'@'%'")
        url = shop.url.replace("root@", f"{user}:pw-{user}@", 1)
        limited = profile_of(api.audit(url, profile=ProfileOptions(tier="statistics")), "big")
        assert "mysql.column_stats" not in limited.how  # no SELECT on mysql.*: simply fewer statistics
        assert limited.column("id").distinct_estimate == pytest.approx(BIG_ROWS, rel=0.2)
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()


def test_ctrl_c_kills_the_running_statement_and_exits_130(mysql_db):
    """SIGINT while the server computes dayone's read: a virtual column costs ~15 ms of CPU per row
    (a hash of a 12 MB string), so reading 2,000 rows takes half a minute, and rows go out 16 kB at a
    time, so the server would not notice the closed client for many seconds. dayone sends KILL QUERY
    from a second connection, says so and exits 130, and nothing of it remains on the server."""
    make_heavy(mysql_db, 2000)  # half a minute to read
    watcher = mysql_db.connect()
    process = None

    def ours() -> list[tuple]:
        with watcher.cursor() as cur:
            cur.execute("SELECT ID, TIME, INFO FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
                        (mysql_db.name,))  # fmt: skip
            return list(cur.fetchall())

    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "dayone", "audit", mysql_db.url, "--page-budget", "5"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if any("`heavy`" in (info or "") for _, _, info in ours()):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail(f"dayone never read the table: {ours()}")
        time.sleep(0.5)
        assert any("`heavy`" in (info or "") for _, _, info in ours()), "the read is not slow: the test proves nothing"
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
        took = time.monotonic() - interrupted
        assert process.returncode == 130, err
        assert "dayone: interrupted" in err and "Traceback" not in err
        assert took < 5, f"dayone took {took:.1f} s to stop"
        deadline = time.monotonic() + 2
        while (left := ours()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == [], f"dayone's statement is still on the server: {left}"
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()
        for thread, _, info in ours():  # a statement left behind would burn the server's CPU for half a minute
            mysql_db.execute(f"KILL {int(thread)}")
        watcher.close()


def test_no_row_values_but_value_sets_and_none_with_no_values(shop):
    def report(*flags: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "dayone", "audit", shop.url, "--format", "json", "--fail-on", "never", "--page-budget", "5", *flags],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        tables = {t["table"].split(".")[-1]: t for t in json.loads(done.stdout)["profile"]["tables"]}
        assert tables["nopk"]["rows_read"] > 0  # the canary row, the first, was read
        return done.stdout

    kept = report()
    assert CANARY not in kept and "@mail.test" not in kept
    assert "shipped" in kept
    bare = report("--no-values")
    assert CANARY not in bare and "shipped" not in bare
