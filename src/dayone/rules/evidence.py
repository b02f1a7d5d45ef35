"""What data-driven findings say: observed values, inferred JSON Schemas, and SQL a reader can run.

Every number a finding takes from the profile says how it was obtained (`TableProfile.how`); every
predicate is written for the audited engine, with identifiers quoted by sqlglot, never by hand.
"""

from __future__ import annotations

import re
from typing import Any

from dayone.catalog.model import Column, Schema, Table
from dayone.profile.model import ColumnProfile, JsonPath, JsonShape, TableProfile
from dayone.rules.context import AuditContext

TRUE_TEXT = frozenset({"1", "true", "t", "y", "yes"})


def observed_values(column: ColumnProfile) -> dict[str, int] | None:
    """The value set read, most frequent first: {"submitted": 204, "draft": 122}."""
    return {v.value: v.count for v in column.top_values} or None


def true_count(column: ColumnProfile) -> int | None:
    """Rows whose flag is set, from the value set (None when the values were not kept)."""
    if not column.top_values:
        return None
    return sum(v.count for v in column.top_values if v.value.strip().lower() in TRUE_TEXT)


def rows_seen(profile: TableProfile) -> tuple[int, str]:
    """How many rows a profile's counts are out of, and what they are: rows read by a sample or a
    full scan, or the server's estimate of the table's rows (statistics: nothing was read)."""
    if profile.method == "statistics":
        return profile.rows_estimated or 0, "rows (estimated)"
    return profile.rows_read, "rows read"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


# --- JSON ---------------------------------------------------------------------------------------

_STEP = re.compile(r"\.([^.\[]+)|\[\*\]")


def _parent(path: str) -> tuple[str, str | None] | None:
    """'$.a.b' -> ('$.a', 'b'); '$.tags[*]' -> ('$.tags', None); '$' -> None."""
    steps = list(_STEP.finditer(path))
    if not steps:
        return None
    last = steps[-1]
    return path[: last.start()], last.group(1)


def json_schema(shape: JsonShape, how: str) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for the documents read: each key with the JSON types seen;
    `required` lists the keys present in every document (below the top level: in every document
    where their parent object is). Keys inside arrays are never called required: a document count
    says nothing about each element."""
    by_path = {p.path: p for p in shape.paths}
    children: dict[str, list[tuple[str, JsonPath]]] = {}
    items: dict[str, JsonPath] = {}
    for path in shape.paths:
        parent = _parent(path.path)
        if parent is None:
            continue
        if parent[1] is None:
            items[parent[0]] = path
        else:
            children.setdefault(parent[0], []).append((parent[1], path))

    def node(path: JsonPath, in_array: bool) -> dict[str, Any]:
        types = sorted(path.types)
        schema: dict[str, Any] = {"type": types[0] if len(types) == 1 else types} if types else {}
        keys = children.get(path.path, [])
        if keys:
            schema["properties"] = {key: node(child, in_array) for key, child in keys}
            objects = path.types.get("object", 0)
            required = sorted(key for key, child in keys if child.present >= objects) if not in_array and objects else []
            if required:
                schema["required"] = required
        if path.path in items:
            schema["items"] = node(items[path.path], True)
        return schema

    root = by_path.get("$", JsonPath("$", shape.documents, {"object": shape.documents}))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "description": f"inferred by dayone from {shape.documents:,} documents ({how})"
        + ("; more keys exist than were kept" if shape.truncated else ""),
        **node(root, False),
    }
    return schema


def varying_types(shape: JsonShape) -> dict[str, dict[str, int]]:
    """Keys holding values of more than one JSON type (null aside: that is a missing value)."""
    return {p.path: dict(p.types) for p in shape.paths if len([t for t in p.types if t != "null"]) > 1}


# --- SQL --------------------------------------------------------------------------------------

# How an engine says "matches this regular expression"; SQLite has no REGEXP function unless the
# application registers one, so its predicates use GLOB patterns instead.
_REGEX_OPERATOR = {"postgres": "~", "mysql": "REGEXP"}


class Sql:
    """SQL for the audited engine, for a reader to paste: identifiers quoted, literals escaped."""

    def __init__(self, ctx: AuditContext):
        self.ctx = ctx
        self.dialect = ctx.capabilities.sqlglot_dialect
        self.regex_operator = _REGEX_OPERATOR.get(self.dialect)

    def ident(self, name: str) -> str:
        from sqlglot import exp

        return exp.to_identifier(name, quoted=True).sql(dialect=self.dialect)

    def literal(self, text: str) -> str:
        from sqlglot import exp

        return exp.Literal.string(text).sql(dialect=self.dialect)

    def table(self, schema: Schema, table: Table) -> str:
        if not self.ctx.capabilities.has_schemas:
            return self.ident(table.name)
        return f"{self.ident(schema.name)}.{self.ident(table.name)}"

    def count_query(self, schema: Schema, table: Table, predicate: str) -> str:
        return f"SELECT count(*) FROM {self.table(schema, table)} WHERE {predicate}"

    def is_set(self, column: Column, truthy: list[str] | None = None) -> str:
        """The row's flag is set: `"is_test" = TRUE`, `= 1`, or the true values seen in a text column."""
        name = self.ident(column.name)
        if column.normalized_type == "boolean":
            return f"{name} = TRUE"
        if column.normalized_type in ("integer", "decimal"):
            return f"{name} = 1"
        values = truthy or ["true", "1", "y", "yes"]
        return f"LOWER({name}) IN ({', '.join(self.literal(v.lower()) for v in values)})"

    def matches(self, column: Column, regex: str, globs: list[str], pad: bool = False) -> str:
        """The lower-cased value matches `regex` (written for PostgreSQL, MySQL and MariaDB alike: no
        backslashes, no word boundaries) or, on SQLite, one of the `globs`. `pad` appends a '.' to
        the value first, so that a GLOB's `[^a-z]*` also matches at the end of the value."""
        value = f"LOWER({self.ident(column.name)})"
        if self.regex_operator:
            return f"{value} {self.regex_operator} {self.literal(regex)}"
        subject = f"({value} || '.')" if pad else value
        return " OR ".join(f"{subject} GLOB {self.literal(g)}" for g in globs)

    def between(self, column: Column, first: str, last: str) -> str:
        return f"{self.ident(column.name)} BETWEEN {self.literal(first)} AND {self.literal(last)}"


def any_of(predicates: list[str]) -> str:
    if len(predicates) == 1:
        return predicates[0]
    return " OR ".join(f"({p})" if " OR " in p else p for p in predicates)
