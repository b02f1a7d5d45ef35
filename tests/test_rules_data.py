"""Data-driven rules over real rows: the demo's planted problems (SQLite), and small cases on
PostgreSQL and MariaDB. Each profile is built the way the profiler builds one: rows read from the
database, aggregated by `profile_rows` in one pass; the rules then see only the aggregates.

Predicates the findings hand out are run on the engine they were written for, and must select the
rows the finding counted."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dayone import api
from dayone.catalog.model import Catalog, Column
from dayone.demo import DEMO_PROBLEMS, build_demo
from dayone.findings import Finding
from dayone.profile import Profile, profile_rows
from dayone.profile.accumulate import TEST_PATTERNS
from dayone.profile.model import ROWID
from dayone.rules import run_rules, select_rules
from dayone.rules.context import AuditContext
from dayone.rules.data import TEST_PREDICATES
from dayone.rules.evidence import Sql
from dayone.rules.naming import created_columns

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
DATA_RULES = ("json-in-text", "migrated-data", "test-data-in-production", "nullable-never-null")
Reader = Callable[[str, str, list[Column]], Iterable[tuple]]


def profile_catalog(catalog: Catalog, read: Reader, method: str = "full", rowid: bool = False) -> Profile:
    """Every table read with `read(schema, table, columns)` and aggregated as the profiler does;
    `rowid`: SQLite's hidden rowid is read too, for tables without an INTEGER PRIMARY KEY."""
    tables = []
    for schema, table in catalog.tables():
        if table.kind != "table":
            continue
        columns = list(table.columns)
        if rowid and not any(c.identity == "rowid" for c in columns):
            columns.append(Column(ROWID, len(columns) + 1, "INTEGER", "integer", False, identity="rowid"))
        tables.append(profile_rows(
            schema.name, table.name, columns, read(schema.name, table.name, columns), method=method, now=NOW,
            spike_columns=[c.name for c in created_columns(table)], rows_estimated=table.estimated_rows,
            key_columns=table.primary_key.columns if table.primary_key else (),
        ))  # fmt: skip
    return Profile(tier="full" if method == "full" else "sample", profiled_at=NOW.isoformat(), tables=tuple(tables))


def local(target: str) -> str:
    """'public.orders.status' -> 'orders.status'; a finding on the database itself -> ''."""
    return target.split(".", 1)[1] if "." in target else ""


def one(findings: Iterable[Finding], rule: str, target: str) -> Finding:
    found = [f for f in findings if f.rule == rule and local(f.target) == target]
    assert len(found) == 1, f"expected one {rule} on {target}, got {[(f.rule, f.target) for f in findings]}"
    return found[0]


def pairs(findings: Iterable[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, local(f.target)) for f in findings}


def python_test_like(value: str | None) -> bool:
    return bool(value) and any(pattern.search(value) for _, pattern in TEST_PATTERNS)


# --- the demo: every planted "data" problem is found once a profile is given -------------------


class Demo:
    def __init__(self, folder: Path):
        self.paths = {p.stem: p for p in build_demo(folder)}
        self.catalogs = {name: api.read_catalog(f"sqlite:///{path}") for name, path in self.paths.items()}
        self.profiles = {name: profile_catalog(c, self._reader(name), rowid=True) for name, c in self.catalogs.items()}
        rules = select_rules()
        self.with_profile = {n: run_rules(c, rules, self.profiles[n]).findings for n, c in self.catalogs.items()}
        self.without = {n: run_rules(c, rules).findings for n, c in self.catalogs.items()}

    def _reader(self, name: str) -> Reader:
        def read(schema: str, table: str, columns: list[Column]):
            names = ", ".join(f'"{c.name}"' for c in columns)
            with sqlite3.connect(self.paths[name]) as conn:
                return conn.execute(f'SELECT {names} FROM "{table}"').fetchall()

        return read

    def query(self, name: str, sql: str):
        with sqlite3.connect(self.paths[name]) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    return Demo(tmp_path_factory.mktemp("demo-data"))


def test_every_planted_data_problem_is_found_with_a_profile(demo):
    planted = [p for p in DEMO_PROBLEMS if p.seen_from == "data"]
    assert len(planted) >= 5
    missed = [p for p in planted if (p.rule, p.target) not in pairs(demo.with_profile[p.database])]
    assert missed == []


