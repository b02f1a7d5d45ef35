"""What a text renderer asks of the stream it writes to: whether to colour, and how wide to write."""

from __future__ import annotations

import os
from typing import IO


def styled_output(stream: IO[str]) -> bool:
    """Bold and dim on a terminal, unless NO_COLOR (https://no-color.org) or TERM=dumb says otherwise."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def output_width(stream: IO[str], fallback: int) -> int:
    """The terminal's width when `stream` is one, else `fallback` (a file, a pipe, a test's buffer)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream.isatty() else fallback
    except (OSError, ValueError, AttributeError):
        return fallback
