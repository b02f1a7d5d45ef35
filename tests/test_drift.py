"""Drift on real servers, as a data engineer meets it before and after go-live: a baseline tagged
`golive`, the changes nobody announced (a column dropped and one renamed, a table renamed, types
narrowed and widened, a table the analytics login cannot read, an enum value, CHECK lists widened
and narrowed, a foreign key and an updated_at trigger dropped, a comment), then `dayone diff`
naming each change with its impact and the metrics it touches; dev against prod on two live
databases; an unchanged database reporting nothing; exit codes; snapshots refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from access_logins import mysql_login, postgres_login
from conftest import _create_mysql_database, _create_pg_database, _drop_mysql_database, _drop_pg_database, unique_name
from test_workspace_core import dayone, ok, one_line_error  # noqa: F401 - `dayone` is a fixture

SHOP_PG = """
CREATE SCHEMA shop;
CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE shop.customers (id bigint PRIMARY KEY, email varchar(200), name text, created_at timestamptz);
CREATE TABLE shop.orders (
    id bigint PRIMARY KEY,
    customer_id bigint REFERENCES shop.customers (id),
    status shop.order_status NOT NULL,
    channel varchar(20) CONSTRAINT orders_channel CHECK (channel IN ('web', 'app')),
    kind varchar(10) CONSTRAINT orders_kind CHECK (kind IN ('a', 'b', 'c')),
    total numeric(12, 2),
    note varchar(200),
    code varchar(40),
    qty integer,
    placed_at timestamp,
    legacy_flag boolean,
    updated_at timestamptz
);
COMMENT ON TABLE shop.orders IS 'one row per order';
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
CREATE TABLE shop.line_items (id bigint PRIMARY KEY, order_id bigint REFERENCES shop.orders (id), sku text, amount numeric(10, 2));
CREATE PUBLICATION {publication} FOR TABLE shop.orders, shop.customers, shop.line_items;
INSERT INTO shop.customers VALUES (1, 'a@b.c', 'A', now());
INSERT INTO shop.orders (id, customer_id, status, channel, kind, total) VALUES (1, 1, 'paid', 'web', 'a', 10);
"""

GO_LIVE_PG = """
ALTER TABLE shop.orders DROP COLUMN legacy_flag;
ALTER TABLE shop.orders RENAME COLUMN total TO amount_total;
ALTER TABLE shop.line_items RENAME TO order_lines;
ALTER TABLE shop.orders ALTER COLUMN code TYPE varchar(20);
ALTER TABLE shop.orders ALTER COLUMN note TYPE text;
ALTER TABLE shop.orders ALTER COLUMN qty TYPE bigint;
CREATE TABLE shop.payouts (id bigint PRIMARY KEY, amount numeric);
ALTER TYPE shop.order_status ADD VALUE 'refunded';
ALTER TABLE shop.orders DROP CONSTRAINT orders_channel, ADD CONSTRAINT orders_channel CHECK (channel IN ('web', 'app', 'pos'));
ALTER TABLE shop.orders DROP CONSTRAINT orders_kind, ADD CONSTRAINT orders_kind CHECK (kind IN ('a', 'b'));
ALTER TABLE shop.orders DROP CONSTRAINT orders_customer_id_fkey;
DROP TRIGGER orders_touch ON shop.orders;
COMMENT ON TABLE shop.orders IS 'orders, one row each';
"""

# What the go-live must be reported as, on either engine: (kind, target) -> impact.
EXPECTED = {
    ("column-dropped", "{s}.orders.legacy_flag"): "breaking",
    ("column-renamed", "{s}.orders.amount_total"): "breaking",
    ("table-renamed", "{s}.order_lines"): "breaking",
    ("type-narrowed", "{s}.orders.code"): "breaking",
    ("check-value-removed", "{s}.orders.kind"): "breaking",
    ("type-widened", "{s}.orders.note"): "action",
    ("type-widened", "{s}.orders.qty"): "action",
    ("table-added", "{s}.payouts"): "action",
    ("enum-value-added", "{s}.orders.status"): "action",
    ("check-value-added", "{s}.orders.channel"): "action",
    ("foreign-key-dropped", "{s}.orders.customer_id"): "action",
    ("updated-at-trigger-dropped", "{s}.orders.updated_at"): "action",
    ("comment-changed", "{s}.orders"): "info",
}


def expected(schema: str, without: tuple[str, ...] = ()) -> dict[tuple[str, str], str]:
    return {(kind, target.format(s=schema)): impact for (kind, target), impact in EXPECTED.items() if kind not in without}


def by_key(document: dict) -> dict[tuple[str, str], dict]:
    found = {}
    for change in document["changes"]:
        key = (change["kind"], change["target"])
        assert key not in found, f"reported twice: {key}"
        found[key] = change
    return found


def add_metrics(dayone, folder: Path, schema: str) -> None:
    ok(dayone("metric", "add", "revenue", "--source", "shop", "--priority", "day-1",
              "--sql", f"SELECT sum(total) FROM {schema}.orders WHERE status = 'paid'", cwd=folder))  # fmt: skip
    ok(dayone("metric", "add", "orders_per_customer", "--source", "shop", "--priority", "day-1", "--sql",
              f"SELECT c.email, count(*) FROM {schema}.orders o JOIN {schema}.customers c ON c.id = o.customer_id GROUP BY c.email",
              cwd=folder))  # fmt: skip
    ok(dayone("metric", "add", "line_revenue", "--source", "shop", "--priority", "later",
              "--sql", f"SELECT sum(amount) FROM {schema}.line_items", cwd=folder))  # fmt: skip


def assert_metrics_named(found: dict, schema: str) -> None:
    metrics = lambda kind, target: {m["name"]: m["blocked"] for m in found[(kind, target.format(s=schema))]["metrics"]}  # noqa: E731
    assert metrics("column-renamed", "{s}.orders.amount_total") == {"revenue": True}
    assert metrics("table-renamed", "{s}.order_lines") == {"line_revenue": True}
    assert metrics("foreign-key-dropped", "{s}.orders.customer_id") == {"orders_per_customer": False}
    assert metrics("enum-value-added", "{s}.orders.status") == {"revenue": False}
    assert metrics("column-dropped", "{s}.orders.legacy_flag") == {}


@pytest.mark.postgres
def test_go_live_on_postgresql(dayone, tmp_path, pg_db):
    publication = unique_name("elt")
    pg_db.execute(SHOP_PG.format(publication=publication))
    grants = ("GRANT USAGE ON SCHEMA shop TO {role}", "GRANT SELECT ON ALL TABLES IN SCHEMA shop TO {role}")
    with postgres_login(pg_db, *grants) as (role, _):
        folder = tmp_path / "launch"
        ok(dayone("init", str(folder), cwd=tmp_path))
        reader_url = pg_db.url.replace("://postgres@", f"://{role}@")  # trust authentication: no password
        ok(dayone("source", "add", "shop", reader_url, cwd=folder))
        add_metrics(dayone, folder, "shop")
        kept = ok(dayone("snapshot", "shop", "--tag", "golive", cwd=folder))
        assert "tagged golive" in kept.stderr
        assert len(list((folder / "state/results/shop/prod").glob("*-golive-snapshot.json"))) == 1
        assert ok(dayone("diff", "shop@golive", "shop", cwd=folder)).stdout.startswith("no changes")  # nothing yet

        pg_db.execute(GO_LIVE_PG)
        result = dayone("diff", "shop@golive", "shop", "--format", "json", cwd=folder)
        assert result.returncode == 1, result.stderr
        document = json.loads(result.stdout)
        found = by_key(document)
        assert {key: change["impact"] for key, change in found.items()} == expected("shop")
        assert_metrics_named(found, "shop")
        assert "cannot read it" in found[("table-added", "shop.payouts")]["detail"]
        assert f"no CDC publication carries it (publications: {publication})" in found[("table-added", "shop.payouts")]["detail"]
        assert "line_items is now shop.order_lines" in found[("table-renamed", "shop.order_lines")]["detail"]
        assert "confidence" in found[("column-renamed", "shop.orders.amount_total")]["detail"]
        assert document["summary"]["breaking"] == 5 and document["summary"]["metrics_blocked"] == ["line_revenue", "revenue"]

        # the same through a source name alone (latest snapshot against live), and in Markdown and text
        markdown = dayone("diff", "shop", "--format", "markdown", "--fail-on", "never", cwd=folder)
        assert markdown.returncode == 0 and "## Breaking (5)" in markdown.stdout and "revenue (blocked)" in markdown.stdout
        text = dayone("diff", "shop@golive", "shop", "--fail-on", "action", "-o", str(tmp_path / "drift.txt"), cwd=folder)
        assert text.returncode == 1 and "Needs action (7)" in (tmp_path / "drift.txt").read_text()

        # watch: the first round against the golive snapshot logs what changed; the second reports nothing
        watched = dayone("watch", "shop", "--format", "json", cwd=folder)
        assert watched.returncode == 1, watched.stderr
        assert by_key(json.loads(watched.stdout)[0]).keys() == expected("shop").keys()
        log = ok(dayone("log", "--format", "json", cwd=folder)).stdout
        assert "drift in shop: 5 breaking, 7 action, 1 info" in log
        again = dayone("watch", "shop", cwd=folder)
        assert again.returncode == 0 and again.stdout.startswith("no changes"), again.stdout + again.stderr


@pytest.mark.postgres
def test_an_unchanged_database_reports_nothing_however_its_rows_move(dayone, tmp_path, pg_db):
    pg_db.execute(SHOP_PG.format(publication=unique_name("elt")))
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    ok(dayone("snapshot", pg_db.url, "-o", str(first), cwd=tmp_path))
    pg_db.execute("INSERT INTO shop.customers SELECT g, 'x' || g, 'n', now() FROM generate_series(2, 5000) g;"
                  "UPDATE shop.orders SET note = 'changed'; DELETE FROM shop.customers WHERE id > 4000; ANALYZE")  # fmt: skip
    ok(dayone("snapshot", pg_db.url, "-o", str(second), cwd=tmp_path))
    assert first.read_bytes() != second.read_bytes()  # the statistics moved
    result = dayone("diff", str(first), str(second), "--format", "json", "--fail-on", "action", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["changes"] == []
    live = dayone("diff", str(first), pg_db.url, "--fail-on", "action", cwd=tmp_path)  # a snapshot against the live database
    assert live.returncode == 0 and live.stdout.startswith("no changes"), live.stdout


@pytest.mark.postgres
def test_dev_against_prod_on_two_live_databases(dayone, tmp_path, pg_server):
    dev, prod = _create_pg_database(unique_name("dayone_dev")), _create_pg_database(unique_name("dayone_prod"))
    try:
        schema = ("CREATE TABLE events (id int PRIMARY KEY, status text NOT NULL, payload jsonb, created_at timestamptz);"
                  "INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'open' ELSE 'closed' END, "
                  "jsonb_build_object('a', g), now() FROM generate_series(1, 200) g;")  # fmt: skip
        dev.execute(schema)
        prod.execute(schema)
        prod.execute("ALTER TABLE events ADD COLUMN region text; ALTER TABLE events ALTER COLUMN status DROP NOT NULL;"
                     "INSERT INTO events VALUES (1000, 'disputed', '{\"a\": 1, \"refund\": {\"reason\": \"late\"}}', now()); ANALYZE")  # fmt: skip
        dev.execute("ANALYZE")
        result = dayone("diff", dev.url, prod.url, "--format", "json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr  # nothing breaking
        found = {key: change["impact"] for key, change in by_key(json.loads(result.stdout)).items()}
        assert found == {
            ("column-added", "public.events.region"): "action",
            ("not-null-dropped", "public.events.status"): "action",
            ("status-value-new", "public.events.status"): "action",
            ("json-key-new", "public.events.payload"): "action",
        }
        catalog_only = dayone("diff", dev.url, prod.url, "--no-profile", "--format", "json", "--fail-on", "action", cwd=tmp_path)
        assert catalog_only.returncode == 1 and len(json.loads(catalog_only.stdout)["changes"]) == 2
    finally:
        _drop_pg_database(dev.name)
        _drop_pg_database(prod.name)


@pytest.mark.postgres
def test_refused_snapshots_and_exit_codes(dayone, tmp_path, pg_db, mysql_db):
    pg_db.execute("CREATE TABLE t (id int)")
    mysql_db.execute("CREATE TABLE t (id int)")
    pg, maria = tmp_path / "pg.json", tmp_path / "maria.json"
    ok(dayone("snapshot", pg_db.url, "-o", str(pg), cwd=tmp_path))
    ok(dayone("snapshot", mysql_db.url, "-o", str(maria), cwd=tmp_path))
    assert "compares two catalogs of the same engine" in one_line_error(dayone("diff", str(pg), str(maria), cwd=tmp_path))
    future = tmp_path / "future.json"
    future.write_text(pg.read_text().replace('"format_version": 1', '"format_version": 2'))
    assert "has snapshot format version 2" in one_line_error(dayone("diff", str(future), str(pg), cwd=tmp_path))
    assert "does not exist" in one_line_error(dayone("diff", str(tmp_path / "missing.json"), str(pg), cwd=tmp_path))
    assert "no project is here" in one_line_error(dayone("diff", "shop@golive", str(pg), cwd=tmp_path))
    pg_db.execute("COMMENT ON TABLE t IS 'x'")
    assert dayone("diff", str(pg), pg_db.url, cwd=tmp_path).returncode == 0  # info only
    assert dayone("diff", str(pg), pg_db.url, "--fail-on", "action", cwd=tmp_path).returncode == 0
    pg_db.execute("ALTER TABLE t ADD COLUMN b int")
    assert dayone("diff", str(pg), pg_db.url, "--fail-on", "action", cwd=tmp_path).returncode == 1
    assert dayone("diff", str(pg), pg_db.url, cwd=tmp_path).returncode == 0
    pg_db.execute("ALTER TABLE t DROP COLUMN id")
    assert dayone("diff", str(pg), pg_db.url, cwd=tmp_path).returncode == 1
    assert dayone("diff", str(pg), pg_db.url, "--fail-on", "never", cwd=tmp_path).returncode == 0


SHOP_MARIADB = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(200), name text, created_at datetime);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint,
    status enum('new', 'paid', 'shipped') NOT NULL,
    channel varchar(20),
    kind varchar(10),
    total decimal(12, 2),
    note varchar(200),
    code varchar(40),
    qty int,
    placed_at datetime,
    legacy_flag tinyint(1),
    updated_at timestamp NULL,
    CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT orders_channel CHECK (channel IN ('web', 'app')),
    CONSTRAINT orders_kind CHECK (kind IN ('a', 'b', 'c'))
) COMMENT = 'one row per order';
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW SET NEW.updated_at = NOW();
CREATE TABLE line_items (id bigint PRIMARY KEY, order_id bigint, sku text, amount decimal(10, 2),
                         CONSTRAINT line_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id));
INSERT INTO customers VALUES (1, 'a@b.c', 'A', now());
INSERT INTO orders (id, customer_id, status, channel, kind, total) VALUES (1, 1, 'paid', 'web', 'a', 10);
"""

