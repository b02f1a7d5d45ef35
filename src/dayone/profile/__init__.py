"""Profiling: what the data says, from the server's statistics, a bounded sample, or one full pass."""

from dayone.profile.accumulate import profile_rows
from dayone.profile.model import ColumnProfile, CreationSpike, JsonPath, JsonShape, Profile, TableProfile, ValueCount

__all__ = ["ColumnProfile", "CreationSpike", "JsonPath", "JsonShape", "Profile", "TableProfile", "ValueCount", "profile_rows"]
