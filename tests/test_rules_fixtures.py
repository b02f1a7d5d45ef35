"""Every rule's findings on pagila (PostgreSQL) and sakila (MariaDB/MySQL), read one by one.

The expected sets below are the whole reading: each finding in them was checked against the schema
and is true, and the tests fail on any finding not in them, so a rule change that adds a false
alarm (or loses a true finding) on these real-world schemas is noticed and read again.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from dayone import api
from dayone.rules import REGISTRY
from rule_harness import Audited, local

PAGILA_TABLES = (
    "actor", "address", "category", "city", "country", "customer", "film", "film_actor", "film_category",
    "inventory", "language", "payment", "rental", "staff", "store",
)  # fmt: skip
SAKILA_TABLES = (*PAGILA_TABLES[:9], "film_text", *PAGILA_TABLES[9:])
LOOKUPS = ("category", "country", "language")  # small tables others point at: questions at info level
# people's names and e-mail addresses, and the address table customers and staff point at
PERSONAL = {
    "actor.first_name", "actor.last_name", "customer.first_name", "customer.last_name", "customer.email",
    "staff.first_name", "staff.last_name", "staff.email", "address.address", "address.address2", "address.postal_code",
    "address.phone",
}  # fmt: skip


def reading(audited: Audited) -> dict[str, set[str]]:
    """rule -> targets (without the schema), extraction-method left out (it speaks for every table),
    and the access rules too: they describe the test server and its login, not the fixture's schema
    (tests/test_rules_access.py reads them)."""
    found: dict[str, set[str]] = defaultdict(set)
    for f in audited.findings:
        if f.rule != "extraction-method" and REGISTRY[f.rule].family != "access":
            found[f.rule].add(local(f.target))
    return dict(found)


@pytest.fixture(scope="module")
def pagila_audit(pagila) -> Audited:
    catalog = api.read_catalog(pagila.url)
    return Audited("postgresql", "public", catalog, api.audit(catalog).findings)


@pytest.fixture(scope="module")
def sakila_audit(sakila) -> Audited:
    catalog = api.read_catalog(sakila.url)
    return Audited("mysql", sakila.name, catalog, api.audit(catalog).findings)


# --- pagila --------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_pagila_findings_are_exactly_the_true_ones(pagila_audit):
    assert reading(pagila_audit) == {
        # the payment partitions carry these foreign keys, except payment_p2022_07; pagila (unlike
        # sakila, which has fk_store_staff) declares no foreign key from store to its manager
        "implicit-foreign-key": {"payment.customer_id", "payment.rental_id", "payment.staff_id", "store.manager_staff_id"},
        # only customer has a creation time (create_date); payment_date, rental_date are asked about
        "missing-created-at": set(PAGILA_TABLES) - {"customer"},
        # every table but payment has last_update, kept current by the last_updated trigger
        "missing-updated-at": {"payment"},
        "undocumented-table": set(PAGILA_TABLES),  # pagila has no comments at all
        "enum-meaning": {"mpaa_rating"},  # film.rating: G, PG, PG-13, R, NC-17
        # customer.active (integer) and staff.active (boolean) retire rows instead of deleting them
        "soft-delete-column": {"customer.active", "staff.active"},
        # payment is partitioned by month of payment_date: retention is asked there, not again below
        "partition-retention": {"payment"},
        # no marker, ON DELETE RESTRICT, no deletes counted
        "deletion-policy-unknown": set(PAGILA_TABLES) - {"customer", "staff", "payment"},
        "personal-data": PERSONAL,
    }


@pytest.mark.postgres
def test_pagila_findings_say_what_a_reader_needs(pagila_audit):
    a = pagila_audit
    fk = a.finding("implicit-foreign-key", "payment.customer_id")
    assert fk.evidence["referred_table"] == "public.customer"
    assert fk.evidence["partitions_without_foreign_key"] == ["payment_p2022_07"]
    assert "missing on payment_p2022_07" in fk.message
    assert a.finding("implicit-foreign-key", "payment.rental_id").evidence["referred_table"] == "public.rental"
    assert a.finding("implicit-foreign-key", "payment.staff_id").evidence["referred_table"] == "public.staff"
    manager = a.finding("implicit-foreign-key", "store.manager_staff_id").evidence
    assert (manager["referred_table"], manager["referred_column"]) == ("public.staff", "staff_id")
    for table in LOOKUPS:
        assert a.finding("missing-created-at", table).severity == "info"
    for table in set(PAGILA_TABLES) - set(LOOKUPS) - {"customer"}:
        assert a.finding("missing-created-at", table).severity == "warning"
    assert a.finding("missing-created-at", "rental").evidence["other_time_columns"] == ["rental_date", "return_date"]
    payment = a.finding("partition-retention", "payment")
    assert (payment.evidence["partitions"], payment.evidence["default_partition"]) == (7, False)
    assert payment.evidence["oldest_bound"].startswith("2022-01-01") and payment.evidence["newest_bound"].startswith("2022-08-01")
    assert payment.severity == "warning" and "7 partitions from 2022-01-01" in payment.message
    assert a.finding("soft-delete-column", "customer.active").evidence["marker_kind"] == "activity flag"
    film = a.finding("undocumented-table", "film").evidence
    assert (film["columns"], film["commented_columns"], film["column_comment_coverage"]) == (14, 0, 0.0)
    # film.rating is the mpaa_rating enum; timestamps are timestamptz; no JSON; deletes are RESTRICTed
    for rule in ("unexplained-value-set", "timestamp-without-time-zone", "json-without-schema", "cascade-delete",
                 "updated-at-not-maintained", "untracked-status-changes", "missing-primary-key", "hard-deletes"):  # fmt: skip
        assert rule not in reading(a)


@pytest.mark.postgres
def test_pagila_extraction_uses_the_trigger_maintained_last_update(pagila_audit):
    without_log = pagila_audit.rerun(cdc_settings={})
    methods = {local(f.target): f.evidence["method"] for f in without_log.findings if f.rule == "extraction-method"}
    assert methods == {t: "key-based incremental on last_update" for t in PAGILA_TABLES if t != "payment"} | {
        "payment": "full table"
    }
    assert "trigger last_updated" in without_log.finding("extraction-method", "film").evidence["reason"]


# --- sakila --------------------------------------------------------------------------------------


@pytest.mark.mysql
def test_sakila_findings_are_exactly_the_true_ones(sakila_audit):
    assert reading(sakila_audit) == {
        # DATETIME is wall-clock time; the TIMESTAMP last_update columns are stored in UTC
        "timestamp-without-time-zone": {
            "customer.create_date", "payment.payment_date", "rental.rental_date", "rental.return_date",
        },  # fmt: skip
        # film_text (MyISAM, filled by film's triggers) is keyed by film_id with no foreign key
        "implicit-foreign-key": {"film_text.film_id"},
        "missing-created-at": set(SAKILA_TABLES) - {"customer"},
        # last_update everywhere (ON UPDATE CURRENT_TIMESTAMP) except film_text
        "missing-updated-at": {"film_text"},
        "undocumented-table": set(SAKILA_TABLES),
        # film's del_film trigger deletes film_text rows; nothing tells for the others
        "hard-deletes": {"film_text"},
        # the ENUM of film.rating and the SET of film.special_features
        "enum-meaning": {"film.rating", "film.special_features"},
        # DATETIME create_date, payment_date, rental_date, return_date beside TIMESTAMP last_update
        "mixed-timestamp-conventions": {""},
        # "Setting active to FALSE serves as an alternative to deleting a customer outright" (sakila's docs)
        "soft-delete-column": {"customer.active", "staff.active"},
        "deletion-policy-unknown": set(SAKILA_TABLES) - {"film_text", "customer", "staff"},
        "personal-data": PERSONAL,
    }


@pytest.mark.mysql
def test_sakila_findings_say_what_a_reader_needs(sakila_audit):
    a = sakila_audit
    create_date = a.finding("timestamp-without-time-zone", "customer.create_date").evidence
    assert create_date["declared_type"] == "datetime" and create_date["server_timezone"] and create_date["session_timezone"]
    film_text = a.finding("implicit-foreign-key", "film_text.film_id").evidence
    assert (film_text["referred_table"], film_text["referred_column"]) == (f"{a.schema}.film", "film_id")
    deleted = a.finding("hard-deletes", "film_text")
    assert deleted.evidence["deleting_triggers"] == ["film.del_film"] and "del_film" in deleted.message
    assert a.finding("missing-created-at", "payment").evidence["other_time_columns"] == ["payment_date"]
    # film.rating is ENUM, special_features SET; FKs are RESTRICT / SET NULL; every last_update is maintained
    for rule in ("unexplained-value-set", "json-without-schema", "cascade-delete", "updated-at-not-maintained",
                 "untracked-status-changes", "missing-primary-key"):  # fmt: skip
        assert rule not in reading(a)


@pytest.mark.mysql
def test_sakila_extraction_uses_on_update_last_update(sakila_audit):
    without_log = sakila_audit.rerun(cdc_settings={})
    methods = {local(f.target): f.evidence["method"] for f in without_log.findings if f.rule == "extraction-method"}
    assert methods == {t: "key-based incremental on last_update" for t in SAKILA_TABLES if t != "film_text"} | {
        "film_text": "full table"
    }
    assert "ON UPDATE CURRENT_TIMESTAMP" in without_log.finding("extraction-method", "rental").evidence["reason"]
