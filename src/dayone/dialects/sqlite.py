"""SQLite: a database file opened read-only, its catalog read with a constant number of queries.

The pragmas are read as table-valued functions joined to sqlite_master, so one query covers every
table: columns (pragma_table_xinfo), foreign keys (pragma_foreign_key_list) and indexes
(pragma_index_list + pragma_index_xinfo). What the pragmas do not say (constraint names, CHECK and
generated expressions, trigger timing, view bodies, comments) comes from the stored DDL.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from dayone.catalog.access import AccessFacts
from dayone.catalog.checks import value_sets
from dayone.catalog.model import (
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    NormalizedType,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    UniqueConstraint,
)
from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.target import DatabaseTarget
from dayone.dialects import sqlite_ddl
from dayone.dialects.base import Dialect
from dayone.dialects.sqlite_access import read_access
from dayone.dialects.sqlite_open import check_unchanged, open_read_only
from dayone.errors import ConnectError, DayoneError

SCHEMA = "main"
_USER_OBJECT = "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

# One query per kind of fact, each over every table; `{objects}` is either all of sqlite_master or,
# when a broken object (a view over a dropped table) makes the bulk query fail, a single name.
_COLUMNS = """
SELECT m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM {objects} JOIN pragma_table_xinfo(m.name, 'main') AS p
WHERE m.type IN ('table', 'view') AND {user}
ORDER BY m.name, p.cid"""
_FOREIGN_KEYS = """
SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete
FROM {objects} JOIN pragma_foreign_key_list(m.name, 'main') AS f
WHERE m.type = 'table' AND {user}
ORDER BY m.name, f.id, f.seq"""
_INDEXES = """
SELECT m.name, l.name, l."unique", l.origin, l.partial, x.seqno, x.cid, x.name
FROM {objects} JOIN pragma_index_list(m.name, 'main') AS l JOIN pragma_index_xinfo(l.name, 'main') AS x
WHERE m.type = 'table' AND {user} AND x."key" = 1
ORDER BY m.name, l.name, x.seqno"""
_ALL_OBJECTS = "sqlite_master AS m"
_ONE_OBJECT = "(SELECT type, name FROM sqlite_master WHERE name = ?) AS m"


class SQLiteDialect(Dialect):
    engine = "sqlite"
    sqlglot_dialect = "sqlite"
    has_date_types = False
    has_schemas = False
    has_enum_types = False
    has_row_change_counters = False
    has_timestamp_with_time_zone = False
    has_comments = True  # as -- comments in the CREATE statement, which SQLite keeps verbatim
    table_names_ignore_case = True
    column_names_ignore_case = True


    def read_access(self, session: Session, schemas: Sequence[str] | None = None) -> AccessFacts:
        return read_access(session)

    def connect(self, target: DatabaseTarget, options: SessionOptions) -> Session:
        path = Path(target.database or "")
        if not path.exists():
            raise ConnectError(f"sqlite database file {path} does not exist")
        if not path.is_file():
            raise ConnectError(f"sqlite database {path} is not a file")
        try:
            # mode=ro: SQLite itself refuses every write; no file is created or changed (see sqlite_open)
            conn = open_read_only(path, options.lock_timeout)
        except OSError as exc:
            raise ConnectError(f"cannot read sqlite database {path}: {exc.strerror}") from None
        except sqlite3.Error as exc:
            raise ConnectError(f"cannot open sqlite database {path}: {exc}") from None
        _limit_statement_time(conn, options.statement_timeout)
        session = Session(target=target, options=options, connection=conn)
        try:
            session.query("PRAGMA query_only = ON")
            session.query("SELECT count(*) FROM sqlite_master")  # reads the header: is it a database?
        except sqlite3.DatabaseError as exc:
            session.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise ConnectError(
                    f"sqlite database {path} stayed locked by another process for {options.lock_timeout:g}s"
                ) from None
            raise ConnectError(f"{path} is not a readable sqlite database: {exc}") from None
        return session

    # Profiling lives in sqlite_profile.py: rowid ranges; SQLite keeps no column statistics to read.
    def table_sizes(self, session, tables):
        from dayone.dialects import sqlite_profile

        return sqlite_profile.table_sizes(session, tables)

    def profile_table(self, session, schema, table, request):
        from dayone.dialects import sqlite_profile

        path = Path(session.target.database or "")
        try:
            profile = sqlite_profile.profile_table(session, schema, table, request)
        except sqlite3.DatabaseError:
            check_unchanged(session.connection, path)
            raise
        check_unchanged(session.connection, path)
        return profile

    def look_up_keys(self, session, lookups):
        from dayone.dialects import sqlite_profile

        return sqlite_profile.look_up_keys(session, lookups)

    def default_schemas(self, catalog, url_database):
        return [SCHEMA]

    def run_query(self, session, sql, row_limit):
        from dayone.dialects.queries import run_sqlite

        return run_sqlite(session, sql, row_limit)

    def read_catalog(self, session: Session, schemas: Sequence[str] | None = None) -> Catalog:
        path = Path(session.target.database or "")
        catalog = Catalog(product="sqlite", version=sqlite3.sqlite_version, database=path.stem)
        if schemas is not None and SCHEMA not in schemas:
            return catalog
        try:
            catalog = replace(_read(session, catalog), access=read_access(session))
        except sqlite3.DatabaseError as exc:
            check_unchanged(session.connection, path)  # a read torn by a writer: say that, not the symptom
            if "interrupted" in str(exc):
                raise DayoneError(
                    f"reading the catalog of sqlite database {path} took longer than the statement timeout "
                    f"({session.options.statement_timeout:g}s)"
                ) from None
            raise DayoneError(f"reading the catalog of sqlite database {path} failed: {exc}") from None
        check_unchanged(session.connection, path)
        return catalog


def _limit_statement_time(conn: sqlite3.Connection, seconds: float) -> None:
    """statement_timeout for SQLite: the trace callback marks each statement's start, a progress
    handler interrupts the statement once it has run longer than `seconds`."""
    started = [time.monotonic()]

    def on_statement(_sql: str) -> None:
        started[0] = time.monotonic()
        conn.timed_out = False

    def past_timeout() -> int:
        if time.monotonic() - started[0] > seconds:
            conn.timed_out = True  # the interruption that follows is the timeout's, not Ctrl-C
            return 1
        return 0

    conn.set_trace_callback(on_statement)
    conn.set_progress_handler(past_timeout, 10_000)


def _bulk(session: Session, sql: str, names: list[str], skipped: dict[str, str]) -> list[tuple]:
    """Run a catalog query over every object at once; if one broken object (a view over a dropped
    table, a virtual table whose module is missing) makes it fail, read object by object and
    record the broken ones in `skipped` instead."""
    try:
        return session.query(sql.format(objects=_ALL_OBJECTS, user=_USER_OBJECT))
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise
    rows: list[tuple] = []
    for name in names:
        if name in skipped:
            continue
        try:
            rows.extend(session.query(sql.format(objects=_ONE_OBJECT, user=_USER_OBJECT), (name,)))
        except sqlite3.OperationalError as exc:
            skipped[name] = f"sqlite cannot read it: {exc}"
    return rows


def _read(session: Session, catalog: Catalog) -> Catalog:
    objects = session.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    relations = {name: (kind, sql) for kind, name, _, sql in objects if kind in ("table", "view")}
    names = sorted(n for n in relations if not n.startswith("sqlite_"))
    skipped: dict[str, str] = {}
    column_rows = _bulk(session, _COLUMNS, names, skipped)
    fk_rows = _bulk(session, _FOREIGN_KEYS, [n for n in names if relations[n][0] == "table"], skipped)
    index_rows = _bulk(session, _INDEXES, [n for n in names if relations[n][0] == "table"], skipped)
    row_counts: dict[str, int] = {}
    if "sqlite_stat1" in relations:  # statistics exist only where someone ran ANALYZE
        for table, stat in session.query("SELECT tbl, stat FROM sqlite_stat1"):
            first = (stat or "").split(" ", 1)[0]
            if first.isdigit():
                row_counts[table] = max(row_counts.get(table, 0), int(first))

    columns = defaultdict(list)
    for row in column_rows:
        columns[row[0]].append(row[1:])
    fks = defaultdict(lambda: defaultdict(list))
    for table, fk_id, _, parent, column, parent_column, on_update, on_delete in fk_rows:
        fks[table][fk_id].append((parent, column, parent_column, on_update, on_delete))
    indexes = defaultdict(lambda: defaultdict(list))
    index_meta = {}
    for table, index, unique, origin, partial, _, cid, column in index_rows:
        indexes[table][index].append((cid, column))
        index_meta[index] = (bool(unique), origin, bool(partial))
    index_sql = {name: sql for kind, name, _, sql in objects if kind == "index"}
    triggers = defaultdict(list)
    for kind, name, table, sql in objects:
        if kind == "trigger":
            timing, events = sqlite_ddl.parse_trigger(sql)
            triggers[table].append(Trigger(name=name, timing=timing, events=events, orientation="ROW", body=sql))

    ddl = {name: sqlite_ddl.parse_create_table(relations[name][1]) for name in names}
    primary_keys = {name: _primary_key_columns(columns[name]) for name in names}
    by_lower = {name.lower(): name for name in names}

    tables = []
    for name in names:
        kind, sql = relations[name]
        parsed = ddl[name]
        pk_columns = primary_keys[name]
        # A one-column key without its own index is the rowid (INTEGER PRIMARY KEY); any other key
        # (INT PRIMARY KEY, INTEGER PRIMARY KEY DESC, WITHOUT ROWID) gets an index of origin 'pk'.
        has_pk_index = any(index_meta[index][1] == "pk" for index in indexes[name])
        rowid_alias = kind == "table" and len(pk_columns) == 1 and not has_pk_index and not parsed.without_rowid
        table_columns = tuple(
            _column(row, parsed, rowid_alias and row[1] == pk_columns[0], pk_columns, parsed.without_rowid)
            for row in columns[name]
            if row[6] != 1  # hidden columns of virtual tables
        )
        named = _constraint_names(parsed)
        tables.append(
            Table(
                name=name,
                kind="view" if kind == "view" else "table",
                comment=parsed.comment,
                estimated_rows=row_counts.get(name),
                columns=table_columns,
                primary_key=PrimaryKey(named.get(("primary key", _key(pk_columns))), pk_columns) if pk_columns else None,
                unique_constraints=_sorted(
                    UniqueConstraint(named.get(("unique", _key(cols))), cols)
                    for index, cols in _index_columns(indexes[name], index_meta, "u")
                ),
                foreign_keys=_foreign_keys(fks[name], parsed, primary_keys, by_lower),
                check_constraints=_sorted(
                    CheckConstraint(c.name, c.expression or "", value_sets(c.expression or "", "sqlite"))
                    for c in parsed.constraints
                    if c.kind == "check"
                ),
                indexes=tuple(
                    _index(index, entries, index_meta[index], index_sql.get(index))
                    for index, entries in sorted(indexes[name].items())
                ),
                triggers=tuple(sorted(triggers[name], key=lambda t: t.name)),
                view_definition=sqlite_ddl.parse_view(sql) if kind == "view" else None,
                skipped=skipped.get(name),
            )
        )
    return Catalog(
        product=catalog.product,
        version=catalog.version,
        database=catalog.database,
        schemas=(Schema(name=SCHEMA, tables=tuple(tables)),),
    )


def _key(columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(c.lower() for c in columns)


def _sorted(items):
    """Constraints in a stable order: by name (unnamed last), then by their content."""
    return tuple(sorted(items, key=lambda c: (c.name is None, c.name or "", repr(c))))


def _constraint_names(parsed: sqlite_ddl.DdlTable) -> dict[tuple[str, tuple[str, ...]], str]:
    return {(c.kind, _key(c.columns)): c.name for c in parsed.constraints if c.name and c.kind != "check"}


def _primary_key_columns(rows: list[tuple]) -> tuple[str, ...]:
    """Primary key columns in key order: table_xinfo's pk field is the 1-based key position."""
    return tuple(row[1] for row in sorted((r for r in rows if r[5]), key=lambda r: r[5]))


