"""Where a command's output goes: standard output, or a file named by --output, written whole or
not at all (dayone.fileio). Either way a write that fails is one line naming the cause."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from dayone.errors import DayoneError
from dayone.fileio import reason, write_atomically


def write_report(text: str | bytes, output: str | None) -> None:
    """Write to standard output ("-" or None) or to the file `output`, and say so on standard error."""
    if output in (None, "-"):
        with standard_output():
            if isinstance(text, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(text)
            else:
                sys.stdout.write(text)
        return
    write_atomically(output, text, durable=False)  # a report: written again by running the command again
    click.echo(f"wrote {output}", err=True)


@contextmanager
def standard_output() -> Iterator[None]:
    """Around what prints to standard output: a full disk or a file size limit there is one clear
    line, not an internal error. A closed pipe (`dayone ... | head`) is left to dayone.cli.main."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise DayoneError(f"cannot write to standard output: {reason(exc)}") from None
