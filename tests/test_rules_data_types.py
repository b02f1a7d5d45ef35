"""What the rows say that the declared types hide: dates, times and flags in text, Unix times in
numbers, money in floating point, values outside a declared list. Each case is built with its rows
on PostgreSQL, MariaDB and SQLite and audited through its URL, as a user runs dayone."""

from __future__ import annotations

import pytest

from data_cases import ENGINES, audit_rows, values

CONTRADICTED = "type-contradicted-by-data"


def legacy_orders(engine: str) -> str:
    """A table of orders imported from an older system: dates as text in two formats, a shipping
    time in epoch seconds, a gift-wrap flag as 'Y'/'N', a priority flag as 0/1; and columns whose
    values only look like those: small quantities, references in the epoch range, a 0/1 count."""
    rows = []
    for i in range(1, 41):
        ordered = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 4 else f"{1 + i % 12}/{13 + i % 15}/2025"
        rows.append((i, ordered, 1_735_689_600 + i * 86_400 * 3, "Y" if i % 3 else "N", i % 2, i % 7 + 1,
                     1_700_000_000 + i, i % 2))  # fmt: skip
    big = "bigint"
    return (f"CREATE TABLE legacy_orders (id integer PRIMARY KEY, ordered_on varchar(20), shipped_ts {big}, "
            f"gift_wrap char(1), is_priority smallint, quantity integer, external_ref {big}, reorders integer);"
            f"INSERT INTO legacy_orders VALUES {values(rows)};")  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_dates_epochs_and_flags_the_types_do_not_say(request, tmp_path, engine):
    audit = audit_rows(request, tmp_path, engine, legacy_orders(engine))
    ordered = audit.finding(CONTRADICTED, "legacy_orders.ordered_on")
    assert ordered.evidence["date_formats"] == {"ISO-8601 date (YYYY-MM-DD)": 30, "M/D/YYYY (month first, US)": 10}
    assert ordered.evidence["mixed_formats"] is True and "in 2 formats" in ordered.message
    assert ordered.evidence["observed_in"].startswith(("full scan of 40 rows", "sample of 40 rows"))
    shipped = audit.finding(CONTRADICTED, "legacy_orders.shipped_ts").evidence
    assert shipped["epoch_unit"] == "seconds" and shipped["epoch_range"] == ["2025-01-04", "2025-05-01"]
    wrap = audit.finding(CONTRADICTED, "legacy_orders.gift_wrap")
    assert wrap.evidence["observed_values"] == {"Y": 27, "N": 13} and "yes/no values as text" in wrap.message
    assert audit.finding(CONTRADICTED, "legacy_orders.is_priority").severity == "info"
    # small numbers, references in the range of Unix times, a key, and a count that happens to be 0/1
    for column in ("id", "quantity", "external_ref", "reorders"):
        assert not audit.has(CONTRADICTED, f"legacy_orders.{column}"), audit.listing(CONTRADICTED)


@pytest.mark.parametrize("engine", ENGINES)
def test_iso_text_is_a_finding_where_the_engine_has_date_types_and_mixed_offsets_everywhere(request, tmp_path, engine):
    rows = [(i, f"2026-03-{1 + i % 28:02d} 10:{i % 60:02d}:00", f"2026-03-{1 + i % 28:02d}T10:00:00" + ("+02:00" if i % 2 else ""))
            for i in range(1, 21)]  # fmt: skip
    audit = audit_rows(request, tmp_path, engine, "CREATE TABLE visits (id integer PRIMARY KEY, logged_at varchar(40), "
                                                  f"synced_at varchar(40)); INSERT INTO visits VALUES {values(rows)};")
    # SQLite has no date type: one ISO-8601 form is its convention; elsewhere it hides a timestamp
    assert audit.has(CONTRADICTED, "visits.logged_at") == (engine != "sqlite")
    synced = audit.finding(CONTRADICTED, "visits.synced_at").evidence["date_formats"]
    assert synced == {"ISO-8601 date-time without offset": 10, "ISO-8601 date-time with offset": 10}


