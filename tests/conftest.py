"""Real servers for the tests: PostgreSQL and MariaDB/MySQL from the machine (URLs from the
environment), a fresh database per test, and the pagila / sakila fixtures loaded once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("DAYONE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_ADMIN_URL = os.environ.get("DAYONE_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/")
# The reduced copies vendored in tests/fixtures (see its README), or a folder with the same layout,
# such as the full copies in ../shared/fixtures, where sakila's folder is named sakila-mysql.
FIXTURES = Path(os.environ.get("DAYONE_FIXTURES", Path(__file__).resolve().parent / "fixtures"))
PAGILA = FIXTURES / "pagila"
SAKILA = next((FIXTURES / name for name in ("sakila", "sakila-mysql") if (FIXTURES / name).exists()), FIXTURES / "sakila")
IN_CI = bool(os.environ.get("CI"))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


def _pg_available() -> str | None:
    try:
        _pg_admin().close()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no server here
        return f"no PostgreSQL at {PG_ADMIN_URL}: {exc}"


def _url_with_db(admin_url: str, database: str) -> str:
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{database}"


class PostgresDatabase:
    """A throwaway database on the test server; `url` is what a user would pass to dayone."""

    def __init__(self, name: str):
        self.name = name
        self.url = _url_with_db(PG_ADMIN_URL, name)

    def connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def execute(self, sql: str, params=None) -> list[tuple]:
        with self.connect() as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []


@pytest.fixture(scope="session")
def pg_server():
    reason = _pg_available()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_ADMIN_URL


@pytest.fixture
def pg_db(pg_server):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    db = _create_pg_database(unique_name("dayone_t"))
    yield db
    _drop_pg_database(db.name)


def _create_pg_database(name: str) -> PostgresDatabase:
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return PostgresDatabase(name)


def _drop_pg_database(name: str) -> None:
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pagila(pg_server):
    """The pagila fixture loaded into a fresh database, once per test session."""
    folder = PAGILA
    if not folder.exists():
        pytest.skip(f"pagila fixture not found at {folder}")
    psql = shutil.which("psql")
    if not psql:
        pytest.skip("psql is not installed")
    db = _create_pg_database(unique_name("dayone_pagila"))
    for part in ("pagila-schema.sql", "pagila-data.sql"):
        subprocess.run(
            [psql, "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", str(folder / part)],
            check=True,
            capture_output=True,
        )
    yield db
    _drop_pg_database(db.name)


# --- MySQL / MariaDB --------------------------------------------------------------------------


def _mysql_params() -> dict:
    from sqlalchemy.engine.url import make_url

    url = make_url(MYSQL_ADMIN_URL)
    return dict(host=url.host or "127.0.0.1", port=url.port or 3306, user=url.username or "root", password=url.password or "")


def _mysql_admin(database: str | None = None):
    import pymysql

    return pymysql.connect(**_mysql_params(), database=database, autocommit=True, connect_timeout=5, charset="utf8mb4")


class MySQLDatabase:
    def __init__(self, name: str):
        self.name = name
        self.url = MYSQL_ADMIN_URL.rstrip("/") + "/" + name

    def connect(self):
        return _mysql_admin(self.name)

    def execute(self, sql: str, params=None) -> list[tuple]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []


@pytest.fixture(scope="session")
def mysql_server():
    try:
        _mysql_admin().close()
    except Exception as exc:  # noqa: BLE001
        reason = f"no MySQL/MariaDB at {MYSQL_ADMIN_URL}: {exc}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return MYSQL_ADMIN_URL


def _create_mysql_database(name: str) -> MySQLDatabase:
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    return MySQLDatabase(name)


def _drop_mysql_database(name: str) -> None:
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def mysql_db(mysql_server):
    db = _create_mysql_database(unique_name("dayone_t"))
    yield db
    _drop_mysql_database(db.name)


@pytest.fixture(scope="session")
def sakila(mysql_server):
    """The sakila fixture loaded into a uniquely named database, once per test session."""
    folder = SAKILA
    client = shutil.which("mariadb") or shutil.which("mysql")
    if not folder.exists() or not client:
        pytest.skip(f"sakila fixture ({folder}) or the mariadb/mysql client is missing")
    name = unique_name("dayone_sakila")
    params = _mysql_params()
    for part in ("sakila-schema.sql", "sakila-data.sql"):
        sql = re.sub(r"\bsakila\b", name, (folder / part).read_text(encoding="utf-8"))
        subprocess.run(
            [client, "-h", params["host"], "-P", str(params["port"]), "-u", params["user"], f"--password={params['password']}"],
            input=sql.encode(),
            check=True,
            capture_output=True,
        )
    yield MySQLDatabase(name)
    _drop_mysql_database(name)


# --- rule cases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rules_pg_db(pg_server):
    """One PostgreSQL database for every rule case; each case builds (and drops) its own schema."""
    db = _create_pg_database(unique_name("dayone_rules"))
    yield db
    _drop_pg_database(db.name)


@pytest.fixture
def engines(request, tmp_path):
    """engines(engine, ddl, changes) -> Audited: the DDL built on a real engine, audited, dropped."""
    from rule_harness import Engines

    return Engines(request, tmp_path)


@pytest.fixture(scope="module")
def pgserver_dir():
    """A data directory for a throwaway pgserver. Not under tmp_path: as root, pgserver runs
    PostgreSQL as another user, who cannot enter pytest's owner-only /tmp/pytest-of-root."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="dayone-pgserver-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """Where the browser tests left their screenshots of the report site, for a reviewer to open."""
    from test_report_browser import ARTIFACTS, kept_this_session

    if kept_this_session:
        terminalreporter.write_line(f"report site screenshots: {ARTIFACTS}")
