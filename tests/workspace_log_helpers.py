"""A project folder for the log and questionnaire tests, built with the library (not the CLI for
sources and people, written elsewhere), and `dayone` run as a user runs it."""

from __future__ import annotations

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
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "160", "HOME": str(cwd), **(env or {})}
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=environment)  # fmt: skip


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
    return json.loads(ok(dayone("log", "--format", "json", *args, cwd=cwd)))["entries"]


def questions_json(cwd: Path, *args: str) -> list[dict]:
    return json.loads(ok(dayone("questions", "--format", "json", *args, cwd=cwd)))["questions"]