@pytest.mark.parametrize("engine", ENGINES)
def test_few_values_and_mostly_free_text_say_nothing(request, tmp_path, engine):
    rows = [(i, "2026-01-0" + str(i % 9 + 1) if i <= 5 else f"call back on {i}", "Y" if i % 2 else "N") for i in range(1, 13)]
    audit = audit_rows(request, tmp_path, engine, "CREATE TABLE notes (id integer PRIMARY KEY, body varchar(40), "
                                                  f"done char(1)); INSERT INTO notes VALUES {values(rows[:12])};"
                                                  "CREATE TABLE tiny (id integer PRIMARY KEY, ok char(1));"
                                                  f"INSERT INTO tiny VALUES {values([(i, 'Y') for i in range(5)])};")
    assert not audit.has(CONTRADICTED, "notes.body") and audit.has(CONTRADICTED, "notes.done")
    assert not audit.has(CONTRADICTED, "tiny.ok")  # 5 values read


# --- money-in-float ------------------------------------------------------------------------------

SHIPPING_RATES = {
    # Bagisto's cart_shipping_rates (a Laravel shop), cut down: price and base_price are DOUBLE
    "mysql": """CREATE TABLE `cart_shipping_rates` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT, `carrier` varchar(255) NOT NULL,
  `price` double DEFAULT 0, `base_price` double DEFAULT 0,
  `discount_amount` decimal(12,4) NOT NULL DEFAULT 0.0000, `tax_percent` decimal(12,4) NOT NULL DEFAULT 0.0000,
  `weight` double DEFAULT NULL, PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;""",
    "postgresql": """CREATE TABLE cart_shipping_rates (id serial PRIMARY KEY, carrier varchar(255) NOT NULL,
  price double precision DEFAULT 0, base_price double precision DEFAULT 0, discount_amount numeric(12,4) NOT NULL DEFAULT 0,
  tax_percent numeric(12,4) NOT NULL DEFAULT 0, weight double precision);""",
    "sqlite": """CREATE TABLE cart_shipping_rates (id INTEGER PRIMARY KEY, carrier TEXT NOT NULL, price REAL DEFAULT 0,
  base_price REAL DEFAULT 0, discount_amount NUMERIC(12,4) NOT NULL DEFAULT 0, tax_percent NUMERIC(12,4) NOT NULL DEFAULT 0,
  weight REAL);""",
}


@pytest.mark.parametrize("engine", ENGINES)
def test_money_in_floating_point_and_the_noise_it_carries(request, tmp_path, engine):
    rows = [(f"flat{i}", round(4.99 + i, 2), 0.1 * 3 if i % 4 == 0 else round(4.99 + i, 2), 1.5, 2.0, 0.25 * i) for i in range(1, 13)]
    ddl = SHIPPING_RATES[engine] + ("INSERT INTO cart_shipping_rates (carrier, price, base_price, discount_amount, tax_percent, weight) "
                                   f"VALUES {values(rows)};")  # fmt: skip
    audit = audit_rows(request, tmp_path, engine, ddl)
    price = audit.finding("money-in-float", "cart_shipping_rates.price")
    assert price.evidence["values_beyond_cents"] == 0 and "every one of 12 values read has at most two decimals" in price.message
    base = audit.finding("money-in-float", "cart_shipping_rates.base_price").evidence
    assert base["values_beyond_cents"] == 3  # 0.1 * 3 stored as 0.30000000000000004
    for column in ("discount_amount", "tax_percent", "weight", "carrier"):
        assert not audit.has("money-in-float", f"cart_shipping_rates.{column}")


def test_money_in_float_is_said_from_the_catalog_alone():
    from dayone import api
    from dayone.catalog.model import Catalog, Column, Schema, Table

    price = Column("total", 1, "double precision", "float", True)
    catalog = Catalog("postgresql", "15", "shop", schemas=(Schema("public", (Table("orders", columns=(price,)),)),))
    [found] = [f for f in api.audit(catalog).findings if f.rule == "money-in-float"]
    assert found.target == "public.orders.total" and "observed_in" not in found.evidence


# --- values-outside-declared-list ------------------------------------------------------------------

OUTSIDE = "values-outside-declared-list"
STATUSES = values([(i, ("new", "paid", "shipped", "legacy")[i % 4] if i % 10 else "PAID") for i in range(1, 41)])


