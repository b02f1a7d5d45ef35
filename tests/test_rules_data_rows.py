"""Data rules that need rows to say anything: unused test flags, migrated rows (and how they differ
from new ones), and what a rule may say when no row was read. Built with rows on PostgreSQL, MariaDB
and SQLite and audited through the URL, as a user runs dayone."""

from __future__ import annotations

import pytest

from data_cases import ENGINES, audit_rows, values

UNUSED = "test-flag-unused"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_test_flag_no_row_sets(request, tmp_path, engine):
    users = [(i, f"user{i}@gmail.com", False) for i in range(1, 31)]
    orders = [(i, i % 7, i % 10 == 0) for i in range(1, 31)]
    audit = audit_rows(request, tmp_path, engine, f"""
        CREATE TABLE users (id integer PRIMARY KEY, email varchar(120) NOT NULL, is_test boolean NOT NULL);
        INSERT INTO users VALUES {values(users)};
        CREATE TABLE orders (id integer PRIMARY KEY, quantity integer, test_order boolean);
        INSERT INTO orders VALUES {values(orders)};
        CREATE TABLE accounts (id integer PRIMARY KEY, is_test boolean);
        CREATE TABLE sessions (id integer PRIMARY KEY, is_dummy integer);
        INSERT INTO sessions VALUES {values([(i, 0) for i in range(1, 21)])};""")
    found = audit.finding(UNUSED, "users.is_test")
    assert found.severity == "info" and found.evidence["rows_flagged"] == 0 and found.evidence["rows_read"] == 30
    assert "set on none of 30 rows read" in found.message
    assert audit.has(UNUSED, "sessions.is_dummy")  # an integer flag that is 0 everywhere
    # a flag that is set is test data, not an unused flag; an empty table says nothing
    assert not audit.has(UNUSED, "orders.test_order") and audit.has("test-data-in-production", "orders")
    assert not audit.has("test-data-in-production", "users")
    assert not audit.has(UNUSED, "accounts.is_test")
    # the same catalog without rows (a snapshot) says nothing about the flags
    from dayone import api

    assert not [f for f in api.audit(audit.result.catalog).findings if f.rule == UNUSED]


# --- migrated-data: nothing is claimed about rows that were not read -----------------------------

MIGRATED = "migrated-data"
CUSTOMERS = ("CREATE TABLE customers (id integer PRIMARY KEY, legacy_id integer, email varchar(120), phone varchar(40), "
             "status varchar(20) NOT NULL, source_system varchar(20) NOT NULL, created_at varchar(30) NOT NULL);")  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_migrated_data_of_an_empty_table_rests_on_the_schema_alone(request, tmp_path, engine):
    plain = [(i, None, f"c{i}@gmail.com", None, "active", "web", f"2026-0{1 + i % 9}-01 10:00:00") for i in range(1, 21)]
    audit = audit_rows(request, tmp_path, engine, CUSTOMERS + CUSTOMERS.replace("customers", "prospects")
                       + f"INSERT INTO prospects VALUES {values(plain)};")
    empty = audit.finding(MIGRATED, "customers")
    assert empty.severity == "info" and "holds migrated" not in empty.message and "no row read" not in empty.message
    assert "it is empty" in empty.message and "rests on the schema alone" in empty.message
    assert empty.question.startswith("Will customers hold migrated or imported rows?")
    assert "legacy_columns" in empty.evidence and "observed_in" not in empty.evidence
    unmarked = audit.finding(MIGRATED, "prospects")
    assert unmarked.severity == "info" and "holds migrated" not in unmarked.message
    assert "none of 20 rows read is marked apart: legacy_id is set on none of them" in unmarked.message


def test_migrated_data_from_a_snapshot_says_the_rows_were_not_read():
    from dayone import api
    from dayone.catalog.model import Catalog, Column, Schema, Table

    marker = Column("legacy_id", 2, "integer", "integer", True)
    catalog = Catalog("postgresql", "15", "shop", schemas=(Schema("public", (Table("customers", columns=(marker,)),)),))
    [found] = [f for f in api.audit(catalog).findings if f.rule == MIGRATED]
    assert "its rows were not read" in found.message and "holds migrated" not in found.message and found.severity == "info"


