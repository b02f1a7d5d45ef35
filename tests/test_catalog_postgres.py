"""The PostgreSQL catalog: complete, stable, bulk, and faithful to awkward names."""

from __future__ import annotations

import threading
import time

import pytest

from dayone import api
from dayone.catalog import snapshot
from dayone.catalog.snapshot import to_json
from dayone.connect.options import SessionOptions
from dayone.connect.target import parse_target
from dayone.dialects.postgres import PostgresDialect


def read_with_statements(url: str, **options) -> tuple:
    target = parse_target(url)
    with api.open_session(target, SessionOptions(**options)) as session:
        catalog = PostgresDialect().read_catalog(session)
        return catalog, list(session.statements)


# --- pagila: complete against an independent oracle (information_schema) ----------------------


def test_pagila_catalog_has_every_table_and_column_information_schema_lists(pagila):
    catalog = api.read_catalog(pagila.url)
    expected = {
        (t, c, n == "YES")
        for t, c, n in pagila.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'"
        )
    }
    # information_schema leaves materialized views out
    got = {(t.name, c.name, c.nullable) for _, t in catalog.tables() if t.kind != "materialized view" for c in t.columns}
    assert got == expected
    kinds = {t.name: t.kind for _, t in catalog.tables()}
    assert kinds["payment"] == "partitioned table"
    assert kinds["payment_p2022_01"] == "partition"
    assert kinds["rental_by_category"] == "materialized view"
    assert kinds["film_list"] == "view"
    assert sum(1 for k in kinds.values() if k in ("table", "partitioned table", "partition")) == 22


def test_pagila_constraints_triggers_and_enums_are_complete(pagila):
    catalog = api.read_catalog(pagila.url)
    public = catalog.schema("public")
    constraints = {
        (t, name, kind)
        for t, name, kind in pagila.execute(
            "SELECT table_name, constraint_name, constraint_type FROM information_schema.table_constraints "
            "WHERE table_schema = 'public' AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')"
        )
    }
    got = set()
    for table in public.tables:
        if table.primary_key:
            got.add((table.name, table.primary_key.name, "PRIMARY KEY"))
        got |= {(table.name, fk.name, "FOREIGN KEY") for fk in table.foreign_keys}
        got |= {(table.name, u.name, "UNIQUE") for u in table.unique_constraints}
    assert got == constraints

    triggers = {(t, n) for t, n in pagila.execute(
        "SELECT DISTINCT event_object_table, trigger_name FROM information_schema.triggers WHERE trigger_schema = 'public'"
    )}  # fmt: skip
    assert {(t.name, tr.name) for t in public.tables for tr in t.triggers} == triggers

    film = public.table("film")
    last_updated = next(t for t in film.triggers if t.name == "last_updated")
    assert (last_updated.timing, last_updated.events, last_updated.orientation) == ("BEFORE", ("UPDATE",), "ROW")
    assert "NEW.last_update = CURRENT_TIMESTAMP" in last_updated.body
    rating = film.column("rating")
    assert rating.normalized_type == "enum" and rating.enum_values == ("G", "PG", "PG-13", "R", "NC-17")
    assert [(e.name, e.values) for e in public.enums] == [("mpaa_rating", ("G", "PG", "PG-13", "R", "NC-17"))]
    assert film.column("release_year").normalized_type == "integer"  # domain `year` over integer
    assert film.column("film_id").identity == "serial"
    assert public.table("rental").column("rental_date").normalized_type == "timestamptz"
    assert public.table("actor").column("last_update").normalized_type == "timestamptz"
    lang_fk = next(fk for fk in film.foreign_keys if fk.columns == ("language_id",))
    assert (lang_fk.referred_table, lang_fk.on_delete, lang_fk.on_update) == ("language", "RESTRICT", "CASCADE")
    assert public.table("payment_p2022_01").partition_of == "payment"
    assert "FOR VALUES FROM" in public.table("payment_p2022_01").partition_bound
    payment = public.table("payment").partitioning
    assert (payment.strategy, payment.key, payment.columns) == ("RANGE", "payment_date", ("payment_date",))
    assert public.table("payment_p2022_01").partitioning is None and film.partitioning is None
    assert "SELECT" in public.table("film_list").view_definition.upper()


def test_pagila_snapshot_is_byte_identical_across_two_runs(pagila):
    first = to_json(api.read_catalog(pagila.url))
    second = to_json(api.read_catalog(pagila.url))
    assert first == second
    assert '"format": "dayone-snapshot"' in first


