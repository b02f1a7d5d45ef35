"""Faults, as a user meets them: a connection that goes silent after the login, a session the server
kills, Ctrl-C. On each engine, dayone must end with its exit status and ONE line on stderr (no
traceback, no "Exception ignored"), within seconds, and leave no session of its own on the server.

A silent connection is made by SilentProxy, a TCP proxy on 127.0.0.1 that forwards faithfully until
a client sends a chosen statement; from then on that connection forwards nothing in either direction
(the kernel still acknowledges what arrives, as a NAT or firewall that dropped the connection's state,
a failover or a half-open connection do), while new connections still get through. dayone runs with
--statement-timeout 1, so it gives up after 1 s plus the 2 s grace.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import (
    _create_mysql_database,
    _create_pg_database,
    _drop_mysql_database,
    _drop_pg_database,
    _mysql_admin,
    _pg_admin,
    unique_name,
)
from test_ssh_tunnel import bastion  # noqa: F401 - the fixture: an sshd of this test's own

BIG_ROWS = 150_000  # a --full read streams for a few seconds: time to interrupt it
GIVES_UP_AFTER = "for 3 s after the statement was sent"  # --statement-timeout 1, plus the 2 s grace
HANG = 30  # seconds: a run still going then has hung (the fixed runs end within 5)
PROBLEMS = ("Traceback", "Exception ignored")


# --- the silent proxy ---------------------------------------------------------------------------


class SilentProxy:
    """Forwards 127.0.0.1:<port> to `upstream`. A connection whose client sends `silent_on` goes
    silent: at once (the statement never reaches the server) or, with `then_bytes`, after passing the
    statement on and `then_bytes` bytes of the answer (silent in the middle of a streamed result)."""

    def __init__(self, upstream: tuple[str, int], silent_on: bytes, then_bytes: int | None = None):
        self.upstream = upstream
        self.silent_on = silent_on
        self.then_bytes = then_bytes
        self.went_silent = threading.Event()
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        self.threads: list[threading.Thread] = []
        self._start(self._accept)

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"{parts.netloc.rsplit('@', 1)[0]}@127.0.0.1:{self.port}"))

    def __enter__(self) -> SilentProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(5)
        for sock in self.sockets:
            sock.close()

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            if select.select([self.listener], [], [], 0.05)[0]:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.upstream)
                self.sockets += [client, server]
                self._start(self._pump, client, server)

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        answer_left = None  # bytes of the server's answer still passed on once the statement was seen
        while not self.stopping.is_set():
            for sock in select.select([client, server], [], [], 0.05)[0]:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is client and self.silent_on in data:
                    if self.then_bytes is None:
                        return self._silent()
                    answer_left = self.then_bytes
                elif sock is server and answer_left is not None:
                    data = data[:answer_left]
                    answer_left -= len(data)
                (server if sock is client else client).sendall(data)
                if answer_left == 0:
                    return self._silent()

    def _silent(self) -> None:
        """Keep both sockets open and read nothing more: the kernel acknowledges, nobody answers."""
        self.went_silent.set()
        self.stopping.wait()


# --- running dayone ------------------------------------------------------------------------------


def run_dayone(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    done = subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=HANG, env=env)
    return done, time.monotonic() - started


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert not any(problem in stderr for problem in PROBLEMS), stderr
    return lines[0]


def one_error_line(done: subprocess.CompletedProcess, *needles: str) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    line = one_line(done.stderr)
    assert line.startswith("dayone: error: "), line
    for needle in needles:
        assert needle in line, line
    return line


def interrupted_or_killed(args: list[str], streaming, act) -> tuple[int, str, float]:
    """Run dayone, wait until `streaming()` says its full read is under way, `act(process)`; the exit
    status, stderr, and the seconds it took to end after that."""
    # --pace 0: the test's own sessions, watching the server, would make dayone rest between statements,
    # and a kill aimed at the statement under way could land in a rest; pacing is tested in test_pace.py
    process = subprocess.Popen([sys.executable, "-m", "dayone", *args, "--pace", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    try:
        deadline = time.monotonic() + HANG
        while not streaming():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "dayone never started its full read"
            time.sleep(0.02)
        time.sleep(0.2)  # well into the stream
        acted = time.monotonic()
        act(process)
        _, err = process.communicate(timeout=HANG)
        return process.returncode, err, time.monotonic() - acted
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


# --- PostgreSQL ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_big(pg_server):
    db = _create_pg_database(unique_name("dayone_faults"))
    try:
        db.execute(f"CREATE TABLE big (id int PRIMARY KEY, note text); "
                   f"INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, {BIG_ROWS}) g; ANALYZE big")  # fmt: skip
        yield db
    finally:
        _drop_pg_database(db.name)


def pg_sessions(db) -> list[tuple]:
    return db.execute("SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'dayone' AND datname = %s",
                      (db.name,))  # fmt: skip


def pg_streaming(db) -> list[tuple]:
    return [row for row in pg_sessions(db) if row[2].startswith(("DECLARE", "FETCH"))]


def no_pg_session_left(db, seconds: float = 3.0) -> list[tuple]:
    deadline = time.monotonic() + seconds
    while (left := pg_sessions(db)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def pg_upstream() -> tuple[str, int]:
    from conftest import PG_ADMIN_URL

    url = urlsplit(PG_ADMIN_URL)
    return url.hostname or "127.0.0.1", url.port or 5432


@pytest.mark.parametrize(
    "command, silent_on, then_bytes",
    [
        (["catalog"], b"pg_locks", None),  # the first catalog query never reaches the server
        (["audit", "--full"], b"DECLARE", 200_000),  # silent in the middle of the streamed rows
    ],
    ids=["catalog", "full-profile-stream"],
)
def test_postgres_connection_silent_after_login(pg_big, command, silent_on, then_bytes):
    with SilentProxy(pg_upstream(), silent_on, then_bytes) as proxy:
        done, took = run_dayone(*command, proxy.url(pg_big.url), "--statement-timeout", "1", "--connect-timeout", "1", "--pace", "0")
        assert proxy.went_silent.is_set(), done.stderr
    one_error_line(done, f"no answer from 127.0.0.1:{proxy.port} {GIVES_UP_AFTER}", "went silent", "--statement-timeout")
    assert took < 10


def test_postgres_killed_backend_during_a_full_profile(pg_big):
    admin = _pg_admin()

    def kill(process):
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dayone' "
                      "AND datname = %s", (pg_big.name,))  # fmt: skip

    try:
        status, err, took = interrupted_or_killed(["audit", pg_big.url, "--full"], lambda: pg_streaming(pg_big), kill)
    finally:
        admin.close()
    assert status == 2, err
    # libpq reports the server's "terminating connection", or only the closed socket when that came first
    assert one_line(err).startswith("dayone: error: the connection was lost while profiling public.big: ")
    assert took < 5
    assert no_pg_session_left(pg_big) == []


def test_postgres_ctrl_c_during_a_full_profile(pg_big):
    status, err, took = interrupted_or_killed(["audit", pg_big.url, "--full"], lambda: pg_streaming(pg_big),
                                              lambda p: p.send_signal(signal.SIGINT))  # fmt: skip
    assert status == 130, err
    assert one_line(err) == "dayone: interrupted"
    assert took < 5
    assert no_pg_session_left(pg_big) == []


def test_postgres_second_connection_silent(pg_big, monkeypatch):
    """A big catalog is read on two connections: the second one's reads have the deadline too."""
    from dayone import api
    from dayone.connect.options import SessionOptions
    from dayone.dialects import postgres
    from dayone.errors import ConnectionSilent

    monkeypatch.setattr(postgres, "SECOND_SESSION_FROM", 0)
    monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    options = SessionOptions(statement_timeout=1, grace=0.5, connect_timeout=1)
    with SilentProxy(pg_upstream(), b"co.confupdtype") as proxy:  # the constraints: the second connection's query
        started = time.monotonic()
        with pytest.raises(ConnectionSilent, match=rf"^no answer from 127\.0\.0\.1:{proxy.port} for 1\.5 s after"):
            api.read_catalog(proxy.url(pg_big.url), options=options)
        assert proxy.went_silent.is_set()
    assert time.monotonic() - started < 6


