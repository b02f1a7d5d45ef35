"""Profiling: what the data says, from the server's statistics, a bounded sample, or one full pass.

The names below load on first use: `dayone snapshot` imports dayone.profile.options (for the CLI's
defaults) and should not pay for the profile model and the accumulator it never uses.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "profile_rows": "dayone.profile.accumulate",
    **{name: "dayone.profile.model" for name in ("ColumnProfile", "CreationSpike", "JsonPath", "JsonShape", "MarkedRows", "Profile", "ReferenceCheck",
                                                     "TableProfile", "ValueCount")},
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
