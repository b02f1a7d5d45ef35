"""Building catalog objects straight from parsed snapshot JSON, without pydantic, for the small
documents a diff is left with once the tables the same in both snapshots are set aside
(dayone.diff.snapshots).

For a whole 5,000-table snapshot pydantic's compiled validator is faster; for a few tables its
import and schema build (0.2 s) cost more than the tables. This accepts exactly what dayone writes
(each value of its declared type, no unknown field) and gives up (`Unreadable`) on anything else,
leaving the document to the validating reader, which says what is wrong. What it accepts, pydantic
accepts with the same result."""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Callable, Literal

from dayone.catalog import access as access_module
from dayone.catalog import model as model_module
from dayone.catalog.model import Catalog


class Unreadable(Exception):
    """Not exactly what dayone writes: leave it to the validating reader."""


def catalog(data: Any) -> Catalog:
    try:
        return _converter(Catalog)(data)
    except (Unreadable, TypeError, ValueError) as exc:  # TypeError: a required field missing
        raise Unreadable(str(exc)) from None


def _fail(value: Any, expected: str):
    raise Unreadable(f"{type(value).__name__} where {expected} was expected")


def _scalar(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if type(value) is not kind:
            _fail(value, kind.__name__)
        return value

    return convert


@cache
def _converter(annotation: Any) -> Callable[[Any], Any]:  # noqa: C901 - one branch per kind of annotation
    if annotation in (str, int, bool, float):
        return _scalar(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        allowed = frozenset(args)

        def literal(value: Any) -> Any:
            if type(value) is not str or value not in allowed:
                _fail(value, "one of " + ", ".join(map(str, args)))
            return value

        return literal
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"unsupported annotation {annotation}")
        convert_inner = _converter(inner[0])
        return lambda value: None if value is None else convert_inner(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            convert_item = _converter(args[0])

            def items(value: Any) -> tuple:
                if type(value) is not list:
                    _fail(value, "a list")
                return tuple(convert_item(v) for v in value)

            return items
        converters = [_converter(a) for a in args]

        def fixed(value: Any) -> tuple:
            if type(value) is not list or len(value) != len(converters):
                _fail(value, f"a list of {len(converters)}")
            return tuple(c(v) for c, v in zip(converters, value))

        return fixed
    if origin is dict:
        convert_key, convert_value = _converter(args[0]), _converter(args[1])

        def mapping(value: Any) -> dict:
            if type(value) is not dict:
                _fail(value, "an object")
            return {convert_key(k): convert_value(v) for k, v in value.items()}

        return mapping
    if dataclasses.is_dataclass(annotation):
        return _dataclass(annotation)
    raise TypeError(f"unsupported annotation {annotation}")


def _dataclass(cls: type) -> Callable[[Any], Any]:
    fields: dict[str, Callable[[Any], Any]] = {}

    def build(value: Any) -> Any:
        if type(value) is not dict:
            _fail(value, f"a {cls.__name__} object")
        if not fields:  # filled on first use: the classes refer to each other
            hints = typing.get_type_hints(cls, globalns={**vars(model_module), **vars(access_module)})
            fields.update({f.name: _converter(hints[f.name]) for f in dataclasses.fields(cls)})
        try:
            return cls(**{name: fields[name](v) for name, v in value.items()})
        except KeyError as exc:
            raise Unreadable(f"unknown field {exc} in {cls.__name__}") from None

    return build