def test_postgres_check_reports_a_connection_silent_while_reading_access_facts(pg_big):
    """`dayone check` reads the access facts after the round trips: a silence there fails the
    reachability item with the reason, like a server that cannot be reached."""
    from dayone import api
    from dayone.connect.options import SessionOptions

    options = SessionOptions(statement_timeout=1, grace=0.5, connect_timeout=1)
    with SilentProxy(pg_upstream(), b"pg_stat_ssl") as proxy:
        report = api.check(proxy.url(pg_big.url), options)
        assert proxy.went_silent.is_set()
    assert not report.connection.reached
    assert report.connection.error.startswith(f"no answer from 127.0.0.1:{proxy.port} for 1.5 s")


# --- MariaDB / MySQL -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mysql_big(mysql_server):
    db = _create_mysql_database(unique_name("dayone_faults"))
    digits = " UNION ALL ".join(f"SELECT {d} d" for d in range(10))
    try:
        db.execute("CREATE TABLE big (id INT PRIMARY KEY, note CHAR(32))")
        db.execute(f"INSERT INTO big SELECT n, MD5(n) FROM (SELECT a.d * 100000 + b.d * 10000 + c.d * 1000 + e.d * 100 "
                   f"+ f.d * 10 + g.d + 1 AS n FROM ({digits}) a, ({digits}) b, ({digits}) c, ({digits}) e, ({digits}) f, "
                   f"({digits}) g) numbers WHERE n <= {BIG_ROWS}")  # fmt: skip
        yield db
    finally:
        _drop_mysql_database(db.name)