@pytest.mark.postgres
def test_postgres_a_not_valid_check_lets_old_rows_keep_other_values(request, tmp_path):
    audit = audit_rows(request, tmp_path, "postgresql", f"""
        CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL);
        INSERT INTO orders VALUES {STATUSES};
        ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid', 'shipped', 'PAID')) NOT VALID;
        CREATE TABLE refunds (id integer PRIMARY KEY, state text CHECK (state IN ('open', 'done')));
        INSERT INTO refunds SELECT i, CASE WHEN i % 2 = 0 THEN 'open' ELSE 'done' END FROM generate_series(1, 20) i;""")
    found = audit.finding(OUTSIDE, "orders.status")
    assert found.evidence["rows_outside_list"] == 10 and found.evidence["values_outside_list"] == {"legacy": 10}
    assert found.evidence["constraint_not_valid"] == ["orders_status_check"] and "NOT VALID" in found.message
    assert audit.result.catalog.schemas[0].table("orders").check_constraints[0].validated is False
    assert not audit.has(OUTSIDE, "refunds.state")


@pytest.mark.mysql
def test_mariadb_enum_and_check_values_the_server_let_in(request, tmp_path):
    audit = audit_rows(request, tmp_path, "mysql", f"""
        CREATE TABLE orders (id int PRIMARY KEY, status varchar(20) NOT NULL, CONSTRAINT orders_status CHECK (status IN ('new', 'paid', 'shipped')));
        SET SESSION check_constraint_checks = 0;
        INSERT INTO orders VALUES {STATUSES};
        SET SESSION check_constraint_checks = 1;
        CREATE TABLE locales (id int PRIMARY KEY, direction enum('ltr','rtl') NOT NULL DEFAULT 'ltr');
        SET SESSION sql_mode = '';
        INSERT INTO locales VALUES (1, 'ltr'), (2, 'rtl'), (3, 'up'), (4, 'ltr');
        CREATE TABLE channels (id int PRIMARY KEY, theme enum('light','dark') NOT NULL);
        INSERT INTO channels VALUES (1, 'light'), (2, 'DARK');""")
    status = audit.finding(OUTSIDE, "orders.status")
    # 'PAID' passes a case-insensitive collation's CHECK as the server compares it: only 'legacy' is outside
    assert status.evidence["values_outside_list"] == {"legacy": 10} and status.evidence["rows_outside_list"] == 10
    direction = audit.finding(OUTSIDE, "locales.direction")
    assert direction.evidence["values_outside_list"] == {"": 1} and "sql_mode was not strict" in direction.message
    assert not audit.has(OUTSIDE, "channels.theme")  # 'DARK' is stored as the ENUM's 'dark'


def test_sqlite_checks_switched_off_let_values_in(request, tmp_path):
    audit = audit_rows(request, tmp_path, "sqlite", f"""
        CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'PAID')),
                             level INTEGER CHECK (level IN (1, 2, 3)), note TEXT CHECK (note NOT IN ('x')));
        PRAGMA ignore_check_constraints = ON;
        INSERT INTO orders (id, status) VALUES {STATUSES};
        UPDATE orders SET level = CASE WHEN id % 5 = 0 THEN 9 ELSE 1 END, note = 'x';""")
    assert audit.finding(OUTSIDE, "orders.status").evidence["values_outside_list"] == {"legacy": 10}
    level = audit.finding(OUTSIDE, "orders.level").evidence
    assert level["values_outside_list"] == {"9": 8} and level["declared_values"] == ["1", "2", "3"]
    assert not audit.has(OUTSIDE, "orders.note")  # NOT IN is not a list of allowed values


def test_praise_for_exact_money_and_values_within_their_lists(request, tmp_path):
    from dayone.groups import build_report

    audit = audit_rows(request, tmp_path, "sqlite", """
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, total_amount NUMERIC(12, 2), fee_cents INTEGER,
                               status TEXT CHECK (status IN ('draft', 'sent')));
        INSERT INTO invoices VALUES (1, 10.5, 100, 'draft'), (2, 3, 0, 'sent');""")
    good = [sentence for section in build_report(audit.result).sections for sentence in section.good]
    assert "every amount of money is kept in an exact type (2 columns named like amounts)" in good
    assert "every value read lies within its column's declared list (1 column with an ENUM or CHECK list)" in good
    flawed = audit_rows(request, tmp_path, "sqlite", "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
    assert not any("exact type" in s for section in build_report(flawed.result).sections for s in section.good)