GO_LIVE_MARIADB = (
    "ALTER TABLE orders DROP COLUMN legacy_flag",
    "ALTER TABLE orders RENAME COLUMN total TO amount_total",
    "RENAME TABLE line_items TO order_lines",
    "ALTER TABLE orders MODIFY code varchar(20)",
    "ALTER TABLE orders MODIFY note text",
    "ALTER TABLE orders MODIFY qty bigint",
    "CREATE TABLE payouts (id bigint PRIMARY KEY, amount decimal(12, 2))",
    "ALTER TABLE orders MODIFY status enum('new', 'paid', 'shipped', 'refunded') NOT NULL",
    "ALTER TABLE orders DROP CONSTRAINT orders_channel, ADD CONSTRAINT orders_channel CHECK (channel IN ('web', 'app', 'pos'))",
    "ALTER TABLE orders DROP CONSTRAINT orders_kind, ADD CONSTRAINT orders_kind CHECK (kind IN ('a', 'b'))",
    "ALTER TABLE orders DROP FOREIGN KEY orders_customer_fk",
    "DROP TRIGGER orders_touch",
    "ALTER TABLE orders COMMENT = 'orders, one row each'",
)


@pytest.mark.mysql
def test_go_live_on_mariadb(dayone, tmp_path, mysql_db):
    """The reader holds SELECT on each table, as granted table by table; the DBA grants the renamed
    table again and only the key column of the new one. MariaDB shows triggers only to a login
    with the TRIGGER privilege, which a read-only login must not have, and CHECK constraints only
    to a login with a privilege on the whole database: the reader's diff cannot see those go, the
    administrator's (the same diff of an owner's snapshots) does."""
    from urllib.parse import unquote, urlsplit

    for statement in SHOP_MARIADB.split(";\n"):
        if statement.strip():
            mysql_db.execute(statement)
    grants = [f"GRANT SELECT ON {{db}}.{table} TO {{user}}" for table in ("customers", "orders", "line_items")]
    with mysql_login(mysql_db, *grants) as (user, url):
        password = unquote(urlsplit(url).password)
        schema = mysql_db.name
        folder = tmp_path / "launch"
        ok(dayone("init", str(folder), cwd=tmp_path))
        ok(dayone("source", "add", "shop", url.replace(f":{urlsplit(url).password}@", "@"), cwd=folder))
        secret = {"DAYONE_PASSWORD_SHOP": password}
        add_metrics(dayone, folder, schema)
        ok(dayone("snapshot", "shop", "--tag", "golive", cwd=folder, env=secret))
        admin_golive = tmp_path / "admin-golive.json"
        ok(dayone("snapshot", mysql_db.url, "-o", str(admin_golive), cwd=tmp_path))

        for statement in GO_LIVE_MARIADB:
            mysql_db.execute(statement)
        mysql_db.execute(f"GRANT SELECT ON `{schema}`.order_lines TO '{user}'@'%'")
        mysql_db.execute(f"GRANT SELECT (id) ON `{schema}`.payouts TO '{user}'@'%'")

        result = dayone("diff", "shop@golive", "shop", "--format", "json", cwd=folder, env=secret)
        assert result.returncode == 1, result.stderr
        found = by_key(json.loads(result.stdout))
        assert {key: change["impact"] for key, change in found.items()} == expected(
            schema, without=("updated-at-trigger-dropped", "check-value-added", "check-value-removed"))
        assert_metrics_named(found, schema)
        assert "cannot read it (SELECT on some columns only)" in found[("table-added", f"{schema}.payouts")]["detail"]

        admin = dayone("diff", str(admin_golive), mysql_db.url, "--format", "json", cwd=tmp_path)
        assert admin.returncode == 1, admin.stderr
        assert {key: change["impact"] for key, change in by_key(json.loads(admin.stdout)).items()} == expected(schema)


