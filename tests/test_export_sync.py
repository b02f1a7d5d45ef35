"""`dayone export sync`: the extraction plan as dayone JSON, an Airbyte configured catalog (validated
by Airbyte's own protocol models) and a Singer catalog, from real PostgreSQL, MariaDB and SQLite
databases; every source of a project at once; hostile names carried faithfully."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import pytest
import yaml

from dayone import api
from dayone.export import export_facts
from dayone.export.sync import airbyte_catalog, singer_catalog, sync_plan
from tests.export_cases import SHOP_DDL, dayone, ok  # noqa: F401 - dayone is a fixture
from tests.test_hostile_names import HOSTILE_COLUMN, HOSTILE_COMMENT, RAW_CONTROL, hostile_postgresql  # noqa: F401 - a fixture


def validated(catalog: dict):
    """The catalog as Airbyte's protocol models read it (pydantic: unknown sync modes, missing keys fail)."""
    from airbyte_protocol.models import ConfiguredAirbyteCatalog

    return ConfiguredAirbyteCatalog.model_validate(catalog)


@pytest.fixture(scope="module")
def shop(pg_server):
    from tests.conftest import _create_pg_database, _drop_pg_database, unique_name

    db = _create_pg_database(unique_name("dayone_sync"))
    db.execute(SHOP_DDL)
    yield db
    _drop_pg_database(db.name)


def _stream(catalog: dict, name: str) -> dict:
    return next(s for s in catalog["streams"] if s["stream"]["name"] == name)


def _singer(catalog: dict, name: str) -> dict:
    return next(s for s in catalog["streams"] if s["stream"] == name)


def test_plan_in_three_formats(shop, dayone):
    plan = json.loads(ok(dayone("export", "sync", shop.url)).stdout)
    orders = next(t for t in plan["tables"] if t["table"] == "shop_orders")
    assert (orders["method"], orders["cursor_field"], orders["primary_key"]) == ("incremental dedup", "updated_at", ["id"])
    assert "updated_at is maintained by trigger" in orders["reason"] and "hard deletes are never seen" in orders["reason"]
    assert orders["soft_delete_columns"] == ["deleted_at"] and orders["finding_id"].startswith("DF208-")
    assert any("committed" in c for c in orders["cautions"])
    assert plan["methods"] == {m: sum(t["method"] == m for t in plan["tables"]) for m in plan["methods"]}

    airbyte = json.loads(ok(dayone("export", "sync", shop.url, "--format", "airbyte")).stdout)
    model = validated(airbyte)
    assert [s.stream.name for s in model.streams] == ["shop_customers", "shop_orders"]
    stream = _stream(airbyte, "shop_orders")
    assert (stream["sync_mode"], stream["destination_sync_mode"]) == ("incremental", "append_dedup")
    assert (stream["cursor_field"], stream["primary_key"]) == (["updated_at"], [["id"]])
    assert stream["stream"]["namespace"] == "public" and stream["stream"]["source_defined_primary_key"] == [["id"]]
    properties = stream["stream"]["json_schema"]["properties"]
    assert properties["status"] == {"type": "string", "enum": ["new", "paid", "shipped", "cancelled"]}
    assert properties["placed_at"]["airbyte_type"] == "timestamp_without_timezone"
    assert properties["updated_at"]["airbyte_type"] == "timestamp_with_timezone"
    assert properties["deleted_at"]["type"] == ["string", "null"]
    assert properties["shop_customer_ref"]["type"] == ["integer", "null"]

    singer = json.loads(ok(dayone("export", "sync", shop.url, "--format", "singer")).stdout)
    entry = _singer(singer, "shop_orders")
    assert entry["tap_stream_id"] == "public-shop_orders"
    top = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
    assert top["replication-method"] == "INCREMENTAL" and top["replication-key"] == "updated_at"
    assert top["table-key-properties"] == ["id"] and top["selected"] is True
    columns = {tuple(m["breadcrumb"]): m["metadata"] for m in entry["metadata"] if m["breadcrumb"]}
    assert columns[("properties", "updated_at")]["inclusion"] == "automatic"
    assert columns[("properties", "status")]["inclusion"] == "available"
    assert "airbyte_type" not in json.dumps(entry["schema"])


