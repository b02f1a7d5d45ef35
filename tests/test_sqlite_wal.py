"""SQLite in WAL mode: dayone reads it without creating a file, where the user may only read, and
while an application writes it."""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from dayone.connect.options import SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects.sqlite import SQLiteDialect
from dayone.errors import DayoneError

ROWS = 200


def make_wal_db(folder: Path, name: str = "app.db") -> Path:
    """A WAL database as an application leaves it when it closes: no -wal or -shm beside it."""
    path = folder / name
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL, created_at TEXT)")
    conn.executemany("INSERT INTO orders (status, created_at) VALUES (?, '2026-01-01 10:00:00')",
                     [("paid" if i % 3 else "refunded",) for i in range(ROWS)])  # fmt: skip
    conn.commit()
    conn.close()
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the header says WAL
    assert listing(folder) == [name]
    return path


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def _without_file_permission_override() -> None:
    """Run in the child before exec: as root, drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set, so that file modes bind root like any user (root keeps every other power)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP; without CAP_SETPCAP it fails: see read_only()


def run_dayone(*args: str, as_reader: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dayone", *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_without_file_permission_override if as_reader else None,
    )


@contextmanager
def read_only(folder: Path):
    """`folder` with mode 0555 (and its files 0444): nobody may create, delete or change a file in it.
    Tests run as root in CI, where modes do not stop root: run_dayone(as_reader=True) drops the
    capabilities that let root ignore them. The test is skipped if even that leaves the folder
    writable, rather than passing without having tried."""
    if sys.platform != "linux":
        pytest.skip("read-only folders are tested on Linux (prctl) only")
    modes = {p: p.stat().st_mode for p in folder.iterdir()}
    for path in modes:
        path.chmod(0o444)
    folder.chmod(0o555)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'x')"],
            capture_output=True, preexec_fn=_without_file_permission_override, timeout=60,
        )  # fmt: skip
        if probe.returncode == 0:
            (folder / "probe").unlink()
            pytest.skip("cannot make a folder read-only for this user (root without CAP_SETPCAP?)")
        yield folder
    finally:
        folder.chmod(0o755)
        for path, mode in modes.items():
            path.chmod(mode)


def snapshot_tables(result: subprocess.CompletedProcess) -> dict[str, dict]:
    assert result.returncode == 0, result.stderr
    catalog = json.loads(result.stdout)["catalog"]
    return {t["name"]: t for s in catalog["schemas"] for t in s.get("tables", [])}


def audited_rows(result: subprocess.CompletedProcess, table: str) -> int:
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    read = {t["table"].rpartition(".")[2]: t for t in report["profile"]["tables"]}
    return read[table]["rows_read"]


def test_a_wal_database_is_read_without_creating_a_file(tmp_path):
    path = make_wal_db(tmp_path)
    before = path.read_bytes()
    assert "orders" in snapshot_tables(run_dayone("snapshot", str(path)))
    assert audited_rows(run_dayone("audit", str(path), "--format", "json", "--fail-on", "never"), "orders") == ROWS
    assert listing(tmp_path) == ["app.db"]  # no app.db-wal, no app.db-shm
    assert path.read_bytes() == before


def test_a_wal_database_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = make_wal_db(folder)
    with read_only(folder):
        assert "orders" in snapshot_tables(run_dayone("snapshot", str(path), as_reader=True))
        audit = run_dayone("audit", f"sqlite:///{path}", "--format", "json", "--fail-on", "never", as_reader=True)
        assert audited_rows(audit, "orders") == ROWS
        assert listing(folder) == ["app.db"]


def test_a_read_only_wal_file_in_a_writable_folder(tmp_path):
    path = make_wal_db(tmp_path)
    path.chmod(0o444)
    try:
        assert "orders" in snapshot_tables(run_dayone("snapshot", str(path), as_reader=True))
    finally:
        path.chmod(0o644)
    assert listing(tmp_path) == ["app.db"]


@contextmanager
def live_application(path: Path):
    """An application with the database open: a committed table and rows still only in the -wal
    (no checkpoint), and a transaction in progress holding the write lock."""
    app = sqlite3.connect(path, isolation_level=None)
    try:
        app.execute("PRAGMA wal_autocheckpoint = 0")
        app.execute("CREATE TABLE late_arrivals (id INTEGER PRIMARY KEY, note TEXT)")
        app.execute("INSERT INTO orders (status) SELECT 'pending' FROM orders LIMIT 50")
        app.execute("BEGIN IMMEDIATE")
        app.execute("INSERT INTO orders (status) VALUES ('uncommitted')")
        assert (path.parent / f"{path.name}-wal").stat().st_size > 0
        yield app
        app.execute("ROLLBACK")
        assert app.execute("SELECT count(*) FROM orders").fetchone() == (ROWS + 50,)  # the application goes on
    finally:
        app.close()


def test_a_database_an_application_is_writing(tmp_path):
    path = make_wal_db(tmp_path)
    with live_application(path):
        files = listing(tmp_path)
        assert files == ["app.db", "app.db-shm", "app.db-wal"]
        tables = snapshot_tables(run_dayone("snapshot", str(path)))
        assert "late_arrivals" in tables  # committed, still only in the -wal: read through it
        audit = run_dayone("audit", str(path), "--format", "json", "--fail-on", "never", "--full")
        assert audited_rows(audit, "orders") == ROWS + 50  # committed rows, not the transaction in progress
        assert listing(tmp_path) == files


def test_a_database_an_application_is_writing_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = make_wal_db(folder)
    with live_application(path):
        with read_only(folder):  # -wal and -shm 0444 too: SQLite reads the -shm into memory
            tables = snapshot_tables(run_dayone("snapshot", str(path), as_reader=True))
            assert "late_arrivals" in tables
            assert listing(folder) == ["app.db", "app.db-shm", "app.db-wal"]


def test_a_wal_file_without_its_shm_is_refused_in_one_line(tmp_path):
    """Changes in a -wal with no -shm beside it can only be read by letting SQLite create the -shm."""
    path = make_wal_db(tmp_path)
    copy = tmp_path / "copy"
    copy.mkdir()
    with live_application(path):
        for suffix in ("", "-wal"):
            (copy / f"app.db{suffix}").write_bytes((tmp_path / f"app.db{suffix}").read_bytes())
    result = run_dayone("snapshot", str(copy / "app.db"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "app.db-shm" in result.stderr and "app.db-wal" in result.stderr
    assert listing(copy) == ["app.db", "app.db-wal"]


def test_a_checkpoint_during_an_unlocked_read_is_reported(tmp_path):
    """With no -wal beside it, dayone reads the file alone, without locks; an application that opens
    the database meanwhile and writes it back (a checkpoint) would leave a read that mixes two
    states: dayone says so rather than report it."""
    path = make_wal_db(tmp_path)
    dialect = SQLiteDialect()
    session = dialect.connect(parse_target(str(path)), SessionOptions())
    try:
        app = sqlite3.connect(path)
        app.execute("CREATE TABLE during_the_read (id INTEGER PRIMARY KEY, payload TEXT)")
        app.execute("INSERT INTO during_the_read (payload) VALUES (hex(randomblob(20000)))")
        app.commit()
        app.close()  # the last connection checkpoints the -wal into app.db
        with pytest.raises(DayoneError, match="changed while dayone read it") as error:
            dialect.read_catalog(session)
        assert "\n" not in str(error.value)
    finally:
        session.close()


def test_a_rollback_journal_database_is_still_read_with_locks(tmp_path):
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    session = SQLiteDialect().connect(parse_target(str(path)), SessionOptions())
    try:
        writer = sqlite3.connect(path, timeout=0)
        session.query("BEGIN")
        session.query("SELECT count(*) FROM t")  # holds a SHARED lock: a writer cannot commit under it
        writer.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            writer.commit()
        writer.rollback()
        writer.close()
        session.query("COMMIT")
    finally:
        session.close()
    assert listing(tmp_path) == ["plain.db"]
