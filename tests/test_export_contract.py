"""`dayone export contract`: an ODCS v3 document that datacontract-cli lints and tests against the
real database it was written from (pagila with a small shop schema on PostgreSQL; sakila on
MariaDB), and that fails that test once a planted row breaks a declared value."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml  # PyYAML: the reader datacontract-cli and dbt use (YAML 1.1)

from tests.export_cases import SHOP_DDL, dayone, ok  # noqa: F401 - dayone is a fixture

DATACONTRACT = shutil.which("datacontract", path=str(Path(sys.executable).parent)) or shutil.which("datacontract")
CANARY = "c0ntract-canary-pw"


def datacontract(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    if DATACONTRACT is None:
        pytest.fail("datacontract-cli is not installed: pip install -e '.[test]'")
    from tests.conftest import PG_ADMIN_URL
    from sqlalchemy.engine.url import make_url

    url = make_url(PG_ADMIN_URL)
    env = {**os.environ, "DATACONTRACT_POSTGRES_USERNAME": url.username or "postgres",
           "DATACONTRACT_POSTGRES_PASSWORD": url.password or "unused-with-trust", "NO_COLOR": "1", "COLUMNS": "200"}  # fmt: skip
    return subprocess.run([DATACONTRACT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def shop_pagila(pg_server):
    """pagila with the shop tables added, in a database of this module's own (one test plants rows)."""
    from tests.conftest import PAGILA, _create_pg_database, _drop_pg_database, unique_name

    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed")
    db = _create_pg_database(unique_name("dayone_contract"))
    for part in ("pagila-schema.sql", "pagila-data.sql"):
        subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", str(PAGILA / part)], check=True, capture_output=True)
    db.execute(SHOP_DDL)
    yield db
    _drop_pg_database(db.name)


@pytest.fixture(scope="module")
def exported(shop_pagila, tmp_path_factory):
    """The contract as a user writes it (a password in the URL, which must go nowhere)."""
    folder = tmp_path_factory.mktemp("contract")
    url = shop_pagila.url.replace("://postgres@", f"://postgres:{CANARY}@")
    code = subprocess.run([sys.executable, "-m", "dayone", "export", "contract", url, "-o", str(folder / "pagila.odcs.yaml")],
                          capture_output=True, text=True, env={**os.environ, "HOME": str(folder)})  # fmt: skip
    assert code.returncode == 0, code.stderr
    path = folder / "pagila.odcs.yaml"
    return SimpleNamespace(path=path, folder=folder, text=path.read_text(encoding="utf-8"), url=url,
                           doc=yaml.safe_load(path.read_text(encoding="utf-8")))  # fmt: skip


def _object(doc: dict, name: str) -> dict:
    return next(o for o in doc["schema"] if o["name"] == name)


def _prop(obj: dict, name: str) -> dict:
    return next(p for p in obj["properties"] if p["name"] == name)


def _custom(element: dict) -> dict:
    return {c["property"]: c["value"] for c in element.get("customProperties", [])}


def test_contract_holds_keys_types_values_and_references(exported, shop_pagila):
    doc = exported.doc
    assert (doc["apiVersion"], doc["kind"], doc["status"]) == ("v3.1.0", "DataContract", "draft")
    assert doc["servers"] == [{"server": shop_pagila.name, "type": "postgres", "host": "127.0.0.1", "port": 5432,
                               "database": shop_pagila.name, "schema": "public"}]  # fmt: skip
    assert CANARY not in exported.text
    film = _object(doc, "film")
    film_id = _prop(film, "film_id")
    assert (film_id["primaryKey"], film_id["primaryKeyPosition"], film_id["required"]) == (True, 1, True)
    assert _prop(film, "title")["physicalType"] == "text" and _prop(film, "title")["logicalType"] == "string"
    assert _prop(film, "rental_rate")["physicalType"] == "numeric(4,2)" and _prop(film, "rental_rate")["logicalType"] == "number"
    rating = _prop(film, "rating")  # a PostgreSQL enum: checked by its values, not by a type name tools cannot compare
    assert "physicalType" not in rating and _custom(rating)["declaredType"] == "mpaa_rating"
    assert rating["quality"][0]["metric"] == "invalidValues"
    assert rating["quality"][0]["arguments"]["validValues"] == ["G", "PG", "PG-13", "R", "NC-17"]
    assert _prop(film, "language_id")["relationships"] == [{"type": "foreignKey", "to": "language.language_id"}]
    assert "required" not in _prop(film, "original_language_id")
    film_actor = _object(doc, "film_actor")
    assert [(p["name"], p.get("primaryKeyPosition")) for p in film_actor["properties"] if p.get("primaryKey")] == [("actor_id", 1), ("film_id", 2)]

    orders = _object(doc, "shop_orders")
    status = _prop(orders, "status")
    assert status["quality"][0]["arguments"]["validValues"] == ["new", "paid", "shipped", "cancelled"]
    assert "check constraint" in status["quality"][0]["description"]
    assert _prop(orders, "channel")["quality"][0]["arguments"]["validValues"] == ["web", "store", "phone"]
    assert _prop(orders, "customer_id")["relationships"] == [{"type": "foreignKey", "to": "shop_customers.id"}]
    facts = _custom(orders)
    assert facts["lastModifiedColumn"] == "updated_at"
    assert facts["softDeleteColumn"] == "deleted_at"
    assert facts["untrackedStatusColumns"] == ["status"]
    assert facts["extractionMethod"] == "incremental dedup" and facts["extractionCursor"] == "updated_at"
    assert all(i.startswith("D") for i in facts["dayoneFindings"])
    customers = _object(doc, "shop_customers")
    assert customers["description"] == "People who buy"
    email = _prop(customers, "email")
    assert email["description"] == "Login e-mail" and email["classification"] == "personal"
    assert _custom(email)["personalData"]
    assert _custom(customers)["testDataFlags"] == ["is_test"]


