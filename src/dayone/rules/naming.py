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
# Columns that may mark a row as deleted, archived, revoked, deactivated or hidden without removing
# it; `soft_delete_markers` says which kind each is, and when a name alone is not enough.
is_soft_delete_name = _matcher(
    r"(is_)?(deleted|removed|discarded|archived|trashed|destroyed|revoked)(_(at|on|date|time|timestamp|flag|ts))?"
    r"|(is_)?(active|enabled|visible)|delete_(flag|date|time)|deletion_(date|time)|deleted_flag"
    r"|(deactivated|disabled)_(at|on|date|time|timestamp|ts)"
)
is_status_name = _matcher(r"(\w+_)?(status|state|stage|phase|lifecycle)(_code|_id)?")
is_value_set_name = _matcher(r"(\w+_)?(status|state|stage|phase|type|kind|category|tier|level|code|source)(_code|_id)?")
# Codes that are identifiers or free text, not a list of values someone has to explain.
_FREE_CODES = re.compile(
    r"(post|postal|zip|area|phone|country_calling|promo|promotion|coupon|discount|voucher|gift|verification|"
    r"confirmation|auth|otp|reset|access|invite|invitation|referral|activation|security|tracking|bar|qr|"
    r"hash|secret|source_code|language_code|locale|currency|iso|country|lang|"
    # URLs, hashes, tokens and snippets: values no one lists
    r"url|uri|link|digest|checksum|token|sha|md5|slug|short|session|nonce|pin|sms|mfa|totp|recovery|backup|"
    r"unlock|embed|html|snippet|script|external)"
)
# Code lists documented elsewhere, by a standard: media types, HTTP statuses, process exit codes.
_STANDARD_LIST = re.compile(
    r"(\w+_)?(mime_type|content_type|media_type|http_status(_code)?|http_code|http_response_code|exit_code|exit_status)"
)
# History, audit and log tables by name, as whole words: `catalog_rules` and `login_sessions` are
# not logs. See dayone.rules.flow_history for what else a history table must show.
is_history_word_name = _matcher(
    r"(\w+_)?(history|histories|audit|audits|audit_trail|audit_trails|changelog|changelogs)(_\w+)?|\w+_(changes|transitions)"
)
is_versions_name = _matcher(r"\w+_(versions|revisions)")  # one row per version of another row
is_log_name = _matcher(r"\w+_(log|logs|journal|journals|ledger|ledgers)")
is_events_name = _matcher(r"\w+_(events|event)")


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
    return not ((name.endswith("code") and _FREE_CODES.search(name)) or _STANDARD_LIST.fullmatch(name))


def is_code_name(name: str) -> bool:
    """`code`, `tax_code`: a code names something (a plan, a tax), unlike a status or a type."""
    return words(name).rsplit("_", 1)[-1] == "code"


def soft_delete_columns(table: Table) -> list[Column]:
    """Columns that mark a row as deleted (archived, revoked...) without removing it."""
    return [column for column, _ in soft_delete_markers(table)]


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


# --- references by name --------------------------------------------------------------------------

# Plurals no suffix rule undoes, as ORMs and people name tables (people, children, media, criteria).
IRREGULAR_PLURALS = {
    "people": "person", "persons": "person", "men": "man", "women": "woman", "children": "child",
    "media": "medium", "criteria": "criterion", "phenomena": "phenomenon", "data": "datum",
    "analyses": "analysis", "bases": "basis", "crises": "crisis", "theses": "thesis", "diagnoses": "diagnosis",
    "syntheses": "synthesis", "hypotheses": "hypothesis", "axes": "axis", "indices": "index",
    "matrices": "matrix", "vertices": "vertex", "appendices": "appendix", "mice": "mouse", "geese": "goose",
    "feet": "foot", "teeth": "tooth", "oxen": "ox", "quizzes": "quiz", "leaves": "leaf", "lives": "life",
    "wives": "wife", "knives": "knife", "halves": "half", "shelves": "shelf", "wolves": "wolf",
    "thieves": "thief", "calves": "calf", "selves": "self", "cacti": "cactus", "fungi": "fungus",
    "alumni": "alumnus", "radii": "radius", "stimuli": "stimulus", "syllabi": "syllabus",
}  # fmt: skip


