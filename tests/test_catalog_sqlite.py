"""The SQLite catalog: a small DDL per case, read through the public API from a real file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dayone.api import read_catalog
from dayone.catalog.model import Catalog, Table
from dayone.catalog.snapshot import to_json
from dayone.connect.options import SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects.sqlite import SQLiteDialect, normalize_type
from dayone.errors import ConnectError, DayoneError


def make_db(tmp_path: Path, ddl: str, name: str = "test.db") -> Path:
    path = tmp_path / name
    conn = sqlite3.connect(path)
    conn.executescript(ddl)
    conn.close()
    return path


def url(path: Path) -> str:
    return "sqlite:///" + str(path)  # an absolute path gives sqlite:////abs/path


def catalog_of(tmp_path: Path, ddl: str) -> Catalog:
    return read_catalog(url(make_db(tmp_path, ddl)))


def table(catalog: Catalog, name: str) -> Table:
    found = catalog.schema("main").table(name)
    assert found is not None, f"table {name!r} missing from {[t.name for _, t in catalog.tables()]}"
    return found


def test_catalog_identity(tmp_path):
    path = make_db(tmp_path, "CREATE TABLE t (a INTEGER);", name="accounts.db")
    catalog = read_catalog(url(path))
    assert catalog.product == "sqlite"
    assert catalog.version == sqlite3.sqlite_version
    assert catalog.database == "accounts"
    assert [s.name for s in catalog.schemas] == ["main"]


def test_primary_and_foreign_keys_with_actions(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL, UNIQUE (id, code));
        CREATE TABLE child (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER CONSTRAINT fk_child_parent REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL,
            other_parent INTEGER REFERENCES parent,
            p_id INTEGER, p_code TEXT,
            FOREIGN KEY (p_id, p_code) REFERENCES parent (id, code) ON DELETE RESTRICT
        );
        CREATE TABLE pairs (a TEXT, b INTEGER, CONSTRAINT pairs_pk PRIMARY KEY (b, a));
        """,
    )
    parent, child, pairs = table(catalog, "parent"), table(catalog, "child"), table(catalog, "pairs")
    assert parent.primary_key.columns == ("id",)
    assert parent.column("id").identity == "rowid" and not parent.column("id").nullable
    assert pairs.primary_key.name == "pairs_pk" and pairs.primary_key.columns == ("b", "a")
    fks = {fk.columns: fk for fk in child.foreign_keys}
    assert set(fks) == {("parent_id",), ("other_parent",), ("p_id", "p_code")}
    named = fks[("parent_id",)]
    assert (named.name, named.referred_schema, named.referred_table, named.referred_columns) == (
        "fk_child_parent", "main", "parent", ("id",))
    assert (named.on_delete, named.on_update) == ("CASCADE", "SET NULL")
    # REFERENCES parent without columns means the parent's primary key.
    assert fks[("other_parent",)].referred_columns == ("id",)
    assert fks[("other_parent",)].name is None and fks[("other_parent",)].on_delete == "NO ACTION"
    composite = fks[("p_id", "p_code")]
    assert composite.referred_columns == ("id", "code") and composite.on_delete == "RESTRICT"


