"""The `dayone` command: a thin layer over dayone.api. No SQL and no rule logic here."""

from __future__ import annotations

import os
import sys

import click

from dayone.cli.audit import audit, rules
from dayone.cli.check import check
from dayone.cli.demo import demo
from dayone.cli.snapshot import catalog, snapshot
from dayone.errors import DayoneError, redact


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


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("dayone: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except DayoneError as exc:
        click.echo(f"dayone: error: {redact(str(exc))}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("dayone: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug in dayone: one line by default, the traceback on request
        if os.environ.get("DAYONE_DEBUG"):
            raise
        click.echo(
            f"dayone: internal error: {type(exc).__name__}: {redact(str(exc))} "
            "(set DAYONE_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        sys.exit(2)
