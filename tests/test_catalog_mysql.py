"""The MySQL/MariaDB dialect against a real server: sakila read completely, stable and in a constant
number of queries, names that need quoting, guards, and connection errors a user can act on."""

from __future__ import annotations

import re
import socket
import time
import uuid

import pytest

from dayone import api
from dayone.catalog import snapshot
from dayone.catalog.model import ValueSet
from dayone.catalog.snapshot import to_json
from dayone.connect.options import SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects.mysql import MySQLDialect
from dayone.errors import ConnectError

from conftest import SAKILA, MySQLDatabase, _drop_mysql_database, _mysql_admin, unique_name

pytestmark = pytest.mark.mysql

SAKILA_TABLES = {
    "actor", "address", "category", "city", "country", "customer", "film", "film_actor", "film_category",
    "film_text", "inventory", "language", "payment", "rental", "staff", "store",
}  # fmt: skip
SAKILA_VIEWS = {
    "customer_list", "film_list", "nicer_but_slower_film_list", "staff_list", "sales_by_store",
    "sales_by_film_category", "actor_info",
}  # fmt: skip
ALLOWED = re.compile(r"^\s*(SELECT|SHOW|SET|START TRANSACTION|COMMIT|ROLLBACK)\b", re.IGNORECASE)


def read(db: MySQLDatabase):
    return api.read_catalog(db.url, schemas=[db.name])


def connect(url: str, options: SessionOptions | None = None):
    return MySQLDialect().connect(parse_target(url), options or SessionOptions())


@pytest.fixture(scope="module")
def sakila_catalog(sakila):
    catalog = read(sakila)
    return catalog, catalog.schema(sakila.name)


# --- sakila ---------------------------------------------------------------------------------------


def test_a_url_naming_a_database_reads_only_that_database(sakila, mysql_db):
    """mysql://host/shop means the shop database; the rest of the server is someone else's."""
    catalog = api.read_catalog(sakila.url)
    assert [s.name for s in catalog.schemas] == [sakila.name]
    server_wide = {s.name for s in api.read_catalog(sakila.url.rsplit("/", 1)[0] + "/").schemas}
    assert {sakila.name, mysql_db.name} <= server_wide and "mysql" not in server_wide


def test_sakila_has_every_table_and_view(sakila_catalog, sakila):
    catalog, schema = sakila_catalog
    assert [s.name for s in catalog.schemas] == [sakila.name]
    assert {t.name for t in schema.tables if t.kind == "table"} == SAKILA_TABLES
    assert {t.name for t in schema.tables if t.kind == "view"} == SAKILA_VIEWS
    rental = schema.table("rental")
    rows = sakila.execute("SELECT COUNT(*) FROM rental")[0][0]
    assert rows > 100 and rows / 2 <= rental.estimated_rows <= rows * 2  # InnoDB's estimate, not a count
    assert rental.size_bytes > 0
    film_list = schema.table("film_list")
    assert "group_concat" in film_list.view_definition.lower()
    assert [c.name for c in film_list.columns] == ["FID", "title", "description", "category", "price", "length", "rating", "actors"]
    assert all(c.default is None for c in schema.table("customer_list").columns)


def test_sakila_columns_and_types(sakila_catalog):
    _, schema = sakila_catalog
    film = schema.table("film")
    assert [c.name for c in film.columns] == [
        "film_id", "title", "description", "release_year", "language_id", "original_language_id",
        "rental_duration", "rental_rate", "length", "replacement_cost", "rating", "special_features", "last_update",
    ]  # fmt: skip
    rating = film.column("rating")
    assert (rating.normalized_type, rating.enum_values, rating.default) == ("enum", ("G", "PG", "PG-13", "R", "NC-17"), "G")
    features = film.column("special_features")
    assert features.normalized_type == "set"
    assert features.enum_values == ("Trailers", "Commentaries", "Deleted Scenes", "Behind the Scenes")
    assert film.column("film_id").identity == "auto_increment"
    assert film.column("title").identity is None
    assert (film.column("title").normalized_type, film.column("title").nullable) == ("string", False)
    assert film.column("description").normalized_type == "text"
    assert film.column("release_year").normalized_type == "integer"
    assert (film.column("rental_rate").normalized_type, film.column("rental_rate").default) == ("decimal", "4.99")
    assert film.column("original_language_id").default is None  # DEFAULT NULL is no default
    assert schema.table("customer").column("active").normalized_type == "boolean"
    assert schema.table("customer").column("create_date").normalized_type == "timestamp"
    assert schema.table("staff").column("picture").normalized_type == "binary"
    assert schema.table("language").column("name").declared_type == "char(20)"
    last_updates = [t.column("last_update") for t in schema.tables if t.kind == "table" and t.name != "film_text"]
    assert len(last_updates) == 15
    for column in last_updates:
        assert (column.normalized_type, column.on_update) == ("timestamptz", "CURRENT_TIMESTAMP")
        assert column.default.lower().startswith("current_timestamp")
    assert film.column("title").on_update is None


