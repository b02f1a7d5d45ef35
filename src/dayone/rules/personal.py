"""Personal data by name and type: which columns hold e-mail addresses, phone numbers, people's
names, postal addresses, birth dates, IP addresses or government ids.

A pure function of the catalog, shared by the personal-data rule, which reports them, and the
profiler, which keeps no value of them (no value set, no minimum or maximum), so that no report can
print one. Their values' shapes (ColumnProfile.email_like, phone_like, ip_like) tell the rule about
columns whose names do not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dayone.catalog.model import Table
from dayone.rules.naming import words

EMAIL, PHONE, NAME, ADDRESS, BIRTH, IP, GOVERNMENT_ID = (
    "e-mail address", "phone number", "person's name", "postal address", "birth date", "IP address", "government id",
)  # fmt: skip

# Tables whose rows are people: a `name` there is a person's name, an address is where someone lives.
_PEOPLE = frozenset({
    "user", "customer", "client", "owner", "member", "employee", "staff", "people", "person", "contact", "patient",
    "student", "teacher", "subscriber", "applicant", "candidate", "guest", "passenger", "author", "admin",
    "administrator", "recipient", "buyer", "seller", "visitor", "player", "volunteer", "donor", "shopper", "attendee",
    "participant", "learner", "beneficiary", "guardian", "resident",
})  # fmt: skip
# ... and tables that are people only when they hold a person's e-mail or name: an account or a
# profile may be a company's or a ledger's
_MAYBE_PEOPLE = frozenset({"account", "profile"})
_TEXT = ("string", "text")

_BY_NAME: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    (EMAIL, re.compile(r"(\w+_)?(email|e_mail)(_address|_addr)?|mail|unconfirmed_email"), _TEXT),
    (PHONE, re.compile(r"(\w+_)?(phone|mobile|telephone|tel|cellphone|cell_phone|fax|msisdn)(_number|_no|_num|_nr)?"),
     (*_TEXT, "integer", "decimal")),
    (NAME, re.compile(r"(\w+_)?(first|last|middle|given|family|maiden|full|fore|sur)_?name"
                      r"|(customer|contact|person|user|owner|employee|member|patient|student|recipient|sender|buyer|"
                      r"billing|shipping|holder|cardholder|account_holder|guardian|parent|emergency_contact)_name"), _TEXT),
    (BIRTH, re.compile(r"(\w+_)?(birth_?date|birthday|date_of_birth|dob|born_(on|at)|birth_year)"),
     ("date", "timestamp", "timestamptz", *_TEXT, "integer")),
    (IP, re.compile(r"(\w+_)?ip(_address|_addr|_addresses|_v4|_v6)?"), (*_TEXT, "other", "integer", "binary")),
    (GOVERNMENT_ID, re.compile(
        r"(\w+_)?(ssn|social_security(_number|_no)?|passport(_number|_no|_id)?|national_id(_number|_no)?"
        r"|national_insurance(_number|_no)?|drivers?_licen[cs]e(_number|_no)?|driving_licen[cs]e(_number|_no)?"
        r"|id_card(_number|_no)?|identity_card(_number|_no)?|personal_id(_number|_no)?|aadhaar(_number)?)"), _TEXT),
)  # fmt: skip
# A person's tax number; a company's (in organizations, billing entities) is not personal data.
_TAX_ID = re.compile(r"(\w+_)?(tax_id|tax_number|tax_identification_number|tin|vat_number|vat_id)")
# Where someone lives, or a part of it that narrows it down to a few households.
_POSTAL = re.compile(
    r"(\w+_)?(street|street_address|street_name|street_number|house_number|address|address_?line_?\d*|address_?\d"
    r"|addr|addr_?line_?\d*|zip|zip_?code|post_?code|postal_code)"
)
# ... but not these addresses, which are no one's home
_NOT_POSTAL = re.compile(r"(\w+_)?(ip|email|e_mail|mac|wallet|web|url|remote|server|host|contract|token|bitcoin|btc|eth|"
                         r"crypto|deposit|smart_contract|public|hardware|memory|network|base|callback|return|reply_to)_?address")  # fmt: skip
# ... and an address names a person's home when its column says whose, or its table holds people
_PERSON_PREFIX = re.compile(r"(billing|shipping|home|delivery|mailing|residential|residence|customer|user|contact|"
                            r"personal|private|invoice|invoicing|ship_to|bill_to)_\w+")  # fmt: skip
_PEOPLE_REFERENCE = re.compile(r"(\w+_)?(user|customer|client|person|member|contact|employee|patient|student|owner|account)_id")
_NAMES_IN_PEOPLE = frozenset({"name", "display_name", "nickname", "nick_name", "preferred_name", "legal_name"})
# An inet column that holds networks, not one host's address
_NETWORK = re.compile(r"(\w+_)?(network|subnet|cidr|range|netmask|block)s?")


@lru_cache(maxsize=1 << 14)
def _people_word(table_name: str) -> str | None:
    """'users' -> 'user', 'admin_users' -> 'user', 'customer_groups' -> None: the person a row is."""
    last = words(table_name).rsplit("_", 1)[-1]
    for word in (last, last[:-3] + "y" if last.endswith("ies") else last, last[:-1] if last.endswith("s") else last):
        if word in _PEOPLE or word in _MAYBE_PEOPLE:
            return word
    return "person" if last == "people" else None


def is_people_table(table: Table) -> bool:
    """A table whose rows are people (users, customers, members, patients...); an account or profile
    table counts when it holds someone's e-mail address or name."""
    word = _people_word(table.name)
    if word is None:
        return False
    if word not in _MAYBE_PEOPLE:
        return True
    return any(_kind_by_name(c.name, c.normalized_type) in (EMAIL, NAME) for c in table.columns)


