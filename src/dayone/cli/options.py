"""Options shared by every command that reads a TARGET."""

from __future__ import annotations

import functools

import click

from dayone.connect.options import SessionOptions

_DEFAULTS = SessionOptions()


def target_options(command):
    """TARGET argument, --schema, and the session guard timeouts."""

    @click.argument("target")
    @click.option("--schema", "schemas", multiple=True, metavar="NAME", help="Read only this schema (repeatable). Default: every non-system schema.")
    @click.option("--connect-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.connect_timeout, show_default=True, help="Seconds to reach the server and log in.")
    @click.option("--statement-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.statement_timeout, show_default=True, help="Seconds any one statement may run on the server.")
    @click.option("--lock-timeout", type=click.FloatRange(min=0.1), default=_DEFAULTS.lock_timeout, show_default=True, help="Seconds to wait for a lock before skipping a table.")
    @functools.wraps(command)
    def wrapper(*args, connect_timeout, statement_timeout, lock_timeout, **kwargs):
        options = SessionOptions(
            connect_timeout=connect_timeout, statement_timeout=statement_timeout, lock_timeout=lock_timeout
        )
        return command(*args, options=options, **kwargs)

    return wrapper
