"""`dayone catalog`: the data dictionary, read as a user reads it, on real pagila (PostgreSQL),
sakila (MariaDB/MySQL) and SQLite. At 80 columns no line is longer, no number is split, no box
character is drawn; every format parses back to the catalog's tables and columns; -o never
overwrites what is read."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from rich.cells import cell_len

from dayone import api
from dayone.catalog.model import Catalog, Column, PrimaryKey, Schema, Table
from dayone.cli import cli
from dayone.render.dictionary import CSV_HEADER, dictionary
from dayone.render.dictionary_text import to_text

BOX = re.compile("[\u2500-\u257f]")  # box drawing: what collapsed to ┃┃┃ in a pipe


def run(*args: str, columns: int | None = 80, env: dict[str, str] | None = None):
    environment = {"NO_COLOR": None, **({"COLUMNS": str(columns)} if columns else {"COLUMNS": None}), **(env or {})}
    result = CliRunner().invoke(cli, list(args), env=environment)
    assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
    return result


def sqlite_shop(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE customers ( -- people who buy, with the address we ship to and a very long comment that cannot fit
              id INTEGER PRIMARY KEY,
              email TEXT NOT NULL UNIQUE, -- where receipts go
              born DATE DEFAULT '1900-01-01');
            CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER REFERENCES customers(id),
              total NUMERIC(12, 2) DEFAULT -1, placed_at TIMESTAMP);
            CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
            INSERT INTO customers (email) VALUES ('a@example.com'), ('b@example.com');
        """)
    return path


@pytest.fixture(params=[pytest.param("pagila", marks=pytest.mark.postgres), pytest.param("sakila", marks=pytest.mark.mysql), "sqlite"])
def database(request, tmp_path):
    """(target, catalog) of a real schema: pagila, sakila, or a small SQLite shop."""
    if request.param == "sqlite":
        target = str(sqlite_shop(tmp_path / "shop.db"))
    else:
        db = request.getfixturevalue(request.param)
        target = db.url
    return target, api.read_catalog(target)


def _lines_fit(text: str, width: int) -> None:
    for line in text.splitlines():
        assert cell_len(line) <= width, f"{cell_len(line)} > {width}: {line!r}"
    assert not BOX.search(text)
    assert "\x1b" not in text  # NO_COLOR, or not a terminal: plain


# --- text at 80 columns ----------------------------------------------------------------------------


def test_the_text_fits_80_columns_and_lists_every_table_and_column(database):
    target, catalog = database
    result = run("catalog", target)
    text = result.stdout
    _lines_fit(text, 80)
    found = dictionary(catalog)
    lines = text.splitlines()
    for entry in found.tables():
        title = [line for line in lines if line.startswith(f"{entry.label}  {entry.table.kind}")]
        assert len(title) == 1, entry.label
        if entry.table.partition_of:
            continue
        start = lines.index(title[0])
        block = lines[start : lines.index("", start)] if "" in lines[start:] else lines[start:]
        for column in entry.table.columns:  # one line each, the name first
            assert any(line == f"  {column.name}" or line.startswith(f"  {column.name}  ") for line in block), column.name


def test_numbers_are_never_split(database):
    """Each table's estimated rows stand whole on its line of the overview, as the catalog says."""
    target, catalog = database
    for width in (80, 60, 40):
        text = run("catalog", target, columns=width).stdout
        _lines_fit(text, width)
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("  table "))  # the overview's header
        overview = {line.split()[0]: line for line in lines[start + 1 : lines.index("", start)]}
        assert len(overview) == len(catalog.schemas[0].tables)
        assert "rows≈" in lines[start] or not any(e.estimated_rows is not None for e in dictionary(catalog).tables())
        for entry in dictionary(catalog).tables():
            if entry.estimated_rows is not None:
                assert re.search(rf"(^|\s){entry.estimated_rows:,}(\s|$)", overview[entry.table.name]), overview[entry.table.name]


@pytest.mark.postgres
def test_fields_that_do_not_fit_are_left_out_in_order_and_said(pagila):
    wide = run("catalog", pagila.url, columns=200)
    narrow = run("catalog", pagila.url, columns=80)
    narrower = run("catalog", pagila.url, columns=50)
    customer = lambda text: text.split("public.customer  table")[1].split("\n\n")[0]  # noqa: E731
    assert "default" in customer(wide.stdout).splitlines()[1] and "CURRENT_DATE" in customer(wide.stdout)
    assert "left out" not in wide.stderr
    assert "FK → address.address_id" in customer(narrow.stdout)  # the key whole: the default goes first
    assert "left out to fit 80 columns: default" in narrow.stderr
    header = customer(narrower.stdout).splitlines()[1].split()
    assert header == ["column", "type", "null"], header  # then the comment, then the key
    assert "key" in narrower.stderr and "size" in narrower.stderr
    # the width is the option's, whatever $COLUMNS says
    assert run("catalog", pagila.url, "--width", "200", columns=60).stdout == wide.stdout


