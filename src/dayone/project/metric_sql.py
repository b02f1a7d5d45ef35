"""A metric's SQL, read with sqlglot in its source's dialect, offline: is it one SELECT that writes
nothing, which tables and columns of the catalog does it read, and how it reads them (filtered on,
grouped by, truncated to days, compared with the previous row).

Nothing here opens a connection: `metrics check` works on the latest catalog kept, and `metrics run`
calls `refuse_unsafe` before it connects. Names resolve as the engine resolves them:

- a table named with its schema (`app.rides`, `main.members`, `shop.orders`) is looked up there;
- a table named alone is looked up in the source's default schemas, which the dialect gives
  (Dialect.default_schemas): PostgreSQL's default search_path ("$user", then public), the URL's
  database on MySQL/MariaDB, `main` on SQLite;
- identifiers fold as the engine folds them: PostgreSQL lowers unquoted names and keeps quoted ones,
  SQLite matches every name without regard to case, MySQL/MariaDB columns too (table names are
  compared as written: they are file names, case-sensitive on Linux).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.qualify_columns import qualify_columns
from sqlglot.optimizer.qualify_tables import qualify_tables
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema

from dayone.errors import DayoneError
from dayone.findings import target_name

if TYPE_CHECKING:
    from dayone.catalog.model import Catalog, Schema, Table
    from dayone.dialects.base import Dialect

ColumnKey = tuple[str, str, str]  # schema, table, column, as the catalog spells them
TableKey = tuple[str, str]


class SqlProblem(DayoneError):
    """The SQL does not parse, is not one SELECT, or asks for something a metric may not do."""


# -- parsing and refusing -------------------------------------------------------------------------


def parse(sql: str, dialect: str) -> exp.Expression:
    """The one statement of `sql`, or SqlProblem saying why there is not exactly one."""
    sqlglot_logger = logging.getLogger("sqlglot")
    level = sqlglot_logger.level
    sqlglot_logger.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is ours to say
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as exc:
        raise SqlProblem(f"does not parse: {_parse_error(exc)}") from None
    except TokenError as exc:
        raise SqlProblem(f"does not parse: {' '.join(str(exc).split())}") from None
    except SqlglotError as exc:
        raise SqlProblem(f"does not parse: {' '.join(str(exc).split())}") from None
    finally:
        sqlglot_logger.setLevel(level)
    if not statements:
        raise SqlProblem("is empty: a metric is one SELECT")
    if len(statements) > 1:
        raise SqlProblem(f"holds {len(statements)} statements: a metric is one SELECT")
    return statements[0]


def _parse_error(exc: ParseError) -> str:
    first = exc.errors[0] if exc.errors else {}
    description = first.get("description") or str(exc).split("\n")[0]
    where = f" at line {first['line']}, column {first['col']}" if first.get("line") else ""
    near = first.get("highlight")
    return f"{description.rstrip('.')}{where}" + (f", near {near!r}" if near else "")


def _classes(*names: str) -> tuple[type, ...]:
    return tuple(c for c in (getattr(exp, n, None) for n in names) if isinstance(c, type))


# Nodes that change data, the schema, the session or locks, or that are not a query at all: refused
# wherever they stand (a DELETE inside a WITH, a SELECT ... INTO, FOR UPDATE).
_NOT_READS = _classes(
    "DML", "DDL", "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable", "Copy",
    "Into", "Lock", "Set", "Pragma", "Use", "Transaction", "Commit", "Rollback", "Grant", "Revoke", "Attach",
    "Detach", "LoadData", "Analyze", "Cache", "Uncache", "Refresh", "Kill", "Execute", "Declare", "Comment",
    "Command", "NextValueFor", "Install", "Export", "Put", "Get", "Describe", "Show", "Summarize",
)  # fmt: skip
_WHAT = {"Into": "SELECT ... INTO writes its rows into a table or variables", "Lock": "a locking clause (FOR UPDATE, "
         "FOR SHARE, LOCK IN SHARE MODE) takes row locks", "NextValueFor": "NEXT VALUE FOR advances a sequence",
         "Command": "it is a command sqlglot does not read as a query"}  # fmt: skip

# Functions that write, lock, signal other sessions, read the server's files or run SQL given as
# text, which a read-only transaction does not stop (pg_terminate_backend, pg_advisory_lock,
# GET_LOCK) or which say what they are (nextval). Every engine's, whatever the source: a function
# of that name elsewhere is as suspicious.
_WRITING_FUNCTIONS = frozenset({
    "nextval", "setval", "set_config", "txid_current", "query_to_xml", "query_to_xmlschema",
    "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",  # PostgreSQL
    "get_lock", "release_lock", "release_all_locks", "load_file", "master_pos_wait", "source_pos_wait",
    "sys_exec", "sys_eval", "wait_for_executed_gtid_set", "wait_until_sql_thread_after_gtids",  # MySQL/MariaDB
    "load_extension", "writefile", "readfile", "edit", "fts3_tokenizer",  # SQLite (and its shell)
})  # fmt: skip
_WRITING_PREFIXES = ("pg_", "lo_", "dblink")  # PostgreSQL's admin functions, large objects, remote SQL
# pg_* functions that only read or wait (the statement timeout bounds a wait)
_HARMLESS_PG = frozenset({"pg_typeof", "pg_column_size", "pg_size_pretty", "pg_sleep", "pg_sleep_for",
                          "pg_sleep_until", "pg_encoding_to_char", "pg_get_userbyid"})  # fmt: skip


def refuse_unsafe(statement: exp.Expression) -> None:
    """SqlProblem unless `statement` is a single query that only reads: no DDL or DML anywhere in
    it, no SELECT ... INTO, no locking clause, no function known to write, lock or run SQL."""
    if not isinstance(statement, exp.Query):
        raise SqlProblem(f"is not a SELECT ({_kind(statement)}): metrics only read")
    for node in statement.walk():
        if isinstance(node, _NOT_READS):
            what = _WHAT.get(type(node).__name__) or f"{_kind(node)} is not a read"
            raise SqlProblem(f"is refused: {what}; metrics only read")
        if isinstance(node, exp.Func):
            name = function_name(node)
            if name in _WRITING_FUNCTIONS or (name.startswith(_WRITING_PREFIXES) and name not in _HARMLESS_PG):
                raise SqlProblem(f"is refused: it calls {name}(), which writes, locks, signals other sessions or "
                                 "runs SQL of its own; metrics only read")  # fmt: skip


def function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).split()[0].upper() if node.this else "a command"
    return type(node).__name__.upper()


# -- resolving names against the catalog ----------------------------------------------------------


@dataclass
class Reading:
    """What a metric reads, and how. Columns are the catalog's (schema, table, column)."""

    tables: set[TableKey] = field(default_factory=set)
    columns: set[ColumnKey] = field(default_factory=set)  # every column read: depends_on
    filtered: set[ColumnKey] = field(default_factory=set)  # in WHERE, ON, HAVING, QUALIFY, FILTER, CASE WHEN
    grouped: set[ColumnKey] = field(default_factory=set)  # in GROUP BY or a window's PARTITION BY
    truncated: dict[ColumnKey, str] = field(default_factory=dict)  # cut to days (or coarser), without a zone: how
    compared: set[ColumnKey] = field(default_factory=set)  # compared with the previous row (LAG, LEAD)
    problems: list[tuple[str, ColumnKey | None]] = field(default_factory=list)  # blocked: what is missing, and where