def _schema_foreign_keys() -> dict[tuple[str, str], tuple]:
    """Every foreign key the sakila schema file declares: (table, name) -> (column, table, column, rules)."""
    # read here, not at import: without the fixtures the sakila tests skip instead of breaking collection
    schema = (SAKILA / "sakila-schema.sql").read_text(encoding="utf-8")
    found = {}
    for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\)ENGINE", schema, re.DOTALL):
        for name, column, ref_table, ref_column, on_delete, on_update in re.findall(
            r"CONSTRAINT `?(\w+)`? FOREIGN KEY \((\w+)\) REFERENCES (\w+) \((\w+)\) ON DELETE (SET NULL|\w+) ON UPDATE (\w+)",
            body,
        ):
            found[(table, name)] = ((column,), ref_table, (ref_column,), on_delete, on_update)
    return found


def test_sakila_keys_match_the_schema_file(sakila_catalog, sakila):
    _, schema = sakila_catalog
    expected = _schema_foreign_keys()
    assert len(expected) == 22
    actual = {
        (t.name, fk.name): (fk.columns, fk.referred_table, fk.referred_columns, fk.on_delete, fk.on_update)
        for t in schema.tables
        for fk in t.foreign_keys
    }
    assert actual == expected
    rental = schema.table("rental")
    assert [fk.name for fk in rental.foreign_keys] == ["fk_rental_customer", "fk_rental_inventory", "fk_rental_staff"]
    assert {fk.referred_schema for fk in rental.foreign_keys} == {sakila.name}
    assert schema.table("payment").foreign_keys[1].on_delete == "SET NULL"  # fk_payment_rental
    assert rental.primary_key.columns == ("rental_id",)
    assert [(u.name, u.columns) for u in rental.unique_constraints] == [("rental_date", ("rental_date", "inventory_id", "customer_id"))]
    assert schema.table("film_actor").primary_key.columns == ("actor_id", "film_id")
    assert schema.table("store").unique_constraints[0].columns == ("manager_staff_id",)
    indexes = {i.name: i for i in schema.table("film_text").indexes}
    assert indexes["idx_title_description"].columns == ("title", "description")
    assert indexes["idx_title_description"].method == "FULLTEXT"
    assert indexes["PRIMARY"].primary and indexes["PRIMARY"].unique
    inventory = {i.name: i for i in schema.table("inventory").indexes}
    assert inventory["idx_store_id_film_id"].columns == ("store_id", "film_id")
    assert not inventory["idx_store_id_film_id"].unique


def test_sakila_triggers(sakila_catalog):
    _, schema = sakila_catalog
    create_date = schema.table("customer").triggers
    assert [(t.name, t.timing, t.events, t.orientation) for t in create_date] == [
        ("customer_create_date", "BEFORE", ("INSERT",), "ROW")
    ]
    assert create_date[0].body == "SET NEW.create_date = NOW()"
    film = schema.table("film").triggers
    assert [(t.name, t.timing, t.events) for t in film] == [
        ("del_film", "AFTER", ("DELETE",)),
        ("ins_film", "AFTER", ("INSERT",)),
        ("upd_film", "AFTER", ("UPDATE",)),
    ]
    assert "INSERT INTO film_text" in film[1].body and film[1].body.startswith("BEGIN")