@lru_cache(maxsize=1 << 14)
def singular_forms(word: str) -> tuple[str, ...]:
    """What a table name's last word may be the plural of: the word itself (tables named in the
    singular: `cart`, Django's `blog_post`), an irregular plural (people -> person), and the
    regular English rules, which may each apply (categories -> category, movies -> movie;
    addresses -> address, responses -> response). A wrong form costs nothing: it is only ever
    compared with the words of column names."""
    forms = [word]
    if word in IRREGULAR_PLURALS:
        forms.append(IRREGULAR_PLURALS[word])
    if word.endswith("ies") and len(word) > 4:
        forms += [word[:-3] + "y", word[:-1]]
    elif word.endswith("ves"):
        forms += [word[:-3] + "f", word[:-3] + "fe", word[:-1]]
    elif word.endswith(("sses", "xes", "ches", "shes", "zes", "uses", "oes", "ses")):
        forms += [word[:-2], word[:-1]]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.append(word[:-1])
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=1 << 14)
def singulars_of(table_name: str) -> tuple[str, ...]:
    """`merge_request_diffs` -> ('merge_request_diffs', 'merge_request_diff'): the table's name in
    words with each singular form of its last word."""
    name = words(table_name)
    head, _, last = name.rpartition("_")
    return tuple(f"{head}_{form}" if head else form for form in singular_forms(last))


# An id the name says comes from another system (a payment provider's, a CRM's, a legacy
# database's) is not a reference to the table of the same name here: external_customer_id.
EXTERNAL_WORDS = frozenset({"external", "ext", "provider", "remote", "third", "thirdparty", "legacy", "gateway"})

# Columns that point at another row of their own table: a tree, a chain of versions, a replacement.
SELF_REFERENCE_NAME = re.compile(
    r"(parent|previous|prev|next|original|replaces|replaced_by|superseded_by|supersedes|successor|predecessor"
    r"|duplicate_of|merged_into|copied_from|cloned_from|forked_from|root)_(id|uuid)"
)

# Who did something to the row, named by the role rather than the table: author_id, created_by_id,
# last_editor_id. The table of people is then the referenced one, whatever it is called.
PERSON_ROLE_NAME = re.compile(
    r"((last|latest|first|original|current|previous|primary|secondary|main)_)?"
    r"(author|creator|owner|assignee|assigner|reviewer|approver|requester|requestor|reporter|submitter|sender"
    r"|recipient|receiver|modifier|editor|updater|uploader|moderator|inviter|invitee|commenter|actor"
    r"|maintainer|publisher|verifier|closer|resolver|deleter|canceller|canceler|archiver|signer|banner)"
    r"(_user)?_(id|uuid)"
    r"|((last|latest|first)_)?[a-z]+ed_by(_user)?(_id|_uuid)?"
)
# ... unless no person did it: auto_canceled_by_id names the pipeline that cancelled this one.
_NOT_A_PERSON = re.compile(r"(auto|automatically|system|bot|job|cron|scheduler)_\w+")


def is_person_role_name(name: str) -> bool:
    name = words(name)
    return bool(PERSON_ROLE_NAME.fullmatch(name)) and not _NOT_A_PERSON.fullmatch(name)


# A table of people: it holds logins (a password hash or digest beside an e-mail or user name).
_CREDENTIAL = re.compile(
    r"((encrypted|hashed|crypted|bcrypt|salted)_)?(password|passwd|pass_crypt)(_(hash|digest|crypt|hashed))?"
)
_LOGIN_NAME = re.compile(r"(email|email_address|e_mail|mail|username|user_name|login|login_name|name|display_name|nickname)")


def is_login_table(table: Table) -> bool:
    names = [words(c.name) for c in table.columns]
    return any(_CREDENTIAL.fullmatch(n) for n in names) and any(_LOGIN_NAME.fullmatch(n) for n in names)


_TYPE_NAME = re.compile(r"type(_?id)?$", re.IGNORECASE)  # commentable_type, contentTypeId


@lru_cache(maxsize=1 << 16)
def _names_a_type(name: str) -> bool:
    return _TYPE_NAME.search(name) is not None


def polymorphic_pairs(table: Table) -> list[tuple[Column, Column]]:
    """(type column, id column) pairs through which a row points at a row of any of several tables:
    Rails and Laravel `commentable_type` + `commentable_id`, Django's GenericForeignKey
    `content_type_id` + `object_id` (either with the same prefix: `target_content_type_id`)."""
    if not any(_names_a_type(c.name) for c in table.columns):
        return []  # most tables: no column named like a type
    by_words = {words(c.name): c for c in table.columns}
    declared = {name for fk in table.foreign_keys for name in fk.columns}
    pairs = []
    for name, column in by_words.items():
        if name.endswith("_type") and (partner := by_words.get(name[:-5] + "_id")) is not None:
            # The type names a class or a table: text. An integer type is a kind of the row its id
            # points at (GitLab's runner_type beside runner_id), a foreign key says which table it
            # is, and an id of another system (provider_method_id) is no reference here at all.
            if (column.normalized_type in ("string", "text", "enum") and partner.name not in declared
                    and name.split("_", 1)[0] not in EXTERNAL_WORDS):  # fmt: skip
                pairs.append((column, partner))
        elif name.endswith("content_type_id") and (partner := by_words.get(name[: -len("content_type_id")] + "object_id")):
            pairs.append((column, partner))
    return pairs


# --- Soft-delete markers, history tables and times (data flow) ---------------------------------