def test_pagila_read_on_two_connections_is_the_same_catalog(pagila, monkeypatch):
    from dayone.dialects import postgres

    one = to_json(api.read_catalog(pagila.url))
    monkeypatch.setattr(postgres, "SECOND_SESSION_FROM", 0)
    monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    catalog, statements = read_with_statements(pagila.url)
    assert any(s.startswith("SET TRANSACTION SNAPSHOT") for s in statements)
    assert to_json(catalog) == one


def test_a_login_allowed_one_connection_reads_a_big_catalog_on_that_one(pg_db, monkeypatch):
    """The second connection is refused (CONNECTION LIMIT 1): the first reads everything, and the
    catalog is the same."""
    from dayone.dialects import postgres

    role = f"{pg_db.name}_one"
    pg_db.execute(
        f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 1;'
        "CREATE TABLE orders (id int PRIMARY KEY, status text CHECK (status IN ('new', 'paid')));"
        f'GRANT SELECT ON orders TO "{role}"'
    )
    try:
        url = pg_db.url.replace("postgres@", f"{role}@", 1)
        expected = to_json(api.read_catalog(url))
        # the first read's backend leaves asynchronously: until it has, the limit would refuse the first connection too
        for _ in range(100):
            if not pg_db.execute("SELECT 1 FROM pg_stat_activity WHERE usename = %s", (role,)):
                break
            time.sleep(0.05)
        monkeypatch.setattr(postgres, "SECOND_SESSION_FROM", 0)
        monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
        catalog, statements = read_with_statements(url)
        assert to_json(catalog) == expected
        assert any(s.startswith("SELECT pg_export_snapshot") for s in statements)  # it tried
        assert not any(s.startswith("SET TRANSACTION SNAPSHOT") for s in statements)  # and was refused
    finally:
        pg_db.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')


def test_snapshot_leaves_defaults_out_and_reads_back_to_the_same_bytes(pagila, tmp_path):
    from dayone.catalog import snapshot

    text = to_json(api.read_catalog(pagila.url))
    assert '"comment": null' not in text and '"triggers": []' not in text and '"unique": false' not in text
    path = tmp_path / "pagila.json"
    path.write_text(text)
    again = api.read_catalog(str(path))
    assert to_json(again) == text  # a snapshot of a snapshot is the same file
    film = again.schema("public").table("film")
    assert film.column("title").comment is None and film.column("title").default is None  # defaults read back
    assert film.primary_key.columns == ("film_id",) and not film.skipped
    assert snapshot.from_json(text) == api.read_catalog(pagila.url)  # equal as values, defaults or not


# --- bulk: the number of queries does not grow with the number of tables -----------------------


def _create_tables(db, count: int) -> None:
    statements = ["CREATE TABLE parent (id int PRIMARY KEY)"]
    for i in range(count):
        statements.append(
            f"CREATE TABLE t{i} (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE, "
            f"status text CHECK (status IN ('new', 'done')), updated_at timestamp DEFAULT now())"
        )
        statements.append(f"CREATE INDEX t{i}_status ON t{i} (status)")
        statements.append(f"COMMENT ON TABLE t{i} IS 'table {i}'")
    db.execute(";".join(statements))


def test_query_count_does_not_grow_with_table_count(pg_db):
    _create_tables(pg_db, 5)
    small, small_statements = read_with_statements(pg_db.url)
    _create_tables_more = ";".join(
        f"CREATE TABLE more{i} (id int PRIMARY KEY, parent_id int REFERENCES parent)" for i in range(60)
    )
    pg_db.execute(_create_tables_more)
    large, large_statements = read_with_statements(pg_db.url)
    assert len(list(small.tables())) == 6 and len(list(large.tables())) == 66
    assert len(small_statements) == len(large_statements) <= 14  # ten for the catalog, four for access facts


def test_check_lists_become_value_sets_and_actions_are_kept(pg_db):
    pg_db.execute(
        """
        CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text UNIQUE);
        CREATE TABLE submissions (
            id bigserial PRIMARY KEY,
            account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE ON UPDATE SET NULL,
            status varchar(20) NOT NULL CHECK (status IN ('received', 'grading', 'shipped')),
            kind text CHECK (kind = 'card' OR kind = 'coin'),
            declared_value numeric(12, 2) CHECK (declared_value >= 0),
            details jsonb,
            total numeric GENERATED ALWAYS AS (declared_value * 2) STORED
        );
        """
    )
    table = api.read_catalog(pg_db.url).schema("public").table("submissions")
    sets = {vs.column: vs.values for ck in table.check_constraints for vs in ck.value_sets}
    assert sets == {"status": ("received", "grading", "shipped"), "kind": ("card", "coin")}
    fk = table.foreign_keys[0]
    assert (fk.referred_table, fk.on_delete, fk.on_update) == ("accounts", "CASCADE", "SET NULL")
    assert table.column("details").normalized_type == "json"
    assert table.column("total").generated and table.column("total").default is None
    accounts = api.read_catalog(pg_db.url).schema("public").table("accounts")
    assert accounts.column("id").identity == "always"
    assert accounts.unique_constraints[0].columns == ("email",)