def test_sakila_read_twice_gives_identical_snapshots(sakila):
    first = to_json(read(sakila))
    assert first == to_json(read(sakila))
    assert '"special_features"' in first


@pytest.mark.parametrize("path", ["second session", "rows one by one", "aggregate cut short"])
def test_every_way_of_reading_gives_the_same_sakila(sakila, monkeypatch, path):
    """The big-catalog paths (a second connection; rows sent as one JSON array) and the fallbacks
    (no aggregate at all; an aggregate the server cut at group_concat_max_len) read the same catalog."""
    from dayone.dialects import mysql

    expected = to_json(read(sakila))
    if path == "second session":
        monkeypatch.setattr(mysql, "SECOND_SESSION_FROM", 0)
        monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    elif path == "rows one by one":
        monkeypatch.setattr(mysql, "SELECT_LIST", re.compile(r"^(?!)"))
    elif "mariadb" in sakila.execute("SELECT VERSION()")[0][0].lower():
        monkeypatch.setattr(mysql, "AGGREGATE_MAX_LEN", 1024)
    else:
        pytest.skip("MySQL's JSON_ARRAYAGG is not cut at group_concat_max_len")
    target = parse_target(sakila.url)
    with api.open_session(target) as session:
        catalog = api._checked(mysql.MySQLDialect().read_catalog(session, [sakila.name]), [sakila.name])
        statements = list(session.statements)
    assert to_json(catalog) == expected
    aggregated = [s for s in statements if "JSON_ARRAYAGG" in s]
    plain = [  # the columns of tables, row by row (views' columns always are)
        s for s in statements if "information_schema.COLUMNS" in s and "JSON_ARRAYAGG" not in s and "BINARY)) IN (" not in s
    ]
    if path == "rows one by one":
        assert not aggregated and plain
    elif path == "aggregate cut short":
        assert aggregated and plain  # asked as one array, then row by row
    else:
        assert aggregated and not plain


def test_a_login_allowed_one_connection_reads_a_big_catalog_on_that_one(mysql_db, monkeypatch):
    """MAX_USER_CONNECTIONS 1 refuses the second connection: the first reads everything."""
    from urllib.parse import urlsplit

    from dayone.dialects import mysql

    user = f"one_{uuid.uuid4().hex[:8]}"
    mysql_db.execute(
        "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(9) CHECK (status IN ('new', 'paid')), "
        "KEY k_status (status))"
    )
    mysql_db.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw-{user}' WITH MAX_USER_CONNECTIONS 1")
    try:
        mysql_db.execute(f"GRANT SELECT ON `{mysql_db.name}`.* TO '{user}'@'%'")
        server = urlsplit(mysql_db.url)
        url = f"mysql://{user}:pw-{user}@{server.hostname}:{server.port or 3306}/{mysql_db.name}"
        expected = to_json(api.read_catalog(url))
        monkeypatch.setattr(mysql, "SECOND_SESSION_FROM", 0)
        monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
        with api.open_session(parse_target(url)) as session:
            catalog = MySQLDialect().read_catalog(session, [mysql_db.name])
            statements = list(session.statements)
        assert to_json(catalog) == expected
        assert sum(s.startswith("SET SESSION TRANSACTION READ ONLY") for s in statements) == 1  # one session only
        assert any("information_schema.STATISTICS" in s for s in statements)  # read on the first after all
    finally:
        mysql_db.execute(f"DROP USER IF EXISTS '{user}'@'%'")


def test_server_facts(sakila_catalog, sakila):
    catalog, _ = sakila_catalog
    server_version = sakila.execute("SELECT VERSION()")[0][0]
    assert catalog.product == ("mariadb" if "mariadb" in server_version.lower() else "mysql")
    assert server_version.startswith(catalog.version) and re.fullmatch(r"\d+\.\d+\.\d+", catalog.version)
    assert catalog.database == sakila.name
    assert catalog.current_user and "@" in catalog.current_user
    assert catalog.session_timezone and catalog.session_timezone != "SYSTEM"
    assert catalog.server_timezone and catalog.server_timezone != "SYSTEM"
    assert {"log_bin", "binlog_format", "server_id"} <= set(catalog.cdc_settings)
    assert all(isinstance(v, str) for v in catalog.cdc_settings.values())
    assert catalog.is_replica is False


