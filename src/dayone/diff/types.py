"""How a column's type change reads downstream: a widening (every old value still fits, loaders and
models keep working once they follow), a narrowing (values that fitted may not any more), or an
incompatible change (the same values mean, sort or sum differently: text to number, a wall-clock
time to an instant).

Types are read from the engine's own spelling (`character varying(40)`, `decimal(12,2)`,
`bigint(20) unsigned`) and the normalized family the catalog gives every column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dayone.catalog.model import Column

Verdict = Literal["same", "widened", "narrowed", "incompatible"]

_INTEGER_BYTES = {"tinyint": 1, "int1": 1, "smallint": 2, "int2": 2, "smallserial": 2, "mediumint": 3, "int3": 3,
                  "integer": 4, "int": 4, "int4": 4, "serial": 4, "bigint": 8, "int8": 8, "bigserial": 8}  # fmt: skip
_FLOAT_BYTES = {"real": 4, "float4": 4, "float": 4, "double precision": 8, "double": 8, "float8": 8}
_TEXT_LIMITS = {"tinytext": 255, "text": 65_535, "mediumtext": 16_777_215, "longtext": 4_294_967_295}
_UNBOUNDED = 1 << 62  # PostgreSQL text, varchar without a length
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class TypeChange:
    verdict: Verdict
    why: str  # in words, for the change's detail


@dataclass(frozen=True)
class _Parsed:
    base: str
    numbers: tuple[int, ...]
    unsigned: bool


def _parse(declared: str) -> _Parsed:
    text = declared.strip().lower()
    unsigned = " unsigned" in text
    text = text.replace(" unsigned", "").replace(" zerofill", "")
    base, _, rest = text.partition("(")
    numbers = tuple(int(n) for n in _NUMBER.findall(rest.split(")")[0])) if rest else ()
    tail = rest.partition(")")[2].strip() if rest else ""
    base = " ".join((base.strip() + (" " + tail if tail else "")).split())  # timestamp(3) with time zone
    return _Parsed(base, numbers, unsigned)


def classify(old: Column, new: Column, product: str = "postgresql") -> TypeChange:
    """The verdict on `old`'s type becoming `new`'s (same spelling: "same")."""
    if old.declared_type == new.declared_type:
        return TypeChange("same", "")
    a, b = old.normalized_type, new.normalized_type
    was, now = _parse(old.declared_type), _parse(new.declared_type)
    if a == b and was.base == now.base and was.numbers == now.numbers and was.unsigned == now.unsigned:
        return TypeChange("same", "")  # spelled differently only (case, spaces)
    if {a, b} == {"timestamp", "timestamptz"}:
        how = ("wall-clock times become instants: the same stored values are read in the session's zone"
               if b == "timestamptz" else "instants become wall-clock times without a zone: the offset is lost")
        return TypeChange("incompatible", how)
    if a == b:
        return _same_family(a, was, now, product)
    return _across(a, b)


def _same_family(family: str, was: _Parsed, now: _Parsed, product: str) -> TypeChange:
    if family == "integer":
        old_bytes, new_bytes = _INTEGER_BYTES.get(was.base), _INTEGER_BYTES.get(now.base)
        if old_bytes is None or new_bytes is None:
            return TypeChange("incompatible", "another integer type")
        if was.unsigned and not now.unsigned:
            return _size(old_bytes * 2 <= new_bytes, old_bytes * 2 > new_bytes, "a signed integer holds the unsigned values" if old_bytes < new_bytes else "unsigned values above the signed range no longer fit")
        if now.unsigned and not was.unsigned:
            return TypeChange("narrowed", "negative values no longer fit an unsigned integer")
        return _size(new_bytes > old_bytes, new_bytes < old_bytes, f"{new_bytes * 8}-bit integers instead of {old_bytes * 8}-bit")
    if family == "float":
        old_bytes, new_bytes = _FLOAT_BYTES.get(was.base, 8), _FLOAT_BYTES.get(now.base, 8)
        return _size(new_bytes > old_bytes, new_bytes < old_bytes, "double precision instead of single" if new_bytes > old_bytes else "single precision instead of double")
    if family == "decimal":
        (p1, s1), (p2, s2) = _precision(was), _precision(now)
        if p1 == p2 and s1 == s2:
            return TypeChange("same", "")
        if p1 == _UNBOUNDED or p2 == _UNBOUNDED:  # PostgreSQL numeric without a precision holds any value
            wider = p2 == _UNBOUNDED
            what = "any precision" if wider else f"precision {p2},{s2} instead of any"
            return TypeChange("widened", what) if wider else TypeChange("narrowed", what + ": values with more digits no longer fit")
        wider = s2 >= s1 and p2 - s2 >= p1 - s1
        narrower = s2 <= s1 and p2 - s2 <= p1 - s1
        what = f"precision {_shown(p1)},{s1} to {_shown(p2)},{s2}"
        if wider:
            return TypeChange("widened", what)
        if narrower:
            return TypeChange("narrowed", what + ": values with more digits no longer fit")
        return TypeChange("incompatible", what + ": fewer digits on one side of the point")
    if family in ("string", "text"):
        old_limit, new_limit = _length(was, product), _length(now, product)
        what = f"up to {_shown(new_limit)} characters instead of {_shown(old_limit)}"
        return _size(new_limit > old_limit, new_limit < old_limit, what)
    if family in ("timestamp", "timestamptz", "time"):
        old_digits = was.numbers[0] if was.numbers else 6
        new_digits = now.numbers[0] if now.numbers else 6
        return _size(new_digits > old_digits, new_digits < old_digits, f"{new_digits} fractional digits of a second instead of {old_digits}")
    if family == "binary":
        return _size(_length(now, product) > _length(was, product), _length(now, product) < _length(was, product), "another binary length")
    return TypeChange("incompatible", f"{was.base} became {now.base}")


def _size(wider: bool, narrower: bool, what: str) -> TypeChange:
    if wider:
        return TypeChange("widened", what)
    if narrower:
        return TypeChange("narrowed", what + ": values that fitted may no longer")
    return TypeChange("same", "")


def _precision(parsed: _Parsed) -> tuple[int, int]:
    if not parsed.numbers:
        return (_UNBOUNDED if parsed.base == "numeric" else 10), 0  # PostgreSQL numeric: any; MySQL decimal: (10,0)
    return parsed.numbers[0], parsed.numbers[1] if len(parsed.numbers) > 1 else 0


def _length(parsed: _Parsed, product: str) -> int:
    if parsed.numbers:
        return parsed.numbers[0]
    if parsed.base in _TEXT_LIMITS and product != "postgresql":  # MySQL TEXT holds 64 kB, MEDIUMTEXT 16 MB...
        return _TEXT_LIMITS[parsed.base]
    if parsed.base in ("character", "char", "bpchar"):
        return 1
    return _UNBOUNDED  # PostgreSQL text, varchar without a length


def _shown(limit: int) -> str:
    return "any number of" if limit >= _UNBOUNDED else f"{limit:,}"


# Changes between families that keep every value and its meaning.
_WIDENINGS = {
    ("integer", "decimal"): "whole numbers become decimals",
    ("integer", "float"): "whole numbers become floating point",
    ("boolean", "integer"): "true/false become 1/0",
    ("string", "text"): "a bounded string becomes text",
    **{("enum", text): "a fixed list becomes free text: any value may appear" for text in ("string", "text")},
    ("date", "timestamp"): "dates become date-times",
    ("date", "timestamptz"): "dates become instants",
}


def _across(a: str, b: str) -> TypeChange:
    reason = _WIDENINGS.get((a, b))
    if reason:
        return TypeChange("widened", reason)
    if (b, a) in _WIDENINGS:
        return TypeChange("narrowed", f"{a} became {b}: values that fitted may no longer")
    if a in ("string", "text") and b in ("integer", "decimal", "float", "boolean", "date", "timestamp", "timestamptz", "json", "uuid"):
        return TypeChange("incompatible", f"text became {b}: models comparing or concatenating it as text break")
    if b in ("string", "text"):
        return TypeChange("incompatible", f"{a} became text: sums, comparisons and sorting downstream change meaning")
    return TypeChange("incompatible", f"{a} became {b}")