@pytest.mark.mysql
def test_dev_against_prod_on_two_live_mariadb_databases(dayone, tmp_path, mysql_server):
    dev, prod = _create_mysql_database(unique_name("dayone_dev")), _create_mysql_database(unique_name("dayone_prod"))
    try:
        for db in (dev, prod):
            db.execute("CREATE TABLE events (id int PRIMARY KEY, status varchar(20) NOT NULL, created_at datetime)")
        prod.execute("ALTER TABLE events MODIFY status varchar(10) NOT NULL, ADD COLUMN deleted_at datetime")
        result = dayone("diff", dev.url, prod.url, "--format", "json", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        found = {key: change["impact"] for key, change in by_key(json.loads(result.stdout)).items()}
        assert found == {("type-narrowed", f"{prod.name}.events.status"): "breaking",
                         ("soft-delete-column-added", f"{prod.name}.events.deleted_at"): "action"}  # fmt: skip
    finally:
        _drop_mysql_database(dev.name)
        _drop_mysql_database(prod.name)


@pytest.mark.mysql
def test_an_unchanged_mariadb_database_reports_nothing_and_watch_goes_on_past_a_failing_source(dayone, tmp_path, mysql_db):
    mysql_db.execute("CREATE TABLE events (id int AUTO_INCREMENT PRIMARY KEY, status varchar(20), updated_at timestamp NULL "
                     "DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)")  # fmt: skip
    folder = tmp_path / "launch"
    ok(dayone("init", str(folder), cwd=tmp_path))
    ok(dayone("source", "add", "events", mysql_db.url, cwd=folder))
    ok(dayone("source", "add", "gone", "mysql://root@127.0.0.1:1/nothing", cwd=folder))
    first = dayone("watch", cwd=folder)
    assert first.returncode == 2 and "first snapshot kept" in first.stderr and "gone" in first.stderr, first.stderr
    mysql_db.execute("INSERT INTO events (status) SELECT 'x' FROM seq_1_to_3000")
    mysql_db.execute("ANALYZE TABLE events")
    second = dayone("watch", "events", cwd=folder)
    assert second.returncode == 0 and second.stdout.startswith("no changes"), second.stdout + second.stderr
    assert "drift" not in ok(dayone("log", cwd=folder)).stdout  # nothing changed: nothing logged
    mysql_db.execute("ALTER TABLE events MODIFY updated_at timestamp NULL DEFAULT CURRENT_TIMESTAMP")  # ON UPDATE dropped
    third = dayone("watch", "events", "--fail-on", "action", cwd=folder)
    assert third.returncode == 1, third.stdout + third.stderr
    assert f"{mysql_db.name}.events.updated_at  [updated-at-trigger-dropped]" in third.stdout
    assert "ON UPDATE current_timestamp() is gone" in third.stdout.replace("CURRENT_TIMESTAMP", "current_timestamp()")