@dataclass(frozen=True)
class Names:
    """How a source names things: its catalog, which names fold case, where a lone table name is looked up."""

    catalog: Catalog
    default_schemas: tuple[str, ...]
    tables_ignore_case: bool = False
    columns_ignore_case: bool = False

    @classmethod
    def of(cls, catalog: Catalog, dialect: Dialect, url_database: str | None) -> Names:
        return cls(catalog, tuple(dialect.default_schemas(catalog, url_database)),
                   dialect.table_names_ignore_case, dialect.column_names_ignore_case)  # fmt: skip

    def schema(self, name: str) -> Schema | None:
        return _match(name, self.catalog.schemas, self.tables_ignore_case)

    def table(self, schema: Schema, name: str) -> Table | None:
        return _match(name, schema.tables, self.tables_ignore_case)


def _match(name: str, items: Sequence, ignore_case: bool):
    found = next((item for item in items if item.name == name), None)
    if found is None and ignore_case:
        found = next((item for item in items if item.name.lower() == name.lower()), None)
    return found


def suggestion(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, when one is close enough to be what was meant (difflib)."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def column_label(key: ColumnKey) -> str:
    return target_name(*key)


def read(statement: exp.Expression, names: Names, dialect: str) -> Reading:
    """Resolve every table and column `statement` reads against the catalog; what cannot be found
    goes to `problems`, with the closest name when one is close."""
    tree = statement.copy()
    reading = Reading()
    _fold_identifiers(tree, names, dialect)
    tables = _resolve_tables(tree, names, reading)
    if reading.problems:
        return reading  # columns of a table that does not exist would only repeat it
    schema = MappingSchema(
        {s: {t: {_column_key(c.name, names): "UNKNOWN" for c in table.columns} for t, table in by_name.items()}
         for s, by_name in _nested(tables).items()},
        dialect=dialect, normalize=False,
    )  # fmt: skip
    try:
        qualify_tables(tree, dialect=dialect)
        # partial qualification: a column the table lacks is left for _Lineage to name, with a suggestion
        qualify_columns(tree, schema, expand_alias_refs=True, expand_stars=True, allow_partial_qualification=True,
                        dialect=dialect)  # fmt: skip
        scopes = list(traverse_scope(tree))
    except SqlglotError as exc:
        reading.problems.append((f"cannot be resolved: {' '.join(str(exc).split())}", None))
        return reading
    _Lineage(scopes, tables, names, reading).run()
    return reading


def _column_key(name: str, names: Names) -> str:
    return name.lower() if names.columns_ignore_case else name


def _nested(tables: dict[TableKey, Table]) -> dict[str, dict[str, Table]]:
    nested: dict[str, dict[str, Table]] = {}
    for (schema, name), table in tables.items():
        nested.setdefault(schema, {})[name] = table
    return nested


def _table_parts(tree: exp.Expression) -> set[int]:
    """The identifiers that name a catalog table (not an alias, not a CTE): resolved against the
    catalog by the table rule, not the column rule."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    parts = set()
    for table in tree.find_all(exp.Table):
        if not table.text("db") and table.name.lower() in ctes:
            continue  # a CTE is named like an alias: folded with the column rule at both ends
        for key in ("this", "db", "catalog"):
            part = table.args.get(key)
            if isinstance(part, exp.Identifier):
                parts.add(id(part))
    return parts


def _fold_identifiers(tree: exp.Expression, names: Names, dialect: str) -> None:
    """Fold names as the engine does before they are compared with the catalog's: unquoted names
    where the engine lowers them, and (SQLite, MySQL/MariaDB) every column, alias and CTE name."""
    table_parts = _table_parts(tree)
    lowers = _lowers_unquoted(dialect)
    for identifier in tree.find_all(exp.Identifier):
        if id(identifier) in table_parts:
            folds = not identifier.quoted and lowers
        else:
            folds = names.columns_ignore_case or (not identifier.quoted and lowers)
        if folds:
            identifier.set("this", identifier.this.lower())


def _lowers_unquoted(dialect: str) -> bool:
    from sqlglot.dialects.dialect import Dialect as SqlglotDialect, NormalizationStrategy

    return SqlglotDialect.get_or_raise(dialect).normalization_strategy in (
        NormalizationStrategy.LOWERCASE, NormalizationStrategy.CASE_INSENSITIVE)  # fmt: skip


def _resolve_tables(tree: exp.Expression, names: Names, reading: Reading) -> dict[TableKey, Table]:
    """Each table the statement names, looked up in the catalog and respelled as the catalog spells
    it; a table named alone that no default schema holds, or a schema or table that does not exist,
    is a problem."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    resolved: dict[TableKey, Table] = {}
    for node in list(tree.find_all(exp.Table)):
        if not isinstance(node.this, exp.Identifier):
            continue  # a table function: generate_series(...), json_each(...), UNNEST
        name, db = node.name, node.text("db")
        if not db and name in ctes:
            continue
        if node.text("catalog") and node.text("catalog") != names.catalog.database:
            reading.problems.append((f"{node.text('catalog')}.{db}.{name} is in another database: a metric reads its "
                                     "source's database", None))  # fmt: skip
            continue
        found = _find_table(name, db, names, reading)
        if found is None:
            continue
        schema, table = found
        resolved[(schema.name, table.name)] = table
        reading.tables.add((schema.name, table.name))
        if not node.alias:
            alias = _column_key(name, names)  # folded as the qualifiers of its columns were
            node.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))  # `rides.id` still names it
        node.set("db", exp.to_identifier(schema.name, quoted=True))
        node.set("this", exp.to_identifier(table.name, quoted=True))
        node.set("catalog", None)
    return resolved