def test_the_real_audit_profiles_the_demo_and_finds_every_planted_problem(demo):
    """api.audit as the CLI runs it: catalog, a profile by the SQLite dialect (small tables are read
    whole, with their hidden rowid), the rules. Only the cross-database reference needs more."""
    found = set()
    for name, path in demo.paths.items():
        result = api.audit(f"sqlite:///{path}")
        assert result.profile is not None and all(t.method == "full" for t in result.profile.tables)
        found |= {(name, rule, target) for rule, target in pairs(result.findings)}
    missed = [p for p in DEMO_PROBLEMS if (p.database, p.rule, p.target) not in found]
    assert [(p.database, p.rule, p.target, p.seen_from) for p in missed] == [
        ("vault", "implicit-foreign-key", "vault_items.submission_id", "project")
    ]


def test_without_a_profile_no_finding_claims_anything_about_the_rows(demo):
    for name, findings in demo.without.items():
        assert not [f for f in findings if f.rule in DATA_RULES and f.rule != "migrated-data"], name
        assert not [f for f in findings if "observed_in" in f.evidence or "key_gaps" in f.evidence], name
    assert ("json-without-schema", "items.grading_details") not in pairs(demo.without["grading"])
    assert ("hard-deletes", "vault_items") not in pairs(demo.without["vault"])
    # the legacy columns are in the schema: the finding stands, but counts nothing
    legacy = one(demo.without["identity"], "migrated-data", "accounts")
    assert legacy.evidence["legacy_columns"] == {"legacy_source": {}, "legacy_user_id": {}}
    assert legacy.evidence["predicate"] == '"legacy_source" IS NOT NULL'
    assert ("migrated-data", "account_identities") not in pairs(demo.without["identity"])  # a spike needs the rows


def test_migrated_accounts_are_counted_dated_and_selectable(demo):
    found = one(demo.with_profile["identity"], "migrated-data", "accounts")
    evidence = found.evidence
    assert evidence["observed_in"] == "full scan of 1,910 rows"
    assert evidence["legacy_columns"]["legacy_source"] == {"rows": 1550, "values": {"psa": 1100, "pcgs": 450}}
    assert evidence["creation_spike"]["rows"] == 1551 and evidence["creation_spike"]["start"].startswith("2026-10-31T01:55")
    assert demo.query("identity", evidence["query"]) == [(1550,)]
    assert "1,550 of 1,910 rows read carry legacy_source (psa 1,100, pcgs 450)" in found.message
    # without legacy columns, the creation spike alone dates the import, and its predicate selects it
    spike = one(demo.with_profile["identity"], "migrated-data", "account_identities").evidence
    assert spike["predicate"].startswith('"created_at" BETWEEN ')
    assert demo.query("identity", spike["query"]) == [(spike["creation_spike"]["rows"],)]


def test_test_accounts_are_counted_and_the_predicate_selects_exactly_them(demo):
    found = one(demo.with_profile["identity"], "test-data-in-production", "accounts")
    evidence = found.evidence
    assert found.severity == "warning"
    assert evidence["test_rows_at_least"] == 40 and evidence["observed_in"] == "full scan of 1,910 rows"
    assert "@example.com/.org/.net" in evidence["columns"]["email"]["patterns"]
    assert not any("@" in p and "+" in p for c in evidence["columns"].values() for p in c["patterns"])  # labels, never values
    rows = demo.query("identity", "SELECT id, email, display_name FROM accounts")
    expected = {i for i, email, name in rows if python_test_like(email) or python_test_like(name)}
    selected = {i for (i,) in demo.query("identity", f"SELECT id FROM accounts WHERE {evidence['predicate']}")}
    assert selected == expected and len(selected) == 40
    assert demo.query("identity", evidence["query"]) == [(40,)]