def test_long_comments_are_cut_with_an_ellipsis_and_long_names_stand_alone(tmp_path):
    long_name = "a_column_whose_name_goes_on_and_on_past_any_field"
    table = Table("t", comment="word " * 40, columns=(
        Column("id", 1, "integer", "integer", False, comment="short"),
        Column(long_name, 2, "text", "text", True, comment="a comment " * 20),
        Column("日本語の列", 3, "text", "text", True, comment="列の説明" * 20),
    ), primary_key=PrimaryKey(None, ("id",)))  # fmt: skip
    text = to_text(dictionary(Catalog("postgresql", "15", "db", schemas=(Schema("public", (table,)),))), 80).text
    _lines_fit(text, 80)
    lines = text.splitlines()
    assert f"  {long_name}" in lines  # whole, on a line of its own, its row below it
    row = lines[lines.index(f"  {long_name}") + 1]
    assert row.split()[:2] == ["text", "yes"] and row.endswith("…")
    assert any(line.startswith("  word word") and line.endswith("…") for line in lines)  # the table's comment
    assert any("日本語の列" in line and line.endswith("…") for line in lines)  # wide characters, two cells each


# --- formats -----------------------------------------------------------------------------------


def test_every_format_parses_back_to_the_tables_and_columns(database, tmp_path):
    target, catalog = database
    tables = [(s.name, t) for s, t in catalog.tables()]
    columns = [(s, t.name, c) for s, t in tables for c in t.columns]

    document = json.loads(run("catalog", target, "--format", "json").stdout)
    assert document["format"] == "dayone-dictionary" and document["format_version"] == 1
    assert [(s["name"], t["name"]) for s in document["schemas"] for t in s["tables"]] == [(s, t.name) for s, t in tables]
    assert sum(len(t["columns"]) for s in document["schemas"] for t in s["tables"]) == len(columns)
    assert set(document["schemas"][0]["tables"][0]["columns"][0]) == {
        "name", "position", "type", "normalized_type", "nullable", "primary_key", "unique", "references", "default",
        "identity", "generated", "comment"}  # fmt: skip

    rows = list(csv.reader(io.StringIO(run("catalog", target, "--format", "csv").stdout)))
    assert tuple(rows[0]) == CSV_HEADER
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(s, t, c.name) for s, t, c in columns]
    assert all(len(r) == len(CSV_HEADER) and r[5] in ("true", "false") for r in rows[1:])

    markdown = run("catalog", target, "--format", "markdown").stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    headings = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert [h for h, _ in headings].count("h1") == 1
    assert [h for h, _ in headings].count("h2") == len(catalog.schemas)
    assert [h for h, _ in headings].count("h3") == len(tables)  # one section per table
    assert sum(t.type == "table_open" for t in tokens) == len(catalog.schemas) + sum(
        1 for _, t in tables if t.columns and t.partition_of is None)


@pytest.mark.postgres
def test_keys_and_references_on_pagila(pagila):
    document = json.loads(run("catalog", pagila.url, "--format", "json").stdout)
    tables = {t["name"]: t for t in document["schemas"][0]["tables"]}
    city_id = next(c for c in tables["address"]["columns"] if c["name"] == "city_id")
    assert city_id["references"] == [{"schema": "public", "table": "city", "column": "city_id"}]
    assert tables["film_actor"]["primary_key"] == ["actor_id", "film_id"]
    assert tables["payment"]["estimated_rows"] == sum(t["estimated_rows"] for t in tables.values() if t["partition_of"] == "payment")
    rows = {(r["table"], r["column"]): r for r in csv.DictReader(io.StringIO(run("catalog", pagila.url, "--format", "csv").stdout))}
    assert rows[("address", "city_id")]["references"] == "public.city.city_id"
    assert rows[("actor", "actor_id")]["primary_key"] == "true" and rows[("actor", "actor_id")]["nullable"] == "false"
    markdown = run("catalog", pagila.url, "--format", "markdown").stdout
    assert "| `city_id` | `integer` | no | FK → `public.city.city_id` |" in markdown