def _find_table(name: str, db: str, names: Names, reading: Reading) -> tuple[Schema, Table] | None:
    if db:
        schema = names.schema(db)
        if schema is None:
            close = suggestion(db, [s.name for s in names.catalog.schemas])
            reading.problems.append((f"schema {db} does not exist" + (f"; did you mean {close}?" if close else ""), None))
            return None
        table = names.table(schema, name)
        if table is None:
            reading.problems.append((_missing_table(f"{target_name(schema.name, name)} does not exist", name, names, [schema]), None))
            return None
        return schema, table
    searched = [s for s in (names.schema(n) for n in names.default_schemas) if s is not None]
    for schema in searched:
        table = names.table(schema, name)
        if table is not None:
            return schema, table
    said = f"no table {name} in {' or '.join(s.name for s in searched)}" if searched else f"no table {name}: name its schema"
    reading.problems.append((_missing_table(said, name, names, searched), None))
    return None


def _missing_table(said: str, name: str, names: Names, searched: list[Schema]) -> str:
    elsewhere = [s.name for s in names.catalog.schemas if s not in searched and names.table(s, name) is not None]
    if elsewhere:
        return f"{said}; did you mean {target_name(elsewhere[0], name)}?"
    spelled = {t.name: target_name(s.name, t.name) for s in reversed(searched) for t in s.tables}  # first schema wins
    close = suggestion(name, spelled)
    return f"{said}; did you mean {spelled[close]}?" if close else said


