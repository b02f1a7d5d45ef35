"""`dayone audit` and `dayone check` without TARGET, inside a project: every source, a few at a time.

Each source is read by a dayone process of its own (`dayone audit SOURCE --env ENV`), which keeps
its result in the project's state as a run on that source alone does. A process of its own, not a
thread: Ctrl-C stops each source's running statement on its server the way it does for one audit
(only a process's main thread sees it), a password manager's prompt still reaches the terminal, the
rules of two sources run on two cores, and one source's failure or memory stays its own. This
process waits, prints one line per source as it ends, then one combined summary.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from dayone.cli.options import Workspace
from dayone.errors import DayoneError
from dayone.render.escape import terminal_text

# options each source's process is not given: this process writes the summary and decides the exit status
_OWN = {"output_format", "output", "fail_on", "expand", "show_info", "jobs", "env", "project_dir", "schemas",
        "baseline_file", "write_baseline"}  # fmt: skip
_BASTION_KEYS = {"ssh_key", "ssh_known_hosts", "ssh_trust_host_key"}
_OWN_STOP = 2.0  # seconds a source's process has to stop on its own after a Ctrl-C typed in the terminal
_STOP_WAIT = 30.0  # seconds it has to stop its statement and leave once sent SIGINT, before it is killed


@dataclass
class Outcome:
    """How one source's run ended: `status` audited / checked, unreachable (check), failed."""

    source: str
    env: str
    status: str
    error: str | None = None
    report: dict[str, Any] | None = None  # the kept JSON report
    path: Path | None = None

    @property
    def label(self) -> str:
        return f"{self.source} ({self.env})"


@dataclass
class _Run:
    source: str
    env: str
    before: Path | None
    process: subprocess.Popen
    stderr: IO[bytes] = field(repr=False)


def run_every_source(workspace: Workspace, kind: str, output_format: str, output: str | None, fail_on: str) -> None:
    """Run `kind` (audit or check) on every source, print the summary, exit 2 when a source could
    not be read, else 1 when one reached --fail-on, else 0."""
    from dayone.project.runs import every_source

    project = workspace.project
    if not project.file.sources:
        raise DayoneError(f"{project.config.path} names no source yet: `dayone source add NAME URL` adds one")
    refs = every_source(project, workspace.env)
    if not refs:
        raise DayoneError(f"no source has a {workspace.env} database: run without --env for each source's main one")
    for name in project.file.sources:
        if all(ref.name != name for ref in refs):
            click.echo(f"{terminal_text(name)}: skipped: no {workspace.env} database", err=True)
    context = click.get_current_context()
    doing = "auditing" if kind == "audit" else "checking"
    click.echo(f"{doing} {len(refs)} source{'s' if len(refs) != 1 else ''}, {min(workspace.jobs, len(refs))} at a time", err=True)
    outcomes = _run_all(project, [(r.name, r.env) for r in refs], kind, context, workspace.jobs)
    from dayone.cli.output import write_report
    from dayone.render.workspace import summary_json, summary_text

    text = summary_json(kind, outcomes, project.folder) if output_format == "json" else summary_text(kind, outcomes)
    write_report(text, output)
    if any(o.status in ("failed", "unreachable") for o in outcomes):
        sys.exit(2)
    sys.exit(1 if any(_reaches(o, fail_on) for o in outcomes) else 0)


def _reaches(outcome: Outcome, fail_on: str) -> bool:
    counts = (outcome.report or {}).get("summary") or {}
    ranked = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info"),
              "fail": ("fail",), "warn": ("fail", "warn"), "never": ()}[fail_on]  # fmt: skip
    return any(counts.get(level, 0) for level in ranked)


def _run_all(project, sources: list[tuple[str, str]], kind: str, context: click.Context, jobs: int) -> list[Outcome]:
    pending, running, ended = list(sources), [], {}
    try:
        while pending or running:
            while pending and len(running) < jobs:
                running.append(_start(project, *pending.pop(0), kind, context))
            for run in [r for r in running if r.process.poll() is not None]:
                running.remove(run)
                outcome = ended[(run.source, run.env)] = _ended(project, run, kind)
                click.echo(_progress_line(outcome), err=True)
            time.sleep(0.05)
    except KeyboardInterrupt:
        _stop(running, signalled=_terminal_sent_it())
        raise
    except BaseException:
        _stop(running, signalled=False)
        raise
    return [ended[source] for source in sources]


