"""`dayone export dbt`, checked by dbt itself: the exported project parses and builds against the
database it came from (pagila on the real PostgreSQL server, with a small shop and hostile names
added), its tests catch a planted violation, reruns are byte-identical, and an edited file is
never overwritten without --force."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import PAGILA, _create_pg_database, _drop_pg_database, unique_name
from export_cases import HOSTILE_DDL, SHOP_DDL
from workspace_log_helpers import make_project, ok, one_line_error, questions_json, run

DBT = Path(sys.executable).parent / "dbt"
SOURCE = "pagila"


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    """dbt as a user runs it in the project folder, with the profiles.yml written beside it."""
    if not DBT.exists():
        pytest.skip("dbt is not installed: pip install -e '.[test]'")
    return subprocess.run([str(DBT), *args, "--profiles-dir", str(project.parent / "profiles"), "--no-use-colors"],
                          cwd=project, capture_output=True, text=True, timeout=600)  # fmt: skip


def write_profile(project: Path, database: str, schema: str) -> None:
    folder = project.parent / "profiles"
    folder.mkdir(exist_ok=True)
    output = {"type": "postgres", "host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "",
              "dbname": database, "schema": schema, "threads": 2}  # fmt: skip
    with open(folder / "profiles.yml", "w") as stream:
        YAML().dump({project.name: {"target": "dev", "outputs": {"dev": output}}}, stream)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "target" not in p.relative_to(folder).parts and "logs" not in p.relative_to(folder).parts}  # fmt: skip


def load_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shop_pagila(pg_server):
    """pagila, with the shop tables and hostile names added, in a database of this module's own."""
    psql = shutil.which("psql")
    if not psql or not PAGILA.exists():
        pytest.skip("psql or the pagila fixture is missing")
    db = _create_pg_database(unique_name("dayone_export_dbt"))
    for part in ("pagila-schema.sql", "pagila-data.sql"):
        subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", str(PAGILA / part)], check=True, capture_output=True)
    db.execute(SHOP_DDL)
    db.execute(HOSTILE_DDL)
    yield db
    _drop_pg_database(db.name)


@pytest.fixture(scope="module")
def built(shop_pagila, tmp_path_factory):
    """The export as a new user makes it, into a folder with no dbt project, then `dbt parse` and
    `dbt build` (into a schema of its own in the same database), once for the module."""
    project = tmp_path_factory.mktemp("export") / "dbt_pagila"
    exported = run("export", "dbt", shop_pagila.url, "--schema", "public", "-o", str(project), "--source-name", SOURCE,
                   cwd=project.parent)  # fmt: skip
    ok(exported)
    write_profile(project, shop_pagila.name, f"dbt_{uuid.uuid4().hex[:8]}")
    parsed = dbt(project, "parse")
    build = dbt(project, "build")
    return project, exported, parsed, build


def staging(project: Path) -> Path:
    return project / "models" / "staging" / SOURCE


def test_dbt_parses_and_builds_the_export_with_no_edit(built):
    project, exported, parsed, build = built
    assert "21 new" in exported.stderr  # dbt_project.yml, the sources, 18 models, the snapshots
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    assert build.returncode == 0, build.stdout[-3000:]
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    assert results and all(r["status"] in ("success", "pass") for r in results), [r for r in results if r["status"] not in ("success", "pass")]
    kinds = {}
    for r in results:
        kinds.setdefault(r["unique_id"].split(".")[0], []).append(r["unique_id"])
    assert len(kinds["model"]) == 18  # every table: pagila's 15, the shop's 2, the odd one
    assert len(kinds["snapshot"]) == 1 and kinds["snapshot"][0].endswith("snp_pagila__shop_orders")
    assert len(kinds["test"]) > 100
    assert "WARN" not in build.stdout.replace("WARN=0", "")  # no deprecation: 1.11's layout (config, arguments)