def _column(row: tuple, parsed: sqlite_ddl.DdlTable, rowid: bool, pk: tuple[str, ...], without_rowid: bool) -> Column:
    cid, name, declared, notnull, default, _, hidden = row
    generated = None
    if hidden in (2, 3):  # 2: generated VIRTUAL, 3: generated STORED
        generated = parsed.generated.get(name.lower(), "generated")
    return Column(
        name=name,
        position=cid + 1,
        declared_type=declared or "",
        normalized_type=normalize_type(declared or ""),
        # SQLite lets NULL into primary key columns of ordinary tables (a legacy quirk), not into
        # an INTEGER PRIMARY KEY (the rowid) nor a WITHOUT ROWID table's key.
        nullable=not (notnull or rowid or (without_rowid and name in pk)),
        default=default,
        identity="rowid" if rowid else None,
        generated=generated,
        comment=parsed.column_comments.get(name.lower()),
    )


def _foreign_keys(groups, parsed: sqlite_ddl.DdlTable, primary_keys, by_lower) -> tuple[ForeignKey, ...]:
    names = [c for c in parsed.constraints if c.kind == "foreign key"]
    found = []
    for rows in groups.values():
        parent = by_lower.get(rows[0][0].lower(), rows[0][0])
        columns = tuple(r[1] for r in rows)
        referred = tuple(r[2] for r in rows)
        if any(c is None for c in referred):  # REFERENCES parent without columns: parent's primary key
            referred = primary_keys.get(parent, ())
        match = next((c for c in names if _key(c.columns) == _key(columns)), None)
        if match is not None:
            names.remove(match)
        found.append(
            ForeignKey(
                name=match.name if match else None,
                columns=columns,
                referred_schema=SCHEMA,
                referred_table=parent,
                referred_columns=tuple(referred),
                on_delete=rows[0][4],
                on_update=rows[0][3],
            )
        )
    return _sorted(found)


