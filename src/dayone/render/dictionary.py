"""The data dictionary: each table with its columns, as `dayone catalog` shows it in every format.

One pass over the catalog builds the entries (a column's keys and the columns it references come
from its table's constraints, looked up by name, never by searching); every format renders them in
one more pass. Names, types, defaults and comments come from the database and are escaped where
each format writes them: here for JSON, CSV and Markdown, in dictionary_text for a terminal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from dayone.catalog.model import Catalog, Column, Schema, Table
from dayone.findings import target_name
from dayone.render.escape import csv_text, json_text, markdown_code, markdown_code_cell, markdown_table_cell, markdown_text

FORMAT = "dayone-dictionary"
FORMAT_VERSION = 1
# Kinds that keep rows of their own: a view's estimate (PostgreSQL says 0) means nothing.
STORED = ("table", "partition", "partitioned table", "materialized view")
CSV_HEADER = ("schema", "table", "column", "position", "type", "nullable", "primary_key", "references", "default", "comment")


@dataclass(frozen=True, slots=True)
class ColumnEntry:
    column: Column
    primary_key: bool
    unique: bool  # a one-column unique constraint
    references: tuple[tuple[str, str, str], ...]  # (schema, table, column) of each foreign key it is part of


@dataclass(frozen=True, slots=True)
class TableEntry:
    schema: Schema
    table: Table
    label: str  # schema.table as a target spells it (SQLite: the table alone)
    estimated_rows: int | None  # a partitioned table: the sum over its partitions
    size_bytes: int | None
    columns: tuple[ColumnEntry, ...]


@dataclass(frozen=True, slots=True)
class Dictionary:
    catalog: Catalog
    has_schemas: bool  # False for SQLite: one schema, "main", in every file
    schemas: tuple[tuple[Schema, tuple[TableEntry, ...]], ...]

    def tables(self) -> Iterator[TableEntry]:
        for _, tables in self.schemas:
            yield from tables

    def label(self, schema: str, table: str) -> str:
        return _label(self.has_schemas, schema, table)

    def reference(self, schema: str, table: str, column: str) -> str:
        return target_name(schema, table, column) if self.has_schemas else target_name(table, column)


def dictionary(catalog: Catalog) -> Dictionary:
    from dayone.dialects.base import dialect_for_product

    has_schemas = dialect_for_product(catalog.product).has_schemas
    return Dictionary(catalog, has_schemas, tuple((s, _schema_entries(s, has_schemas)) for s in catalog.schemas))


def _schema_entries(schema: Schema, has_schemas: bool) -> tuple[TableEntry, ...]:
    partitions: dict[str, list[Table]] = {}
    for table in schema.tables:
        if table.partition_of is not None:
            partitions.setdefault(table.partition_of, []).append(table)
    entries = []
    for table in schema.tables:
        rows, size = (table.estimated_rows, table.size_bytes) if table.kind in STORED else (None, None)
        if table.kind == "partitioned table" and table.name in partitions:  # PostgreSQL keeps the rows in the partitions
            rows = _total(p.estimated_rows for p in partitions[table.name])
            size = _total(p.size_bytes for p in partitions[table.name])
        entries.append(TableEntry(schema, table, _label(has_schemas, schema.name, table.name), rows, size, _column_entries(table)))
    return tuple(entries)


def _label(has_schemas: bool, schema: str, table: str) -> str:
    """A table as a target spells it: schema.table, names quoted where they must be; SQLite's alone."""
    return target_name(schema, table) if has_schemas else target_name(table)


def _total(values) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _column_entries(table: Table) -> tuple[ColumnEntry, ...]:
    primary = set(table.primary_key.columns) if table.primary_key else set()
    unique = {u.columns[0] for u in table.unique_constraints if len(u.columns) == 1}
    references: dict[str, list[tuple[str, str, str]]] = {}
    for fk in table.foreign_keys:
        for column, referred in zip(fk.columns, fk.referred_columns):
            references.setdefault(column, []).append((fk.referred_schema, fk.referred_table, referred))
    return tuple(
        ColumnEntry(c, c.name in primary, c.name in unique, tuple(references.get(c.name, ()))) for c in table.columns
    )


def shown_default(column: Column) -> str:
    """The default as a reader wants it: how the key is generated rather than the sequence call behind
    it, a generated column's expression, MySQL's ON UPDATE."""
    if column.generated is not None:
        return f"generated: {column.generated}"
    if column.identity is not None:
        return {"by default": "identity by default", "always": "identity always"}.get(column.identity, column.identity)
    shown = column.default or ""
    if column.on_update:
        shown += f" on update {column.on_update}" if shown else f"on update {column.on_update}"
    return shown


