"""`dayone export dbt`: a dbt project's sources, staging models and snapshots, from export facts.

What it writes under the project's root (paths relative to it):
- `dbt_project.yml`, only when the folder has none;
- `models/staging/<source>/_<source>__sources.yml`: every table and column with descriptions, data
  types, tests (keys, NOT NULL, references, declared values), freshness on a maintained last-modified
  column, and `meta` with what the audit learned (soft deletes, test data, personal data, finding ids);
- `models/staging/<source>/stg_<source>__<table>.sql`: explicit columns, wall-clock times converted
  with the answered zone (or a comment saying it is unanswered), soft-deleted rows flagged, test rows
  left out where a flag marks them;
- `snapshots/<source>/_<source>__snapshots.yml`: a `check` snapshot of the status columns of each
  table whose status history the database does not keep.

Every name, comment and value comes from the database and is untrusted: YAML is written by the
exports' one YAML writer (dayone.export.yamltext), SQL identifiers are quoted by sqlglot for the
engine, and since dbt renders both YAML and SQL as Jinja, every untrusted string is made
Jinja-inert (`jinja_inert`). The SQL is the source engine's: the models are meant for a warehouse of the same engine, or as the start of a port.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


from dayone.export.facts import ColumnFacts, ExportFacts, SoftDelete, TableFacts, first_free
from dayone.export.files import ExportFile
from dayone.export.yamltext import Flow, to_yaml

SQL_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
FRESHNESS = {"warn_after": {"count": 1, "period": "day"}}  # a starting point: tune it to the load schedule
DELETED_FLAG_NAMES = ("is_deleted", "is_soft_deleted", "dayone_is_deleted")
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def jinja_inert(text: str) -> str:
    """`text` as Jinja renders back to itself: each `{` that would open a tag, an expression or a
    comment is written as the expression `{{ '{' }}`."""
    return _JINJA_OPEN.sub("{{ '{' }}", text)


def comment_text(text: str) -> str:
    """Untrusted text on one line of a SQL `--` comment: line breaks and control characters escaped,
    Jinja-inert."""
    shown = "".join(ch if unicodedata.category(ch)[0] != "C" and ch not in "\u2028\u2029" else f"\\u{ord(ch):04x}" for ch in text)
    return jinja_inert(shown)


def _jinja_string(text: str) -> str:
    """A Jinja string literal holding `text` (Jinja decodes backslash escapes in its literals)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}" for ch in escaped)
    return f"'{escaped}'"