def test_rowid_identity_only_for_integer_primary_key(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);
        CREATE TABLE b (id INT PRIMARY KEY, x TEXT);
        CREATE TABLE c (id INTEGER PRIMARY KEY DESC, x TEXT);
        CREATE TABLE d (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
        """,
    )
    assert table(catalog, "a").column("id").identity == "rowid"
    assert table(catalog, "b").column("id").identity is None
    assert table(catalog, "b").column("id").nullable  # SQLite really lets NULL into this key
    assert table(catalog, "c").column("id").identity is None  # the documented DESC quirk
    assert table(catalog, "d").column("k").identity is None and not table(catalog, "d").column("k").nullable


def test_check_in_list_gives_value_sets(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'new' CONSTRAINT orders_status CHECK (status IN ('new', 'paid', 'shipped')),
            channel TEXT CHECK (channel = 'web' OR channel = 'store'),
            qty INTEGER CHECK (qty > 0),
            kind TEXT,
            CONSTRAINT orders_kind CHECK (kind IN ('retail', 'wholesale') AND qty < 1000)
        );
        """,
    )
    orders = table(catalog, "orders")
    checks = {c.expression: c for c in orders.check_constraints}
    status = checks["status IN ('new', 'paid', 'shipped')"]
    assert status.name == "orders_status"
    assert [(v.column, v.values) for v in status.value_sets] == [("status", ("new", "paid", "shipped"))]
    assert [(v.column, v.values) for v in checks["channel = 'web' OR channel = 'store'"].value_sets] == [
        ("channel", ("web", "store"))]
    assert checks["qty > 0"].value_sets == () and checks["qty > 0"].name is None
    kind = next(c for c in orders.check_constraints if c.name == "orders_kind")
    assert [(v.column, v.values) for v in kind.value_sets] == [("kind", ("retail", "wholesale"))]
    assert orders.column("status").default == "'new'"
    # Named constraints first, by name; then unnamed ones.
    assert [c.name for c in orders.check_constraints] == ["orders_kind", "orders_status", None, None]


def test_unique_constraints_and_indexes(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            email TEXT UNIQUE,
            first TEXT, last TEXT, born DATE, deleted INTEGER,
            CONSTRAINT people_name UNIQUE (last, first)
        );
        CREATE UNIQUE INDEX people_lower_email ON people (lower(email)) WHERE deleted = 0;
        CREATE INDEX people_born ON people (born DESC, last);
        """,
    )
    people = table(catalog, "people")
    assert {(u.name, u.columns) for u in people.unique_constraints} == {(None, ("email",)), ("people_name", ("last", "first"))}
    indexes = {i.name: i for i in people.indexes}
    assert indexes["people_lower_email"].columns == ("lower(email)",)
    assert indexes["people_lower_email"].unique and indexes["people_lower_email"].predicate == "deleted = 0"
    assert indexes["people_born"].columns == ("born", "last") and not indexes["people_born"].unique
    assert indexes["people_born"].predicate is None
    assert [i.name for i in people.indexes] == sorted(indexes)


def test_triggers(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE items (id INTEGER PRIMARY KEY, status TEXT, updated_at TEXT);
        CREATE TABLE log (item_id INTEGER, at TEXT);
        CREATE TRIGGER items_touch AFTER UPDATE OF status ON items FOR EACH ROW
        BEGIN UPDATE items SET updated_at = datetime('now') WHERE id = NEW.id; END;
        CREATE TRIGGER items_log BEFORE DELETE ON items BEGIN INSERT INTO log VALUES (OLD.id, datetime('now')); END;
        CREATE TRIGGER "items default" INSERT ON items BEGIN SELECT 1; END;
        CREATE VIEW open_items AS SELECT id, status FROM items WHERE status <> 'done';
        CREATE TRIGGER open_items_delete INSTEAD OF DELETE ON open_items BEGIN DELETE FROM items WHERE id = OLD.id; END;
        """,
    )
    items = table(catalog, "items")
    triggers = {t.name: t for t in items.triggers}
    assert [t.name for t in items.triggers] == ["items default", "items_log", "items_touch"]
    assert (triggers["items_touch"].timing, triggers["items_touch"].events) == ("AFTER", ("UPDATE",))
    assert triggers["items_touch"].orientation == "ROW"
    assert "SET updated_at = datetime('now')" in triggers["items_touch"].body
    assert (triggers["items_log"].timing, triggers["items_log"].events) == ("BEFORE", ("DELETE",))
    assert (triggers["items default"].timing, triggers["items default"].events) == ("BEFORE", ("INSERT",))
    view = table(catalog, "open_items")
    assert [(t.name, t.timing, t.events) for t in view.triggers] == [("open_items_delete", "INSTEAD OF", ("DELETE",))]