def short_version(catalog: Catalog) -> str:
    """The server's version without the build details after it ("16.2", not "16.2 (Debian 16.2-1)"); an
    empty or blank version (a hand-edited snapshot) is empty, not an IndexError."""
    return next(iter(catalog.version.split()), "") if catalog.version else ""


def one_line(text: str | None) -> str:
    """A comment of several lines as one: its whitespace runs (newlines too) made single spaces."""
    return " ".join(text.split()) if text else ""


# --- words and numbers -------------------------------------------------------------------------

_PLURALS = {"table": "tables", "partition": "partitions", "partitioned table": "partitioned tables", "view": "views",
            "materialized view": "materialized views", "foreign table": "foreign tables"}  # fmt: skip


def counted(number: int, word: str) -> str:
    return f"{number:,} {word if number == 1 else _PLURALS.get(word, word + 's')}"


def kinds(tables: tuple[TableEntry, ...]) -> str:
    by_kind: dict[str, int] = {}
    for e in tables:
        by_kind[e.table.kind] = by_kind.get(e.table.kind, 0) + 1
    return ", ".join(counted(n, kind) for kind, n in by_kind.items())


def summary(found: Dictionary) -> str:
    """What the catalog holds, in one line: "1,203 tables and views, 9,112 columns, in 3 schemas"."""
    tables = sum(len(t) for _, t in found.schemas)
    columns = sum(len(e.columns) for e in found.tables())
    text = f"{tables:,} tables and views, {counted(columns, 'column')}"
    if found.has_schemas:
        text += f", in {counted(len(found.schemas), 'schema')}"
    enums = sum(len(s.enums) for s, _ in found.schemas)
    return text + (f"; {counted(enums, 'enum type')}" if enums else "")


def size_text(size: int | None) -> str:
    """Bytes as a person reads them, in steps of 1,024 as PostgreSQL's pg_size_pretty: 8 kB, 1.5 MB."""
    if size is None:
        return ""
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if value < 1024 or unit == "PB":
            break
        value /= 1024
    if unit == "B":
        return f"{size} B"
    return f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}" if value < 10 else f"{value:,.0f} {unit}"


# --- JSON --------------------------------------------------------------------------------------


def to_json(found: Dictionary) -> str:
    """The documented shape (docs/catalog.md): schemas, their tables, each table's columns."""
    from dayone import __version__

    catalog = found.catalog
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool": {"name": "dayone", "version": __version__},
        "database": catalog.database,
        "product": catalog.product,
        "version": catalog.version,
        "schemas": [
            {"name": schema.name, "enums": [{"name": e.name, "values": list(e.values)} for e in schema.enums],
             "tables": [_table_json(entry) for entry in tables]}
            for schema, tables in found.schemas
        ],
    }  # fmt: skip
    return json_text(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode())


def _table_json(entry: TableEntry) -> dict:
    t = entry.table
    return {
        "name": t.name,
        "kind": t.kind,
        "comment": t.comment,
        "estimated_rows": entry.estimated_rows,
        "size_bytes": entry.size_bytes,
        "primary_key": list(t.primary_key.columns) if t.primary_key else None,
        "partition_of": t.partition_of,
        "foreign_keys": [
            {"name": fk.name, "columns": list(fk.columns), "references": {"schema": fk.referred_schema, "table": fk.referred_table,
             "columns": list(fk.referred_columns)}, "on_delete": fk.on_delete, "on_update": fk.on_update}
            for fk in t.foreign_keys
        ],  # fmt: skip
        "columns": [_column_json(c) for c in entry.columns],
    }


def _column_json(entry: ColumnEntry) -> dict:
    c = entry.column
    return {
        "name": c.name,
        "position": c.position,
        "type": c.declared_type,
        "normalized_type": c.normalized_type,
        "nullable": c.nullable,
        "primary_key": entry.primary_key,
        "unique": entry.unique,
        "references": [{"schema": s, "table": t, "column": r} for s, t, r in entry.references],
        "default": c.default,
        "identity": c.identity,
        "generated": c.generated,
        "comment": c.comment,
    }


# --- CSV ---------------------------------------------------------------------------------------