# -- lineage: each column reference down to the catalog columns it reads --------------------------

_DAYS_OR_MORE = frozenset({"day", "week", "isoweek", "month", "quarter", "year", "decade", "century", "millennium"})
_ZONE_CONVERSIONS = _classes("AtTimeZone", "ConvertTimezone", "FromTimeZone")
_DATE_TYPES = {exp.DataType.Type.DATE, getattr(exp.DataType.Type, "DATE32", exp.DataType.Type.DATE)}


class _Lineage:
    def __init__(self, scopes: list[Scope], tables: dict[TableKey, Table], names: Names, reading: Reading):
        self.scopes = scopes
        self.tables = tables
        self.names = names
        self.reading = reading
        self.scope_of: dict[int, Scope] = {id(c): s for s in scopes for c in s.columns}
        self.bases: dict[int, frozenset[ColumnKey]] = {}
        self.columns_of = {key: {_column_key(c.name, names): c.name for c in table.columns} for key, table in tables.items()}

    def run(self) -> None:
        reading = self.reading
        for scope in self.scopes:
            for column in scope.columns:
                found = self.base(column)
                reading.columns |= found
                position = _position(column)
                if "filter" in position:
                    reading.filtered |= found
                if "group" in position:
                    reading.grouped |= found
                if "compare" in position:
                    reading.compared |= found
            if isinstance(scope.expression, exp.Select):
                for position in _positional_groups(scope.expression):
                    for column in position.find_all(exp.Column):
                        reading.grouped |= self.base(column)
        for scope in self.scopes:
            for node in scope.expression.find_all(exp.Func):
                how = _truncation(node)
                if how is None:
                    continue
                argument = node.this
                for column in (argument.find_all(exp.Column) if isinstance(argument, exp.Expression) else ()):
                    if not _converted_between(column, node):
                        for key in self.base(column):
                            reading.truncated.setdefault(key, how)

    def base(self, column: exp.Column) -> frozenset[ColumnKey]:
        known = self.bases.get(id(column))
        if known is None:
            self.bases[id(column)] = frozenset()  # a reference that refers back to itself reads nothing more
            known = self.bases[id(column)] = frozenset(self._base(column))
        return known

    def _base(self, column: exp.Column) -> set[ColumnKey]:
        scope = self.scope_of.get(id(column))
        if scope is None:
            return set()
        if not column.table:
            return self._unqualified(column, scope)
        source = _source(scope, column.table)
        if isinstance(source, exp.Table):
            key = (source.text("db"), source.name)
            if key not in self.tables:
                return set()  # a table function
            actual = self.columns_of[key].get(_column_key(column.name, self.names))
            if actual is None:
                self._missing(column.name, key)
                return set()
            return {(key[0], key[1], actual)}
        if isinstance(source, Scope):
            return self._through(source, column)
        return set()

    def _unqualified(self, column: exp.Column, scope: Scope) -> set[ColumnKey]:
        """sqlglot leaves a column unqualified when none of the scope's sources has it, or several
        do: a problem when every source is known (a table function's columns are not)."""
        wanted = _column_key(column.name, self.names)
        holders, tables = [], []
        for alias, (_, source) in scope.selected_sources.items():
            if isinstance(source, exp.Table):
                key = (source.text("db"), source.name)
                if key not in self.tables:
                    return set()
                tables.append(key)
                if wanted in self.columns_of[key]:
                    holders.append(target_name(*key))
            elif isinstance(source, Scope):
                first = _branches(source)[0].expression
                if not isinstance(first, exp.Select):
                    return set()
                if wanted in (_column_key(n, self.names) for n in first.named_selects):
                    holders.append(alias)
            else:
                return set()
        if len(holders) > 1:
            self._problem(f"column {column.name} is ambiguous: {' and '.join(holders)} both have it; name its table")
        elif not holders and len(tables) == 1 and len(scope.selected_sources) == 1:
            self._missing(column.name, tables[0])
        elif not holders and scope.selected_sources:
            close = suggestion(column.name, [c for key in tables for c in self.columns_of[key].values()])
            read = ", ".join([target_name(*key) for key in tables] + [a for a, (_, s) in scope.selected_sources.items()
                                                                     if isinstance(s, Scope)])  # fmt: skip
            self._problem(f"column {column.name} is in none of {read}" + (f"; did you mean {close}?" if close else ""))
        return set()

    def _problem(self, message: str) -> None:
        if (message, None) not in self.reading.problems:
            self.reading.problems.append((message, None))

    def _missing(self, name: str, key: TableKey) -> None:
        close = suggestion(name, self.columns_of[key].values())
        self._problem(f"{target_name(key[0], key[1], name)} does not exist" + (f"; did you mean {close}?" if close else ""))

    def _through(self, source: Scope, column: exp.Column) -> set[ColumnKey]:
        """A column of a subquery or CTE: the catalog columns its projection reads."""
        branches = _branches(source)
        first = branches[0].expression
        names = [_column_key(n, self.names) for n in first.named_selects] if isinstance(first, exp.Select) else []
        wanted = _column_key(column.name, self.names)
        if wanted not in names:
            if isinstance(first, exp.Select) and not any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star)) for s in first.selects):
                self._problem(f"{column.table}.{column.name} is not a column of subquery {column.table}")
            return set()
        index = names.index(wanted)
        found: set[ColumnKey] = set()
        for branch in branches:
            selects = branch.expression.selects if isinstance(branch.expression, exp.Select) else []
            if index < len(selects):
                for inner in selects[index].find_all(exp.Column):
                    found |= self.base(inner)
        return found