def test_every_method_maps_to_airbyte_and_singer(shop):
    """Log-based CDC needs wal_level=logical, which the test server does not have: the same
    catalog with it set gives CDC, which both catalogs spell as their protocol says."""
    result = api.audit(shop.url)
    logical = api.audit(replace(result.catalog, cdc_settings={"wal_level": "logical"}))
    for audit, method in ((result, "incremental dedup"), (logical, "log-based CDC")):
        facts = export_facts(audit)
        orders = next(t for t in facts.tables if t.name == "shop_orders")
        assert orders.extraction.method == method
        airbyte = airbyte_catalog(facts)
        validated(airbyte)
        stream = _stream(airbyte, "shop_orders")
        singer = next(m["metadata"] for m in _singer(singer_catalog(facts), "shop_orders")["metadata"] if m["breadcrumb"] == [])
        if method == "log-based CDC":
            assert stream["stream"]["source_defined_cursor"] is True and stream["cursor_field"] == []
            assert stream["destination_sync_mode"] == "append_dedup" and stream["primary_key"] == [["id"]]
            assert singer["replication-method"] == "LOG_BASED" and "replication-key" not in singer
    # a table with no cursor and no CDC: a full refresh that overwrites
    bare = replace(export_facts(result), tables=tuple(
        replace(t, extraction=replace(t.extraction, method="full refresh", cursor=None)) for t in export_facts(result).tables))  # fmt: skip
    stream = validated(airbyte_catalog(bare)).streams[0]
    assert (stream.sync_mode.value, stream.destination_sync_mode.value, stream.cursor_field) == ("full_refresh", "overwrite", [])
    assert sync_plan(bare, "shop")["methods"] == {"full refresh": 2}


def test_sakila_on_mariadb(sakila, dayone):
    airbyte = json.loads(ok(dayone("export", "sync", sakila.url, "--format", "airbyte")).stdout)
    validated(airbyte)
    film = _stream(airbyte, "film")
    assert film["stream"]["namespace"] == sakila.name and film["primary_key"] == [["film_id"]]
    properties = film["stream"]["json_schema"]["properties"]
    assert properties["rating"]["enum"] == ["G", "PG", "PG-13", "R", "NC-17", None]
    assert properties["rental_rate"]["type"] == "number" and properties["film_id"]["type"] == "integer"
    assert properties["special_features"]["type"] == ["string", "null"] and "enum" not in properties["special_features"]
    rental = _stream(airbyte, "rental")["stream"]["json_schema"]["properties"]
    assert rental["rental_date"]["airbyte_type"] == "timestamp_without_timezone"  # DATETIME: a wall-clock time
    assert rental["last_update"]["airbyte_type"] == "timestamp_with_timezone"  # TIMESTAMP: an instant
    singer = json.loads(ok(dayone("export", "sync", sakila.url, "--format", "singer")).stdout)
    top = next(m["metadata"] for m in _singer(singer, "film")["metadata"] if m["breadcrumb"] == [])
    assert top["replication-method"] in ("FULL_TABLE", "INCREMENTAL") and top["database-name"] == sakila.name


def test_sqlite_types(tmp_path, dayone):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(8,2), ratio REAL, "
                     "done BOOLEAN, born DATE, seen_at DATETIME, blob_data BLOB, "
                     "kind TEXT CHECK (kind IN ('a', 'b')))")  # fmt: skip
        conn.execute("INSERT INTO things (name, kind) VALUES ('x', 'a')")
    airbyte = json.loads(ok(dayone("export", "sync", str(path), "--format", "airbyte")).stdout)
    validated(airbyte)
    properties = _stream(airbyte, "things")["stream"]["json_schema"]["properties"]
    assert properties["id"]["type"] in ("integer", ["integer", "null"])
    assert properties["name"]["type"] == "string"
    assert properties["price"]["type"] == ["number", "null"] and properties["ratio"]["type"] == ["number", "null"]
    assert properties["done"]["type"] == ["boolean", "null"]
    assert properties["born"]["format"] == "date" and properties["seen_at"]["format"] == "date-time"
    assert properties["blob_data"]["contentEncoding"] == "base64"
    assert properties["kind"]["enum"] == ["a", "b", None]


def test_every_source_of_a_project(shop, sakila, tmp_path, dayone):
    folder = tmp_path / "launch"
    ok(dayone("init", str(folder), "--name", "Launch", cwd=tmp_path))
    ok(dayone("source", "add", "shop", shop.url, cwd=folder))
    ok(dayone("source", "add", "films", sakila.url, cwd=folder))
    refused = dayone("export", "sync", "--format", "airbyte", cwd=folder)
    assert refused.returncode == 2 and "-o DIR" in refused.stderr
    ok(dayone("export", "sync", "--format", "airbyte", "-o", "out", cwd=folder))
    ok(dayone("export", "contract", "-o", "out", cwd=folder))
    out = folder / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "films.airbyte.json", "films.odcs.yaml", "shop.airbyte.json", "shop.odcs.yaml"]  # fmt: skip
    validated(json.loads((out / "shop.airbyte.json").read_text(encoding="utf-8")))
    contract = yaml.safe_load((out / "films.odcs.yaml").read_text(encoding="utf-8"))
    assert contract["name"] == "films" and contract["servers"][0]["environment"] == "prod"
    # a source's name as TARGET: one file, named by the user
    ok(dayone("export", "sync", "shop", "-o", "shop.json", cwd=folder))
    assert json.loads((folder / "shop.json").read_text(encoding="utf-8"))["source"] == "shop"