def to_csv(found: Dictionary) -> str:
    """One row per column, with a header row. Every text cell goes through csv_text: control
    characters escaped (a CSV file has no escape of its own: JSON keeps the exact names), and a cell
    a spreadsheet would take for a formula starts with a quote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    cell = csv_text
    for entry in found.tables():
        schema, table = cell(entry.schema.name), cell(entry.table.name)
        writer.writerows(
            (schema, table, cell(c.column.name), c.column.position, cell(c.column.declared_type),
             "true" if c.column.nullable else "false", "true" if c.primary_key else "false",
             cell(", ".join(found.reference(*r) for r in c.references)), cell(c.column.default or ""),
             cell(c.column.comment or ""))
            for c in entry.columns
        )  # fmt: skip
    return out.getvalue()


# --- Markdown ----------------------------------------------------------------------------------


def to_markdown(found: Dictionary) -> str:
    """A title, then one section per schema (its tables in a table) and one per table (its columns
    in a table). Names, types and defaults are code spans, comments escaped text: no name or comment
    can add a heading, a row, a link or HTML."""
    catalog = found.catalog
    lines = [f"# Data dictionary: {markdown_text(catalog.database)}", "",
             f"{markdown_text(catalog.product)} {markdown_text(short_version(catalog))} — {markdown_text(summary(found))}"]  # fmt: skip
    for schema, tables in found.schemas:
        lines += ["", f"## Schema {markdown_code(schema.name)}" if found.has_schemas else "## Tables", ""]
        if not tables:
            lines.append("No tables or views.")
        else:
            lines += ["| Table | Kind | Rows (estimate) | Size | Primary key | Comment |", "|---|---|--:|--:|---|---|"]
            lines += [
                f"| {markdown_code_cell(e.table.name)} | {e.table.kind} | {'' if e.estimated_rows is None else f'{e.estimated_rows:,}'} "
                f"| {size_text(e.size_bytes)} | {_key_cell(e.table)} | {markdown_table_cell(one_line(e.table.comment))} |"
                for e in tables
            ]  # fmt: skip
        if schema.enums:
            lines += ["", "Enum types:", ""]
            lines += [f"- {markdown_code(e.name)}: {', '.join(markdown_code(v) for v in e.values)}" for e in schema.enums]
        for entry in tables:
            lines += _table_markdown(found, entry)
    return "\n".join(lines) + "\n"


def _key_cell(table: Table) -> str:
    if table.primary_key:
        return ", ".join(markdown_code_cell(c) for c in table.primary_key.columns)
    return "none" if table.kind in ("table", "partitioned table") else ""


def table_facts(entry: TableEntry) -> list[str]:
    """What a table's heading line says of it: its kind, about how many rows, its size."""
    facts = [entry.table.kind]
    if entry.estimated_rows is not None:
        facts.append(f"about {counted(entry.estimated_rows, 'row')}")
    if entry.size_bytes is not None:
        facts.append(size_text(entry.size_bytes))
    return facts


def _table_markdown(found: Dictionary, entry: TableEntry) -> list[str]:
    t = entry.table
    lines = ["", f"### {markdown_code(entry.label)}", "", " · ".join(table_facts(entry))]
    if t.comment:
        lines += ["", "\n".join(markdown_text(line.strip()) for line in t.comment.splitlines() if line.strip())]
    if t.partition_of is not None:
        parent = found.label(entry.schema.name, t.partition_of)
        bound = f" ({markdown_code(t.partition_bound)})" if t.partition_bound else ""
        lines += ["", f"Partition of {markdown_code(parent)}{bound}: its columns are its parent's."]
        return lines
    if not entry.columns:
        return lines
    lines += ["", "| Column | Type | Nullable | Key | Default | Comment |", "|---|---|---|---|---|---|"]
    for c in entry.columns:
        default = shown_default(c.column)
        lines.append(
            f"| {markdown_code_cell(c.column.name)} | {markdown_code_cell(c.column.declared_type)} | {'yes' if c.column.nullable else 'no'} "
            f"| {_keys_markdown(found, c)} | {markdown_code_cell(default) if default else ''} | {markdown_table_cell(one_line(c.column.comment))} |"
        )  # fmt: skip
    return lines


def _keys_markdown(found: Dictionary, entry: ColumnEntry) -> str:
    keys = (["PK"] if entry.primary_key else []) + (["unique"] if entry.unique else [])
    keys += [f"FK → {markdown_code_cell(found.reference(*r))}" for r in entry.references]
    return ", ".join(keys)