# --- migrated-rows-differ -------------------------------------------------------------------------

DIFFER = "migrated-rows-differ"


def customers(differ: bool) -> list[tuple]:
    rows = []
    for i in range(1, 61):
        migrated = i <= 25
        phone = None if migrated and differ else f"+1 555 010 {i:04d}"
        status = "legacy" if migrated and differ else ("active", "inactive")[i % 2]
        rows.append((i, 9000 + i if migrated else None, f"c{i}@gmail.com", phone, status, "crm" if migrated else "web",
                     f"2026-0{1 + i % 9}-0{1 + i % 9} 10:00:00"))  # fmt: skip
    return rows


@pytest.mark.parametrize("engine", ENGINES)
def test_migrated_rows_that_are_filled_and_coded_differently(request, tmp_path, engine):
    audit = audit_rows(request, tmp_path, engine, CUSTOMERS + f"INSERT INTO customers VALUES {values(customers(True))};"
                       + CUSTOMERS.replace("customers", "contacts") + f"INSERT INTO contacts VALUES {values(customers(False))};")
    found = audit.finding(DIFFER, "customers")
    evidence = found.evidence
    assert (evidence["marker"], evidence["migrated_rows"], evidence["other_rows"]) == ("legacy_id", 25, 35)
    assert evidence["fill_rates"] == {"phone": {"migrated": 0.0, "others": 1.0}}
    assert evidence["values_only_in_migrated"] == {"status": ["legacy"]}
    assert evidence["values_only_in_others"] == {"status": ["active", "inactive"]}
    assert "phone filled in 0% of migrated rows, 100% of the others" in found.message
    assert "gaps or differences between migrated and newly created rows" in found.question
    assert "+1 555" not in found.message + str(evidence)  # a personal column: compared, never quoted
    # migrated rows like the others (source_system is NOT NULL: it marks no row apart)
    assert not audit.has(DIFFER, "contacts")
    assert audit.has(MIGRATED, "contacts")


@pytest.mark.postgres
def test_postgres_a_flag_marks_the_migrated_rows(request, tmp_path):
    audit = audit_rows(request, tmp_path, "postgresql", """
        CREATE TABLE invoices (id integer PRIMARY KEY, is_imported boolean NOT NULL DEFAULT false, paid_at timestamptz,
                               currency text);
        INSERT INTO invoices SELECT i, i <= 20, CASE WHEN i > 20 THEN now() END, CASE WHEN i <= 20 THEN 'DEM' ELSE 'EUR' END
        FROM generate_series(1, 50) i;""")
    evidence = audit.finding(DIFFER, "invoices").evidence
    assert evidence["marker"] == "is_imported" and evidence["migrated_rows"] == 20
    assert evidence["fill_rates"] == {"paid_at": {"migrated": 0.0, "others": 1.0}}
    assert evidence["values_only_in_migrated"] == {"currency": ["DEM"]}


def test_the_tables_that_run_imports_hold_no_imported_rows(tmp_path):
    """Bagisto's import_batches.import_id says which import a batch belongs to (a foreign key to
    imports), not that the batch came from another system; a product's import_batch_id does."""
    import sqlite3

    from dayone import api

    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE imports (id INTEGER PRIMARY KEY, state VARCHAR(255), created_at TEXT);
            CREATE TABLE import_batches (id INTEGER PRIMARY KEY, state VARCHAR(255), data TEXT,
                                         import_id INTEGER NOT NULL REFERENCES imports (id));
            CREATE TABLE products (id INTEGER PRIMARY KEY, sku VARCHAR(64), import_batch_id INTEGER, created_at TEXT);
        """)
    found = {f.location.table for f in api.audit(f"sqlite:///{path}").findings if f.rule == "migrated-data"}
    assert found == {"products"}