# --- a constant number of queries, only reading statements ---------------------------------------


def _make_tables(db: MySQLDatabase, start: int, stop: int) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        for i in range(start, stop):
            cur.execute(
                f"CREATE TABLE t{i} (id INT PRIMARY KEY, parent_id INT, status VARCHAR(5) CHECK (status IN ('a','b')),"
                f" code VARCHAR(10) UNIQUE, KEY k_parent (parent_id), CONSTRAINT fk_t{i} FOREIGN KEY (parent_id) REFERENCES t0 (id))"
            )
            cur.execute(f"CREATE TRIGGER trg_t{i} BEFORE INSERT ON t{i} FOR EACH ROW SET NEW.status = 'a'")
            cur.execute(f"CREATE VIEW v{i} AS SELECT id, status FROM t{i}")


def _catalog_statements(db: MySQLDatabase):
    session = connect(db.url)
    try:
        before = len(session.statements)
        catalog = MySQLDialect().read_catalog(session, [db.name])
        return session.statements[before:], catalog
    finally:
        session.close()


def _make_partitioned_tables(db: MySQLDatabase, start: int, stop: int) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        for i in range(start, stop):
            cur.execute(f"CREATE TABLE log{i} (at DATE NOT NULL, id INT NOT NULL) PARTITION BY RANGE COLUMNS (at) "
                        "(PARTITION p1 VALUES LESS THAN ('2025-01-01'), PARTITION p2 VALUES LESS THAN ('2026-01-01'))")  # fmt: skip


def test_query_count_does_not_grow_with_tables(mysql_db):
    _make_tables(mysql_db, 0, 5)
    small, catalog = _catalog_statements(mysql_db)
    assert len(catalog.schemas[0].tables) == 10
    _make_tables(mysql_db, 5, 60)
    large, catalog = _catalog_statements(mysql_db)
    tables = catalog.schemas[0].tables
    assert len(tables) == 120
    t42 = catalog.schemas[0].table("t42")
    assert [fk.name for fk in t42.foreign_keys] == ["fk_t42"] and t42.triggers[0].name == "trg_t42"
    # sixteen for the catalog (MariaDB counts the tables first; views' columns are asked apart, and a database
    # with partitioned tables asks PARTITIONS too, below), five for access facts
    assert len(large) == len(small) <= 21
    assert [s for s in small + large if not ALLOWED.match(s)] == []

    # partitions: one more query, asked only of partitioned tables, however many there are
    _make_partitioned_tables(mysql_db, 0, 2)
    few, catalog = _catalog_statements(mysql_db)
    _make_partitioned_tables(mysql_db, 2, 40)
    many, catalog = _catalog_statements(mysql_db)
    assert len(few) == len(many) == len(small) + 1
    assert [s for s in few if "information_schema.PARTITIONS" in s] != []
    assert [p.name for p in catalog.schemas[0].table("log39").partitioning.partitions] == ["p1", "p2"]


def test_session_is_read_only_and_time_bounded(mysql_db):
    mysql_db.execute("CREATE TABLE t (id INT)")
    options = SessionOptions(statement_timeout=7.5, lock_timeout=0.2, idle_timeout=99)
    session = connect(mysql_db.url, options)
    try:
        mariadb = "mariadb" in session.connection.get_server_info().lower()
        read_only = "@@session.tx_read_only" if mariadb else "@@session.transaction_read_only"
        timeout = "@@max_statement_time" if mariadb else "@@max_execution_time"
        row = session.query(f"SELECT {read_only}, {timeout}, @@lock_wait_timeout, "
                            "@@innodb_lock_wait_timeout, @@wait_timeout")[0]  # fmt: skip
        assert tuple(row) == (1, 7.5 if mariadb else 7500, 1, 1, 99)
        with pytest.raises(Exception, match="READ ONLY"):
            session.query("INSERT INTO t VALUES (1)")
        assert all(ALLOWED.match(s) for s in session.statements[:5])
    finally:
        session.close()
    assert mysql_db.execute("SELECT COUNT(*) FROM t")[0][0] == 0