@lru_cache(maxsize=1 << 16)  # asked of every column; names repeat from table to table
def _kind_by_name(name: str, kind: str) -> str | None:
    named = words(name)
    for label, pattern, types in _BY_NAME:
        if kind in types and pattern.fullmatch(named):
            return label
    return None


_EMAIL_TABLE = re.compile(r"(^|_)e_?mails?(_|$)")
_IP_TABLE = re.compile(r"(^|_)ip(_|$)")
_ADDRESS_TABLE = re.compile(r"(?:(\w+)_)?address(es)?")


def _is_address_table(table: Table) -> bool:
    """A table of postal addresses that belong to people: `address`, `addresses` (which people's
    tables point at), `customer_addresses`; or any table of addresses holding a reference to a
    person or a person's name. Not email_addresses, not ip_addresses."""
    named = words(table.name)
    found = _ADDRESS_TABLE.fullmatch(named)
    if found is None or _EMAIL_TABLE.search(named) or _IP_TABLE.search(named):
        return False
    owner = found.group(1)
    if owner is None or _people_word(owner) is not None or _PERSON_PREFIX.fullmatch(f"{owner}_address"):
        return True
    return any(_PEOPLE_REFERENCE.fullmatch(words(c.name)) or _kind_by_name(c.name, c.normalized_type) == NAME for c in table.columns)


# What a column's name and type alone say, before its table is looked at (cached: names repeat).
_ADDRESS_WORD, _PEOPLE_NAME, _TAX, _POSTAL_PART = "address word", "people name", "tax id", "postal part"


@lru_cache(maxsize=1 << 16)
def _hint(name: str, kind: str, declared_type: str) -> str | None:
    label = _kind_by_name(name, kind)
    if label is not None:
        return label
    named = words(name)
    if declared_type.lower().startswith("inet") and not _NETWORK.fullmatch(named):
        return IP  # PostgreSQL's type for one host's address
    if kind in _TEXT and re.fullmatch(r"(\w+_)?address(es)?", named) and not _NOT_POSTAL.fullmatch(named):
        return _ADDRESS_WORD  # an e-mail or IP address in a table named so, else maybe a postal one
    if kind in _TEXT and named in _NAMES_IN_PEOPLE:
        return _PEOPLE_NAME
    if kind in _TEXT and _TAX_ID.fullmatch(named):
        return _TAX
    if kind in (*_TEXT, "integer") and _POSTAL.fullmatch(named) and not _NOT_POSTAL.fullmatch(named):
        if kind == "integer" and not re.fullmatch(r"(\w+_)?(zip|zip_?code|post_?code|postal_code|house_number|street_number)", named):
            return None  # address_id and the like are references, not addresses
        return ADDRESS if _PERSON_PREFIX.fullmatch(named) else _POSTAL_PART
    return None


def personal_columns(table: Table) -> dict[str, str]:
    """column name -> what personal data it holds, by its name and type (in column order)."""
    found: dict[str, str] = {}
    people: bool | None = None  # decided when first needed
    address_table: bool | None = None
    for column in table.columns:
        label = _hint(column.name, column.normalized_type, column.declared_type)
        if label is None:
            continue
        if label == _ADDRESS_WORD:
            named_table = words(table.name)
            if _EMAIL_TABLE.search(named_table):
                label = EMAIL  # email_addresses.address
            elif _IP_TABLE.search(named_table):
                label = IP  # ip_addresses.address
            else:
                label = ADDRESS if _PERSON_PREFIX.fullmatch(words(column.name)) else _POSTAL_PART
        if label in (_PEOPLE_NAME, _TAX, _POSTAL_PART):
            people = is_people_table(table) if people is None else people
            if label == _PEOPLE_NAME:
                label = NAME if people else None
            elif label == _TAX:
                label = GOVERNMENT_ID if people else None
            else:
                if address_table is None:
                    address_table = _is_address_table(table)
                label = ADDRESS if people or address_table else None
        if label is not None:
            found[column.name] = label
    return found


SHAPE_MIN_VALUES = 5  # fewer values read say too little about what a column holds
SHAPE_SHARE = 0.5  # at least half of the values read look like one kind of personal data


def personal_by_values(values) -> str | None:
    """What personal data a column's values read look like (a ColumnProfile): e-mail addresses, phone
    numbers or IP addresses, whatever the column is called."""
    if values is None or values.non_null < SHAPE_MIN_VALUES:
        return None
    for label, count in ((EMAIL, values.email_like), (PHONE, values.phone_like), (IP, values.ip_like)):
        if count >= SHAPE_SHARE * values.non_null:
            return label
    return None
