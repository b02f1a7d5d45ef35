"""The diff as pure data: two catalogs built in the test, no server. What a user reads in each
change: its kind, its target, its impact, and the metrics named on it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dayone.catalog.access import AccessFacts, Publication, SchemaAccess
from dayone.catalog.model import (
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    ValueSet,
)
from dayone.diff import MetricUse, diff_catalogs
from dayone.diff.types import classify
from dayone.errors import DayoneError


def col(name, position, declared="integer", normalized="integer", nullable=True, **kw):
    return Column(name=name, position=position, declared_type=declared, normalized_type=normalized, nullable=nullable, **kw)


TOUCH = Trigger(name="orders_touch", timing="BEFORE", events=("UPDATE",), orientation="ROW",
                body="BEGIN NEW.updated_at := now(); RETURN NEW; END", function="shop.touch")  # fmt: skip


def orders(**changes) -> Table:
    table = Table(
        name="orders",
        estimated_rows=100,
        comment="one row per order",
        columns=(
            col("id", 1, "bigint", nullable=False),
            col("customer_id", 2, "bigint"),
            col("status", 3, "character varying(20)", "string"),
            col("total", 4, "numeric(12,2)", "decimal", comment="in cents"),
            col("note", 5, "character varying(200)", "string"),
            col("updated_at", 6, "timestamp with time zone", "timestamptz"),
        ),
        primary_key=PrimaryKey(name="orders_pkey", columns=("id",)),
        foreign_keys=(ForeignKey(name="orders_customer_fk", columns=("customer_id",), referred_schema="shop",
                                 referred_table="customers", referred_columns=("id",)),),  # fmt: skip
        check_constraints=(CheckConstraint(name="orders_status_check", expression="status IN ('new', 'paid')",
                                           value_sets=(ValueSet("status", ("new", "paid")),)),),  # fmt: skip
        indexes=(Index(name="orders_customer_idx", columns=("customer_id",)),),
        triggers=(TOUCH,),
    )
    return replace(table, **changes)


CUSTOMERS = Table(name="customers", columns=(col("id", 1, "bigint", nullable=False), col("email", 2, "text", "text")),
                  primary_key=PrimaryKey(name="customers_pkey", columns=("id",)))  # fmt: skip


def catalog(*tables: Table, access: AccessFacts | None = None, product: str = "postgresql") -> Catalog:
    return Catalog(product=product, version="15.4", database="shopdb", schemas=(Schema(name="shop", tables=tables),), access=access)


def changes(old: Catalog, new: Catalog, **kw) -> dict[tuple[str, str], str]:
    """(kind, target) -> impact."""
    return {(c.kind, c.target): c.impact for c in diff_catalogs(old, new, **kw).changes}


def test_an_unchanged_catalog_reports_nothing_however_its_rows_move():
    before = catalog(orders(), CUSTOMERS)
    after = catalog(orders(estimated_rows=9_000, size_bytes=1 << 20, inserts=50, updates=7), replace(CUSTOMERS, estimated_rows=3))
    assert diff_catalogs(before, after).changes == ()


def test_dropped_and_added_columns():
    new = orders(columns=orders().columns[:4] + orders().columns[5:] + (col("discount", 7, "numeric(12,2)", "decimal"),))
    # note dropped (varchar(200)), discount added: different types, so not a rename
    found = changes(catalog(orders(), CUSTOMERS), catalog(new, CUSTOMERS))
    assert found == {("column-dropped", "shop.orders.note"): "breaking", ("column-added", "shop.orders.discount"): "action"}


def test_a_rename_is_one_change_saying_how_sure_it_is():
    columns = list(orders().columns)
    columns[4] = replace(columns[4], name="remark")
    result = diff_catalogs(catalog(orders(), CUSTOMERS), catalog(orders(columns=tuple(columns)), CUSTOMERS))
    assert [(c.kind, c.target, c.impact) for c in result.changes] == [("column-renamed", "shop.orders.remark", "breaking")]
    assert "note is now remark" in result.changes[0].detail and "confidence" in result.changes[0].detail


def test_a_renamed_fk_column_keeps_its_foreign_key_and_index():
    columns = list(orders().columns)
    columns[1] = replace(columns[1], name="client_id")
    new = orders(columns=tuple(columns), foreign_keys=(replace(orders().foreign_keys[0], columns=("client_id",)),),
                 indexes=(Index(name="orders_customer_idx", columns=("client_id",)),))  # fmt: skip
    found = changes(catalog(orders(), CUSTOMERS), catalog(new, CUSTOMERS))
    assert found == {("column-renamed", "shop.orders.client_id"): "breaking"}


def test_a_renamed_table_is_one_change_and_references_to_it_follow():
    lines = Table(name="lines", columns=(col("id", 1), col("customer_id", 2)),
                  foreign_keys=(ForeignKey(None, ("customer_id",), "shop", "customers", ("id",)),))  # fmt: skip
    renamed = replace(CUSTOMERS, name="clients")
    new_orders = orders(foreign_keys=(replace(orders().foreign_keys[0], referred_table="clients"),))
    new_lines = replace(lines, foreign_keys=(replace(lines.foreign_keys[0], referred_table="clients"),))
    found = changes(catalog(orders(), CUSTOMERS, lines), catalog(new_orders, renamed, new_lines))
    assert found == {("table-renamed", "shop.clients"): "breaking"}


@pytest.mark.parametrize(
    ("old", "new", "kind", "impact"),
    [
        (("character varying(20)", "string"), ("character varying(10)", "string"), "type-narrowed", "breaking"),
        (("character varying(20)", "string"), ("character varying(40)", "string"), "type-widened", "action"),
        (("character varying(20)", "string"), ("text", "text"), "type-widened", "action"),
        (("character varying(20)", "string"), ("integer", "integer"), "type-changed", "breaking"),
        (("timestamp without time zone", "timestamp"), ("timestamp with time zone", "timestamptz"), "type-changed", "breaking"),
        (("timestamp with time zone", "timestamptz"), ("timestamp without time zone", "timestamp"), "type-changed", "breaking"),
    ],
)
def test_type_changes(old, new, kind, impact):
    before = orders(columns=orders().columns[:2] + (col("status", 3, *old),) + orders().columns[3:])
    after = orders(columns=orders().columns[:2] + (col("status", 3, *new),) + orders().columns[3:])
    found = changes(catalog(before, CUSTOMERS), catalog(after, CUSTOMERS))
    assert found == {(kind, "shop.orders.status"): impact}


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [
        ("int(11)", "bigint(20)", "widened"),
        ("bigint(20)", "int(11)", "narrowed"),
        ("int(11)", "int(10) unsigned", "narrowed"),  # negatives no longer fit; the display width means nothing
        ("decimal(12,2)", "decimal(14,2)", "widened"),
        ("decimal(12,2)", "decimal(12,4)", "incompatible"),  # more decimals, fewer whole digits
        ("decimal(12,2)", "decimal(10,2)", "narrowed"),
        ("varchar(255)", "text", "widened"),
        ("text", "varchar(100)", "narrowed"),
        ("text", "mediumtext", "widened"),
        ("datetime(6)", "datetime(3)", "narrowed"),
    ],
)
def test_mysql_type_verdicts(old, new, verdict):
    from dayone.dialects.mysql import MySQLDialect  # noqa: F401 - only to be sure the names are the server's

    def family(declared):
        return {"int": "integer", "bigint": "integer", "decimal": "decimal", "varchar": "string", "text": "text",
                "mediumtext": "text", "datetime": "timestamp"}[declared.split("(")[0].split()[0]]  # fmt: skip

    assert classify(col("x", 1, old, family(old)), col("x", 1, new, family(new)), "mariadb").verdict == verdict


def test_enum_and_check_values():
    status_enum = col("status", 3, "order_status", "enum", enum_values=("new", "paid", "shipped"))
    before = orders(columns=orders().columns[:2] + (status_enum,) + orders().columns[3:])
    narrower = orders(columns=orders().columns[:2] + (replace(status_enum, enum_values=("new", "paid")),) + orders().columns[3:])
    wider = orders(columns=orders().columns[:2] + (replace(status_enum, enum_values=("new", "paid", "shipped", "lost")),) + orders().columns[3:])
    assert changes(catalog(before, CUSTOMERS), catalog(narrower, CUSTOMERS)) == {("enum-value-removed", "shop.orders.status"): "breaking"}
    assert changes(catalog(before, CUSTOMERS), catalog(wider, CUSTOMERS)) == {("enum-value-added", "shop.orders.status"): "action"}

    def with_check(*values):
        return orders(check_constraints=(CheckConstraint("orders_status_check2", "status IN (...)", (ValueSet("status", values),)),))

    assert changes(catalog(orders(), CUSTOMERS), catalog(with_check("new", "paid", "refunded"), CUSTOMERS)) == {
        ("check-value-added", "shop.orders.status"): "action"}
    assert changes(catalog(orders(), CUSTOMERS), catalog(with_check("new"), CUSTOMERS)) == {
        ("check-value-removed", "shop.orders.status"): "breaking"}


def test_constraints_land_on_their_column():
    found = changes(catalog(orders(), CUSTOMERS), catalog(orders(foreign_keys=(), triggers=(), indexes=(), comment="orders"), CUSTOMERS))
    assert found == {
        ("foreign-key-dropped", "shop.orders.customer_id"): "action",
        ("updated-at-trigger-dropped", "shop.orders.updated_at"): "action",
        ("index-dropped", "shop.orders.customer_id"): "info",
        ("comment-changed", "shop.orders"): "info",
    }
    assert changes(catalog(orders(), CUSTOMERS), catalog(orders(primary_key=None), CUSTOMERS)) == {
        ("primary-key-dropped", "shop.orders.id"): "breaking"}


def test_not_null_default_and_soft_delete():
    columns = list(orders().columns)
    columns[1] = replace(columns[1], nullable=False, default="0")
    columns.append(col("deleted_at", 7, "timestamp with time zone", "timestamptz"))
    found = changes(catalog(orders(), CUSTOMERS), catalog(orders(columns=tuple(columns)), CUSTOMERS))
    assert found == {("not-null-added", "shop.orders.customer_id"): "action",
                     ("default-changed", "shop.orders.customer_id"): "info",
                     ("soft-delete-column-added", "shop.orders.deleted_at"): "action"}  # fmt: skip


def access(unreadable=(), publications=None):
    return AccessFacts(product="postgresql", version="15.4", login="analytics",
                       schemas=(SchemaAccess(name="shop", usage=True, unreadable=tuple(unreadable)),),
                       publications=publications)  # fmt: skip


def test_access_new_tables_and_tables_no_longer_readable():
    secret = Table(name="payouts", columns=(col("id", 1),))
    pub = (Publication(name="elt", members=(("shop", "customers"), ("shop", "orders"))),)
    old = catalog(orders(), CUSTOMERS, access=access(publications=pub))
    new = catalog(orders(), CUSTOMERS, secret, access=access(unreadable=("customers", "payouts"), publications=pub))
    result = diff_catalogs(old, new)
    found = {(c.kind, c.target): c for c in result.changes}
    assert {k: c.impact for k, c in found.items()} == {("table-added", "shop.payouts"): "action",
                                                        ("table-unreadable", "shop.customers"): "breaking"}  # fmt: skip
    detail = found[("table-added", "shop.payouts")].detail
    assert "analytics cannot read it" in detail and "no CDC publication carries it" in detail


def test_metrics_are_named_and_blocked():
    metric = MetricUse("revenue", columns=frozenset({"shop.orders.total", "shop.orders.status"}), tables=frozenset({"shop.orders"}),
                       blocked=True, blocked_reason="column total does not exist")  # fmt: skip
    other = MetricUse("signups", columns=frozenset({"shop.customers.id"}), tables=frozenset({"shop.customers"}))
    new = orders(columns=tuple(c for c in orders().columns if c.name != "total"),
                 check_constraints=(CheckConstraint("c", "x", (ValueSet("status", ("new", "paid", "void")),)),))  # fmt: skip
    result = diff_catalogs(catalog(orders(), CUSTOMERS), catalog(new, CUSTOMERS), metrics=[metric, other])
    by_target = {c.target: c for c in result.changes}
    assert [(m.name, m.blocked) for m in by_target["shop.orders.total"].metrics] == [("revenue", True)]
    assert [(m.name, m.blocked) for m in by_target["shop.orders.status"].metrics] == [("revenue", False)]
    assert result.summary()["metrics_blocked"] == ["revenue"]
    assert result.as_dict()["changes"][0].keys() == {"kind", "target", "impact", "detail", "metrics"}


def test_fail_on_and_engines():
    result = diff_catalogs(catalog(orders(), CUSTOMERS), catalog(orders(comment=None), CUSTOMERS))
    assert not result.reaches("breaking") and not result.reaches("action") and not result.reaches("never")
    with pytest.raises(DayoneError, match="same engine"):
        diff_catalogs(catalog(orders()), catalog(orders(), product="mariadb"))
    assert diff_catalogs(catalog(orders(), product="mysql"), catalog(orders(), product="mariadb")).changes == ()


def test_one_mysql_database_against_another_is_one_schema_under_two_names():
    def named(schema_name, product):
        cat = catalog(orders(), CUSTOMERS, product=product)
        tables = tuple(replace(t, foreign_keys=tuple(replace(f, referred_schema=schema_name) for f in t.foreign_keys)) for t in cat.schemas[0].tables)
        return replace(cat, schemas=(Schema(name=schema_name, tables=tables),))

    assert diff_catalogs(named("shop_dev", "mariadb"), named("shop", "mariadb")).changes == ()
    renamed = {c.kind for c in diff_catalogs(named("shop_dev", "postgresql"), named("shop", "postgresql")).changes}
    assert renamed == {"table-dropped", "table-added"}  # on PostgreSQL a schema renamed is a change


def test_two_files_are_read_without_their_unchanged_tables_and_diff_the_same(tmp_path):
    """The reader for two snapshot files sets aside tables the same in both (but for statistics);
    what it reports must be what the whole catalogs give, access changes on unchanged tables too."""
    import orjson

    from dayone.catalog import fastread, snapshot
    from dayone.diff.snapshots import read_pair

    lines = Table(name="lines", columns=(col("id", 1), col("customer_id", 2)),
                  foreign_keys=(ForeignKey(None, ("customer_id",), "shop", "customers", ("id",)),))  # fmt: skip
    pub = (Publication(name="elt", operations=("insert",), tables=2, members=(("shop", "customers"), ("shop", "lines"))),)
    products = Table(name="products", estimated_rows=1, columns=(col("id", 1),))
    old = catalog(orders(), CUSTOMERS, lines, products, access=access(publications=pub))
    columns = list(orders().columns)
    columns[4] = replace(columns[4], name="remark")
    moved = (replace(orders().foreign_keys[0], referred_table="clients"),)
    new = catalog(orders(columns=tuple(columns), estimated_rows=5, foreign_keys=moved), replace(CUSTOMERS, name="clients", estimated_rows=9),
                  replace(lines, foreign_keys=(replace(lines.foreign_keys[0], referred_table="clients"),)),
                  replace(products, estimated_rows=1000), access=access(unreadable=("orders",), publications=(replace(pub[0], members=(("shop", "clients"),)),)))  # fmt: skip
    for value in (old, new):
        assert fastread.catalog(orjson.loads(snapshot.to_bytes(value))["catalog"]) == value
    snapshot.write(old, tmp_path / "old.json")
    snapshot.write(new, tmp_path / "new.json")
    read_old, read_new = read_pair(tmp_path / "old.json", tmp_path / "new.json")
    assert [t.name for _, t in read_new.tables()] == ["orders", "clients", "lines"]  # products set aside
    whole = [c.as_dict() for c in diff_catalogs(old, new).changes]
    assert [c.as_dict() for c in diff_catalogs(read_old, read_new).changes] == whole
    assert {(c["kind"], c["target"]) for c in whole} == {("column-renamed", "shop.orders.remark"), ("table-renamed", "shop.clients"),
                                                         ("table-unreadable", "shop.orders"), ("publication-left", "shop.lines")}  # fmt: skip
    # a document that is not exactly what dayone writes goes to the validating reader, and its one-line error
    (tmp_path / "bad.json").write_text(snapshot.to_json(old).replace('"nullable": false', '"nullable": {}', 1))
    with pytest.raises(DayoneError, match="damaged snapshot"):
        read_pair(tmp_path / "bad.json", tmp_path / "new.json")


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [
        ("numeric", "numeric(12,2)", "narrowed"),
        ("numeric(12,2)", "numeric", "widened"),
        ("character varying(20)", "character varying", "widened"),
        ("timestamp(3) without time zone", "timestamp without time zone", "widened"),
        ("real", "double precision", "widened"),
        ("text", "integer", "incompatible"),
        ("integer", "text", "incompatible"),
    ],
)
def test_postgresql_type_verdicts(old, new, verdict):
    family = {"numeric": "decimal", "character": "string", "timestamp": "timestamp", "real": "float", "double": "float",
              "text": "text", "integer": "integer"}  # fmt: skip
    assert classify(col("x", 1, old, family[old.split("(")[0].split()[0]]), col("x", 1, new, family[new.split("(")[0].split()[0]])).verdict == verdict


def test_a_partition_changes_with_its_parent_and_is_said_once():
    parent = Table(name="events", kind="partitioned table", columns=(col("id", 1), col("at", 2, "date", "date")))
    part = replace(parent, name="events_2026_11", kind="partition", partition_of="events")
    wider = lambda t: replace(t, columns=(col("id", 1, "bigint"), t.columns[1]))  # noqa: E731
    newer = replace(part, name="events_2026_12")
    found = changes(catalog(parent, part), catalog(wider(parent), wider(part), wider(newer)))
    assert found == {("type-widened", "shop.events.id"): "action", ("partition-added", "shop.events_2026_12"): "info"}


def test_mysql_set_values_are_a_list_not_a_type_change():
    before = col("tags", 1, "set('a','b')", "set", enum_values=("a", "b"))
    after = replace(before, declared_type="set('a','b','c')", enum_values=("a", "b", "c"))
    found = changes(catalog(Table(name="t", columns=(before,)), product="mariadb"), catalog(Table(name="t", columns=(after,)), product="mariadb"))
    assert found == {("enum-value-added", "shop.t.tags"): "action"}


def test_snapshots_taken_before_publication_members_were_read_still_load_and_say_so(tmp_path):
    import re

    from dayone.catalog import snapshot
    from dayone.diff.snapshots import read_pair

    old = catalog(orders(), access=access(publications=(Publication(name="elt", tables=1),)))
    new = catalog(orders(), Table(name="payouts", columns=(col("id", 1),)), access=access(publications=(Publication(name="elt", tables=1),)))
    for name, value in (("old", old), ("new", new)):
        text = snapshot.to_json(value)
        assert '"members": null' in text
        (tmp_path / f"{name}.json").write_text(re.sub(r',?\n\s*"members": null', "", text))  # as dayone wrote it before
        assert '"members"' not in (tmp_path / f"{name}.json").read_text()
        assert snapshot.read(tmp_path / f"{name}.json") == value
    read = read_pair(tmp_path / "old.json", tmp_path / "new.json")
    (added,) = diff_catalogs(*read).changes
    assert "whether CDC publication elt carries it was not read (an older snapshot)" in added.detail


def test_names_from_the_database_cannot_redraw_a_terminal_or_break_a_report():
    import json

    from dayone.render.diff_formats import to_json, to_markdown, to_text

    hostile = "evil\x1b[2J|<b>x</b>\nname"
    before = Table(name="t", comment="plain", columns=(col("id", 1), col(hostile, 2, "text", "text")))
    after = replace(before, comment="new\x1b]0;title\x07", columns=(col("id", 1),))
    result = diff_catalogs(catalog(before), catalog(after))
    text = to_text(result)
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text
    markdown = to_markdown(result)
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == 3 for line in rows[1:] if not line.startswith("|---")), rows  # no cell split by a name
    assert "\x1b" not in markdown and "\\<b\\>" in markdown  # HTML escaped in text (code spans show it as it is)
    document = json.loads(to_json(result))
    assert {c["target"] for c in document["changes"]} == {'shop.t."evil\x1b[2J|<b>x</b>\nname"', "shop.t"}


def test_tables_set_aside_whatever_their_names_and_layout(tmp_path):
    """Names that look like the file's own lines change nothing; a file reformatted by hand reads the same."""
    import json

    from dayone.catalog import snapshot
    from dayone.diff import snapshots

    tricky = 'x",\n            "name": "orders'
    odd = Table(name=tricky, comment='}\n          },\n          {\n', columns=(col('"name": "y"', 1),))
    old = catalog(orders(), CUSTOMERS, odd, replace(odd, name="same"), access=access(unreadable=("customers",)))
    new = catalog(orders(estimated_rows=7, comment="changed"), replace(CUSTOMERS, estimated_rows=1), replace(odd, estimated_rows=3),
                  replace(odd, name="same", size_bytes=1), access=access())  # fmt: skip
    for name, value in (("old", old), ("new", new)):
        (tmp_path / f"{name}.json").write_text(json.dumps(json.loads(snapshot.to_json(value))))  # one line
    read_old, read_new = snapshots.read_pair(tmp_path / "old.json", tmp_path / "new.json")
    assert sorted(t.name for _, t in read_new.tables()) == ["customers", "orders"]  # customers: readable now
    assert [c.as_dict() for c in diff_catalogs(read_old, read_new).changes] == [c.as_dict() for c in diff_catalogs(old, new).changes]