# --- names, types and constraints ---------------------------------------------------------------

LONG_NAME = "l" * 60 + "_64c"
TRICKY_COLUMNS = ["a column", 'quote"col', "back`tick", "naïve_ünïcødé", "select", LONG_NAME]


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def test_tricky_names_survive_unchanged(mysql_db):
    assert len(LONG_NAME) == 64
    columns = ", ".join(f"{_q(c)} INT" for c in TRICKY_COLUMNS)
    mysql_db.execute(f"CREATE TABLE `select` (id INT PRIMARY KEY, {columns}, KEY {_q('idx ' + TRICKY_COLUMNS[1])} ({_q('back`tick')}))")
    mysql_db.execute(f"CREATE TABLE {_q(LONG_NAME)} (id INT PRIMARY KEY, {_q('naïve_ünïcødé')} INT, "
                     f"CONSTRAINT {_q('fk ü`')} FOREIGN KEY ({_q('naïve_ünïcødé')}) REFERENCES `select` (id))")  # fmt: skip
    mysql_db.execute(f"CREATE TABLE {_q('naïve_ünïcødé')} ({_q('a column')} VARCHAR(3) CHECK ({_q('a column')} IN ('x', 'y''z')))")
    schema = read(mysql_db).schema(mysql_db.name)
    assert [t.name for t in schema.tables] == sorted([LONG_NAME, "naïve_ünïcødé", "select"])
    select = schema.table("select")
    assert [c.name for c in select.columns] == ["id", *TRICKY_COLUMNS]
    assert [(i.name, i.columns) for i in select.indexes] == [("PRIMARY", ("id",)), ('idx quote"col', ("back`tick",))]
    fk = schema.table(LONG_NAME).foreign_keys[0]
    assert (fk.name, fk.columns, fk.referred_table) == ("fk ü`", ("naïve_ünïcødé",), "select")
    check = schema.table("naïve_ünïcødé").check_constraints[0]
    assert check.value_sets == (ValueSet(column="a column", values=("x", "y'z")),)


def test_schema_name_needing_quotes(mysql_server):
    name = unique_name("dayone q'\"` ü")
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {_q(name)}")
        cur.execute(f"CREATE TABLE {_q(name)}.t (id INT PRIMARY KEY)")
    try:
        catalog = api.read_catalog(MySQLDatabase("").url, schemas=[name])
        assert [s.name for s in catalog.schemas] == [name]
        assert [t.name for t in catalog.schemas[0].tables] == ["t"]
    finally:
        _drop_mysql_database(name.replace("`", "``"))


def test_json_check_value_sets_generated_and_defaults(mysql_db):
    mysql_db.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, doc JSON, notes LONGTEXT,"
        " status VARCHAR(5) NOT NULL DEFAULT 'a' CHECK (status IN ('a','b')),"
        " quoted VARCHAR(10) DEFAULT 'it''s', nothing VARCHAR(10), required INT NOT NULL,"
        " text_null VARCHAR(10) DEFAULT 'NULL', flag BIT(1), created DATETIME(3),"
        " touched TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),"
        " twice INT AS (id * 2) VIRTUAL, kind ENUM('x''y', 'a,b', 'back\\\\slash', '') COMMENT 'the kind',"
        " CONSTRAINT positive CHECK (required > 0)) COMMENT 'a table'"
    )
    catalog = read(mysql_db)
    table = catalog.schema(mysql_db.name).table("t")
    assert table.comment == "a table"
    doc = table.column("doc")
    assert doc.normalized_type == "json"
    assert doc.declared_type == ("longtext" if catalog.product == "mariadb" else "json")
    assert table.column("notes").normalized_type == "text"
    checks = {c.name: c for c in table.check_constraints}
    assert checks["positive"].value_sets == ()
    status_check = next(c for c in table.check_constraints if "status" in c.expression)
    assert status_check.value_sets == (ValueSet(column="status", values=("a", "b")),)
    assert table.column("status").default == "a"
    assert table.column("quoted").default == "it's"
    assert table.column("nothing").default is None
    assert table.column("required").default is None
    assert table.column("text_null").default == "NULL"  # the string, not "no default"
    assert table.column("flag").normalized_type == "boolean"
    assert table.column("created").normalized_type == "timestamp"
    touched = table.column("touched")
    assert (touched.on_update, touched.normalized_type) == ("CURRENT_TIMESTAMP(3)", "timestamptz")
    twice = table.column("twice")
    assert twice.generated and "id" in twice.generated and twice.default is None
    kind = table.column("kind")
    assert kind.enum_values == ("x'y", "a,b", "back\\slash", "")
    assert kind.comment == "the kind" and table.column("id").comment is None