def test_views(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE items (id INTEGER PRIMARY KEY, status TEXT NOT NULL, price DECIMAL(10, 2));
        CREATE VIEW expensive (item, cost) AS
            SELECT id, price FROM items WHERE price > 100;
        """,
    )
    view = table(catalog, "expensive")
    assert view.kind == "view"
    assert view.view_definition == "SELECT id, price FROM items WHERE price > 100"
    assert [(c.name, c.normalized_type) for c in view.columns] == [("item", "integer"), ("cost", "decimal")]
    assert view.primary_key is None and table(catalog, "items").kind == "table"


def test_generated_columns(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE lines (
            qty INTEGER NOT NULL,
            unit_price REAL NOT NULL,
            total REAL GENERATED ALWAYS AS (qty * unit_price) STORED,
            label TEXT AS ('x' || qty) VIRTUAL,
            note TEXT
        );
        """,
    )
    lines = table(catalog, "lines")
    assert [c.name for c in lines.columns] == ["qty", "unit_price", "total", "label", "note"]
    assert [c.position for c in lines.columns] == [1, 2, 3, 4, 5]
    assert lines.column("total").generated == "qty * unit_price"
    assert lines.column("label").generated == "'x' || qty"
    assert lines.column("note").generated is None and lines.column("qty").generated is None
    assert not lines.column("qty").nullable and lines.column("note").nullable


@pytest.mark.parametrize(
    "declared, normalized",
    [
        ("INTEGER", "integer"), ("BIGINT", "integer"), ("unsigned big int", "integer"), ("INT8", "integer"),
        ("BOOLEAN", "boolean"), ("BOOL", "boolean"),
        ("DECIMAL(10,2)", "decimal"), ("NUMERIC", "decimal"),
        ("REAL", "float"), ("DOUBLE PRECISION", "float"), ("FLOAT", "float"),
        ("VARCHAR(255)", "string"), ("CHAR(2)", "string"), ("NVARCHAR(40)", "string"), ("varying character(9)", "string"),
        ("TEXT", "text"), ("CLOB", "text"),
        ("DATE", "date"), ("DATETIME", "timestamp"), ("TIMESTAMP", "timestamp"),
        ("TIMESTAMPTZ", "timestamptz"), ("TIMESTAMP WITH TIME ZONE", "timestamptz"),
        ("JSON", "json"), ("UUID", "uuid"), ("BLOB", "binary"), ("", "other"), ("WHATEVER", "other"),
    ],
)
def test_type_normalization(declared, normalized):
    assert normalize_type(declared) == normalized


def test_declared_types_reach_the_catalog(tmp_path):
    catalog = catalog_of(tmp_path, "CREATE TABLE t (a VARCHAR(40), b TIMESTAMP WITH TIME ZONE, c, d JSON);")
    columns = table(catalog, "t").columns
    assert [(c.declared_type, c.normalized_type) for c in columns] == [
        ("VARCHAR(40)", "string"), ("TIMESTAMP WITH TIME ZONE", "timestamptz"), ("", "other"), ("JSON", "json")]


TRICKY = '''
CREATE TABLE "we""ird t" (
    "sel ect" INTEGER PRIMARY KEY,
    [order] TEXT CHECK ([order] IN ('a', 'b')),
    `grüße` TEXT UNIQUE,
    "drop table x; --" TEXT
);
CREATE TABLE "ümlaut tàble 🚀" (
    id INTEGER PRIMARY KEY,
    ref INTEGER CONSTRAINT "fk ""quoted""" REFERENCES "we""ird t" ("sel ect") ON DELETE CASCADE
);
CREATE TABLE "select" ("from" TEXT, "group" INTEGER);
CREATE TABLE "O'Brien" (id INTEGER PRIMARY KEY, note TEXT);
CREATE INDEX "idx with space" ON "we""ird t" ("grüße", [order]);
CREATE TRIGGER "trig ""q""" AFTER UPDATE ON "we""ird t" BEGIN SELECT 1; END;
CREATE VIEW "view 'v'" AS SELECT "from" FROM "select";
'''


