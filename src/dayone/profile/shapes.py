"""What one value looks like, beyond its declared type: a date or time in text (and in which
format), a Unix time, a phone number, an IP address. Counted by the accumulator; no value is kept."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta

ISO_DATE_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::\d\d(?:[.,]\d{1,9})?)?\s?(Z|[+-]\d\d(?::?\d\d)?)?)?", re.I)
SLASH_DATE = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?:[ T]\d{1,2}:\d\d(?::\d\d)?(?:\s?[AP]M)?)?", re.I)
IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/\d{1,2})?")
IPV6 = re.compile(r"[0-9a-f:.]*:[0-9a-f:.]*:[0-9a-f:.]*(?:/\d{1,3})?", re.I)
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,22}\d")
PHONE_PARTS = re.compile(r"[\s().-]+")
BOOLEAN_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "t", "f"})
TRUE_TEXT = frozenset({"1", "true", "t", "y", "yes"})
EPOCH_FROM = 946_684_800  # 2000-01-01 UTC: Unix times a column may plausibly hold start here...
EPOCH_AHEAD = timedelta(days=3653)  # ... and end ten years after the profile (expiry dates)
IP_VALUES = (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface, ipaddress.IPv6Interface,
             ipaddress.IPv4Network, ipaddress.IPv6Network)  # how psycopg hands over inet and cidr  # fmt: skip
NONE: tuple[str, ...] = ()


def text_shape(value: str, epoch_range: tuple) -> tuple[str, ...]:
    """The shapes (ColumnProfile field names) a text value has: ("iso_datetimes", "iso_offsets"),
    ("slash_dates", "day_first"), ("phone_like",)...; () for most text. `epoch_range` is (low, high,
    low in ms, high in ms) of plausible Unix times."""
    first = value[:1]
    if "0" <= first <= "9":
        return _starts_with_digit(value, epoch_range)
    if first in ("+", "("):
        return _phone(value)
    if ":" in value:
        return _ipv6(value)
    return NONE


def _starts_with_digit(value: str, epoch_range: tuple) -> tuple[str, ...]:
    if value == "0" or value == "1":
        return NONE  # a flag: counted from the value counts
    if len(value) >= 10 and value[4] == "-":
        found = ISO_DATE_TIME.fullmatch(value)
        if found and 1 <= int(found[2]) <= 12 and 1 <= int(found[3]) <= 31:
            if found[4] is None:
                return ("iso_dates",)
            if int(found[4]) <= 24 and int(found[5]) <= 59:
                return ("iso_datetimes", "iso_offsets") if found[6] else ("iso_datetimes",)
            return NONE
    if value.isdigit():
        if len(value) in (10, 13):
            low, high, low_ms, high_ms = epoch_range
            number = int(value)
            if low <= number <= high or low_ms <= number <= high_ms:
                return ("epoch_text",)
        return NONE
    if "/" in value or "." in value:
        found = SLASH_DATE.fullmatch(value)
        if found:
            first, second = int(found[1]), int(found[3])
            if 1 <= first <= 31 and 1 <= second <= 31 and (first <= 12 or second <= 12):
                return ("slash_dates", "day_first") if first > 12 else ("slash_dates", "month_first") if second > 12 else ("slash_dates",)
            return NONE
        found = IPV4.fullmatch(value)
        if found:
            return ("ip_like",) if all(int(part) <= 255 for part in found.groups()) else NONE
    if ":" in value:
        shape = _ipv6(value)
        if shape:
            return shape
    return _phone(value)


def _ipv6(value: str) -> tuple[str, ...]:
    if len(value) > 49 or not IPV6.fullmatch(value):
        return NONE
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        return NONE
    return ("ip_like",)


def _phone(value: str) -> tuple[str, ...]:
    """7 to 15 digits (E.164) after a + or an opening parenthesis, or in three groups or more."""
    if len(value) > 25 or not PHONE.fullmatch(value):
        return NONE
    digits = sum(c.isdigit() for c in value)
    if 7 <= digits <= 15 and (value[0] in "+(" or len(PHONE_PARTS.split(value)) >= 3):
        return ("phone_like",)
    return NONE
