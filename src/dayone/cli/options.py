"""Options shared by every command that reads a TARGET."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from dayone.connect.options import SessionOptions
from dayone.source_names import may_name_source

if TYPE_CHECKING:
    from dayone.project import Project
    from dayone.project.runs import SourceRef

_DEFAULTS = SessionOptions()
ENVIRONMENTS = ("prod", "staging", "dev")  # dayone.project.model.ENVIRONMENTS, without importing pydantic here
JOBS = 2  # sources read at once: each session keeps to dayone's two connections per database


@dataclass(frozen=True)
class Workspace:
    """The project a command runs in: TARGET named one of its sources (`ref`), or was left out to
    run on every source (`ref` None)."""

    project: Project
    ref: SourceRef | None
    env: str | None  # --env as given
    jobs: int = JOBS


def target_options(command=None, *, every_source: bool = False, with_workspace: bool = False, parallel: bool = True):
    """TARGET argument, --schema, the session guard timeouts, and the SSH bastion to go through.

    TARGET may name a source of the project (dayone.yml here or above, or --project): its URL, its
    own DAYONE_PASSWORD_<SOURCE>, its bastion and schemas apply (--ssh and --schema override them),
    in the environment --env chooses. With `every_source`, TARGET may be left out inside a project
    (the command then runs on every source) and the command gets `workspace` (a Workspace, or None
    for a URL or a file); `with_workspace` gives it `workspace` with TARGET still required. `parallel`
    False: the command reads its sources one after another, and offers no --jobs."""
    if command is None:
        return functools.partial(target_options, every_source=every_source, with_workspace=with_workspace, parallel=parallel)

    @click.argument("target", required=not every_source)
    @click.option("--schema", "schemas", multiple=True, metavar="NAME", help="Read only this schema (repeatable). Default: every non-system schema.")
    @click.option("--connect-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.connect_timeout, show_default=True, help="Seconds to reach the server and log in.")
    @click.option("--statement-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.statement_timeout, show_default=True, help="Seconds any one statement may run on the server.")
    @click.option("--lock-timeout", type=click.FloatRange(min=0.1), default=_DEFAULTS.lock_timeout, show_default=True, help="Seconds to wait for a lock before skipping a table.")
    @pace_option
    @click.option("--ssh", "ssh_url", metavar="ssh://USER@HOST[:PORT]", help="Reach the database through this SSH bastion (key login). The host and port in TARGET are then as the bastion sees them.")
    @click.option("--ssh-key", metavar="FILE", help="Private key for the bastion (default: the ssh-agent and ~/.ssh/id_*). Its passphrase, if any, comes from DAYONE_SSH_KEY_PASSPHRASE.")
    @click.option("--ssh-known-hosts", metavar="FILE", help="known_hosts file that must hold the bastion's host key.  [default: ~/.ssh/known_hosts]")
    @click.option("--ssh-trust-host-key", metavar="SHA256:...", help="Accept the bastion's host key with this fingerprint although known_hosts lacks it (or holds another): only after checking it with whoever runs the bastion.")
    @click.option("--env", type=click.Choice(ENVIRONMENTS), help="When TARGET names a project's source: which of its databases.  [default: prod, else staging, else dev]")
    @click.option("--project", "project_dir", metavar="DIR", help="The project folder (its dayone.yml) whose sources TARGET names.  [default: DAYONE_PROJECT, else dayone.yml here or in a folder above]")
    @_jobs_option(every_source and parallel)
    @functools.wraps(command)
    def wrapper(*args, target, schemas, connect_timeout, statement_timeout, lock_timeout, pace, ssh_url, ssh_key, ssh_known_hosts, ssh_trust_host_key, env, project_dir, jobs=JOBS, **kwargs):
        keys = {"key_file": ssh_key, "known_hosts": ssh_known_hosts, "trusted_fingerprint": ssh_trust_host_key}
        workspace, source_ssh = None, None
        if target is None or _names_source(target):
            workspace, found = _workspace(target, env, project_dir, jobs, schemas)
            if found is not None:
                target, schemas, source_ssh = found
        if env is not None and workspace is None:
            raise click.UsageError("--env chooses a database of a project's source: give the source's name as TARGET")
        if _given("jobs") and (workspace is None or workspace.ref is not None):
            raise click.UsageError("--jobs goes with every source at once: leave TARGET out inside a project")
        ssh = None
        if ssh_url or source_ssh:
            from dayone.connect.tunnel import parse_ssh_url

            ssh = parse_ssh_url(ssh_url or source_ssh, **keys)
        elif not (workspace is not None and workspace.ref is None and _some_bastion(workspace.project)):  # each source its own
            stray = [name for name, value in (("--ssh-key", ssh_key), ("--ssh-known-hosts", ssh_known_hosts), ("--ssh-trust-host-key", ssh_trust_host_key)) if value]
            if stray:
                raise click.UsageError(f"{stray[0]} goes with --ssh ssh://user@bastion[:port] (or a source's ssh in dayone.yml)")
        options = SessionOptions(
            connect_timeout=connect_timeout, statement_timeout=statement_timeout, lock_timeout=lock_timeout, ssh=ssh, pace=pace,
            on_busy=on_busy(),
        )
        if every_source or with_workspace:
            kwargs["workspace"] = workspace
        return command(*args, target=target, schemas=schemas, options=options, **kwargs)

    return wrapper


def _say_busy(others_at_work: int, rest: float) -> None:
    click.echo(f"dayone: {others_at_work:,} other session(s) at work on the server: resting {rest:g}x each statement's time, "
               "on one connection (--pace 0: full speed)", err=True)  # fmt: skip


class PaceType(click.ParamType):
    """`auto` (None: the session decides) or a multiple of each statement's time, 0 and up."""

    name = "pace"

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, float) or value == "auto":
            return None if value == "auto" else value
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not 0 <= number <= 100:
            self.fail(f"{value!r} is neither auto nor a number from 0 to 100", param, ctx)
        return number