def _branches(scope: Scope) -> list[Scope]:
    """The SELECTs whose rows a scope returns: itself, or each branch of a UNION, INTERSECT, EXCEPT."""
    branches = getattr(scope, "set_operation_scopes", None) or getattr(scope, "union_scopes", None)  # sqlglot < 26
    if branches:
        return [b for child in branches for b in _branches(child)]
    return [scope]


def _source(scope: Scope | None, name: str):
    while scope is not None:  # a correlated subquery refers to its outer query's sources
        if name in scope.sources:
            return scope.sources[name]
        scope = scope.parent
    return None


def _position(column: exp.Column) -> set[str]:
    """Where a column reference stands within its query: filter, group, compare."""
    found: set[str] = set()
    node: exp.Expression = column
    while node.parent is not None:
        parent, key = node.parent, node.arg_key
        if isinstance(parent, (exp.Where, exp.Having, exp.Qualify)):
            found.add("filter")
        elif isinstance(parent, exp.Join) and key in ("on", "using"):
            found.add("filter")
        elif isinstance(parent, exp.If) and key == "this":  # CASE WHEN <condition>, IF(<condition>, ...)
            found.add("filter")
        elif isinstance(parent, exp.Group):
            found.add("group")
        elif isinstance(parent, exp.Window) and key == "partition_by":
            found.add("group")
        elif isinstance(parent, (exp.Lag, exp.Lead)) and key == "this":
            found.add("compare")
        if isinstance(parent, (exp.Select, exp.SetOperation)):
            break  # the query this reference belongs to
        node = parent
    return found