def test_index_columns_expressions_and_defaults_are_read_as_postgresql_prints_them(pg_db):
    pg_db.execute(
        """
        CREATE TABLE people (gone int, id int PRIMARY KEY, email text NOT NULL, team text,
                             joined date DEFAULT (now() AT TIME ZONE 'UTC')::date,
                             slug text GENERATED ALWAYS AS (lower(email)) STORED);
        ALTER TABLE people DROP COLUMN gone;  -- column numbers no longer start at 1
        CREATE INDEX people_lower_email_ix ON people (lower(email), team);
        CREATE UNIQUE INDEX people_team_ix ON people (team) INCLUDE (email) WHERE team IS NOT NULL;
        """
    )
    table = api.read_catalog(pg_db.url).schema("public").table("people")
    indexes = {ix.name: ix for ix in table.indexes}
    assert indexes["people_lower_email_ix"].columns == ("lower(email)", "team")
    assert indexes["people_team_ix"].columns == ("team",)  # INCLUDE columns are not key columns
    assert indexes["people_team_ix"].unique and indexes["people_team_ix"].predicate == "(team IS NOT NULL)"
    assert indexes["people_pkey"].columns == ("id",) and indexes["people_pkey"].primary
    assert table.column("joined").default == "((now() AT TIME ZONE 'UTC'::text))::date"
    assert table.column("slug").generated == "lower(email)"


def test_partition_keys_are_read_as_postgresql_prints_them(pg_db):
    pg_db.execute(
        """
        CREATE TABLE events (gone int, at timestamp NOT NULL, id int, "kind, sort" text)
            PARTITION BY RANGE (date_trunc('day', at), id, ("kind, sort" || ','));
        ALTER TABLE events DROP COLUMN gone;  -- column numbers no longer start at 1
        CREATE TABLE events_default PARTITION OF events DEFAULT;
        CREATE TABLE tags (label text) PARTITION BY LIST (label COLLATE "C");
        CREATE TABLE shards (id int) PARTITION BY HASH (id);
        CREATE TABLE shards_0 PARTITION OF shards FOR VALUES WITH (MODULUS 2, REMAINDER 0) PARTITION BY RANGE (id);
        CREATE TABLE plain (id int);
        """
    )
    catalog = api.read_catalog(pg_db.url)
    public = catalog.schema("public")
    events = public.table("events").partitioning
    assert events.strategy == "RANGE"
    assert events.key == "date_trunc('day'::text, at), id, ((\"kind, sort\" || ','::text))"
    assert events.columns == ("date_trunc('day'::text, at)", "id", "((\"kind, sort\" || ','::text))")
    tags = public.table("tags").partitioning
    assert (tags.strategy, tags.key, tags.columns) == ("LIST", 'label COLLATE "C"', ("label",))
    assert public.table("shards").partitioning.strategy == "HASH"
    sub = public.table("shards_0")
    assert (sub.kind, sub.partition_of, sub.partitioning.strategy, sub.partitioning.columns) == ("partition", "shards", "RANGE", ("id",))
    assert public.table("events_default").partitioning is None and public.table("plain").partitioning is None
    text = to_json(catalog)
    assert text.count('"partitioning"') == 4  # only partitioned tables carry one
    assert to_json(snapshot.from_json(text)) == text


def test_objects_an_extension_installs_are_not_the_applications(pg_db):
    pg_db.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache; CREATE TABLE orders (id int PRIMARY KEY)")
    catalog = api.read_catalog(pg_db.url)
    assert {t.name for _, t in catalog.tables()} == {"orders"}  # not the pg_buffercache view
    assert "pg_buffercache" in {r[0] for r in pg_db.execute("SELECT viewname FROM pg_views WHERE schemaname = 'public'")}