def dbt_name(text: str) -> str:
    """A name dbt accepts for a source, a model or a project (and a file name): lowercase letters,
    digits and underscores, not starting with a digit."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9_]+", "_", folded).strip("_") or "unnamed"
    return f"s_{name}" if name[0].isdigit() else name


@dataclass(frozen=True)
class DbtSource:
    """One dbt source: the tables of one schema of one database."""

    name: str
    schema: str
    tables: tuple[TableFacts, ...]


def dbt_files(facts: ExportFacts, source_name: str, project_name: str) -> list[ExportFile]:
    """The files `dayone export dbt` writes for one database, paths relative to the project root."""
    renderer = _Renderer(facts)
    folder = dbt_name(source_name)
    schemas = sorted({t.schema for t in facts.tables})
    sources, taken = [], set()
    for schema in schemas:  # one dbt source per schema, each name its own (schemas Sales and sales)
        base = folder if len(schemas) == 1 else dbt_name(f"{folder}_{schema}")
        name = first_free(base, taken)
        sources.append(DbtSource(name, schema, tuple(t for t in facts.tables if t.schema == schema)))
    renderer.sources = {s.schema: s for s in sources}
    files = [ExportFile("dbt_project.yml", project_yaml(project_name), only_when_absent=True)]
    base = f"models/staging/{folder}"
    files.append(ExportFile(f"{base}/_{folder}__sources.yml", renderer.sources_yaml(sources)))
    for source in sources:
        models = renderer.model_names(source)
        for table in source.tables:
            files.append(ExportFile(f"{base}/{models[table.name]}.sql", renderer.staging_sql(source, table).encode()))
    snapshots = renderer.snapshots_yaml(sources)
    if snapshots is not None:
        files.append(ExportFile(f"snapshots/{folder}/_{folder}__snapshots.yml", snapshots))
    return files


def project_yaml(name: str) -> bytes:
    project = dbt_name(name)
    doc = {}
    doc["name"] = project
    doc["version"] = "1.0.0"
    doc["profile"] = project
    doc["model-paths"] = Flow(["models"])
    doc["snapshot-paths"] = Flow(["snapshots"])
    doc["models"] = {project: {"staging": {"+materialized": "view"}}}
    header = ("# Written by `dayone export dbt` because this folder had no dbt project; yours from now on: dayone never\n"
              f"# rewrites it. The profile `{project}` must exist in your profiles.yml (~/.dbt/profiles.yml).\n")  # fmt: skip
    return (header + to_yaml(doc)).encode()


class _Renderer:
    def __init__(self, facts: ExportFacts):
        self.facts = facts
        self.dialect = SQL_DIALECTS.get(facts.product, "postgres")
        self.sources: dict[str, DbtSource] = {}
        self._names: dict[str, dict[str, str]] = {}

    # -- names -------------------------------------------------------------------------------------

    def table_names(self, source: DbtSource) -> dict[str, str]:
        """table name -> its name in dbt (a source table's `name`; its `identifier` is the real
        name): the name itself when plain, else folded to what dbt accepts (no spaces), unique
        within the source (`Orders` and `orders`)."""
        if source.name not in self._names:
            names: dict[str, str] = {}
            taken = {t.name for t in source.tables if _PLAIN.fullmatch(t.name)}
            for table in source.tables:
                if _PLAIN.fullmatch(table.name):
                    names[table.name] = table.name
                    continue
                base = dbt_name(table.name)
                names[table.name] = first_free(base, taken)
            self._names[source.name] = names
        return self._names[source.name]

    def model_names(self, source: DbtSource) -> dict[str, str]:
        """table name -> its staging model's name."""
        return {table: f"stg_{source.name}__{name}" for table, name in self.table_names(source).items()}

    def quote(self, name: str) -> str:
        """An identifier as the engine's SQL spells it, always quoted (the exact name, whatever its case)."""
        from sqlglot import exp

        return jinja_inert(exp.to_identifier(name, quoted=True).sql(dialect=self.dialect))

    def column_ref(self, name: str) -> str:
        """A column's name where dbt puts it into SQL as written (loaded_at_field, check_cols,
        unique_key, a relationship's field): quoted, since a plain name may be a reserved word (user)."""
        return self.quote(name)

    def literal(self, value: str) -> str:
        from sqlglot import exp

        return jinja_inert(exp.Literal.string(value).sql(dialect=self.dialect))

    # -- sources -----------------------------------------------------------------------------------

    def sources_yaml(self, sources: list[DbtSource]) -> bytes:
        doc = {}
        doc["version"] = 2
        doc["sources"] = [self._source(s) for s in sources]
        header = ("# Written by `dayone export dbt` from an audit of the database. dayone rewrites this file on the next\n"
                  "# export unless you edit it (it then stops and names the file; --force overwrites).\n")  # fmt: skip
        return (header + to_yaml(doc)).encode()

    def _source(self, source: DbtSource) -> dict:
        facts = self.facts
        out = {}
        out["name"] = source.name
        out["description"] = _text(f"Schema {source.schema} of the {facts.product} database {facts.database}, as dayone audited it.")
        if '"' in source.schema or "`" in source.schema:  # as identifiers below
            out["schema"] = self.quote(source.schema)
            out["quoting"] = {"schema": False, "identifier": True}
        else:
            out["schema"] = _text(source.schema)
            out["quoting"] = {"identifier": True}  # the exact table names, whatever their case
        out["tables"] = [self._table(source, t) for t in source.tables]
        return out

    def _table(self, source: DbtSource, table: TableFacts) -> dict:
        out = {}
        out["name"] = self.table_names(source)[table.name]
        if '"' in table.name or "`" in table.name:  # dbt quotes without doubling a quote inside: quoted here
            out["identifier"] = self.quote(table.name)
            out["quoting"] = {"identifier": False}
        elif out["name"] != table.name:
            out["identifier"] = _text(table.name)
        if table.description:
            out["description"] = _text(table.description)
        config = {}
        if table.last_modified:
            config["loaded_at_field"] = self.column_ref(table.last_modified)
            config["freshness"] = FRESHNESS  # the writer writes no aliases: each table shows it in full
        meta = self._table_meta(table)
        if meta:
            config["meta"] = {"dayone": meta}
        if config:
            out["config"] = config
        key = self._combined_key(table)
        if key is not None:  # dbt's unique test takes an expression: the key's columns as one value
            out["data_tests"] = [{"unique": {"column_name": key}}]
        out["columns"] = [self._column(source, table, c) for c in table.columns]
        return out

    def _table_meta(self, table: TableFacts) -> dict:
        meta = {}
        if table.primary_key:
            meta["primary_key"] = Flow([_text(c) for c in table.primary_key])
        if table.last_modified:
            meta["last_modified"] = {"column": _text(table.last_modified), "maintained_by": _text(table.last_modified_by or "")}
        if table.soft_delete:
            meta["soft_delete"] = [_soft_delete_meta(s) for s in table.soft_delete]
        if table.test_data is not None:
            test = {}
            if table.test_data.flags:
                test["flags"] = Flow([_text(c) for c in table.test_data.flags])
            if table.test_data.predicate:
                test["looks_like_test_data"] = _text(table.test_data.predicate)
            test["filtered_in_staging"] = bool(table.test_data.flags)
            meta["test_data"] = test
        if table.untracked_statuses:
            meta["status_history_not_kept"] = Flow([_text(c) for c in table.untracked_statuses])
        extraction = {}
        extraction["method"] = table.extraction.method
        if table.extraction.cursor:
            extraction["cursor"] = _text(table.extraction.cursor)
        extraction["reason"] = _text(table.extraction.reason)
        meta["extraction"] = extraction
        ids = sorted(set(table.finding_ids) | ({table.extraction.finding_id} if table.extraction.finding_id else set()))
        if ids:
            meta["finding_ids"] = Flow(ids)
        return meta

    def _column(self, source: DbtSource, table: TableFacts, column: ColumnFacts) -> dict:
        out = {}
        out["name"] = _text(column.name)
        out["quote"] = True  # dbt's tests then quote it: a plain name may be a reserved word (user, select)
        if column.description:
            out["description"] = _text(column.description)
        out["data_type"] = _text(column.data_type)
        config = {}
        meta = {}
        if column.personal_data:
            config["tags"] = Flow(["personal_data"])
            meta["personal_data"] = column.personal_data
        if column.naive_timestamp:
            meta["wall_clock_time_zone"] = self.facts.timezone or "unanswered"
        if column.accepted_values_from:
            meta["accepted_values_from"] = _text(column.accepted_values_from)
        if column.finding_ids:
            meta["finding_ids"] = Flow(list(column.finding_ids))
        if meta:
            config["meta"] = {"dayone": meta}
        if config:
            out["config"] = config
        # dbt quotes a name without doubling a quote inside it: no test of such a column would run
        tests = self._column_tests(source, table, column) if '"' not in column.name and "`" not in column.name else []
        if tests:
            out["data_tests"] = tests
        return out

    def _combined_key(self, table: TableFacts) -> str | None:
        """A primary key of several columns as one expression whose values are equal exactly when
        every column is: a row value on PostgreSQL, the columns joined by a control character (which
        names and codes do not hold) on MySQL/MariaDB and SQLite."""
        if len(table.primary_key) < 2 or any('"' in c or "`" in c for c in table.primary_key):
            return None
        columns = [self.quote(c) for c in table.primary_key]
        if self.dialect == "postgres":
            return f"row({', '.join(columns)})"
        if self.dialect == "mysql":
            return f"concat_ws(char(31), {', '.join(columns)})"
        return " || char(31) || ".join(columns)

    def _column_tests(self, source: DbtSource, table: TableFacts, column: ColumnFacts) -> list:
        tests: list = []
        if column.unique:
            tests.append("unique")
        if column.not_null or (column.primary_key and len(table.primary_key) == 1):
            tests.append("not_null")
        if column.accepted_values:
            numeric = column.normalized_type in ("integer", "decimal", "float")
            arguments = {}
            if numeric:
                arguments["values"] = Flow([_text(v) for v in column.accepted_values])
                arguments["quote"] = False
            elif any("'" in v or "\\" in v for v in column.accepted_values):
                # dbt puts each value between quotes as it is: a quote inside would end it; the literals are ours
                arguments["values"] = Flow([self.literal(v) for v in column.accepted_values])
                arguments["quote"] = False
            else:
                arguments["values"] = Flow([_text(v) for v in column.accepted_values])
            tests.append({"accepted_values": {"arguments": arguments}})
        for relation in table.relationships:
            if relation.columns != (column.name,) or len(relation.to_columns) != 1:
                continue  # dbt's relationships test takes one column
            target = self.sources.get(relation.to_schema)
            if target is None or not any(t.name == relation.to_table for t in target.tables):
                continue  # the referenced table is not exported: nothing to test against
            arguments = {}
            arguments["to"] = jinja_source(target.name, self.table_names(target)[relation.to_table], braces=False)
            arguments["field"] = self.column_ref(relation.to_columns[0])
            test = {}
            test["arguments"] = arguments
            if not relation.declared:
                test["config"] = {"meta": {"dayone": {"implicit_reference": _text(relation.evidence or ""),
                                                      "finding_id": relation.finding_id}}}  # fmt: skip
            tests.append({"relationships": test})
        return tests

    # -- staging models ----------------------------------------------------------------------------

    def staging_sql(self, source: DbtSource, table: TableFacts) -> str:
        lines = [f"-- Staging model of {comment_text(source.schema)}.{comment_text(table.name)}, written by `dayone export dbt`.",
                 "-- Columns as the source has them; dayone rewrites this file unless you edit it (then --force overwrites)."]  # fmt: skip
        where = []
        flags = table.test_data.flags if table.test_data else ()
        if flags:
            lines.append("-- Test rows, marked by " + ", ".join(comment_text(f) for f in flags) + ", are left out"
                         + _ids(table.test_data.finding_ids) + ".")  # fmt: skip
            where = [f"not {self._truth(table, f)}" for f in flags]
        elif table.test_data is not None and table.test_data.predicate:
            lines.append("-- Some rows look like test data (no flag marks them; see meta.dayone.test_data)"
                         + _ids(table.test_data.finding_ids) + ": they are kept.")  # fmt: skip
        deleted_name = next((n for n in DELETED_FLAG_NAMES if table.column(n) is None), None)
        if table.soft_delete and deleted_name:
            said = "; ".join(f"{comment_text(s.column)} ({comment_text(s.kind)}{_ids((s.finding_id,) if s.finding_id else ())})"
                             for s in table.soft_delete)  # fmt: skip
            lines.append(f"-- {deleted_name}: rows the source marks as deleted but keeps, by {said}.")
        naive = [c for c in table.columns if c.naive_timestamp]
        zone = self.facts.timezone
        convert = bool(naive and zone and self.dialect != "sqlite")
        if naive and convert:
            lines.append(f"-- Wall-clock times ({', '.join(comment_text(c.name) for c in naive)}) are read as {comment_text(zone)} time, as "
                         f"answered: \"{comment_text(self.facts.timezone_answer or zone)}\".")  # fmt: skip
            if self.dialect == "mysql":
                lines.append("-- CONVERT_TZ needs the server's time zone tables (mysql_tzinfo_to_sql); without them it returns NULL.")
        elif naive and zone:  # SQLite: no zones to convert between
            lines.append(f"-- {', '.join(comment_text(c.name) for c in naive)}: wall-clock times in {comment_text(zone)}, as answered; "
                         "SQLite cannot convert between zones: kept as they are.")  # fmt: skip
        elif naive:
            server = self.facts.server_timezone
            lines.append(f"-- ASSUMPTION: {', '.join(comment_text(c.name) for c in naive)} {'holds' if len(naive) == 1 else 'hold'} wall-clock times without a zone; which "
                         "zone the application writes them in is not answered yet"
                         + (f" (the server's zone is {comment_text(server)})" if server else "")
                         + ": kept as they are, not converted.")  # fmt: skip
        selected = []
        for column in table.columns:
            name = self.quote(column.name)
            if convert and column.naive_timestamp:
                selected.append(f"{self._to_utc(name, zone)} as {name}")
            else:
                selected.append(name)
        if table.soft_delete and deleted_name:
            selected.append(f"{' or '.join(self._deleted(table, s) for s in table.soft_delete)} as {self.quote(deleted_name)}")
        body = ",\n".join(f"    {s}" for s in selected)
        relation = jinja_source(source.name, self.table_names(source)[table.name])
        sql = "\n".join(lines) + f"\n\nselect\n{body}\nfrom {relation}\n"
        if where:
            sql += "where " + "\n  and ".join(where) + "\n"
        return sql

    def _to_utc(self, name: str, zone: str) -> str:
        if self.dialect == "mysql":
            return f"convert_tz({name}, {self.literal(zone)}, '+00:00')"
        return f"({name} at time zone {self.literal(zone)})"  # PostgreSQL: the instant, a timestamptz

    def _truth(self, table: TableFacts, name: str) -> str:
        """`name` (a boolean or integer flag) is set, NULL counted as not set."""
        column = table.column(name)
        quoted = self.quote(name)
        if column is not None and column.normalized_type == "boolean" and self.dialect == "postgres":
            return f"coalesce({quoted}, false)"
        return f"coalesce({quoted} <> 0, false)"

    def _deleted(self, table: TableFacts, marker: SoftDelete) -> str:
        quoted = self.quote(marker.column)
        boolean = marker.flag_type == "boolean" and self.dialect == "postgres"
        if marker.deleted_when == "set":
            return f"{quoted} is not null"
        if marker.deleted_when == "true":
            return f"coalesce({quoted}, false)" if boolean else f"coalesce({quoted} <> 0, false)"
        if marker.deleted_when == "false":
            return f"coalesce(not {quoted}, false)" if boolean else f"coalesce({quoted} = 0, false)"
        values = ", ".join(self.literal(v) for v in marker.values)
        return f"coalesce({quoted} in ({values}), false)"

    # -- snapshots ---------------------------------------------------------------------------------

    def snapshots_yaml(self, sources: list[DbtSource]) -> bytes | None:
        snapshots = []
        for source in sources:
            models = self.model_names(source)
            for table in source.tables:
                if not table.untracked_statuses or not table.primary_key:
                    continue  # no history to start, or no key to follow a row by
                snapshot = {}
                snapshot["name"] = "snp_" + models[table.name].removeprefix("stg_")
                snapshot["description"] = _text(
                    f"Changes of {', '.join(table.untracked_statuses)} in {table.name}, which the database keeps no history of: "
                    "the warehouse starts tracking them from the first run.")  # fmt: skip
                snapshot["relation"] = jinja_source(source.name, self.table_names(source)[table.name], braces=False)
                config = {}
                key = [self.column_ref(c) for c in table.primary_key]
                config["unique_key"] = key[0] if len(key) == 1 else Flow(key)
                config["strategy"] = "check"
                config["check_cols"] = Flow([self.column_ref(c) for c in table.untracked_statuses])
                ids = [f for c in table.untracked_statuses for f in (table.column(c).finding_ids if table.column(c) else ())]
                if ids:
                    config["meta"] = {"dayone": {"finding_ids": Flow(sorted(set(ids)))}}
                snapshot["config"] = config
                snapshots.append(snapshot)
        if not snapshots:
            return None
        doc = {}
        doc["snapshots"] = snapshots
        header = ("# Written by `dayone export dbt`: snapshots of status columns whose history the database does not keep.\n"
                  "# dayone rewrites this file on the next export unless you edit it (then --force overwrites).\n")  # fmt: skip
        return (header + to_yaml(doc)).encode()


def jinja_source(source: str, table: str, braces: bool = True) -> str:
    call = f"source({_jinja_string(source)}, {_jinja_string(table)})"
    return "{{ " + call + " }}" if braces else call


def _soft_delete_meta(marker: SoftDelete) -> dict:
    out = {}
    out["column"] = _text(marker.column)
    out["kind"] = marker.kind
    out["deleted_when"] = {"set": "not null", "true": "true", "false": "false or 0", "in": "one of the values"}[marker.deleted_when]
    if marker.values:
        out["values"] = Flow([_text(v) for v in marker.values])
    if marker.finding_id:
        out["finding_id"] = marker.finding_id
    return out


def _ids(ids) -> str:
    return f" ({', '.join(ids)})" if ids else ""


def _text(value: str) -> str:
    return jinja_inert(value)