@pytest.mark.mysql
def test_keys_and_references_on_sakila(sakila):
    rows = {(r["table"], r["column"]): r for r in csv.DictReader(io.StringIO(run("catalog", sakila.url, "--format", "csv").stdout))}
    assert rows[("film", "language_id")]["references"] == f"{sakila.name}.language.language_id"
    assert rows[("film", "rating")]["type"].startswith("enum(")
    text = run("catalog", sakila.url).stdout
    film = text.split(f"{sakila.name}.film  table")[1].split("\n\n")[0]
    assert "FK → language.language_id" in film and "…" in film  # the key whole, the enum's long type cut


def test_csv_cells_a_spreadsheet_would_run_are_quoted_numbers_kept(tmp_path):
    path = tmp_path / "f.db"
    with sqlite3.connect(path) as db:
        db.execute("""CREATE TABLE "=HYPERLINK(""http://x"")" (a INTEGER DEFAULT -1, "+b" TEXT DEFAULT '@x', -- @SUM(A1)
                      "-c" REAL DEFAULT -1.5e3)""")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(run("catalog", str(path), "--format", "csv").stdout)))
    assert {r["table"] for r in rows} == {"'=HYPERLINK(\"http://x\")"}
    assert [(r["column"], r["default"], r["comment"]) for r in rows] == [
        ("a", "-1", ""), ("'+b", "'@x'", "'@SUM(A1)"), ("'-c", "-1.5e3", "")]


# --- targets and files -------------------------------------------------------------------------


def test_a_snapshot_file_and_o_which_never_overwrites_its_input(tmp_path):
    db = sqlite_shop(tmp_path / "shop.db")
    snapshot = tmp_path / "shop.json"
    run("snapshot", str(db), "-o", str(snapshot))
    before = snapshot.read_bytes(), db.read_bytes()
    for target, output in ((snapshot, snapshot), (db, db), (db, Path(f"{db}-wal"))):
        done = subprocess.run([sys.executable, "-m", "dayone", "catalog", str(target), "-o", str(output), "--format", "csv"],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 2 and done.stderr.endswith("being read: write to another file\n"), done.stderr
        assert done.stderr.count("\n") == 1 and not Path(f"{db}-wal").exists()
    assert (snapshot.read_bytes(), db.read_bytes()) == before
    for output_format in ("text", "markdown", "json", "csv"):
        written = tmp_path / f"dictionary.{output_format}"
        result = run("catalog", str(snapshot), "--format", output_format, "-o", str(written))
        assert result.stdout == "" and f"wrote {written}" in result.stderr
        assert written.read_text() == run("catalog", str(db), "--format", output_format).stdout  # offline, the same
    _lines_fit((tmp_path / "dictionary.text").read_text(), 80)
    assert "--width" in CliRunner().invoke(cli, ["catalog", str(db), "--format", "json", "--width", "100"]).output


@pytest.mark.postgres
def test_a_source_name_in_a_project_and_schema_filter(pagila, tmp_path, monkeypatch):
    folder = tmp_path / "launch"
    run("init", str(folder), "--name", "Launch")
    monkeypatch.chdir(folder)
    run("source", "add", "rentals", pagila.url)
    document = json.loads(run("catalog", "rentals", "--format", "json").stdout)
    assert document["database"] == pagila.name and document["schemas"][0]["name"] == "public"
    assert [s["name"] for s in json.loads(run("catalog", "rentals", "--schema", "public", "--format", "json").stdout)["schemas"]] == ["public"]
    wrong = CliRunner().invoke(cli, ["catalog", "rentals", "--schema", "nowhere"])
    assert "no schema named 'nowhere'" in str(wrong.exception)


# --- a terminal ----------------------------------------------------------------------------------


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What `dayone ARGS` prints on a terminal (a pseudo-terminal), its width from $COLUMNS."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "TERM")} | env
    process = subprocess.Popen([sys.executable, "-m", "dayone", *args], stdout=follower, stderr=subprocess.DEVNULL, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_on_a_terminal_the_width_is_the_terminals_and_no_color_is_respected(tmp_path):
    db = str(sqlite_shop(tmp_path / "shop.db"))
    styled = _on_a_terminal(["catalog", db], {"COLUMNS": "100", "TERM": "xterm"})
    assert "\x1b[1m" in styled  # headings in bold
    plain = _on_a_terminal(["catalog", db], {"COLUMNS": "100", "TERM": "xterm", "NO_COLOR": "1"})
    assert "\x1b" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled) == plain
    _lines_fit(plain, 100)
    assert plain == run("catalog", db, columns=100).stdout  # a pipe at the same width: the same text