def pace_option(command):
    return click.option("--pace", type=PaceType(), default="auto", show_default=True, metavar="auto|N",
                        help="After each statement, rest N times as long as it took, keeping to one connection: dayone then takes at most 1/(1+N) of one server core. auto: 4 when other sessions are at work on the server, 0 on a quiet one.")(command)  # fmt: skip


def on_busy():
    """At a terminal, say why the run is slower; elsewhere (scripts, CI logs) nothing."""
    return _say_busy if sys.stderr.isatty() else None


def _jobs_option(every_source: bool):
    if not every_source:
        return lambda command: command
    return click.option("--jobs", type=click.IntRange(min=1), default=JOBS, show_default=True,
                        help="Without TARGET: how many sources are read at once (each with at most two connections to its own database).")  # fmt: skip


def _given(name: str) -> bool:
    from click.core import ParameterSource

    context = click.get_current_context(silent=True)
    return context is not None and context.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)


def _some_bastion(project: Project) -> bool:
    return any(database.ssh for environments in project.file.sources.values() for database in environments.values())


def _names_source(target: str) -> bool:
    """A word that can name a source and is neither a URL nor an existing file."""
    return "@" not in target and may_name_source(target)


def _workspace(target: str | None, env: str | None, project_dir: str | None, jobs: int, schemas: tuple[str, ...]):
    """(Workspace, (parsed target, schemas, bastion) for a named source); (None, None) for a bare
    word outside a project, which then gets parse_target's error."""
    from dayone.project import FILE_NAME, find_project

    project = find_project(explicit=project_dir)
    if project is None:
        if target is None:
            raise click.UsageError(
                f"Missing argument 'TARGET': a database URL, a snapshot file or a SQLite file; inside a project folder "
                f"(a {FILE_NAME}: `dayone init`), a source's name, or nothing to run on every source"
            )
        return None, None
    if target is None:
        if schemas:
            raise click.UsageError("--schema narrows one database: give a source as TARGET, or keep a source's schemas "
                                   "in dayone.yml (dayone source add NAME URL --schema S --replace)")  # fmt: skip
        return Workspace(project, None, env, jobs), None
    from dayone.project.runs import target_of

    ref, parsed, _ = target_of(project, target, env)
    database = project.environments(ref.name)[ref.env]
    return Workspace(project, ref, env, jobs), (parsed, schemas or database.schemas, database.ssh)