def test_tricky_names_survive(tmp_path):
    catalog = catalog_of(tmp_path, TRICKY)
    names = [t.name for _, t in catalog.tables()]
    assert names == sorted(['we"ird t', "ümlaut tàble 🚀", "select", "O'Brien", "view 'v'"])
    weird = table(catalog, 'we"ird t')
    assert [c.name for c in weird.columns] == ["sel ect", "order", "grüße", "drop table x; --"]
    assert weird.primary_key.columns == ("sel ect",)
    assert [(v.column, v.values) for c in weird.check_constraints for v in c.value_sets] == [("order", ("a", "b"))]
    assert [u.columns for u in weird.unique_constraints] == [("grüße",)]
    assert {i.name: i.columns for i in weird.indexes}["idx with space"] == ("grüße", "order")
    assert [t.name for t in weird.triggers] == ['trig "q"']
    fk = table(catalog, "ümlaut tàble 🚀").foreign_keys[0]
    assert (fk.name, fk.referred_table, fk.referred_columns, fk.on_delete) == ('fk "quoted"', 'we"ird t', ("sel ect",), "CASCADE")
    assert [c.name for c in table(catalog, "select").columns] == ["from", "group"]
    assert table(catalog, "O'Brien").primary_key.columns == ("id",)
    assert table(catalog, "view 'v'").view_definition == 'SELECT "from" FROM "select"'


def test_comments_in_the_ddl_are_read(tmp_path):
    catalog = catalog_of(
        tmp_path,
        """
        CREATE TABLE orders ( -- One order per checkout.
            id INTEGER PRIMARY KEY,
            status TEXT, -- new, paid or shipped
            -- when the customer paid
            paid_at TEXT,
            note TEXT
        );
        CREATE TABLE bare (id INTEGER PRIMARY KEY);
        """,
    )
    orders = table(catalog, "orders")
    assert orders.comment == "One order per checkout."
    assert [c.comment for c in orders.columns] == [None, "new, paid or shipped", "when the customer paid", None]
    assert table(catalog, "bare").comment is None


def _schema_with(tables: int) -> str:
    parts = ["CREATE TABLE base (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"]
    for n in range(tables):
        parts.append(
            f"CREATE TABLE t{n} (id INTEGER PRIMARY KEY, base_id INTEGER REFERENCES base (id), "
            f"status TEXT CHECK (status IN ('a', 'b')), created_at TEXT);"
            f"CREATE INDEX t{n}_base ON t{n} (base_id);"
            f"CREATE TRIGGER t{n}_touch AFTER UPDATE ON t{n} BEGIN SELECT 1; END;"
            f"CREATE VIEW v{n} AS SELECT id, status FROM t{n};"
        )
    return "\n".join(parts)


def _statements_to_read(path: Path) -> list[str]:
    dialect = SQLiteDialect()
    session = dialect.connect(parse_target(url(path)), SessionOptions())
    try:
        before = len(session.statements)
        catalog = dialect.read_catalog(session)
        assert len(list(catalog.tables())) > 1
        return session.statements[before:]
    finally:
        session.close()


def test_query_count_does_not_grow_with_tables(tmp_path):
    small = _statements_to_read(make_db(tmp_path, _schema_with(5), "small.db"))
    large = _statements_to_read(make_db(tmp_path, _schema_with(60), "large.db"))
    assert len(small) == len(large) <= 5
    assert small == large


def test_statement_statistics_give_row_estimates(tmp_path):
    path = make_db(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT); CREATE INDEX t_x ON t (x);"
                             "CREATE TABLE u (id INTEGER PRIMARY KEY);")
    assert table(read_catalog(url(path)), "t").estimated_rows is None  # no statistics without ANALYZE
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO t (x) VALUES (?)", [(str(n % 7),) for n in range(250)])
    conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    catalog = read_catalog(url(path))
    assert table(catalog, "t").estimated_rows == 250
    assert "sqlite_stat1" not in [t.name for _, t in catalog.tables()]