def test_partitions_are_read_as_the_server_declares_them(mysql_db):
    with mysql_db.connect() as conn, conn.cursor() as cur:
        for statement in (
            "CREATE TABLE readings (taken_on DATE NOT NULL, id INT NOT NULL, PRIMARY KEY (taken_on, id))"
            " PARTITION BY RANGE COLUMNS (taken_on, id) (PARTITION p2024 VALUES LESS THAN ('2025-01-01', 0),"
            " PARTITION `p'max` VALUES LESS THAN (MAXVALUE, MAXVALUE))",
            "CREATE TABLE visits (at DATETIME NOT NULL) PARTITION BY RANGE (TO_DAYS(at))"
            " (PARTITION p1 VALUES LESS THAN (TO_DAYS('2025-01-01')), PARTITION p0 VALUES LESS THAN MAXVALUE)",
            "CREATE TABLE kinds (kind INT NOT NULL) PARTITION BY LIST (kind) (PARTITION a VALUES IN (1, 2), PARTITION b VALUES IN (3))",
            "CREATE TABLE `odd``name` (`a,b` INT NOT NULL PRIMARY KEY, c INT NOT NULL) PARTITION BY LINEAR KEY (`a,b`) PARTITIONS 2",
            "CREATE TABLE by_key (id INT PRIMARY KEY) PARTITION BY KEY () PARTITIONS 2",
            "CREATE TABLE yearly (at DATE NOT NULL, id INT NOT NULL) PARTITION BY RANGE (YEAR(at))"
            " SUBPARTITION BY HASH (id) SUBPARTITIONS 3 (PARTITION y2024 VALUES LESS THAN (2025), PARTITION y2025 VALUES LESS THAN (2026))",
            "CREATE TABLE plain (id INT PRIMARY KEY)",
        ):
            cur.execute(statement)
    catalog = read(mysql_db)
    schema = catalog.schema(mysql_db.name)

    def described(name):
        found = schema.table(name).partitioning
        return found.strategy, found.key, found.columns, [(p.name, p.bound) for p in found.partitions]

    assert schema.table("readings").kind == "partitioned table"
    assert described("readings") == ("RANGE COLUMNS", "`taken_on`,`id`", ("taken_on", "id"),
                                     [("p2024", "'2025-01-01',0"), ("p'max", "MAXVALUE,MAXVALUE")])  # fmt: skip
    assert described("visits") == ("RANGE", "to_days(`at`)", ("to_days(`at`)",), [("p1", "739617"), ("p0", "MAXVALUE")])
    assert described("kinds") == ("LIST", "`kind`", ("kind",), [("a", "1,2"), ("b", "3")])
    assert described("odd`name") == ("LINEAR KEY", "`a,b`", ("a,b",), [("p0", None), ("p1", None)])
    assert described("by_key") == ("KEY", None, (), [("p0", None), ("p1", None)])  # the primary key's columns
    assert described("yearly") == ("RANGE", "year(`at`)", ("year(`at`)",), [("y2024", "2025"), ("y2025", "2026")])
    assert schema.table("plain").partitioning is None
    text = to_json(catalog)
    assert text.count('"partitioning"') == 6
    assert to_json(snapshot.from_json(text)) == text


# --- connection errors ------------------------------------------------------------------------------


def _with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest.split('@', 1)[1]}"


