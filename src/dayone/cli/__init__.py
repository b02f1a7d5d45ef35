"""The `dayone` command: a thin layer over dayone.api. No SQL and no rule logic here."""

from __future__ import annotations

import io
import os
import sys

import click

from dayone.cli.audit import audit, rules
from dayone.cli.check import check
from dayone.cli.demo import demo
from dayone.cli.export import export
from dayone.cli.diff import diff, watch
from dayone.cli.log import answer, ask, done, log_command, note, todo
from dayone.cli.metrics import metric, metrics
from dayone.cli.project import init, people, person, source
from dayone.cli.questions import questions
from dayone.cli.report import report
from dayone.cli.snapshot import catalog, snapshot
from dayone.cli.status import status
from dayone.errors import DayoneError, redact, redact_traceback, redact_untrusted
from dayone.render.escape import terminal_text


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="dayone")
def cli() -> None:
    """dayone gets a new production database ready for analytics before it goes live.

    It connects read-only and gently, reads the catalog, and answers the data engineer's
    checklist from the database itself. TARGET is a database URL (postgresql://, mysql://,
    mariadb://, sqlite:///path) or a snapshot file written by `dayone snapshot`.
    """


cli.add_command(audit)
cli.add_command(rules)
cli.add_command(snapshot)
cli.add_command(catalog)
cli.add_command(demo)
cli.add_command(check)
cli.add_command(metrics)
cli.add_command(metric)
cli.add_command(status)
cli.add_command(report)
for command in (note, todo, ask, answer, done, log_command, questions):  # the running log and the questionnaire
    cli.add_command(command)
cli.add_command(init)
cli.add_command(source)
cli.add_command(person)
cli.add_command(people)
cli.add_command(export)
cli.add_command(diff)
cli.add_command(watch)


def main() -> None:
    from dayone import api

    api.FREEZE_AFTER_READ = True  # this process ends with the command: see api.collector_paused
    code, result = _run()  # noqa: F841 - `result` is held on purpose, see below
    # Leave without the interpreter's finalization, which frees every module and object one by one:
    # after reading a big catalog that took 0.06-0.1 s, a tenth of `dayone snapshot`, for nothing the
    # user sees. The command's result (a catalog: 100,000 objects for 5,000 tables) is held until then
    # for the same reason: the OS reclaims the memory at once. Every file dayone writes is closed by
    # then; only the standard streams need flushing.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`dayone ... | head`): nothing more can be said
        code = code or 1
    os._exit(code)


def _run() -> tuple[int, object]:
    """The command's exit status (0, 2 for an error the user can fix, 130 when interrupted) and
    what it returned."""
    try:
        return 0, cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("dayone: interrupted", err=True)
        return 130, None
    except click.ClickException as exc:
        shown = io.StringIO()  # click quotes arguments back ("unexpected extra argument (URL)")
        exc.show(file=shown)
        click.echo(redact(shown.getvalue()), err=True, nl=False)
        return 2, None
    except click.exceptions.Exit as exc:
        return exc.exit_code, None
    except DayoneError as exc:
        click.echo(f"dayone: error: {terminal_text(redact(str(exc)))}", err=True)  # may quote a server's message
        return 2, None
    except KeyboardInterrupt:
        click.echo("dayone: interrupted", err=True)
        return 130, None
    except SystemExit as exc:  # a command that exits with its own status (sys.exit(1): findings above a threshold)
        if isinstance(exc.code, int) or exc.code is None:
            return exc.code or 0, None
        click.echo(redact(str(exc.code)), err=True)
        return 1, None
    except Exception as exc:  # a bug in dayone: one line by default, the traceback on request
        if os.environ.get("DAYONE_DEBUG"):  # Python's traceback, its messages kept free of passwords
            click.echo(redact_traceback(exc), err=True, nl=False)
            return 2, None
        click.echo(
            f"dayone: internal error: {type(exc).__name__}: {terminal_text(redact_untrusted(str(exc)))} "
            "(set DAYONE_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        return 2, None