def test_json_in_text_and_its_inferred_schema(demo):
    found = one(demo.with_profile["grading"], "json-in-text", "items.grading_details")
    assert found.evidence["json_documents"] == 389 and found.evidence["invalid_json"] == 0
    assert "grader" in found.evidence["top_level_keys"]
    schema = one(demo.with_profile["grading"], "json-without-schema", "items.grading_details").evidence["inferred_json_schema"]
    assert schema["type"] == "object"
    assert schema["properties"]["grader"] == {"type": "string"}
    subgrades = schema["properties"]["subgrades"]
    assert subgrades["properties"]["centering"] == {"type": "number"}
    assert subgrades["required"] == ["centering", "corners", "edges", "surface"]  # present wherever subgrades is
    assert "required" not in schema  # no key is in every document: rejected items carry code and reason instead
    # a JSON column read from the data: nullable keys are typed ["null", ...], not called varying
    metadata = one(demo.with_profile["collection"], "json-without-schema", "collection_items.metadata").evidence
    assert metadata["inferred_json_schema"]["properties"]["mint_mark"]["type"] == ["null", "string"]
    assert metadata["inferred_json_schema"]["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert "keys_with_varying_types" not in metadata


def test_deleted_vault_items_show_as_gaps_in_the_rowid(demo):
    found = one(demo.with_profile["vault"], "hard-deletes", "vault_items")
    gaps = found.evidence["key_gaps"]
    [(low, high, rows)] = demo.query("vault", "SELECT min(rowid), max(rowid), count(*) FROM vault_items")
    assert (gaps["lowest"], gaps["highest"], gaps["rows"]) == (low, high, rows)
    assert gaps["missing_ids"] == high - low + 1 - rows > 0 and gaps["exact"] is True and found.severity == "warning"
    # and the table no longer counts as one nobody knows the deletion policy of
    assert ("deletion-policy-unknown", "vault_items") not in pairs(demo.with_profile["vault"])
    assert ("deletion-policy-unknown", "vault_items") in pairs(demo.without["vault"])
    # tables whose rowids run without a gap are not accused
    assert ("hard-deletes", "storage_locations") not in pairs(demo.with_profile["vault"])


def test_value_sets_list_what_was_read(demo):
    source = one(demo.with_profile["collection"], "unexplained-value-set", "collection_items.source")
    assert source.evidence["observed_values"] == {"manual": 811, "pcgs": 587, "psa": 270}
    assert source.evidence["observed_in"] == "full scan of 1,668 rows"
    assert "manual (811), pcgs (587), psa (270)" in source.message
    status = one(demo.with_profile["grading"], "unexplained-value-set", "submissions.status").evidence
    assert sum(status["observed_values"].values()) == 610 and "cancelled" in status["observed_values"]


def test_updated_at_is_compared_with_created_at_row_by_row(demo):
    found = one(demo.with_profile["grading"], "updated-at-not-maintained", "submissions.updated_at")
    [(later,)] = demo.query("grading", "SELECT count(*) FROM submissions WHERE julianday(updated_at) - julianday(created_at) > 1.0/86400")
    assert found.evidence["rows_compared"] == 610 and found.evidence["rows_updated_after_created"] == later > 0
    assert found.evidence["compared_with"] == "created_at" and "some code paths set it" in found.message


def test_nullable_never_null_says_how_many_rows_and_whether_it_is_definitive(demo):
    found = one(demo.with_profile["vault"], "nullable-never-null", "vault_items.grade")
    assert found.evidence == {"observed_in": "full scan of 425 rows", "rows_read": 425, "nulls": 0, "definitive": True}
    assert ("nullable-never-null", "vault_items.storage_location_id") not in pairs(demo.with_profile["vault"])  # has NULLs
    assert ("nullable-never-null", "service_levels.name") not in pairs(demo.with_profile["grading"])  # NOT NULL already


# --- test-data predicates: the same rows on every engine as the profiler's patterns --------------

SAMPLES = [
    "qa+1@example.com", "someone@EXAMPLE.org", "ann@example.community", "bob@mail.test", "x@localhost",
    "y@sub.invalid", "z@foo.example", "a@mailinator.com", "b@yopmail.fr", "loadtest_0001@collectors-loadtest.com",
    "Load Test 7", "perf-test", "stress_test", "test+3@gmail.com", "Dev+x@corp.com", "QA Tester 3", "test", "Tester",
    "testing123", "Testa Rossa", "contest 1", "Dummy", "fake_user", "asdf", "qwerty1", "Lorem ipsum dolor", "foo",
    "Barbara", "bar.baz", "xxxx", "Qa_Test", "qatest", "qa-dummy", "Ann Smith", "ann@gmail.com", "rtest", "latest@x.com",
]  # fmt: skip


def predicates(product: str) -> dict[str, str]:
    sql = Sql(AuditContext(Catalog(product=product, version="", database="t")))
    v = Column("v", 1, "text", "text", True)
    return {label: sql.matches(v, regex, globs, pad) for label, (regex, globs, pad) in TEST_PREDICATES.items()}


def expected_matches() -> dict[str, set[str]]:
    return {label: {s for s in SAMPLES if pattern.search(s)} for label, pattern in TEST_PATTERNS}


def test_every_test_pattern_has_a_predicate():
    assert set(TEST_PREDICATES) == {label for label, _ in TEST_PATTERNS}
    assert all(expected_matches().values()), "every pattern is exercised by a sample"


def test_test_predicates_on_sqlite_select_what_the_patterns_match():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE s (v TEXT)")
    conn.executemany("INSERT INTO s VALUES (?)", [(s,) for s in SAMPLES])
    for label, predicate in predicates("sqlite").items():
        assert {v for (v,) in conn.execute(f"SELECT v FROM s WHERE {predicate}")} == expected_matches()[label], label


@pytest.mark.postgres
def test_test_predicates_on_postgres_select_what_the_patterns_match(pg_db):
    pg_db.execute("CREATE TABLE s (v text)")
    with pg_db.connect() as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO s VALUES (%s)", [(s,) for s in SAMPLES])
    for label, predicate in predicates("postgresql").items():
        assert {v for (v,) in pg_db.execute(f"SELECT v FROM s WHERE {predicate}")} == expected_matches()[label], label


@pytest.mark.mysql
def test_test_predicates_on_mariadb_select_what_the_patterns_match(mysql_db):
    mysql_db.execute("CREATE TABLE s (v varchar(100)) CHARACTER SET utf8mb4")
    with mysql_db.connect() as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO s VALUES (%s)", [(s,) for s in SAMPLES])
    for label, predicate in predicates("mariadb").items():
        assert {v for (v,) in mysql_db.execute(f"SELECT v FROM s WHERE {predicate}")} == expected_matches()[label], label


# --- PostgreSQL: value sets against lookup keys, JSON, updated_at and the server's counters ------


def pg_reader(db) -> Reader:
    from psycopg import sql

    def read(schema: str, table: str, columns: list[Column]):
        query = sql.SQL("SELECT {} FROM {}.{}").format(
            sql.SQL(", ").join(sql.Identifier(c.name) for c in columns), sql.Identifier(schema), sql.Identifier(table)
        )
        with db.connect() as conn:
            return conn.execute(query).fetchall()

    return read


PG_SHOP = """
CREATE TABLE order_statuses (code text PRIMARY KEY, label text);
INSERT INTO order_statuses VALUES ('new', 'New'), ('paid', 'Paid'), ('shipped', 'Shipped'), ('lost', 'Lost');
CREATE TABLE fulfilment_methods (code text PRIMARY KEY, label text);
INSERT INTO fulfilment_methods VALUES ('pickup', 'Pick-up'), ('delivery', 'Delivery'), ('locker', 'Locker');
CREATE TABLE tiers (code text PRIMARY KEY);
INSERT INTO tiers VALUES ('gold'), ('silver');
CREATE TABLE orders (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status text NOT NULL,
    fulfilment_type text,
    tier text,
    channel text,
    notes text,
    payload text,
    "E-mail Address" text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
INSERT INTO orders (status, fulfilment_type, tier, channel, notes, payload, "E-mail Address", created_at, updated_at)
SELECT (ARRAY['new', 'paid', 'shipped'])[1 + i % 3], (ARRAY['pickup', 'delivery'])[1 + i % 2],
       (ARRAY['gold', 'platinum'])[1 + i % 2], 'web', CASE WHEN i % 4 = 0 THEN 'call first' END,
       json_build_object('sku', 'A-' || i, 'qty', i % 5, 'gift', i % 7 = 0)::text,
       CASE WHEN i % 25 = 0 THEN 'qa+' || i || '@example.com' ELSE 'customer' || i || '@gmail.com' END,
       timestamptz '2026-09-01' + i * interval '1 hour', timestamptz '2026-09-01' + i * interval '1 hour'
FROM generate_series(1, 150) AS i;
CREATE TABLE events (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO events (data)
SELECT CASE WHEN i % 2 = 0 THEN jsonb_build_object('kind', 'sale', 'amount', i, 'lines', jsonb_build_array(jsonb_build_object('sku', 'A')))
            ELSE jsonb_build_object('kind', 'refund', 'amount', i::text) END
FROM generate_series(1, 40) AS i;
CREATE TABLE tickets (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subject text NOT NULL);
INSERT INTO tickets (subject) SELECT 'subject ' || i FROM generate_series(1, 200) AS i;
CREATE TABLE labels (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
INSERT INTO labels (name) SELECT 'label ' || i FROM generate_series(1, 60) AS i;
CREATE TABLE visits (id integer PRIMARY KEY, source text);
INSERT INTO visits SELECT i, 'https://referrer.example/' || i FROM generate_series(1, 1100) AS i;
"""


@pytest.fixture(scope="module")
def pg_shop(pg_server):
    """One database for the module's PostgreSQL tests; what they add to it, they add beside the shop."""
    from conftest import _create_pg_database, _drop_pg_database, unique_name
    from rule_harness import Engines

    db = _create_pg_database(unique_name("dayone_data"))
    try:
        db.execute(PG_SHOP)
        Engines._postgres_changes(db, "public", (
            "UPDATE orders SET notes = notes WHERE id % 10 = 0",  # updated_at is not touched
            "DELETE FROM tickets WHERE id % 3 = 0",
        ))  # fmt: skip
        catalog = api.read_catalog(db.url)
        profile = profile_catalog(catalog, pg_reader(db))
        yield db, catalog, profile, run_rules(catalog, select_rules(), profile).findings
    finally:
        _drop_pg_database(db.name)


@pytest.mark.postgres
def test_postgres_value_sets_are_checked_against_lookup_keys(pg_shop):
    _, _, _, findings = pg_shop
    status = one(findings, "unexplained-value-set", "orders.status").evidence
    assert status["observed_values"] == {"new": 50, "paid": 50, "shipped": 50}
    assert status["candidate_lookup_table"] == "public.order_statuses" and status["lookup_covers_values"] is True
    # no name in common, but every value read is a key of fulfilment_methods
    fulfilment = one(findings, "unexplained-value-set", "orders.fulfilment_type")
    assert fulfilment.evidence["candidate_lookup_table"] == "public.fulfilment_methods"
    assert fulfilment.evidence["lookup_key_column"] == "code" and fulfilment.evidence["lookup_covers_values"] is True
    assert "the keys of fulfilment_methods.code cover every value read" in fulfilment.message
    # named like the lookup table, but it lacks a value the rows hold
    tier = one(findings, "unexplained-value-set", "orders.tier").evidence
    assert tier["candidate_lookup_table"] == "public.tiers" and tier["lookup_covers_values"] is False
    assert tier["values_missing_from_lookup"] == ["platinum"]


@pytest.mark.postgres
def test_postgres_a_named_value_set_whose_values_are_free_text_is_left_out(pg_shop):
    _, catalog, _, findings = pg_shop
    assert ("unexplained-value-set", "visits.source") not in pairs(findings)  # 1,100 distinct values read
    assert ("unexplained-value-set", "visits.source") in pairs(run_rules(catalog, select_rules()).findings)  # the name alone


@pytest.mark.postgres
def test_postgres_statistics_tier_speaks_of_estimates(pg_shop):
    from dayone.profile.options import ProfileOptions

    db, _, _, _ = pg_shop
    db.execute("ANALYZE")  # the test's own database: dayone itself never runs ANALYZE
    result = api.audit(db.url, profile=ProfileOptions(tier="statistics"))
    assert {t.method for t in result.profile.tables} == {"statistics"}
    channel = one(result.findings, "nullable-never-null", "orders.channel")
    assert channel.evidence["definitive"] is False and channel.evidence["rows_estimated"] == 150
    assert "rows_read" not in channel.evidence and "statistics" in channel.message
    status = one(result.findings, "unexplained-value-set", "orders.status").evidence
    assert status["observed_values"] == {"new": 50, "paid": 50, "shipped": 50}
    assert status["observed_in"].startswith("the server's statistics (pg_stats, last analyzed")
    assert not pairs(result.findings) & {("hard-deletes", "labels"), ("json-in-text", "orders.payload")}  # nothing was read


@pytest.mark.postgres
def test_postgres_the_real_sampled_audit_agrees(pg_shop):
    db, _, _, findings = pg_shop
    result = api.audit(db.url)  # the default: a bounded sample of each table
    for pair in [("unexplained-value-set", "orders.status"), ("json-in-text", "orders.payload"),
                 ("json-without-schema", "events.data"), ("test-data-in-production", "orders"),
                 ("updated-at-not-maintained", "orders.updated_at")]:  # fmt: skip
        assert pair in pairs(result.findings), pair
    payload = one(result.findings, "json-in-text", "orders.payload").evidence
    assert re.match(r"(sample|full scan) of 150 rows", payload["observed_in"]), payload["observed_in"]


@pytest.mark.postgres
def test_postgres_json_in_text_and_types_that_vary(pg_shop):
    _, _, _, findings = pg_shop
    payload = one(findings, "json-in-text", "orders.payload").evidence
    assert payload["json_documents"] == 150 and payload["top_level_keys"] == ["gift", "qty", "sku"]
    schema = one(findings, "json-without-schema", "orders.payload").evidence["inferred_json_schema"]
    assert schema["required"] == ["gift", "qty", "sku"]
    assert schema["properties"]["gift"] == {"type": "boolean"}
    events = one(findings, "json-without-schema", "events.data")
    assert events.evidence["keys_with_varying_types"] == {"$.amount": {"number": 20, "string": 20}}
    inferred = events.evidence["inferred_json_schema"]
    assert inferred["required"] == ["amount", "kind"] and inferred["properties"]["amount"]["type"] == ["number", "string"]
    # keys inside array elements are typed but never called required
    assert inferred["properties"]["lines"] == {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}
    assert "$.amount" in events.message
    assert ("json-in-text", "orders.notes") not in pairs(findings)


@pytest.mark.postgres
def test_postgres_updates_that_do_not_set_updated_at(pg_shop):
    _, _, _, findings = pg_shop
    found = one(findings, "updated-at-not-maintained", "orders.updated_at")
    assert found.evidence["updates_counted_by_server"] >= 15
    assert found.evidence["rows_compared"] == 150 and found.evidence["rows_updated_after_created"] == 0
    assert "rows are updated, but these updates do not set it" in found.message


@pytest.mark.postgres
def test_postgres_deletes_counted_and_seen_as_gaps(pg_shop):
    db, _, _, findings = pg_shop
    tickets = one(findings, "hard-deletes", "tickets")
    assert tickets.evidence["deletes_counted_by_server"] == 66
    gaps = tickets.evidence["key_gaps"]
    assert (gaps["lowest"], gaps["highest"], gaps["rows"], gaps["missing_ids"]) == (1, 200, 134, 66)
    assert gaps["key_kind"] == "always" and "unless failed inserts, upserts or ids set by the application skipped them" in tickets.message
    assert ("hard-deletes", "labels") not in pairs(findings)


@pytest.mark.postgres
def test_postgres_test_rows_behind_an_awkward_name(pg_shop):
    db, _, _, findings = pg_shop
    found = one(findings, "test-data-in-production", "orders")
    assert found.evidence["columns"] == {"E-mail Address": {"rows": 6, "patterns": ["@example.com/.org/.net", "qa/test plus-address"]}}
    assert '"E-mail Address"' in found.evidence["predicate"]
    assert db.execute(found.evidence["query"]) == [(6,)]


@pytest.mark.postgres
def test_postgres_nullable_never_null_full_scan_sample_and_too_few_rows(pg_shop):
    db, catalog, full, findings = pg_shop
    channel = one(findings, "nullable-never-null", "orders.channel")
    assert channel.evidence["definitive"] is True and channel.evidence["rows_read"] == 150
    assert ("nullable-never-null", "orders.notes") not in pairs(findings)  # a quarter of the rows are NULL
    assert ("nullable-never-null", "labels.name") not in pairs(findings)  # 60 rows say too little
    sampled = profile_catalog(catalog, pg_reader(db), method="sample")
    hint = one(run_rules(catalog, select_rules(), sampled).findings, "nullable-never-null", "orders.channel")
    assert hint.evidence["definitive"] is False and hint.evidence["observed_in"] == "sample of 150 rows"
    assert "a sample, so a hint" in hint.message
    # a sample's ids alone say nothing about deletes unless they span twice the table
    assert ("hard-deletes", "labels") not in pairs(run_rules(catalog, select_rules(), sampled).findings)


@pytest.mark.postgres
def test_postgres_a_samples_key_gaps_count_only_when_both_size_estimates_are_far_below_its_ids(pg_shop):
    """A sample sees only some ids: their range says something only when it spans at least twice
    the table, by the server's row estimate and by the rows read per share of the table read."""
    db = pg_shop[0]
    db.execute("CREATE TABLE sessions (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, token text)")
    db.execute("INSERT INTO sessions (token) SELECT md5(i::text) FROM generate_series(1, 500) AS i")
    db.execute("DELETE FROM sessions WHERE id % 10 <> 0")  # 50 rows left, ids 10 to 500
    catalog = api.read_catalog(db.url)
    _, sessions = next((s, t) for s, t in catalog.tables() if t.name == "sessions")
    rows = pg_reader(db)("public", "sessions", list(sessions.columns))
    db.execute("DROP TABLE sessions")  # the module's other tests see the shop as it was

    def audited(rows_estimated: int, share: float) -> list[Finding]:
        sample = profile_rows("public", "sessions", sessions.columns, rows, method="sample", now=NOW,
                              rows_estimated=rows_estimated, pages_read_share=share)  # fmt: skip
        found = run_rules(catalog, select_rules(["hard-deletes"]), Profile("sample", NOW.isoformat(), (sample,))).findings
        return [f for f in found if local(f.target) == "sessions"]  # the server's delete counter may name it too

    [found] = audited(50, 1.0)
    gaps = found.evidence["key_gaps"]
    assert (gaps["lowest"], gaps["highest"], gaps["rows"], gaps["missing_ids"], gaps["exact"]) == (10, 500, 50, 441, False)
    assert "the server estimates 50 rows, yet the id values read run from 10 to 500: at least 441 ids are missing" in found.message
    assert not [f for f in audited(50, 0.05) if "key_gaps" in f.evidence]  # 50 rows read from 5% of the table: 1,000 rows
    assert not [f for f in audited(400, 1.0) if "key_gaps" in f.evidence]  # the server believes 400 rows: no claim


# --- MariaDB: legacy markers, a creation spike, flags, gaps without a delete counter ------------


def mysql_reader(db) -> Reader:
    def read(schema: str, table: str, columns: list[Column]):
        names = ", ".join(f"`{c.name}`" for c in columns)
        return db.execute(f"SELECT {names} FROM `{schema}`.`{table}`")

    return read


MYSQL_USERS = """
CREATE TABLE users (
    id int AUTO_INCREMENT PRIMARY KEY,
    email varchar(120) NOT NULL,
    display_name varchar(80),
    is_test tinyint(1) NOT NULL DEFAULT 0,
    import_batch int NULL,
    created_at datetime NOT NULL,
    updated_at datetime NOT NULL
);
CREATE TABLE notes (id int AUTO_INCREMENT PRIMARY KEY, body text NOT NULL);
"""


@pytest.fixture(scope="module")
def mysql_users(mysql_server):
    from conftest import _create_mysql_database, _drop_mysql_database, unique_name

    mysql_db = _create_mysql_database(unique_name("dayone_data"))
    try:
        yield _mysql_users(mysql_db)
    finally:
        _drop_mysql_database(mysql_db.name)


def _mysql_users(mysql_db):
    for statement in filter(str.strip, MYSQL_USERS.split(";")):
        mysql_db.execute(statement)
    start = datetime(2025, 1, 1)
    rows = []
    for i in range(1, 301):
        imported = i <= 100
        created = datetime(2026, 3, 1, 2, 0) + timedelta(seconds=5 * i) if imported else start + timedelta(days=i)
        email = f"loadtest_{i:04d}@shop.io" if 280 < i <= 290 else f"user{i}@gmail.com"
        rows.append((email, f"User {i}", 1 if i > 290 else 0, 7 if imported else None, created, created))
    with mysql_db.connect() as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO users (email, display_name, is_test, import_batch, created_at, updated_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s)", rows)  # fmt: skip
        cur.executemany("INSERT INTO notes (body) VALUES (%s)", [(f"note {i}",) for i in range(300)])
        cur.execute("DELETE FROM notes WHERE id % 5 <> 0")  # four in five ids gone
        cur.execute("DELETE FROM users WHERE id IN (150, 151)")  # two of 300: no alarm from gaps
    catalog = api.read_catalog(mysql_db.url)
    profile = profile_catalog(catalog, mysql_reader(mysql_db))
    return mysql_db, catalog, run_rules(catalog, select_rules(), profile).findings


@pytest.mark.mysql
def test_mariadb_migrated_rows_by_marker_and_spike(mysql_users):
    db, _, findings = mysql_users
    found = one(findings, "migrated-data", "users")
    assert found.evidence["legacy_columns"]["import_batch"] == {"rows": 100, "values": {"7": 100}}
    assert found.evidence["predicate"] == "`import_batch` IS NOT NULL"
    assert db.execute(found.evidence["query"]) == [(100,)]
    spike = found.evidence["creation_spike"]
    assert spike["rows"] == 100 and spike["start"].startswith("2026-03-01T02:00")
    assert "100 rows (34% of those read) were created between 2026-03-01 02:00 and 02:09 UTC" in found.message


@pytest.mark.mysql
def test_mariadb_test_rows_by_pattern_and_flag(mysql_users):
    db, _, findings = mysql_users
    found = one(findings, "test-data-in-production", "users")
    assert found.evidence["columns"] == {"email": {"rows": 10, "patterns": ["load-test account"]},
                                         "is_test": {"rows": 10, "flag": True}}  # fmt: skip
    assert "`is_test` = TRUE" in found.evidence["predicate"] or "`is_test` = 1" in found.evidence["predicate"]
    assert db.execute(found.evidence["query"]) == [(20,)]


@pytest.mark.mysql
def test_mariadb_gaps_in_an_auto_increment_key_are_a_hint(mysql_users):
    _, _, findings = mysql_users
    notes = one(findings, "hard-deletes", "notes")
    assert notes.severity == "info"  # no delete counter; auto-increment also skips ids on failed inserts
    gaps = notes.evidence["key_gaps"]  # ids 5, 10, ..., 300 remain
    assert (gaps["lowest"], gaps["highest"], gaps["rows"], gaps["missing_ids"], gaps["key_kind"]) == (5, 300, 60, 236, "auto_increment")
    assert ("hard-deletes", "users") not in pairs(findings)  # two ids of 300 missing: nothing to say
    assert ("deletion-policy-unknown", "users") in pairs(findings)


# --- profile aggregates the rules rely on ------------------------------------------------------


def col(name: str, kind: str) -> Column:
    return Column(name=name, position=1, declared_type=kind, normalized_type=kind, nullable=True)  # type: ignore[arg-type]


def test_created_and_updated_are_compared_row_by_row_in_text_and_epoch_seconds():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [((start + timedelta(days=i)).isoformat(), (start + timedelta(days=i, seconds=0.3 if i % 3 else 3600)).isoformat(),
             1_700_000_000 + i, 1_700_000_000 + i - (5 if i == 0 else 0)) for i in range(30)]  # fmt: skip
    columns = [col("created_at", "text"), col("updated_at", "text"), col("created_ts", "integer"), col("modified_ts", "integer")]
    profile = profile_rows("s", "t", columns, rows, method="full", now=NOW)
    # each last-modified column is paired by name with the creation column stored alike
    assert [(o.created, o.updated, o.compared, o.later, o.same, o.earlier) for o in profile.time_orders] == [
        ("created_at", "updated_at", 30, 10, 20, 0),
        ("created_ts", "modified_ts", 30, 0, 29, 1),
    ]
    chosen = profile_rows("s", "t", columns, rows, method="full", now=NOW, compare_times=[("created_at", "modified_ts")])
    assert [(o.compared, o.later) for o in chosen.time_orders] == [(0, 0)]  # a date-time and an epoch are not compared


def test_a_spike_keeps_its_first_and_last_value_as_stored():
    start = datetime(2026, 10, 31, 2, 0, tzinfo=timezone.utc)
    burst = [((start + timedelta(seconds=3 * i)).strftime("%Y-%m-%d %H:%M:%S"),) for i in range(1, 301)]
    spread = [((start - timedelta(days=d)).strftime("%Y-%m-%d %H:%M:%S"),) for d in range(1, 200)]
    spike = profile_rows("s", "t", [col("created_at", "text")], burst + spread, method="full", now=NOW,
                         spike_columns=["created_at"]).columns[0].spike  # fmt: skip
    assert (spike.first, spike.last, spike.rows) == ("2026-10-31 02:00:03", "2026-10-31 02:15:00", 300)


def test_a_keys_values_are_kept_only_when_asked_and_few():
    codes = [(c,) for c in ("new", "paid", "shipped")]
    assert profile_rows("s", "t", [col("code", "text")], codes, method="full", now=NOW).columns[0].top_values == ()
    kept = profile_rows("s", "t", [col("code", "text")], codes, method="full", now=NOW, key_columns=["code"])
    assert [v.value for v in kept.columns[0].top_values] == ["new", "paid", "shipped"]
    many = [(f"c{i}",) for i in range(500)]
    assert profile_rows("s", "t", [col("code", "text")], many, method="full", now=NOW, key_columns=["code"]).columns[0].top_values == ()
    assert not profile_rows("s", "t", [col("code", "text")], codes, method="full", now=NOW, key_columns=["code"],
                            keep_values=False).columns[0].top_values  # fmt: skip


def test_data_findings_serialise_as_json(demo):
    for findings in demo.with_profile.values():
        assert json.loads(json.dumps([f.as_dict() for f in findings])) == [f.as_dict() for f in findings]
