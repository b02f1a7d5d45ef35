"""Export facts: what the dbt, contract and sync exports render, from an audit of a real database."""

from __future__ import annotations

import pytest

from dayone import api
from dayone.export import export_facts
from dayone.export.facts import zone_in
from dayone.findings import Answer
from export_cases import SHOP_DDL


@pytest.fixture(scope="module")
def shop(pg_server):
    from tests.conftest import _create_pg_database, _drop_pg_database, unique_name

    db = _create_pg_database(unique_name("dayone_export_facts"))
    db.execute(SHOP_DDL)
    yield api.audit(db.url)
    _drop_pg_database(db.name)


def test_keys_values_and_references(shop):
    facts = export_facts(shop)
    tables = {t.name: t for t in facts.tables}
    assert list(tables) == ["shop_customers", "shop_orders"]
    orders = tables["shop_orders"]
    assert orders.primary_key == ("id",)
    status = orders.column("status")
    assert status.accepted_values == ("new", "paid", "shipped", "cancelled")
    assert status.accepted_values_from.startswith("check constraint")
    assert orders.column("channel").accepted_values == ("web", "store", "phone")
    assert orders.column("channel").accepted_values_from == "enum type shop_channel"
    assert [(c.name, c.not_null) for c in orders.columns][:2] == [("id", True), ("customer_id", True)]
    assert orders.column("id").unique and orders.column("id").primary_key
    declared = [r for r in orders.relationships if r.declared]
    assert [(r.columns, r.to_table, r.to_columns) for r in declared] == [(("customer_id",), "shop_customers", ("id",))]
    customers = tables["shop_customers"]
    assert customers.description == "People who buy"
    assert customers.column("email").description == "Login e-mail"
    assert customers.column("email").personal_data == "e-mail address"


def test_flow_facts(shop):
    orders = {t.name: t for t in export_facts(shop).tables}["shop_orders"]
    assert (orders.last_modified, orders.last_modified_by) == ("updated_at", "trigger shop_orders_touch")
    assert [(s.column, s.deleted_when) for s in orders.soft_delete] == [("deleted_at", "set")]
    assert orders.untracked_statuses == ("status",)
    assert orders.column("placed_at").naive_timestamp and not orders.column("updated_at").naive_timestamp
    # wal_level is not logical on the test server: a maintained cursor and a key give dedup
    assert orders.extraction.method == "incremental dedup"
    assert (orders.extraction.cursor, orders.extraction.primary_key) == ("updated_at", ("id",))
    assert orders.extraction.finding_id and orders.extraction.finding_id in {f.id for f in shop.findings}
    customers = {t.name: t for t in export_facts(shop).tables}["shop_customers"]
    assert customers.test_data is not None and customers.test_data.flags == ("is_test",)
    assert customers.extraction.method == "full refresh"


def test_facts_are_deterministic(shop):
    assert export_facts(shop) == export_facts(shop)


def test_zone_comes_from_an_answer(shop):
    assert export_facts(shop).timezone is None
    group = next(g for g in _groups(shop) if g.rule == "timestamp-without-time-zone")
    answered = export_facts(shop, {group.id: Answer("Written in europe/paris local time, by the app", "ana", "2026-12-01T10:00:00Z")})
    assert answered.timezone == "Europe/Paris"
    assert "europe/paris" in answered.timezone_answer


def test_zone_in_free_text():
    assert zone_in("UTC") == "UTC"
    assert zone_in("the app writes America/New_York wall-clock") == "America/New_York"
    assert zone_in("no idea yet") is None


def _groups(result):
    from dayone.groups import group_findings

    return group_findings(result)


def test_descriptions_come_from_answers_to_one_table_or_one_value_list(shop):
    groups = _groups(shop)
    enum = next(g for g in groups if g.rule == "enum-meaning")
    assert len(enum.findings) == 1
    said = Answer("web: the site; store: a till; phone: the call centre", "ana", "2026-12-01T10:00:00Z")
    orders = {t.name: t for t in export_facts(shop, {enum.id: said}).tables}["shop_orders"]
    assert orders.column("channel").description == said.text
    assert orders.column("status").description is None


def test_first_free_keeps_every_exports_names_apart():
    from dayone.export.facts import first_free

    taken: set[str] = set()
    assert [first_free("orders", taken) for _ in range(3)] == ["orders", "orders_2", "orders_3"]
    assert first_free("s.a.b", {"s.a.b"}, lambda n: f"s.a.b ({n})") == "s.a.b (2)"
    assert taken == {"orders", "orders_2", "orders_3"}