def _positional_groups(select: exp.Select) -> list[exp.Expression]:
    """GROUP BY 1, 2: the projections they stand for."""
    group = select.args.get("group")
    if group is None:
        return []
    chosen = []
    for item in group.expressions:
        if isinstance(item, exp.Literal) and item.is_int and 0 < int(item.this) <= len(select.selects):
            chosen.append(select.selects[int(item.this) - 1])
    return chosen


def _truncation(node: exp.Func) -> str | None:
    """How `node` cuts a date-time to days (or coarser), in the words of the SQL; None if it does not."""
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc, *_classes("DatetimeTrunc", "TimeTrunc"))):
        unit = node.args.get("unit")
        text = (unit.name if isinstance(unit, exp.Expression) else str(unit or "")).lower().strip("'")
        return f"date_trunc('{text}', ...)" if text in _DAYS_OR_MORE else None
    if isinstance(node, (exp.Date, *_classes("TsOrDsToDate", "DateFromParts"))):
        return "DATE(...)"
    if isinstance(node, (exp.Cast, exp.TryCast)) and isinstance(node.to, exp.DataType) and node.to.this in _DATE_TYPES:
        return "CAST(... AS DATE)"
    if isinstance(node, exp.TimeToStr):  # DATE_FORMAT / strftime to a day: no hour in the format
        fmt = node.args.get("format")
        text = fmt.name if isinstance(fmt, exp.Literal) else ""
        if text and "%d" in text and not any(part in text for part in ("%H", "%h", "%I", "%k", "%l", "%T", "%r", "%s")):
            return f"a format of days ({text})"
    return None


def _converted_between(column: exp.Column, truncation: exp.Expression) -> bool:
    """A zone conversion between the column and the truncation (AT TIME ZONE, CONVERT_TZ): the
    metric said which day it means."""
    node = column.parent
    while node is not None and node is not truncation:
        if isinstance(node, _ZONE_CONVERSIONS) or (isinstance(node, exp.Anonymous) and str(node.name).lower() == "convert_tz"):
            return True
        node = node.parent
    return False