def test_reading_does_not_modify_the_file(tmp_path):
    path = make_db(tmp_path, TRICKY + _schema_with(3))
    before_bytes, before_mtime = path.read_bytes(), path.stat().st_mtime_ns
    before_files = sorted(p.name for p in tmp_path.iterdir())
    read_catalog(url(path))
    read_catalog(url(path))
    assert path.read_bytes() == before_bytes
    assert path.stat().st_mtime_ns == before_mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == before_files  # no -journal, -wal or -shm left


def test_the_session_is_read_only(tmp_path):
    path = make_db(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    session = SQLiteDialect().connect(parse_target(url(path)), SessionOptions())
    try:
        assert session.statements[0] == "PRAGMA query_only = ON"
        assert session.query("PRAGMA query_only") == [(1,)]
        with pytest.raises(sqlite3.OperationalError):
            session.query("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError):
            session.query("CREATE TABLE x (a)")
    finally:
        session.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone() == (1,)


def test_a_long_statement_is_interrupted(tmp_path):
    path = make_db(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    session = SQLiteDialect().connect(parse_target(url(path)), SessionOptions(statement_timeout=0.2))
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            session.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
        assert session.query("SELECT 1") == [(1,)]  # the next statement gets its own time
    finally:
        session.close()


def test_missing_file_is_a_connect_error_and_is_not_created(tmp_path):
    path = tmp_path / "nope" / "missing.db"
    with pytest.raises(ConnectError, match="does not exist") as error:
        read_catalog(url(path))
    assert "\n" not in str(error.value)
    assert not path.exists() and not path.parent.exists()
    with pytest.raises(ConnectError, match="does not exist"):
        read_catalog(url(tmp_path / "missing.db"))
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_database_is_a_connect_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for\n" * 20)
    with pytest.raises(ConnectError) as error:
        read_catalog(url(path))
    assert "not a readable sqlite database" in str(error.value) and "\n" not in str(error.value)
    assert path.read_text().startswith("these are not")


def test_a_directory_is_a_connect_error(tmp_path):
    with pytest.raises(ConnectError, match="is not a file"):
        read_catalog(url(tmp_path))


def test_a_broken_view_is_skipped_not_fatal(tmp_path):
    path = make_db(
        tmp_path,
        "CREATE TABLE a (x INTEGER); CREATE TABLE b (y TEXT); CREATE VIEW va AS SELECT x FROM a; DROP TABLE a;",
    )
    catalog = read_catalog(url(path))
    assert "no such table" in table(catalog, "va").skipped
    assert [c.name for c in table(catalog, "b").columns] == ["y"] and table(catalog, "b").skipped is None


def test_two_reads_are_equal(tmp_path):
    path = make_db(tmp_path, TRICKY + _schema_with(4))
    first, second = read_catalog(url(path)), read_catalog(url(path))
    assert first == second
    assert to_json(first) == to_json(second)


def test_relative_and_absolute_urls(tmp_path, monkeypatch):
    path = make_db(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY);", name="shop data.db")
    assert parse_target(url(path)).database == str(path)
    assert url(path).startswith("sqlite:////")
    monkeypatch.chdir(tmp_path)
    assert parse_target("sqlite:///shop data.db").database == "shop data.db"
    assert read_catalog("sqlite:///shop data.db") == read_catalog(url(path))


def test_the_only_schema_is_main(tmp_path):
    path = make_db(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    session = SQLiteDialect().connect(parse_target(url(path)), SessionOptions())
    try:
        assert SQLiteDialect().read_catalog(session, ["public"]).schemas == ()
    finally:
        session.close()
    with pytest.raises(DayoneError, match="no schema named 'public'"):
        read_catalog(url(path), schemas=["public"])
    assert [s.name for s in read_catalog(url(path), schemas=["main"]).schemas] == ["main"]


def test_capability_flags():
    assert SQLiteDialect.engine == "sqlite" and SQLiteDialect.sqlglot_dialect == "sqlite"
    assert not any((SQLiteDialect.has_schemas, SQLiteDialect.has_enum_types, SQLiteDialect.has_row_change_counters,
                    SQLiteDialect.has_timestamp_with_time_zone))
    assert SQLiteDialect.has_comments  # read from the -- comments SQLite keeps in its CREATE statements
