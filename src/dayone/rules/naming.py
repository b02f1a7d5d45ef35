"""Column and table name conventions that carry meaning for analytics.

Names are matched case-insensitively, in snake_case and camelCase alike (createdAt, created_at).
"""

from __future__ import annotations

import re
from functools import lru_cache

from dayone.catalog.model import Column, Table


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)  # every rule asks about the same names; a big catalog has 100k columns
def words(name: str) -> str:
    """'createdAt' / 'Created-At' / 'CREATED_AT' -> 'created_at'."""
    return _NON_WORD.sub("_", _CAMEL_BOUNDARY.sub("_", name).lower()).strip("_")


def _matcher(pattern: str):
    compiled = re.compile(pattern)

    @lru_cache(maxsize=1 << 16)
    def matches(name: str) -> bool:
        return bool(compiled.fullmatch(words(name)))

    return matches


TIME_TYPES = ("timestamp", "timestamptz", "date")

is_created_name = _matcher(
    r"(created|creation|inserted|insert|added|registered)(_(at|on|date|time|timestamp|ts|datetime|dt))?"
    r"|(date|time)_(created|added|inserted)|create_(date|time|timestamp|dt|ts)|creation_date"
)
is_updated_name = _matcher(
    r"(last_)?(updated|modified|changed|update|modify|change)(_(at|on|date|time|timestamp|ts|datetime|dt))?"
    r"|(date|time)_(updated|modified|changed)|last_(update|updated|modified|modification)(_(at|date|time))?"
    r"|update_(date|time|timestamp|dt|ts)|modified_date|row_version_at"
)
is_soft_delete_name = _matcher(
    r"(is_)?(deleted|removed|discarded|archived|trashed)(_(at|on|date|time|timestamp|flag|ts))?"
    r"|(is_)?(active|enabled)|delete_(flag|date|time)|deletion_(date|time)|deleted_flag"
)
is_status_name = _matcher(r"(\w+_)?(status|state|stage|phase|lifecycle)(_code|_id)?")
is_value_set_name = _matcher(r"(\w+_)?(status|state|stage|phase|type|kind|category|tier|level|code|source)(_code|_id)?")
# Codes that are identifiers or free text, not a list of values someone has to explain.
_FREE_CODES = re.compile(
    r"(post|postal|zip|area|phone|country_calling|promo|promotion|coupon|discount|voucher|gift|verification|"
    r"confirmation|auth|otp|reset|access|invite|invitation|referral|activation|security|tracking|bar|qr|"
    r"hash|secret|source_code|language_code|locale|currency|iso|country|lang)"
)
is_append_only_name = _matcher(r"\w*_(history|log|logs|events|event|audit|audits|changes|transitions|journal|ledger)")
is_history_name = _matcher(r"\w*(history|audit|audits|events|event|log|logs|changes|transitions|journal|versions)\w*")


_ADDRESS_PART = re.compile(r"(\w+_)?(city|town|zip|zip_code|postal_code|postcode|country|country_code|street|address)")


_STATE = re.compile(r"(\w+_)?state(_code)?")


def is_region_state(table: Table, column: Column) -> bool:
    """`state` beside a city or postal code column is the region of an address, not a lifecycle state."""
    if not _STATE.fullmatch(words(column.name)):
        return False
    return any(_ADDRESS_PART.fullmatch(words(c.name)) for c in table.columns if c is not column)


def is_value_set_column(column: Column) -> bool:
    if not is_value_set_name(column.name) or column.normalized_type not in ("string", "text", "integer"):
        return False
    name = words(column.name)
    return not (name.endswith("code") and _FREE_CODES.search(name))


def soft_delete_columns(table: Table) -> list[Column]:
    """Columns that mark a row as deleted without removing it."""
    found = []
    for column in table.columns:
        if not is_soft_delete_name(column.name):  # cached per name: most columns stop here
            continue
        if words(column.name) in ("active", "is_active", "enabled", "is_enabled"):
            continue  # an active flag is usually business state (a paused account), not deletion
        if column.normalized_type in ("boolean", "integer", "timestamp", "timestamptz", "date", "string", "text"):
            found.append(column)
    return found


# Times stored as ISO-8601 text or epoch numbers (SQLite has no date type; many MySQL applications
# keep epoch seconds) count when the name says it is a time: created_at, updated_on, date_modified.
_TIME_WORD = re.compile(r"(^|_)(at|on|date|time|timestamp|ts|datetime|dt)(_|$)")


def holds_time(column: Column) -> bool:
    if column.normalized_type in TIME_TYPES:
        return True
    return column.normalized_type in ("string", "text", "integer", "decimal", "float") and bool(
        _TIME_WORD.search(words(column.name))
    )


def created_columns(table: Table) -> list[Column]:
    return [c for c in table.columns if is_created_name(c.name) and holds_time(c)]


def updated_columns(table: Table) -> list[Column]:
    return [c for c in table.columns if is_updated_name(c.name) and holds_time(c)]
