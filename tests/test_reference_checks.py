"""Implicit references checked against the data: the profile looks a bounded set of a reference's
values up in the referenced primary key (one read-only statement per table) and implicit-foreign-key
says how many were found, and how many rows point at no row."""

from __future__ import annotations

import pytest

from data_cases import ENGINES, audit_rows, values

IMPLICIT = "implicit-foreign-key"

# A Rails-style fragment: no foreign keys declared, a deleted customer's subscriptions left behind.
SUBSCRIPTIONS = """
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(80));
CREATE TABLE plans (id bigint PRIMARY KEY, code varchar(20));
CREATE TABLE subscriptions (id bigint PRIMARY KEY, customer_id bigint, plan_id bigint, external_customer_id varchar(40),
                            previous_plan_id varchar(20));
"""


def subscriptions() -> str:
    customers = [(i, f"Customer {i}") for i in range(1, 21) if i not in (4, 5)]  # two customers deleted
    plans = [(1, "basic"), (2, "pro")]
    subs = [(i, 1 + i % 20, 1 + i % 2, f"cus_{i}", str(1 + i % 2)) for i in range(1, 41)]
    return (SUBSCRIPTIONS + f"INSERT INTO customers VALUES {values(customers)};INSERT INTO plans VALUES {values(plans)};"
            f"INSERT INTO subscriptions VALUES {values(subs)};")  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_orphans_and_the_share_of_values_found_in_the_referenced_key(request, tmp_path, engine):
    audit = audit_rows(request, tmp_path, engine, subscriptions())
    customer = audit.finding(IMPLICIT, "subscriptions.customer_id")
    # customer_id runs 1..20 twice; 4 and 5 are gone: 4 of 40 rows point at no customer
    assert customer.evidence["referenced_match_share"] == 0.9 and customer.evidence["orphans_in_sample"] == 4
    assert customer.evidence["reference_values_checked"] == 20
    assert "of 40 values read and looked up (20 distinct), 90% are keys of customers and 4 point at no row" in customer.message
    plan = audit.finding(IMPLICIT, "subscriptions.plan_id").evidence
    assert plan["referenced_match_share"] == 1.0 and plan["orphans_in_sample"] == 0
    checks = {c.column: c for c in audit.table("subscriptions").reference_checks}
    assert set(checks) == {"customer_id", "plan_id"}  # text does not look up an integer key
    assert checks["customer_id"].values_missing == 2 and checks["customer_id"].rows_checked == 40
    assert all(t.lookup_values is None for t in audit.result.profile.tables)  # the values read are not kept
    # the same catalog without rows (a snapshot): the reference is asked about, no share is claimed
    from dayone import api

    offline = [f for f in api.audit(audit.result.catalog).findings if f.rule == IMPLICIT and f.target == customer.target]
    assert offline and "referenced_match_share" not in offline[0].evidence and "keys of" not in offline[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_text_keys_are_compared_as_the_server_compares_them(request, tmp_path, engine):
    """Country codes in lower case: MariaDB's collation finds 'de' under 'DE', PostgreSQL and SQLite do not."""
    audit = audit_rows(request, tmp_path, engine, f"""
        CREATE TABLE countries (id varchar(2) PRIMARY KEY, name varchar(40));
        INSERT INTO countries VALUES ('DE', 'Germany'), ('FR', 'France');
        CREATE TABLE addresses (id integer PRIMARY KEY, country_id varchar(2));
        INSERT INTO addresses VALUES {values([(i, ('DE', 'FR', 'de')[i % 3]) for i in range(1, 31)])};""")
    share = audit.finding(IMPLICIT, "addresses.country_id").evidence["referenced_match_share"]
    assert share == (1.0 if engine == "mysql" else 0.6667)


@pytest.mark.postgres
def test_postgres_a_locked_referenced_table_is_not_looked_up_nor_waited_on(request, tmp_path, pg_server):
    db = request.getfixturevalue("rules_pg_db")
    from conftest import unique_name

    schema = unique_name("locked")
    with db.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"; SET search_path TO "{schema}"; {subscriptions()}')
    holder = db.connect()
    holder.autocommit = False
    try:
        holder.execute(f'LOCK TABLE "{schema}".customers IN ACCESS EXCLUSIVE MODE')
        from dayone import api

        result = api.audit(db.url, schemas=[schema])
        found = [f for f in result.findings if f.rule == IMPLICIT and f.target.endswith("subscriptions.customer_id")]
        assert found and "referenced_match_share" not in found[0].evidence
        profile = next(t for t in result.profile.tables if t.table == "subscriptions")
        assert [c.column for c in profile.reference_checks] == ["plan_id"]  # the unlocked one is still checked
    finally:
        holder.rollback()
        holder.close()
        with db.connect() as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
