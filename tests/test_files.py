"""Files dayone writes and the paths it is given: a write happens whole or not at all, never over
what dayone reads, and a path that is not what it seems gets one clear line."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dayone.errors import DayoneError


def run_dayone(*args: str, cwd: Path | None = None, file_size_limit: int | None = None,
               stdout=subprocess.PIPE, timeout: float = 60) -> subprocess.CompletedProcess:  # fmt: skip
    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit, write() fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run(
        [sys.executable, "-m", "dayone", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        cwd=cwd,
        preexec_fn=limit_file_size if file_size_limit is not None else None,
    )


def one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def make_db(folder: Path, tables: int = 30, name: str = "shop.db") -> Path:
    path = folder / name
    conn = sqlite3.connect(path)
    for i in range(tables):
        conn.execute(f"CREATE TABLE orders_{i} (id INTEGER PRIMARY KEY, status TEXT, created_at TIMESTAMP)")
    conn.commit()
    conn.close()
    return path


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# -o: whole or not at all ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["snapshot"],
    ["audit", "--format", "json", "--no-profile"],
    ["audit", "--format", "markdown", "--no-profile"],
    ["check", "--format", "json"],
])  # fmt: skip
def test_a_write_that_fails_midway_keeps_the_old_file(tmp_path, command):
    db = make_db(tmp_path)
    output = tmp_path / "previous.out"
    previous = b"the previous report, which must survive\n" * 10
    output.write_bytes(previous)
    before = listing(tmp_path)
    result = run_dayone(*command[:1], str(db), *command[1:], "-o", str(output), file_size_limit=4096)
    one_line_error(result, f"cannot write {output}", "file too large")
    assert output.read_bytes() == previous
    assert listing(tmp_path) == before  # no temporary file left behind


def test_a_full_disk_is_one_clear_line(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    db = make_db(tmp_path)
    one_line_error(run_dayone("snapshot", str(db), "-o", "/dev/full"), "cannot write /dev/full", "no space left on device")
    one_line_error(run_dayone("audit", str(db), "--format", "json", "-o", "/dev/full"), "no space left on device")
    with open("/dev/full", "w") as full:  # the standard output on a full disk
        for command in (["snapshot"], ["audit"], ["audit", "--format", "json"], ["catalog"], ["check"]):
            result = run_dayone(command[0], str(db), *command[1:], stdout=full)
            one_line_error(result, "cannot write", "standard output", "no space left on device")


def test_the_written_file_keeps_its_permissions(tmp_path):
    db = make_db(tmp_path, tables=2)
    output = tmp_path / "report.md"
    output.write_text("old")
    output.chmod(0o640)
    result = run_dayone("audit", str(db), "--format", "markdown", "-o", str(output), "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o640
    assert output.read_text().startswith("#")
    assert listing(tmp_path) == ["report.md", "shop.db"]


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    db = make_db(tmp_path, tables=2)
    previous = os.umask(0o022)
    try:
        result = run_dayone("snapshot", str(db), "-o", str(tmp_path / "new.json"))
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


def test_a_symlink_is_written_through(tmp_path):
    db = make_db(tmp_path, tables=2)
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert run_dayone("snapshot", str(db), "-o", str(link)).returncode == 0
    assert link.is_symlink()
    assert json.loads(real.read_text())["format"] == "dayone-snapshot"


def test_a_named_pipe_is_written_in_place(tmp_path):
    db = make_db(tmp_path, tables=2)
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = run_dayone("snapshot", str(db), "-o", str(pipe))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # still the pipe, not replaced by a file
    assert json.loads(received[0])["format"] == "dayone-snapshot"


def test_a_missing_folder_is_one_clear_line(tmp_path):
    db = make_db(tmp_path, tables=2)
    one_line_error(run_dayone("snapshot", str(db), "-o", str(tmp_path / "nope" / "x.json")),
                   "cannot write", f"folder {tmp_path / 'nope'} does not exist")  # fmt: skip


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    from dayone import fileio

    target = tmp_path / "snapshot.json"
    target.write_text("old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_atomically(target, "new " * 100_000)
    assert target.read_text() == "old"
    assert listing(tmp_path) == ["snapshot.json"]


def test_the_library_writes_snapshots_atomically(tmp_path):
    from dayone import api

    db = make_db(tmp_path, tables=2)
    output = tmp_path / "snap.json"
    api.snapshot(str(db), output)
    assert json.loads(output.read_text())["format"] == "dayone-snapshot"
    with pytest.raises(DayoneError, match="being read"):
        api.snapshot(str(db), db)
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"


# -o never overwrites an input --------------------------------------------------------------------


def test_the_output_may_not_be_the_input(tmp_path):
    db = make_db(tmp_path, tables=2)
    snap = tmp_path / "snap.json"
    assert run_dayone("snapshot", str(db), "-o", str(snap)).returncode == 0
    saved_snapshot, saved_db = snap.read_bytes(), db.read_bytes()
    (tmp_path / "sub").mkdir()
    cases = [
        ("audit", str(snap), "-o", str(snap)),
        ("audit", "snap.json", "--format", "json", "-o", "./sub/../snap.json"),
        ("check", str(snap), "-o", str(snap)),
        ("snapshot", str(snap), "-o", str(snap)),
        ("snapshot", str(db), "-o", str(db)),
        ("snapshot", f"sqlite:///{db}", "-o", "shop.db"),
        ("audit", "shop.db", "--format", "json", "-o", str(db)),
        ("snapshot", "shop.db", "-o", "shop.db-wal"),  # the database's own -wal: SQLite would read it
    ]
    for args in cases:
        one_line_error(run_dayone(*args, cwd=tmp_path), "error: -o ", "being read")
    assert snap.read_bytes() == saved_snapshot and db.read_bytes() == saved_db
    assert listing(tmp_path) == ["shop.db", "snap.json", "sub"]


def test_an_output_beside_the_input_is_fine(tmp_path):
    db = make_db(tmp_path, tables=2)
    assert run_dayone("snapshot", str(db), "-o", str(tmp_path / "a.json")).returncode == 0
    assert run_dayone("audit", str(tmp_path / "a.json"), "-o", str(tmp_path / "b.md"), "--format", "markdown").returncode == 0


# Paths that are not what they seem --------------------------------------------------------------


def test_a_named_pipe_as_target_is_refused_without_opening_it(tmp_path):
    for name in ("feed", "feed.json", "feed.db"):
        pipe = tmp_path / name
        os.mkfifo(pipe)
        for command in ("audit", "snapshot", "check"):
            result = run_dayone(command, str(pipe), timeout=30)  # would block forever opening it
            one_line_error(result, str(pipe), "not a regular file")


def test_a_directory_as_target_is_one_clear_line(tmp_path):
    one_line_error(run_dayone("snapshot", str(tmp_path)), f"{tmp_path} is a directory")


@pytest.mark.parametrize("suffix", [".db", ".sqlite", ".sqlite3"])
def test_a_db_file_that_is_not_sqlite_says_so(tmp_path, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text("id,name\n1,alice\n")
    line = one_line_error(run_dayone("audit", str(path)), f"{path} is not a SQLite database")
    assert "JSON" not in line and "snapshot" not in line.split(":")[0]
    empty = tmp_path / f"empty{suffix}"
    empty.touch()
    one_line_error(run_dayone("snapshot", str(empty)), f"{empty} is empty")


@pytest.mark.parametrize("version", ['"1"', "true", "1.0", "null", '"2"'])
def test_a_format_version_that_is_not_a_number(tmp_path, version):
    db = make_db(tmp_path, tables=1)
    snap = tmp_path / "snap.json"
    assert run_dayone("snapshot", str(db), "-o", str(snap)).returncode == 0
    snap.write_text(snap.read_text().replace('"format_version": 1', f'"format_version": {version}'))
    line = one_line_error(run_dayone("audit", str(snap)), '"format_version" must be a whole number')
    assert "version 1;" not in line  # not "version 1; this dayone reads version 1"


def test_a_newer_format_version_says_which(tmp_path):
    db = make_db(tmp_path, tables=1)
    snap = tmp_path / "snap.json"
    assert run_dayone("snapshot", str(db), "-o", str(snap)).returncode == 0
    snap.write_text(snap.read_text().replace('"format_version": 1', '"format_version": 2'))
    one_line_error(run_dayone("audit", str(snap)), "format version 2", "reads version 1")