def test_sources_carry_tests_and_what_the_audit_learned(built):
    project = built[0]
    sources = load_yaml(staging(project) / f"_{SOURCE}__sources.yml")
    (source,) = sources["sources"]
    assert source["name"] == SOURCE and source["schema"] == "public"
    tables = {t["name"]: t for t in source["tables"]}
    columns = {name: {c["name"]: c for c in t["columns"]} for name, t in tables.items()}
    assert columns["actor"]["actor_id"]["data_tests"] == ["unique", "not_null"]
    assert columns["actor"]["actor_id"]["data_type"] == "integer"
    assert tables["actor"]["config"]["loaded_at_field"] == '"last_update"' and "freshness" in tables["actor"]["config"]
    # a key of several columns: dbt's unique test on the columns as one row value
    assert tables["film_actor"]["data_tests"] == [{"unique": {"column_name": 'row("actor_id", "film_id")'}}]
    assert "loaded_at_field" not in tables["payment"].get("config", {})  # nothing maintains a last change there
    rating = columns["film"]["rating"]["data_tests"]
    assert {"accepted_values": {"arguments": {"values": ["G", "PG", "PG-13", "R", "NC-17"]}}} in rating
    status = columns["shop_orders"]["status"]
    assert {"accepted_values": {"arguments": {"values": ["new", "paid", "shipped", "cancelled"]}}} in status["data_tests"]
    # declared references, and implicit ones only because every value read was a key
    assert {"relationships": {"arguments": {"to": "source('pagila', 'city')", "field": '"city_id"'}}} in columns["address"]["city_id"]["data_tests"]
    implicit = next(t["relationships"] for t in columns["payment"]["customer_id"]["data_tests"] if isinstance(t, dict))
    assert implicit["arguments"]["to"] == "source('pagila', 'customer')"
    assert implicit["config"]["meta"]["dayone"]["finding_id"].startswith("DM104-")
    meta = tables["customer"]["config"]["meta"]["dayone"]
    assert meta["soft_delete"][0]["column"] == "active" and meta["soft_delete"][0]["finding_id"].startswith("DF205-")
    assert meta["extraction"]["method"] == "incremental dedup" and meta["extraction"]["cursor"] == "last_update"
    assert all(i.split("-")[0][:2] in ("DF", "DM", "DD", "DG") for i in meta["finding_ids"])
    email = columns["customer"]["email"]["config"]
    assert email["tags"] == ["personal_data"] and email["meta"]["dayone"]["personal_data"] == "e-mail address"
    test_data = tables["shop_customers"]["config"]["meta"]["dayone"]["test_data"]
    assert test_data["flags"] == ["is_test"] and test_data["filtered_in_staging"] is True
    assert columns["shop_customers"]["email"]["description"] == "Login e-mail"
    snapshots = load_yaml(project / "snapshots" / SOURCE / f"_{SOURCE}__snapshots.yml")["snapshots"]
    assert [(s["name"], s["config"]["strategy"], s["config"]["check_cols"], s["config"]["unique_key"]) for s in snapshots] == [
        ("snp_pagila__shop_orders", "check", ['"status"'], '"id"')]
    assert (project / "dbt_project.yml").exists()


def test_staging_models_flag_deletes_filter_test_rows_and_say_what_is_assumed(built, shop_pagila):
    project = built[0]
    orders = (staging(project) / "stg_pagila__shop_orders.sql").read_text()
    assert '"deleted_at" is not null as "is_deleted"' in orders
    assert "ASSUMPTION: placed_at holds wall-clock times without a zone" in orders and "at time zone" not in orders
    customers = (staging(project) / "stg_pagila__shop_customers.sql").read_text()
    assert 'where not coalesce("is_test", false)' in customers
    schema = load_yaml(project.parent / "profiles" / "profiles.yml")["dbt_pagila"]["outputs"]["dev"]["schema"]
    counted = shop_pagila.execute(f'SELECT count(*), count(*) FILTER (WHERE is_test) FROM "{schema}".stg_pagila__shop_customers')
    assert counted == [(36, 0)]  # 40 customers, the 4 marked as test rows left out
    deleted = shop_pagila.execute(f'SELECT count(*) FILTER (WHERE is_deleted), count(*) FROM "{schema}".stg_pagila__shop_orders')
    assert deleted == [(8, 200)]  # flagged, not dropped
    active = shop_pagila.execute(f'SELECT count(*) FILTER (WHERE is_deleted) FROM "{schema}".stg_pagila__customer')
    assert active == shop_pagila.execute("SELECT count(*) FROM customer WHERE active = 0")
    snapshot = shop_pagila.execute(f'SELECT count(*) FROM "{schema}".snp_pagila__shop_orders')
    assert snapshot == [(200,)]


def test_hostile_names_reach_dbt_as_they_are(built):
    project = built[0]
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    odd = next(s for s in manifest["sources"].values() if s["name"] == "odd_table_1_1")
    assert odd["identifier"] == '"Odd ""Table"" {{ 1+1 }}"'
    assert odd["description"] == "{{ 6*7 }} and {% if true %}x{% endif %}\n-- a second line"  # not rendered as Jinja
    assert odd["columns"]["{{ 2*3 }}"]["description"] == "say {# not a comment #} 'quoted'"
    model = (staging(project) / "stg_pagila__odd_table_1_1.sql").read_text()
    assert "\n-- a second line" not in model  # a comment's line break never ends a SQL comment
    # its accepted_values test ran on rows holding '{{ a }}', 'it''s' and '{% raw %}' and passed (the build passed)
    assert any("accepted_values_pagila_odd_table_1_1" in key for key in manifest["nodes"])


