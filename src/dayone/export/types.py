"""A column's type as the next tool reads it: ODCS logical types and JSON Schema (Airbyte, Singer).

The catalog's normalized type says what a value is whatever the engine called it (PostgreSQL
`timestamp with time zone`, MySQL `TIMESTAMP`, a SQLite column declared `DATETIME`), so one table
maps all three engines; the declared type is kept beside it as the physical type. Wall-clock times
and instants stay apart (Airbyte's `airbyte_type` says which), and a value an enum type or a CHECK
list declares becomes the schema's `enum`: the only values an export ever carries.
"""

from __future__ import annotations

from typing import Any

from dayone.export.facts import ColumnFacts

# ODCS v3.1 logicalType: string, date, timestamp, time, number, integer, object, array, boolean.
_LOGICAL = {
    "integer": "integer",
    "decimal": "number",
    "float": "number",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "timestamp": "timestamp",
    "timestamptz": "timestamp",
    "array": "array",
}

# JSON Schema of a non-null value, by normalized type.
_JSON: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time", "airbyte_type": "time_without_timezone"},
    "timestamp": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
    "timestamptz": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
    "uuid": {"type": "string", "format": "uuid"},
    "binary": {"type": "string", "contentEncoding": "base64"},
    "array": {"type": "array"},
    # a JSON column holds any JSON value: objects, arrays and scalars alike
    "json": {"type": ["object", "array", "string", "number", "integer", "boolean"]},
}


def logical_type(column: ColumnFacts) -> str:
    """The ODCS logicalType; everything without a closer one (text, enum, interval, json...) is a string."""
    return _LOGICAL.get(column.normalized_type, "string")


def json_schema(column: ColumnFacts) -> dict[str, Any]:
    """The JSON Schema of the column's values; NULL allowed unless the column is NOT NULL."""
    schema = dict(_JSON.get(column.normalized_type, {"type": "string"}))
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not column.not_null:
        types = [*types, "null"]
    schema["type"] = types[0] if len(types) == 1 else types
    values = typed_values(column)
    if values:
        schema["enum"] = [*values, *([None] if not column.not_null else [])]
    return schema


def typed_values(column: ColumnFacts) -> list[Any]:
    """The declared values as the column's type holds them (CHECK (priority IN (1, 2)) on an integer
    gives numbers); none when one of them does not read as that type."""
    values: list[Any] = list(column.accepted_values)
    try:
        if column.normalized_type == "integer":
            return [int(v) for v in values]
        if column.normalized_type in ("decimal", "float"):
            return [float(v) for v in values]
    except ValueError:
        return []
    if column.normalized_type == "boolean":
        return []
    return values


def table_json_schema(columns: tuple[ColumnFacts, ...]) -> dict[str, Any]:
    """The JSON Schema of a table's records, properties in column order."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,  # a column added later still flows
        "properties": {c.name: json_schema(c) for c in columns},
    }