def _index_columns(entries, meta, origin: str):
    for index, cols in sorted(entries.items()):
        if meta[index][1] == origin:
            yield index, tuple(c for _, c in cols)


def _index(name: str, entries: list[tuple], meta: tuple[bool, str, bool], sql: str | None) -> Index:
    unique, origin, partial = meta
    written, predicate = sqlite_ddl.parse_index(sql)
    columns = []
    for position, (cid, column) in enumerate(entries):
        if column is None:  # an expression (cid -2) or the rowid (cid -1)
            column = written[position] if position < len(written) else ("rowid" if cid == -1 else "<expression>")
        columns.append(column)
    return Index(
        name=name,
        columns=tuple(columns),
        unique=unique,
        primary=origin == "pk",
        predicate=predicate if partial else None,
    )


_TYPE_NAMES: dict[str, NormalizedType] = {
    **dict.fromkeys(
        ["INT", "INTEGER", "TINYINT", "SMALLINT", "MEDIUMINT", "BIGINT", "UNSIGNED BIG INT", "INT2", "INT4",
         "INT8", "SERIAL", "BIGSERIAL"],
        "integer",
    ),
    **dict.fromkeys(["BOOL", "BOOLEAN"], "boolean"),
    **dict.fromkeys(["DECIMAL", "NUMERIC", "NUMBER", "MONEY"], "decimal"),
    **dict.fromkeys(["REAL", "FLOAT", "DOUBLE", "DOUBLE PRECISION", "FLOAT4", "FLOAT8"], "float"),
    **dict.fromkeys(
        ["CHAR", "VARCHAR", "CHARACTER", "NCHAR", "NVARCHAR", "VARYING CHARACTER", "CHARACTER VARYING",
         "NATIVE CHARACTER"],
        "string",
    ),
    **dict.fromkeys(["TEXT", "CLOB", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "STRING"], "text"),
    "DATE": "date",
    **dict.fromkeys(["TIME", "TIME WITHOUT TIME ZONE"], "time"),
    **dict.fromkeys(["DATETIME", "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE"], "timestamp"),
    **dict.fromkeys(["TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", "DATETIMEOFFSET"], "timestamptz"),
    "INTERVAL": "interval",
    **dict.fromkeys(["JSON", "JSONB"], "json"),
    **dict.fromkeys(["UUID", "GUID", "UNIQUEIDENTIFIER"], "uuid"),
    **dict.fromkeys(["BLOB", "BINARY", "VARBINARY", "BYTEA"], "binary"),
}


def normalize_type(declared: str) -> NormalizedType:
    """The normalized type of a declared SQLite type name. SQLite stores values by affinity, but
    the declared name says what the application means, so it is read first; unknown names fall
    back to SQLite's own affinity rules."""
    base = " ".join(re.sub(r"\(.*\)", " ", declared).upper().split())
    if not base:
        return "other"
    if base in _TYPE_NAMES:
        return _TYPE_NAMES[base]
    if "INT" in base:
        return "integer"
    if "CHAR" in base:
        return "string"
    if "CLOB" in base or "TEXT" in base:
        return "text"
    if "BLOB" in base:
        return "binary"
    if any(word in base for word in ("REAL", "FLOA", "DOUB")):
        return "float"
    return "other"