def test_a_planted_violation_fails_dbt_test(built, shop_pagila):
    project = built[0]
    shop_pagila.execute("ALTER TABLE shop_orders DROP CONSTRAINT shop_orders_status_check")
    shop_pagila.execute("INSERT INTO shop_orders (customer_id, status, channel, placed_at) VALUES (1, 'lost', 'web', now())")
    try:
        failed = dbt(project, "test", "--select", f"source:{SOURCE}.shop_orders")
    finally:
        shop_pagila.execute("DELETE FROM shop_orders WHERE status = 'lost'")
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "FAIL 1 source_accepted_values_pagila_shop_orders" in failed.stdout
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    failing = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert len(failing) == 1 and ".source_accepted_values_pagila_shop_orders__status__" in failing[0]  # that one only
    passed = dbt(project, "test", "--select", f"source:{SOURCE}.shop_orders")
    assert passed.returncode == 0, passed.stdout[-2000:]


def test_exports_are_byte_identical_and_edits_survive_unless_forced(shop_pagila, tmp_path):
    first, second = tmp_path / "a" / "dbt_shop", tmp_path / "b" / "dbt_shop"
    for folder in (first, second):
        ok(run("export", "dbt", shop_pagila.url, "--schema", "public", "-o", str(folder), cwd=tmp_path))
    assert files_of(first) == files_of(second)
    assert ".dayone-export.json" in files_of(first)
    again = run("export", "dbt", shop_pagila.url, "--schema", "public", "-o", str(first), cwd=tmp_path)
    ok(again)
    assert "0 new, 0 updated, 20 unchanged" in again.stderr and "kept dbt_project.yml" in again.stderr
    assert files_of(first) == files_of(second)
    # the user edits a model and the project file
    model = next(p for p in first.rglob("stg_*__shop_orders.sql"))
    edited = model.read_text().replace("select\n", "select  -- mine\n")
    model.write_text(edited)
    (first / "dbt_project.yml").write_text("name: mine\n")
    sources = next(first.rglob("_*__sources.yml"))
    sources.unlink()  # gone: written again
    refused = run("export", "dbt", shop_pagila.url, "--schema", "public", "-o", str(first), cwd=tmp_path)
    line = one_line_error(refused)
    assert "1 file(s)" in line and model.relative_to(first).as_posix() in line and "--force" in line
    assert model.read_text() == edited and not sources.exists()  # nothing was written
    forced = run("export", "dbt", shop_pagila.url, "--schema", "public", "-o", str(first), "--force", cwd=tmp_path)
    ok(forced)
    assert f"overwrote {model.relative_to(first).as_posix()}" in forced.stderr
    assert model.read_bytes() == files_of(second)[str(model.relative_to(first))] and sources.exists()
    assert (first / "dbt_project.yml").read_text() == "name: mine\n"  # the user's from the moment it exists
    # a file dayone never wrote, where it would write one, is the user's too
    (second / "models" / "staging").mkdir(exist_ok=True)
    stray = next(second.rglob("stg_*__actor.sql"))
    (second / ".dayone-export.json").unlink()
    stray.write_text("select 1\n")
    assert "--force" in one_line_error(run("export", "dbt", shop_pagila.url, "--schema", "public", "-o", str(second), cwd=tmp_path))


def test_the_answered_zone_converts_wall_clock_times(pg_db, tmp_path):
    """In a project, the zone answered to the wall-clock question converts those columns, and the
    converted model runs."""
    pg_db.execute(SHOP_DDL)
    folder = tmp_path / "launch"
    make_project(folder, {"shop": {"prod": pg_db.url}})
    question = next(q for q in questions_json(folder) if q["rule"] == "timestamp-without-time-zone")
    ok(run("answer", question["id"], "The app writes Europe/Paris local time", "--by", "Ana", cwd=folder))
    project = tmp_path / "dbt_shop"
    exported = run("export", "dbt", "-o", str(project), cwd=folder)  # no TARGET: every source of the project
    ok(exported)
    model = (project / "models" / "staging" / "shop" / "stg_shop__shop_orders.sql").read_text()
    assert "(\"placed_at\" at time zone 'Europe/Paris') as \"placed_at\"" in model
    assert 'as answered: "The app writes Europe/Paris local time"' in model
    schema = f"dbt_{uuid.uuid4().hex[:8]}"
    write_profile(project, pg_db.name, schema)
    built = dbt(project, "run", "--select", "stg_shop__shop_orders")
    assert built.returncode == 0, built.stdout[-2000:]
    # placed_at of order 1 is 01:00 on Jan 1st in Paris: midnight UTC
    assert pg_db.execute(f"SELECT placed_at AT TIME ZONE 'UTC' FROM \"{schema}\".stg_shop__shop_orders WHERE id = 1")[0][0].isoformat() == "2026-01-01T00:00:00"