def _start(project, source: str, env: str, kind: str, context: click.Context) -> _Run:
    before = project.state.latest(source, env, kind)
    args = [sys.executable, "-m", "dayone", kind, source, "--env", env, "--project", str(project.folder),
            "--format", "json", "--fail-on", "never", *_passthrough(context, project, source, env)]  # fmt: skip
    stderr = tempfile.TemporaryFile()
    # same process group: Ctrl-C reaches each source's process itself, which stops its statement
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    return _Run(source, env, before, process, stderr)


def _passthrough(context: click.Context, project, source: str, env: str) -> list[str]:
    """The options the user gave this command, as arguments for one source's run. The bastion's key
    options go to the sources that go through a bastion."""
    from click.core import ParameterSource

    bastion = bool(context.params.get("ssh_url")) or bool(project.environments(source)[env].ssh)
    args: list[str] = []
    for param in context.command.params:
        if not isinstance(param, click.Option) or param.name in _OWN or (param.name in _BASTION_KEYS and not bastion):
            continue
        if context.get_parameter_source(param.name) in (None, ParameterSource.DEFAULT):
            continue
        value, flag = context.params[param.name], max(param.opts, key=len)
        if param.is_flag:
            if param.secondary_opts and not value:
                args.append(max(param.secondary_opts, key=len))
            elif value:
                args.append(flag)
        elif param.multiple:
            for item in value:
                args += [flag, str(item)]
        elif value is not None:
            args += [flag, str(value)]
    return args


def _ended(project, run: _Run, kind: str) -> Outcome:
    code = run.process.returncode
    run.stderr.seek(0)
    said = run.stderr.read().decode("utf-8", "replace")
    run.stderr.close()
    kept = project.state.latest(run.source, run.env, kind)
    if code not in (0, 1) or kept is None or kept == run.before:
        return Outcome(run.source, run.env, "failed", error=_last_error(said, code))
    try:
        report = json.loads(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Outcome(run.source, run.env, "failed", error=f"{kept} cannot be read ({type(exc).__name__})")
    if kind == "check" and report.get("reached") is False:
        reachability = next((c for c in report.get("checks", ()) if c.get("id") == "reachability"), {})
        return Outcome(run.source, run.env, "unreachable", error=reachability.get("summary"), report=report, path=kept)
    return Outcome(run.source, run.env, "audited" if kind == "audit" else "checked", report=report, path=kept)


def _last_error(said: str, code: int) -> str:
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    chosen = next((line for line in reversed(lines) if line.startswith("dayone:")), lines[-1] if lines else None)
    if chosen is None:
        return "interrupted" if code in (130, -signal.SIGINT) else f"stopped with exit status {code}"
    for prefix in ("dayone: error: ", "dayone: "):
        chosen = chosen.removeprefix(prefix)
    return chosen


def _progress_line(outcome: Outcome) -> str:
    from dayone.render.workspace import said

    return terminal_text(f"{outcome.label}: {said(outcome)}")


def _stop(running: list[_Run], signalled: bool) -> None:
    """After Ctrl-C (or an error here): each source's process stops its statement and leaves. When
    Ctrl-C was typed in the terminal (`signalled`) it reached them too: they get a moment to stop on
    their own before they are sent one (a second Ctrl-C could cut their clean-up short)."""
    if signalled:
        _wait(running, _OWN_STOP)
    for run in running:
        if run.process.poll() is None:
            run.process.send_signal(signal.SIGINT)
    _wait(running, _STOP_WAIT)
    for run in running:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        run.stderr.close()


def _wait(running: list[_Run], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for run in running:
        try:
            run.process.wait(timeout=max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass


def _terminal_sent_it() -> bool:
    """Whether this process group is the terminal's foreground group: then Ctrl-C reached every
    process in it."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)