def test_hostile_names_are_carried_faithfully(hostile_postgresql, tmp_path, dayone):  # noqa: F811
    hostile = hostile_postgresql
    ok(dayone("export", "contract", hostile.url, "--schema", "public", "-o", str(tmp_path / "c.yaml")))
    text = (tmp_path / "c.yaml").read_text(encoding="utf-8")
    assert RAW_CONTROL.search(text) is None  # every control written as an escape
    doc = yaml.safe_load(text)
    objects = {o["name"]: o for o in doc["schema"]}
    assert set(hostile.tables) <= set(objects)
    some = objects[hostile.tables[0]]
    assert some["description"] == HOSTILE_COMMENT
    assert HOSTILE_COLUMN in {p["name"] for p in some["properties"]}
    assert doc["servers"][0]["database"] == hostile.database
    for output_format in ("json", "airbyte", "singer"):
        path = tmp_path / f"s.{output_format}.json"
        ok(dayone("export", "sync", hostile.url, "--format", output_format, "-o", str(path)))
        raw = path.read_text(encoding="utf-8")
        assert RAW_CONTROL.search(raw) is None
        data = json.loads(raw)
        if output_format == "airbyte":
            validated(data)
            names = {(s["stream"]["namespace"], s["stream"]["name"]) for s in data["streams"]}
            assert {("public", t) for t in hostile.tables} | {("s", "a.b"), ("s.a", "b")} <= names
            lacking = [(s["stream"]["name"], list(s["stream"]["json_schema"]["properties"])) for s in data["streams"]
                       if s["stream"]["namespace"] == "public" and s["stream"]["name"] in hostile.tables and HOSTILE_COLUMN not in s["stream"]["json_schema"]["properties"]]
            assert not lacking
        if output_format == "singer":
            assert {f"public-{t}" for t in hostile.tables} <= {s["tap_stream_id"] for s in data["streams"]}
    # every schema at once: objects named schema.table, one server per schema, two spellings kept apart
    ok(dayone("export", "contract", hostile.url, "-o", str(tmp_path / "all.yaml")))
    doc = yaml.safe_load((tmp_path / "all.yaml").read_text(encoding="utf-8"))
    names = [o["name"] for o in doc["schema"]]
    assert len(names) == len(set(names)) and {"s.a.b", "s.a.b (2)"} <= set(names)
    assert sorted(s["schema"] for s in doc["servers"]) == ["public", "s", "s.a"]
    from tests.test_export_contract import datacontract

    for name in ("c.yaml", "all.yaml"):  # hostile names are still a valid contract
        lint = datacontract("lint", name, cwd=tmp_path)
        assert lint.returncode == 0, lint.stdout[-2000:]


def test_reruns_are_byte_identical_and_edits_are_kept(shop, tmp_path, dayone):
    path = tmp_path / "shop.airbyte.json"
    ok(dayone("export", "sync", shop.url, "--format", "airbyte", "-o", str(path)))
    data = path.read_bytes()
    assert ok(dayone("export", "sync", shop.url, "--format", "airbyte")).stdout.encode() == data
    ok(dayone("export", "sync", shop.url, "--format", "airbyte", "-o", str(path)))
    assert path.read_bytes() == data
    edited = json.loads(data)
    edited["streams"][0]["sync_mode"] = "full_refresh"  # the engineer's own choice
    path.write_text(json.dumps(edited), encoding="utf-8")
    refused = dayone("export", "sync", shop.url, "--format", "airbyte", "-o", str(path))
    assert refused.returncode == 2 and "shop.airbyte.json" in refused.stderr and "--force" in refused.stderr
    assert json.loads(path.read_text(encoding="utf-8")) == edited
    ok(dayone("export", "sync", shop.url, "--format", "airbyte", "-o", str(path), "--force"))
    assert path.read_bytes() == data


def test_sqlite_contract_has_no_server_and_lints(tmp_path, dayone):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT CHECK (kind IN ('a', 'b')), "
                     "parent_id integer REFERENCES things (id))")  # fmt: skip
    ok(dayone("export", "contract", str(path), "-o", str(tmp_path / "app.yaml")))
    doc = yaml.safe_load((tmp_path / "app.yaml").read_text(encoding="utf-8"))
    assert "servers" not in doc  # a file has no server a contract tool connects to
    things = doc["schema"][0]
    kind = next(p for p in things["properties"] if p["name"] == "kind")
    assert kind["quality"][0]["arguments"]["validValues"] == ["a", "b"]
    from tests.test_export_contract import datacontract

    lint = datacontract("lint", "app.yaml", cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout[-2000:]


def test_every_export_in_a_project_without_sources_says_how_to_add_one(tmp_path):
    """dbt, contract and sync gather their audits the same way (cli.export.export_audits): inside a
    project that names no source yet, each says so in one line instead of exporting nothing."""
    from workspace_log_helpers import make_project, one_line_error, run

    folder = tmp_path / "launch"
    make_project(folder, {})
    for args in (["dbt", "-o", "dbt_out"], ["contract", "-o", "contracts"], ["sync", "-o", "plans"]):
        line = one_line_error(run("export", *args, cwd=folder))
        assert "names no source yet" in line and "dayone source add" in line, (args, line)
    assert not (folder / "dbt_out").exists()