@pytest.mark.mysql
def test_mariadb_sakila_exports_the_same_structure(sakila, tmp_path):
    project = tmp_path / "dbt_sakila"
    ok(run("export", "dbt", sakila.url, "-o", str(project), "--source-name", "sakila", cwd=tmp_path))
    folder = project / "models" / "staging" / "sakila"
    sources = load_yaml(folder / "_sakila__sources.yml")["sources"]
    assert [s["name"] for s in sources] == ["sakila"]
    tables = {t["name"]: t for t in sources[0]["tables"]}
    assert {"actor", "film", "rental", "payment", "customer"} <= set(tables)
    assert tables["actor"]["config"]["loaded_at_field"] == "`last_update`"  # ON UPDATE CURRENT_TIMESTAMP
    film = {c["name"]: c for c in tables["film"]["columns"]}
    assert {"accepted_values": {"arguments": {"values": ["G", "PG", "PG-13", "R", "NC-17"]}}} in film["rating"]["data_tests"]
    assert "data_tests" not in film["special_features"] or not any(
        isinstance(t, dict) and "accepted_values" in t for t in film["special_features"]["data_tests"])  # a SET: combinations
    rental = {c["name"]: c for c in tables["rental"]["columns"]}
    assert {"relationships": {"arguments": {"to": "source('sakila', 'customer')", "field": "`customer_id`"}}} in rental["customer_id"]["data_tests"]
    model = (folder / "stg_sakila__actor.sql").read_text()
    assert "    `actor_id`,\n" in model and "{{ source('sakila', 'actor') }}" in model
    rental_model = (folder / "stg_sakila__rental.sql").read_text()
    assert "ASSUMPTION: rental_date, return_date" in rental_model  # DATETIME: wall-clock, zone unanswered
    # dbt reads the MariaDB export too (parse needs no connection; a postgres profile stands in)
    write_profile(project, "unused", "unused")
    parsed = dbt(project, "parse")
    assert parsed.returncode == 0, parsed.stdout[-2000:]


def test_one_line_errors_and_a_sqlite_source(tmp_path):
    import sqlite3

    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL CHECK (status IN ('new', 'done')));"
                           "INSERT INTO orders (status) VALUES ('new'), ('done');")  # fmt: skip
    url = f"sqlite:///{path}"
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    assert "is a file: --output names the folder" in one_line_error(run("export", "dbt", url, "-o", str(a_file), cwd=tmp_path))
    project = tmp_path / "dbt_app"
    ok(run("export", "dbt", url, "-o", str(project), "--source-name", "My App!", cwd=tmp_path))
    model = (project / "models" / "staging" / "my_app" / "stg_my_app__orders.sql").read_text()
    assert "from {{ source('my_app', 'orders') }}" in model
    snapshots = load_yaml(project / "snapshots" / "my_app" / "_my_app__snapshots.yml")["snapshots"]
    assert snapshots[0]["config"]["check_cols"] == ['"status"']
    (project / ".dayone-export.json").write_text("{not json")
    assert "is not the manifest dayone writes" in one_line_error(run("export", "dbt", url, "-o", str(project), cwd=tmp_path))


def test_one_dbt_source_per_schema_each_named_apart(pg_db, tmp_path):
    pg_db.execute('CREATE SCHEMA "Sales"; CREATE SCHEMA sales; CREATE TABLE "Sales".orders (id int PRIMARY KEY);'
                  "CREATE TABLE sales.orders (id int PRIMARY KEY, order_id int REFERENCES \"Sales\".orders (id));")  # fmt: skip
    project = tmp_path / "dbt_two"
    ok(run("export", "dbt", pg_db.url, "-o", str(project), "--source-name", "app", cwd=tmp_path))
    sources = load_yaml(project / "models" / "staging" / "app" / "_app__sources.yml")["sources"]
    assert [(s["name"], s["schema"]) for s in sources] == [("app_sales", "Sales"), ("app_sales_2", "sales")]
    assert sorted(p.name for p in (project / "models" / "staging" / "app").glob("*.sql")) == [
        "stg_app_sales_2__orders.sql", "stg_app_sales__orders.sql"]
    order_id = next(c for c in sources[1]["tables"][0]["columns"] if c["name"] == "order_id")
    assert {"relationships": {"arguments": {"to": "source('app_sales', 'orders')", "field": '"id"'}}} in order_id["data_tests"]
