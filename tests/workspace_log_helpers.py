"""A project folder for the log and questionnaire tests, built with the library (not the CLI for
sources and people, written elsewhere), and `dayone` run as a user runs it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from dayone.project import Project, init_project


def make_project(folder: Path, sources: dict[str, dict[str, str]], people: dict[str, dict] | None = None) -> Project:
    """`sources`: name -> {env: url}; `people`: name -> {role, contact, owns}."""
    project = init_project(folder, "launch")
    for name, environments in sources.items():
        for env, url in environments.items():
            project.config.set(["sources", name, env, "url"], url)
    for name, person in (people or {}).items():
        project.config.set(["people", name], dict(person))
    project.config.save()
    return project


def dayone(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`dayone ARGS` run in a process of its own, as a user runs it."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "160", "HOME": str(cwd), **(env or {})}
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=environment)  # fmt: skip


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`dayone ARGS` run in this process, through the same entry point (exit status, one-line
    errors) as the command: a fraction of a second less than starting Python each time."""
    from dayone.cli import _run

    saved_argv, saved_cwd = sys.argv, os.getcwd()
    saved_env = {name: os.environ.get(name) for name in ("DAYONE_PROJECT", "HOME", *(env or {}))}
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.pop("DAYONE_PROJECT", None)
        os.environ.update({"HOME": str(cwd), **(env or {})})
        sys.argv = ["dayone", *args]
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code, _ = _run()
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(["dayone", *args], code, out.getvalue(), err.getvalue())


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """A user error: exit 2, one line on standard error, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def log_json(cwd: Path, *args: str) -> list[dict]:
    return json.loads(ok(run("log", "--format", "json", *args, cwd=cwd)))["entries"]


def questions_json(cwd: Path, *args: str) -> list[dict]:
    return json.loads(ok(run("questions", "--format", "json", *args, cwd=cwd)))["questions"]