def test_awkward_names_survive_unchanged(pg_db):
    long_name = "x" * 63  # PostgreSQL's maximum identifier length
    pg_db.execute(
        f"""
        CREATE SCHEMA "Sales Ops";
        CREATE TABLE "Sales Ops"."select" ("user" int PRIMARY KEY, "two words" text, "quo""te" text,
                                           "naïve_ünïcødé" text, "{long_name}" int);
        COMMENT ON TABLE "Sales Ops"."select" IS 'has a '' quote';
        """
    )
    catalog = api.read_catalog(pg_db.url)
    table = catalog.schema("Sales Ops").table("select")
    assert [c.name for c in table.columns] == ["user", "two words", 'quo"te', "naïve_ünïcødé", long_name]
    assert table.comment == "has a ' quote"
    assert table.primary_key.columns == ("user",)
    narrowed = api.read_catalog(pg_db.url, schemas=["Sales Ops"])
    assert [s.name for s in narrowed.schemas] == ["Sales Ops"]


# --- doing no harm ------------------------------------------------------------------------------


def test_session_is_read_only_and_guarded(pg_db):
    target = parse_target(pg_db.url)
    with api.open_session(target, SessionOptions(statement_timeout=7, lock_timeout=1.5)) as session:
        settings = dict(
            session.query(
                "SELECT name, setting FROM pg_settings WHERE name IN ('default_transaction_read_only', "
                "'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'application_name')"
            )
        )
        with pytest.raises(Exception, match="read-only transaction"):
            session.query("CREATE TABLE should_not_exist (id int)")
    assert settings == {
        "application_name": "dayone",
        "default_transaction_read_only": "on",
        "idle_in_transaction_session_timeout": "120000",
        "lock_timeout": "1500",
        "statement_timeout": "7000",
    }
    assert pg_db.execute("SELECT count(*) FROM pg_class WHERE relname = 'should_not_exist'") == [(0,)]


def test_locked_table_is_skipped_and_reported_not_waited_on(pg_db):
    pg_db.execute(
        "CREATE TABLE busy (id int PRIMARY KEY DEFAULT 1, n int CHECK (n > 0));"
        "CREATE VIEW busy_view AS SELECT * FROM busy;"
        "CREATE TABLE calm (id int PRIMARY KEY, n int DEFAULT 42 CHECK (n > 0));"
        "CREATE TABLE busy_log (at timestamp NOT NULL, id int) PARTITION BY RANGE (date_trunc('day', at), id);"
    )
    holder = pg_db.connect()
    holder.autocommit = False
    holder.execute("LOCK TABLE busy, busy_log IN ACCESS EXCLUSIVE MODE")
    try:
        started = time.perf_counter()
        catalog = api.read_catalog(pg_db.url, options=SessionOptions(lock_timeout=30))
        elapsed = time.perf_counter() - started
    finally:
        holder.rollback()
        holder.close()
    public = catalog.schema("public")
    assert elapsed < 10, "dayone waited on the lock instead of skipping the table"
    assert "locked by another session" in public.table("busy").skipped
    assert "locked by another session" in public.table("busy_view").skipped
    assert [c.name for c in public.table("busy").columns] == ["id", "n"]  # lock-free facts still read
    busy_log = public.table("busy_log")  # the strategy and key columns come without a lock, the expression not
    assert "partition keys" in busy_log.skipped and busy_log.partitioning.key is None
    assert busy_log.partitioning.strategy == "RANGE"
    assert busy_log.partitioning.columns == ("(expression not read: table locked)", "id")
    calm = public.table("calm")
    assert calm.skipped is None and calm.column("n").default == "42"
    assert calm.check_constraints[0].expression == "(n > 0)"


def test_lock_queued_behind_a_long_transaction_is_not_joined(pg_db):
    """An ALTER TABLE waiting for its lock blocks every later reader: dayone must not queue."""
    pg_db.execute("CREATE TABLE hot (id int PRIMARY KEY DEFAULT 7)")
    reader = pg_db.connect()
    reader.autocommit = False
    reader.execute("SELECT * FROM hot")  # holds ACCESS SHARE until rollback
    alter_done = threading.Event()

    def alter():
        with pg_db.connect() as conn:
            conn.execute("SET lock_timeout = '20s'")
            try:
                conn.execute("ALTER TABLE hot ADD COLUMN x int")
            except Exception:
                pass
        alter_done.set()

    thread = threading.Thread(target=alter)
    thread.start()
    try:
        for _ in range(50):  # wait until the ALTER is queued
            if pg_db.execute("SELECT count(*) FROM pg_locks WHERE relation = 'hot'::regclass AND NOT granted")[0][0]:
                break
            time.sleep(0.1)
        started = time.perf_counter()
        catalog = api.read_catalog(pg_db.url, options=SessionOptions(lock_timeout=30))
        elapsed = time.perf_counter() - started
    finally:
        reader.rollback()
        reader.close()
        thread.join()
    assert elapsed < 10
    assert "locked by another session" in catalog.schema("public").table("hot").skipped