def test_datacontract_lint_and_test_pass_on_the_database(exported):
    lint = datacontract("lint", exported.path.name, cwd=exported.folder)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    test = datacontract("test", exported.path.name, cwd=exported.folder)
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-2000:]
    assert "Data contract is valid" in test.stdout or "Data contract has warnings" in test.stdout
    assert "│ failed" not in test.stdout
    # the rules came from the contract, not only the tool's defaults: accepted values and references ran
    assert "invalid_count" in test.stdout and "values missing from" in test.stdout


def test_a_planted_violation_fails_datacontract_test(pg_server, tmp_path, dayone):
    """A value outside the declared list (the CHECK dropped in a scratch copy, as a warehouse copy
    without constraints would have it) makes `datacontract test` fail on that rule."""
    from tests.conftest import _create_pg_database, _drop_pg_database, unique_name

    db = _create_pg_database(unique_name("dayone_contract_planted"))
    try:
        db.execute(SHOP_DDL)
        ok(dayone("export", "contract", db.url, "-o", str(tmp_path / "shop.odcs.yaml")))
        passed = datacontract("test", "shop.odcs.yaml", cwd=tmp_path)
        assert passed.returncode == 0, passed.stdout[-3000:]
        db.execute("ALTER TABLE shop_orders DROP CONSTRAINT shop_orders_status_check")
        db.execute("INSERT INTO shop_orders (customer_id, status, channel, placed_at) VALUES (1, 'lost', 'web', now())")
        failed = datacontract("test", "shop.odcs.yaml", cwd=tmp_path)
        assert failed.returncode != 0
        assert "status" in failed.stdout and "invalid" in failed.stdout.lower()
    finally:
        _drop_pg_database(db.name)


def test_reruns_are_byte_identical_and_an_edited_file_is_kept(exported, dayone, tmp_path):
    first = tmp_path / "c.yaml"
    ok(dayone("export", "contract", exported.url, "-o", str(first), "--statement-timeout", "30"))
    data = first.read_bytes()
    assert data == exported.path.read_bytes()  # same database, same bytes, whoever ran it
    again = ok(dayone("export", "contract", exported.url, "-o", str(first)))
    assert first.read_bytes() == data and "1 unchanged" in again.stderr
    edited = data.decode().replace("status: draft", "status: active") + "# agreed with the payments team\n"
    first.write_text(edited, encoding="utf-8")
    refused = dayone("export", "contract", exported.url, "-o", str(first))
    assert refused.returncode == 2 and "c.yaml" in refused.stderr and "--force" in refused.stderr
    assert first.read_text(encoding="utf-8") == edited  # not touched
    ok(dayone("export", "contract", exported.url, "-o", str(first), "--force"))
    assert first.read_bytes() == data