def test_wrong_password_names_the_user_and_hides_the_password(mysql_db):
    user = unique_name("dayone_u")
    right, wrong = f"Right-{uuid.uuid4().hex}", f"Wrong-{uuid.uuid4().hex}"
    mysql_db.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{right}'")
    try:
        mysql_db.execute(f"GRANT SELECT ON `{mysql_db.name}`.* TO '{user}'@'%'")
        connect(_with_credentials(mysql_db.url, user, right)).close()  # the user works...
        with pytest.raises(ConnectError) as caught:
            connect(_with_credentials(mysql_db.url, user, wrong))  # ...only the password is wrong
    finally:
        mysql_db.execute(f"DROP USER '{user}'@'%'")
    message = str(caught.value)
    assert message.startswith(f"login failed for user '{user}'")
    assert "wrong user or password" in message
    assert wrong not in message and right not in message
    assert "Traceback" not in message and "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_password_from_my_cnf_and_database_permission(mysql_db, tmp_path, monkeypatch):
    user, password = unique_name("dayone_u"), f"Cnf-{uuid.uuid4().hex}"
    other = unique_name("dayone_t")
    mysql_db.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
    mysql_db.execute(f"CREATE DATABASE `{other}`")
    try:
        mysql_db.execute(f"GRANT SELECT ON `{mysql_db.name}`.* TO '{user}'@'%'")
        monkeypatch.delenv("DAYONE_PASSWORD", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        (tmp_path / ".my.cnf").write_text(f"[client]\npassword={password}\n")
        url = _with_credentials(mysql_db.url, user, "").replace(":@", "@")
        assert parse_target(url).password is None
        catalog = api.read_catalog(url, schemas=[mysql_db.name])
        assert catalog.current_user.startswith(user + "@")
        with pytest.raises(ConnectError) as caught:
            connect(url.rsplit("/", 1)[0] + "/" + other)  # logged in, but no grant on that database
    finally:
        mysql_db.execute(f"DROP USER '{user}'@'%'")
        mysql_db.execute(f"DROP DATABASE `{other}`")
    assert str(caught.value).startswith(f"permission denied for user '{user}'")
    assert password not in str(caught.value)


def test_unreachable_port_answers_quickly():
    started = time.monotonic()
    with pytest.raises(ConnectError, match=r"cannot reach MySQL/MariaDB at 127\.0\.0\.1:1 \(connection refused\)"):
        connect("mysql://root@127.0.0.1:1/db")
    assert time.monotonic() - started < 5


def test_server_that_never_answers_times_out():
    """A port that accepts TCP but never speaks (a dead proxy): bounded by the connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(ConnectError, match="no answer within 1 s"):
            connect(f"mysql://root@127.0.0.1:{port}/db", SessionOptions(connect_timeout=1))
        assert time.monotonic() - started < 4
    finally:
        listener.close()


def test_unknown_database_is_named(mysql_server):
    name = unique_name("dayone_missing")
    target = parse_target(MySQLDatabase(name).url)
    where = re.escape(f"{target.host}:{target.port or 3306}")
    with pytest.raises(ConnectError, match=rf"^database '{name}' does not exist on {where}: "):
        connect(MySQLDatabase(name).url)


# --- what only MySQL prints (no MySQL server here: the parsing is checked on its output) --------------


def test_mysql_check_clause_with_charset_introducers_gives_value_set():
    from dayone.catalog.checks import value_sets
    from dayone.dialects.mysql import _no_introducers

    clause = "(`status` in (_utf8mb4'a',_utf8mb4'it\\'s',_latin1'_utf8mb4''x'))"  # as MySQL 8 prints it
    assert value_sets(_no_introducers(clause), "mysql") == (ValueSet(column="status", values=("a", "it's", "_utf8mb4'x")),)


def test_mysql_defaults_are_kept_as_reported():
    from dayone.dialects.mysql import _default

    # MySQL reports the bare value, and NULL both for DEFAULT NULL and for no default
    assert [_default(v, mariadb=False) for v in ("G", "'quoted'", "NULL", None, "CURRENT_TIMESTAMP")] == [
        "G", "'quoted'", "NULL", None, "CURRENT_TIMESTAMP",
    ]  # fmt: skip
    # MariaDB reports an SQL expression
    assert [_default(v, mariadb=True) for v in ("'G'", "'it''s'", "NULL", "'NULL'", None, "current_timestamp()", "3")] == [
        "G", "it's", None, "NULL", None, "current_timestamp()", "3",
    ]  # fmt: skip
