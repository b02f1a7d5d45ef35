"""Errors a user can hit: one clear line, exit code 2, no traceback, never the password."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

CANARY = "Canary-7f3e9d1b-pw"


def run_dayone(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "dayone", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert CANARY not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_bad_url():
    result = run_dayone("snapshot", f"postgresql://bob:{CANARY}@host:notaport/db")
    assert_one_clear_line(result, "port")


def test_unknown_scheme():
    result = run_dayone("snapshot", f"oracle://bob:{CANARY}@host/db")
    assert_one_clear_line(result, "unknown database URL scheme 'oracle'", "postgresql")


def test_not_a_url_nor_a_snapshot():
    assert_one_clear_line(run_dayone("snapshot", "prod-db"), "neither a database URL nor a snapshot file")


def test_missing_snapshot_file(tmp_path):
    assert_one_clear_line(run_dayone("catalog", str(tmp_path / "gone.json")), "does not exist")


def test_damaged_snapshot_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something else"}')
    assert_one_clear_line(run_dayone("catalog", str(path)), "not a dayone snapshot")


def test_connection_refused_answers_at_once():
    started = time.perf_counter()
    result = run_dayone("snapshot", f"postgresql://bob:{CANARY}@127.0.0.1:1/db")
    assert_one_clear_line(result, "127.0.0.1:1", "connection refused")
    assert time.perf_counter() - started < 10


def test_unreachable_host_answers_within_connect_timeout():
    # A socket that accepts connections at the kernel level but never says a word: like a
    # firewall that swallows packets, dayone must give up after --connect-timeout, not hang.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        for scheme in ("postgresql", "mysql"):
            started = time.perf_counter()
            result = run_dayone("snapshot", f"{scheme}://bob:{CANARY}@127.0.0.1:{port}/db", "--connect-timeout", "2")
            elapsed = time.perf_counter() - started
            assert_one_clear_line(result, f"127.0.0.1:{port}")
            assert "within 2 s" in result.stderr or "no answer" in result.stderr, result.stderr
            assert elapsed < 12, f"{scheme}: took {elapsed:.1f} s"
    finally:
        silent.close()


def test_unknown_host():
    result = run_dayone("snapshot", f"postgresql://bob:{CANARY}@no-such-host.invalid/db")
    assert_one_clear_line(result, "unknown host 'no-such-host.invalid'")


def test_postgres_database_that_does_not_exist(pg_server):
    result = run_dayone("snapshot", "postgresql://postgres@127.0.0.1:5432/dayone_no_such_db")
    assert_one_clear_line(result, "database 'dayone_no_such_db' does not exist")


def test_postgres_permission_denied(pg_db):
    role = pg_db.name + "_ro"
    pg_db.execute(f'CREATE ROLE "{role}" LOGIN; REVOKE CONNECT ON DATABASE "{pg_db.name}" FROM PUBLIC')
    try:
        url = pg_db.url.replace("postgres@", f"{role}@", 1)
        result = run_dayone("snapshot", url)
        assert_one_clear_line(result, role, "CONNECT")
    finally:
        pg_db.execute(f'DROP ROLE "{role}"')


@pytest.fixture(scope="module")
def password_server(pgserver_dir):
    """A PostgreSQL server that checks passwords (the machine's server trusts everyone)."""
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(pgserver_dir, cleanup_mode="stop")
    server.psql("CREATE ROLE alice LOGIN PASSWORD 'right-password-123';")
    hba = server.pgdata / "pg_hba.conf"
    hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n")
    server.psql("SELECT pg_reload_conf();")
    yield server
    server.cleanup()


def test_wrong_password_names_the_user_never_the_password(password_server):
    socket_dir = str(password_server.pgdata)
    result = run_dayone("snapshot", f"postgresql://alice:{CANARY}@/postgres?host={socket_dir}")
    assert_one_clear_line(result, "login failed for user 'alice'", "wrong password")


def test_password_from_environment_works_and_is_never_printed(password_server, tmp_path):
    socket_dir = str(password_server.pgdata)
    output = tmp_path / "snap.json"
    result = run_dayone(
        "snapshot", f"postgresql://alice@/postgres?host={socket_dir}", "-o", str(output),
        env={"DAYONE_PASSWORD": "right-password-123"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "right-password-123" not in result.stderr + output.read_text()
    missing = run_dayone("snapshot", f"postgresql://alice@/postgres?host={socket_dir}", env={"DAYONE_PASSWORD": ""})
    assert_one_clear_line(missing, "alice")