def test_sakila_on_mariadb_has_the_same_structure(sakila, tmp_path, dayone):
    ok(dayone("export", "contract", sakila.url, "-o", str(tmp_path / "sakila.odcs.yaml")))
    doc = yaml.safe_load((tmp_path / "sakila.odcs.yaml").read_text(encoding="utf-8"))
    server = doc["servers"][0]
    assert (server["type"], server["database"], server["port"]) == ("mysql", sakila.name, 3306) and "schema" not in server
    film = _object(doc, "film")
    rating = _prop(film, "rating")
    assert rating["physicalType"].lower().startswith("enum(")
    assert rating["quality"][0]["arguments"]["validValues"] == ["G", "PG", "PG-13", "R", "NC-17"]
    assert _prop(film, "film_id")["primaryKey"] is True and _prop(film, "film_id")["logicalType"] == "integer"
    assert _prop(film, "language_id")["relationships"] == [{"type": "foreignKey", "to": "language.language_id"}]
    assert "special_features" in {p["name"] for p in film["properties"]}
    assert "quality" not in _prop(film, "special_features")  # a SET holds combinations: no one accepted value
    lint = datacontract("lint", "sakila.odcs.yaml", cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout


def test_answers_of_a_project_reach_the_contract(pg_db, tmp_path):
    """In a project: the answer to a table's undocumented-table question becomes its description,
    and the answered zone of wall-clock columns is stated."""
    from tests.workspace_log_helpers import make_project, ok as ran, questions_json, run

    pg_db.execute(SHOP_DDL)
    folder = tmp_path / "launch"
    make_project(folder, {"shop": {"prod": pg_db.url}})
    questions = questions_json(folder)
    zone = next(q for q in questions if q["rule"] == "timestamp-without-time-zone")
    ran(run("answer", zone["id"], "The app writes Europe/Paris local time", "--by", "Ana", cwd=folder))
    undocumented = next(q for q in questions if q["rule"] == "undocumented-table" and q["about"] == "public.shop_orders")
    ran(run("answer", undocumented["id"], "One row per order placed on the web shop", "--by", "Ana", cwd=folder))
    ran(run("export", "contract", "-o", "contracts", cwd=folder))  # no TARGET: every source, into a folder
    doc = yaml.safe_load((folder / "contracts" / "shop.odcs.yaml").read_text(encoding="utf-8"))
    assert _custom(doc)["wallClockTimezone"] == "Europe/Paris"
    assert doc["servers"][0]["environment"] == "prod"
    assert _object(doc, "shop_orders")["description"] == "One row per order placed on the web shop"


def test_typed_values_yaml_11_words_and_unique_keys_of_several_columns(pg_db, tmp_path, dayone):
    """Numbers in a CHECK list stay numbers, `yes`/`on` stay strings for YAML 1.1 readers, a unique
    constraint of two columns is tested as one; each is caught once its constraint is gone."""
    pg_db.execute("CREATE TABLE t (id int PRIMARY KEY, priority integer NOT NULL CHECK (priority IN (1, 2, 3)), "
                  "ratio numeric CHECK (ratio IN (0.5, 1.5)), flag text CHECK (flag IN ('yes', 'no', 'on')), "
                  "a int, b int, CONSTRAINT t_a_b UNIQUE (a, b));"
                  "INSERT INTO t VALUES (1, 2, 0.5, 'yes', 1, 1), (2, 3, NULL, 'on', 1, 2)")  # fmt: skip
    ok(dayone("export", "contract", pg_db.url, "-o", str(tmp_path / "t.yaml")))
    doc = yaml.safe_load((tmp_path / "t.yaml").read_text(encoding="utf-8"))
    table = _object(doc, "t")
    values = {p["name"]: p["quality"][0]["arguments"]["validValues"] for p in table["properties"] if p.get("quality")}
    assert values == {"priority": [1, 2, 3], "ratio": [0.5, 1.5], "flag": ["yes", "no", "on"]}
    assert table["quality"][0]["metric"] == "duplicateValues" and table["quality"][0]["arguments"] == {"properties": ["a", "b"]}
    assert datacontract("test", "t.yaml", cwd=tmp_path).returncode == 0
    pg_db.execute("ALTER TABLE t DROP CONSTRAINT t_a_b; INSERT INTO t VALUES (3, 1, NULL, 'no', 1, 2)")
    duplicated = datacontract("test", "t.yaml", cwd=tmp_path)
    assert duplicated.returncode != 0 and "duplicate" in duplicated.stdout.lower()


def test_a_file_name_leading_out_of_the_output_folder_is_refused(tmp_path):
    # a database named `../x` (the contract's file is named after it without a project) writes nothing outside
    from dayone.errors import DayoneError
    from dayone.export.files import ExportFile, write_export

    with pytest.raises(DayoneError, match="outside"):
        write_export(tmp_path / "out", [ExportFile("../x.odcs.yaml", b"a: 1\n")])
    assert not (tmp_path / "x.odcs.yaml").exists() and not (tmp_path / "out").exists()
