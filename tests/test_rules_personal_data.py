"""personal-data: which columns hold personal data, by name and by the shape of their values, on
fragments of real shop and billing schemas with rows; and no value of them in any report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from data_cases import ENGINES, audit_rows, values

PERSONAL = "personal-data"
FIRST_NAMES = ("Ana", "Ben", "Chloé", "Dmitri", "Eun-ji")
LAST_NAMES = ("Ortega", "Baker")
BIRTHDAYS = ("1984-02-29", "1990-07-14", "2001-01-01")


def shop(engine: str) -> str:
    """Bagisto's customers and inventory_sources (a Laravel shop), cut down, with a mailing log whose
    recipient column is named for what it does, not what it holds, and a visits table with IPs."""
    customers = [(i, FIRST_NAMES[i % 5], LAST_NAMES[i % 2], ("M", "F", None)[i % 3], f"ana{i % 4}@mail.example.org",
                  f"+49 30 {1000 + i % 4} 77", BIRTHDAYS[i % 3], 1 if i % 2 else 0) for i in range(1, 25)]  # fmt: skip
    sources = [(i, f"warehouse-{i}", f"Warehouse {i}", f"{i} Dock Road", f"2{i}000", "Hamburg", f"ops{i}@shop.example.com")
               for i in range(1, 4)]  # fmt: skip
    mailings = [(i, f"ana{i % 4}@mail.example.org", "welcome") for i in range(1, 13)]
    visits = [(i, f"10.0.{i % 3}.{i % 5}", "/cart") for i in range(1, 13)]
    products = [(i, f"Sneaker {i % 4}", i * 10) for i in range(1, 13)]
    birth = "date" if engine != "sqlite" else "DATE"
    return f"""
        CREATE TABLE customers (id integer PRIMARY KEY, first_name varchar(191) NOT NULL, last_name varchar(191) NOT NULL,
            gender varchar(50), email varchar(191), phone varchar(191), date_of_birth {birth}, status smallint NOT NULL);
        INSERT INTO customers VALUES {values(customers)};
        CREATE TABLE inventory_sources (id integer PRIMARY KEY, code varchar(191) NOT NULL, name varchar(191) NOT NULL,
            street varchar(191), postcode varchar(191), city varchar(191), contact_email varchar(191));
        INSERT INTO inventory_sources VALUES {values(sources)};
        CREATE TABLE mailings (id integer PRIMARY KEY, recipient varchar(191), template varchar(40));
        INSERT INTO mailings VALUES {values(mailings)};
        CREATE TABLE visits (id integer PRIMARY KEY, origin varchar(45), path varchar(100));
        INSERT INTO visits VALUES {values(visits)};
        CREATE TABLE products (id integer PRIMARY KEY, name varchar(191), price integer);
        INSERT INTO products VALUES {values(products)};"""


@pytest.mark.parametrize("engine", ENGINES)
def test_personal_columns_by_name_and_by_values(request, tmp_path, engine):
    audit = audit_rows(request, tmp_path, engine, shop(engine))
    found = {target: audit.finding(PERSONAL, target).evidence for rule, target in audit.pairs if rule == PERSONAL}
    assert {t: e["personal_data"] for t, e in found.items()} == {
        "customers.first_name": "person's name", "customers.last_name": "person's name",
        "customers.email": "e-mail address", "customers.phone": "phone number", "customers.date_of_birth": "birth date",
        "inventory_sources.contact_email": "e-mail address",
        "mailings.recipient": "e-mail address", "visits.origin": "IP address",
    }  # fmt: skip
    assert found["mailings.recipient"]["detected_by"] == ["values"] and found["mailings.recipient"]["values_read"] == 12
    assert found["customers.email"]["detected_by"] == ["name", "values"]
    assert "12 of 12 values read look like IP addresses" in audit.finding(PERSONAL, "visits.origin").message
    # one question per table
    from dayone.groups import group_findings

    groups = [g for g in group_findings(audit.result) if g.rule == PERSONAL]
    assert sorted(g.count for g in groups) == [1, 1, 1, 5] and any(g.message == "5 columns of customers hold personal data" for g in groups)


@pytest.mark.parametrize("engine", ENGINES)
def test_no_value_of_a_personal_column_is_kept_or_reported(request, tmp_path, engine):
    audit = audit_rows(request, tmp_path, engine, shop(engine))
    customers = audit.table("customers")
    for name in ("first_name", "last_name", "email", "phone", "date_of_birth"):
        column = customers.column(name)
        assert column.top_values == () and column.minimum is None and column.maximum is None, name
    assert customers.column("gender").top_values  # a category, not personal: its value set is kept
    assert audit.table("mailings").column("recipient").top_values == ()  # e-mail addresses by their shape
    reported = "\n".join(f.message + f.question + json.dumps(f.evidence) for f in audit.findings)
    for value in (*FIRST_NAMES, *LAST_NAMES, *BIRTHDAYS, "@mail.example.org", "+49 30", "10.0."):
        assert value not in reported, value


def _written(tmp_path, form: str) -> str:
    import sqlite3

    path = tmp_path / "shop.db"
    if not path.exists():
        with sqlite3.connect(path) as conn:
            conn.executescript(shop("sqlite"))
    run = subprocess.run([sys.executable, "-m", "dayone", "audit", f"sqlite:///{path}", "--format", form, "--expand"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode in (0, 1), run.stderr
    return run.stdout


def test_the_written_reports_hold_no_personal_value(tmp_path):
    for form in ("json", "sarif", "text", "markdown"):
        written = _written(tmp_path, form)
        assert form in ("text", "markdown") or "personal-data" in written, form
        for value in (*FIRST_NAMES, *LAST_NAMES, *BIRTHDAYS, "@mail.example.org", "+49 30", "10.0."):
            assert value not in written, (form, value)


def test_the_text_and_markdown_reports_ask_about_personal_data(tmp_path):
    for form in ("text", "markdown"):
        written = _written(tmp_path, form)
        assert "Governance: personal data" in written and "5 columns of customers hold personal data" in written, form


@pytest.mark.postgres
def test_postgres_inet_and_the_server_statistics_keep_no_personal_value(request, tmp_path):
    from dayone.profile.options import ProfileOptions

    ddl = """CREATE TABLE users (id integer PRIMARY KEY, name text, last_sign_in_ip inet, email text);
             INSERT INTO users SELECT i, (ARRAY['Ana', 'Ben'])[1 + i % 2], ('10.1.0.' || i % 3)::inet, 'u' || i % 3 || '@x.org'
             FROM generate_series(1, 40) i; ANALYZE users;"""
    audit = audit_rows(request, tmp_path, "postgresql", ddl, profile=ProfileOptions(tier="statistics"))
    users = audit.table("users")
    assert users.method == "statistics"
    assert all(users.column(c).top_values == () for c in ("name", "last_sign_in_ip", "email"))  # pg_stats MCVs dropped
    assert audit.has(PERSONAL, "users.last_sign_in_ip") and audit.has(PERSONAL, "users.name")


def test_names_outside_tables_of_people_are_not_personal():
    from dayone.catalog.model import Column, Table
    from dayone.rules.personal import personal_columns

    def table(name, *columns):
        return Table(name, columns=tuple(Column(c, i, "varchar", "string", True) for i, c in enumerate(columns)))

    assert personal_columns(table("products", "name", "street")) == {}
    assert personal_columns(table("organizations", "legal_name", "address_line1", "email", "tax_identification_number")) == {
        "email": "e-mail address"}
    assert personal_columns(table("customers", "legal_name", "address_line1", "tax_identification_number", "ip_address")) == {
        "legal_name": "person's name", "address_line1": "postal address", "tax_identification_number": "government id",
        "ip_address": "IP address"}  # fmt: skip
    assert personal_columns(table("addresses", "customer_id", "address1", "postcode", "city")) == {
        "address1": "postal address", "postcode": "postal address"}
    assert personal_columns(table("email_addresses", "user_id", "address")) == {"address": "e-mail address"}
    assert personal_columns(table("ip_addresses", "user_id", "address")) == {"address": "IP address"}
    # pagila's address table, which customers and staff point at
    assert personal_columns(table("address", "address", "address2", "district", "postal_code")) == {
        "address": "postal address", "address2": "postal address", "postal_code": "postal address"}
    assert personal_columns(table("warehouse_addresses", "street", "postcode")) == {}
    assert personal_columns(table("stores", "postal_code", "street")) == {}
    assert personal_columns(table("accounts", "name", "balance")) == {}  # a ledger's accounts: no e-mail, no person's name
    assert personal_columns(table("accounts", "name", "email")) == {"name": "person's name", "email": "e-mail address"}


def test_whose_address_it_is():
    from dayone.catalog.model import Column, Table
    from dayone.rules.personal import personal_columns

    def table(name, *columns):
        return Table(name, columns=tuple(Column(c, i, "varchar", "string", True) for i, c in enumerate(columns)))

    # a customer's address on an order, by the column's name; the order's other columns are not
    assert personal_columns(table("orders", "billing_address", "shipping_zip", "street", "name")) == {
        "billing_address": "postal address", "shipping_zip": "postal address"}
    # in a table of people, every address is where someone lives; a wallet or a remote address is not
    assert personal_columns(table("users", "address", "wallet_address", "remote_address")) == {"address": "postal address"}