_MARKER_KINDS = (
    ("deletion", _matcher(r"(is_)?(deleted|removed|discarded|trashed|destroyed)(_(at|on|date|time|timestamp|flag|ts))?"
                          r"|delete_(flag|date|time)|deletion_(date|time)|deleted_flag")),
    ("archive", _matcher(r"(is_)?archived(_(at|on|date|time|timestamp|flag|ts))?")),
    ("revocation", _matcher(r"(is_)?revoked(_(at|on|date|time|timestamp|ts))?")),
    ("deactivation", _matcher(r"(deactivated|disabled)_(at|on|date|time|timestamp|ts)")),
    ("visibility", _matcher(r"(is_)?visible")),
    ("activity flag", _matcher(r"(is_)?active")),
)
_MARKER_TYPES = ("boolean", "integer", "timestamp", "timestamptz", "date", "string", "text")
_FLAG_TYPES = ("boolean", "integer")
_is_added_name = _matcher(r"added(_(at|on|date|time|timestamp|ts))?")
# Status values that mean the row is gone: status IN ('active', 'deleted').
DELETED_VALUES = frozenset({"deleted", "archived", "trashed", "removed", "discarded", "destroyed", "purged"})
# Rows of these tables are active for a while and then end (lapse, expire, close) as part of the
# business: their active flag is the row's state, not a way of deleting it.
_LIFECYCLE_TABLES = frozenset({"subscription", "membership", "session", "contract", "license", "cart", "trial"})


def soft_delete_markers(table: Table) -> list[tuple[Column, str]]:
    """Columns that mark rows as gone while keeping them, each with its kind: deletion (deleted_at,
    is_deleted, discarded_at), archive, revocation (revoked_at), deactivation (deactivated_at,
    disabled_at), visibility (a `visible` flag), status value (a status whose declared values
    include 'deleted' or 'archived'), or activity flag (`active`, `is_active`: only in a table
    with no other marker, and not in a table of subscriptions, sessions or carts, where being
    active is business state). `enabled` is a setting, `hidden` and `visible_on_front` display
    choices, and removed_at beside added_at the end of a period: none is a marker."""
    found: list[tuple[Column, str]] = []
    activity: list[tuple[Column, str]] = []
    for column in table.columns:
        if is_soft_delete_name(column.name):  # cached per name: most columns stop here
            kind = next((kind for kind, matches in _MARKER_KINDS if matches(column.name)), None)
            flag_only = kind in ("visibility", "activity flag")
            if kind is None or column.normalized_type not in (_FLAG_TYPES if flag_only else _MARKER_TYPES):
                continue
            if words(column.name).startswith("removed") and any(_is_added_name(c.name) for c in table.columns):
                continue  # added_at and removed_at are the two ends of a period (an item on a subscription)
            (activity if kind == "activity flag" else found).append((column, kind))
        elif is_status_name(column.name) and DELETED_VALUES & {words(v) for v in declared_values(table, column)}:
            found.append((column, "status value"))
    if activity and not found and words(table.name).rsplit("_", 1)[-1].removesuffix("s") not in _LIFECYCLE_TABLES:
        found.extend(activity)
    return found


def declared_values(table: Table, column: Column) -> tuple[str, ...]:
    """The values an enum type or a CHECK constraint allows for this column."""
    if column.enum_values:
        return column.enum_values
    return tuple(v for check in table.check_constraints for s in check.value_sets if s.column == column.name for v in s.values)


def deleted_status_values(table: Table, column: Column) -> list[str]:
    return [v for v in declared_values(table, column) if words(v) in DELETED_VALUES]


is_version_column_name = _matcher(r"(\w+_)?(version|revision)(_(number|no|num))?")
# When something happened, in a log or events table: written with the row, once.
is_occurrence_time_name = _matcher(
    r"(occurred|happened|logged|recorded|performed|emitted|event|changed|transitioned)(_(at|on|time|timestamp|ts|datetime|dt|date))?"
    r"|(event_)?(time|timestamp|ts|datetime)"
)


_is_text_time_name = _matcher(r"(\w+_)?(at|on|date|datetime|timestamp|ts)|timestamp|datetime|date")
_is_number_time_name = _matcher(r"(\w+_)?(at|ts|timestamp|epoch)|timestamp")


def time_columns(table: Table) -> list[Column]:
    """Columns that hold a date-time: by type, or text and numbers whose name ends as a time's does
    (SQLite keeps ISO-8601 text: `logged_at TEXT` is a time; `break_time INTEGER` is a duration,
    `auto_cancel_on_new_commit` a setting)."""
    found = []
    for column in table.columns:
        kind = column.normalized_type
        if kind in TIME_TYPES:
            found.append(column)
        elif kind in ("string", "text") and _is_text_time_name(column.name):
            found.append(column)
        elif kind in ("integer", "decimal", "float") and _is_number_time_name(column.name):
            found.append(column)
    return found
