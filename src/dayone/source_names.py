"""What can name a project's source or metric on the command line, decided without importing the
project's models (pydantic, ruamel.yaml): a command given a file or a URL does not pay for them."""

from __future__ import annotations

import os
import re

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")  # a source or metric name: also a word on the command line


def may_name_source(text: str) -> bool:
    """Whether a TARGET may name a project's source (SOURCE, or SOURCE@TAG): neither a URL nor a file
    that exists, and a name before any @."""
    return "://" not in text and not os.path.exists(text) and NAME.fullmatch(text.partition("@")[0]) is not None