def mysql_sessions(db, admin) -> list[tuple]:
    with admin.cursor() as cur:
        cur.execute("SELECT ID, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
                    (db.name,))  # fmt: skip
        return list(cur.fetchall())


def mysql_streaming(db, admin) -> list[tuple]:
    return [row for row in mysql_sessions(db, admin) if "`big`" in (row[2] or "")]


def no_mysql_session_left(db, admin, seconds: float = 3.0) -> list[tuple]:
    deadline = time.monotonic() + seconds
    while (left := mysql_sessions(db, admin)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def mysql_upstream() -> tuple[str, int]:
    from conftest import _mysql_params

    params = _mysql_params()
    return params["host"], params["port"]


@pytest.mark.parametrize(
    "command, silent_on, then_bytes",
    [
        (["catalog"], b"information_schema.SCHEMATA", None),
        (["audit", "--full"], b"`big`", 200_000),  # silent in the middle of the unbuffered result
    ],
    ids=["catalog", "full-profile-stream"],
)
def test_mysql_connection_silent_after_login(mysql_big, command, silent_on, then_bytes):
    with SilentProxy(mysql_upstream(), silent_on, then_bytes) as proxy:
        done, took = run_dayone(*command, proxy.url(mysql_big.url), "--statement-timeout", "1", "--connect-timeout", "1", "--pace", "0")
        assert proxy.went_silent.is_set(), done.stderr
    one_error_line(done, f"no answer from 127.0.0.1:{proxy.port} {GIVES_UP_AFTER}", "went silent", "--statement-timeout")
    assert took < 10


def test_mysql_killed_connection_during_a_full_profile(mysql_big):
    admin = _mysql_admin()

    def kill(process):
        for thread, _, _ in mysql_streaming(mysql_big, admin):
            with admin.cursor() as cur:
                cur.execute(f"KILL CONNECTION {int(thread)}")

    try:
        status, err, took = interrupted_or_killed(["audit", mysql_big.url, "--full"],
                                                  lambda: mysql_streaming(mysql_big, admin), kill)  # fmt: skip
        assert status == 2, err
        assert one_line(err).startswith(f"dayone: error: the connection was lost while profiling {mysql_big.name}.big")
        assert took < 5
        assert no_mysql_session_left(mysql_big, admin) == []
    finally:
        admin.close()


def test_mysql_ctrl_c_during_a_full_profile(mysql_big):
    admin = _mysql_admin()
    try:
        status, err, took = interrupted_or_killed(["audit", mysql_big.url, "--full"],
                                                  lambda: mysql_streaming(mysql_big, admin),
                                                  lambda p: p.send_signal(signal.SIGINT))  # fmt: skip
        assert status == 130, err
        assert one_line(err) == "dayone: interrupted"
        assert took < 5
        assert no_mysql_session_left(mysql_big, admin) == []
    finally:
        admin.close()


def test_mysql_second_connection_silent(mysql_big, monkeypatch):
    from dayone import api
    from dayone.connect.options import SessionOptions
    from dayone.dialects import mysql
    from dayone.errors import ConnectionSilent

    monkeypatch.setattr(mysql, "SECOND_SESSION_FROM", 0)
    monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    options = SessionOptions(statement_timeout=1, grace=0.5, connect_timeout=1)
    with SilentProxy(mysql_upstream(), b"information_schema.STATISTICS") as proxy:  # the second connection's query
        started = time.monotonic()
        with pytest.raises(ConnectionSilent, match=rf"^no answer from 127\.0\.0\.1:{proxy.port} for 1\.5 s after"):
            api.read_catalog(proxy.url(mysql_big.url), options=options)
        assert proxy.went_silent.is_set()
    assert time.monotonic() - started < 6


# --- SQLite: no network, but Ctrl-C ----------------------------------------------------------------


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux /proc to see dayone open the file")
def test_sqlite_ctrl_c_during_a_full_profile(tmp_path):
    path = tmp_path / "big.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, note TEXT)")
        conn.executemany("INSERT INTO big VALUES (?, ?)", ((i, f"note {i % 97}") for i in range(1, 4 * BIG_ROWS)))
    process = subprocess.Popen([sys.executable, "-m", "dayone", "audit", str(path), "--full"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + HANG
        while not opened(process.pid, path):  # dayone is loaded and reading: catalog, sizes, then rows
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "dayone never opened the database"
            time.sleep(0.01)
        time.sleep(0.3)
        assert process.poll() is None, "the full read ended before Ctrl-C: the test proves nothing"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=HANG)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert one_line(err) == "dayone: interrupted"


def opened(pid: int, path) -> bool:
    """Whether process `pid` holds `path` open (Linux /proc)."""
    try:
        return any(os.path.realpath(f"/proc/{pid}/fd/{fd}") == str(path.resolve()) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:  # the process is gone, or a descriptor closed while listed
        return False


@pytest.mark.parametrize("step", ["catalog", "table sizes"])
def test_sqlite_ctrl_c_inside_any_statement_stays_ctrl_c(tmp_path, step):
    """Python's sqlite3 swallows a KeyboardInterrupt raised in the statement timeout's progress
    handler and stops the statement as "interrupted", as the timeout does: whatever the statement
    (the catalog's, the sizes', not only a profile read), that is Ctrl-C, not a timeout nor a crash."""
    from dayone import api
    from dayone.connect.target import parse_target
    from dayone.dialects.sqlite import SQLiteDialect

    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE a (id INTEGER PRIMARY KEY, note TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY);")
    dialect = SQLiteDialect()
    with api.open_session(parse_target(str(path))) as session:
        catalog = dialect.read_catalog(session)

        def ctrl_c() -> int:
            raise KeyboardInterrupt

        session.connection.set_progress_handler(ctrl_c, 1)
        with pytest.raises(KeyboardInterrupt):
            if step == "catalog":
                dialect.read_catalog(session)
            else:
                dialect.table_sizes(session, list(catalog.tables()))


# --- through an SSH tunnel ------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_connection_silent_beyond_the_bastion(bastion, pg_big, mysql_big, engine):  # noqa: F811
    """The bastion answers its keepalives, the database behind it has gone silent: the same deadline
    holds through the tunnel, and the line names the server as the user wrote it."""
    db, upstream, silent_on = (pg_big, pg_upstream(), b"pg_locks") if engine == "postgresql" else \
        (mysql_big, mysql_upstream(), b"information_schema.SCHEMATA")  # fmt: skip
    with SilentProxy(upstream, silent_on) as proxy:
        done, took = run_dayone("catalog", proxy.url(db.url), "--statement-timeout", "1", "--connect-timeout", "1",
                                *bastion.args())  # fmt: skip
        assert proxy.went_silent.is_set(), done.stderr
    one_error_line(done, f"no answer from 127.0.0.1:{proxy.port} (through the SSH tunnel via 127.0.0.1:{bastion.port}) "
                         f"{GIVES_UP_AFTER}")  # fmt: skip
    assert took < 10
