"""Hostile names, comments and values on PostgreSQL, MariaDB/MySQL and SQLite, through every output.

Whoever can create a table or write a `status` value chooses what reaches the analyst: an ESC
sequence that clears the screen, an OSC 8 hyperlink, a bidi override, rich markup, a backtick or a
newline that breaks out of a Markdown code span. Each engine gets one database full of them (built
once for the module: every output is read from the same runs), and each output is checked byte for
byte: no control character but the newline, every name still recognisable in its escaped form, the
Markdown's structure exactly what dayone wrote, JSON and SARIF faithful to the real names.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from dayone import api
from dayone.cli import cli
from dayone.rules.registry import FAMILIES

ESC_CLEAR = "\x1b[2J"  # clears the screen
OSC8_LINK = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"  # a hyperlink the reader did not ask for
HOSTILE_TABLES = [
    "evil" + ESC_CLEAR,
    "osc" + OSC8_LINK,
    "bel\x07l",
    "cr\rover",
    "new\n## injected",
    "pi|pe",
    "tick`s ``x",
    "it's \"q\"",
    "x; DROP TABLE y; --",
    "[bold red]rich[/]",
    "<script>alert(1)</script>",
    "# heading",
    "rtl\u202eevil\u2066x\u2069",
    "c1\x9b31m",
    "tab\tx",
    "a.b",
]
UNICODE_TABLE = {"postgresql": "café_日本_🎉_שלום", "mysql": "café_日本_שלום", "sqlite": "café_日本_🎉_שלום"}  # MySQL: BMP only
LONGEST_TABLE = {"postgresql": "é" * 31 + "x", "mysql": "n" * 64, "sqlite": "n" * 64}  # 63 bytes, 64 characters
HOSTILE_COLUMN = "col" + ESC_CLEAR + "|\n# x"
HOSTILE_COMMENT = "comment " + ESC_CLEAR + " | # x <b>\n## second line"
STATUS_VALUES = [ESC_CLEAR, OSC8_LINK, "| a | b |", "\n## injected", "<script>", "[bold]x\u202e", "`code`", "\x07bell", "\x9b31m", "🎉"]
NUL_VALUE = "nul\x00byte"  # PostgreSQL text cannot hold NUL; the others can
PAGE_FILLER = "x" * 1500  # 30 rows of it fill more than one page on every engine: a sample has a choice

# Everything a reader's terminal or editor would act on: C0 (but the newline of line structure),
# DEL, C1, the bidi controls, the line and paragraph separators.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """What dayone promises to print for `text`: its control characters as escapes, the rest as is."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
        return named.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")

    return CONTROL.sub(escape, text)


NEEDS_QUOTES = re.compile('[."\\s]|' + CONTROL.pattern)


def quoted(name: str) -> str:
    """A name as a target spells it: SQL-style double quotes when it holds a dot, a quote,
    whitespace or a control character; as it is otherwise."""
    return '"' + name.replace('"', '""') + '"' if NEEDS_QUOTES.search(name) or not name else name


@dataclass
class Hostile:
    engine: str
    url: str  # what the audit reads, as the admin
    tables: list[str]
    database: str  # the database's name (SQLite: the file's stem)
    label: str  # the schema every target starts with (MySQL: the database; SQLite: the stem, as it is)
    check_url: str | None = None  # `dayone check` as a login that may read nothing: every table listed
    login: str | None = None  # that login's name
    outputs: dict[tuple[str, ...], bytes] = field(default_factory=dict)

    def target(self, *names: str) -> str:
        return ".".join([self.label if self.engine == "sqlite" else quoted(self.label), *map(quoted, names)])


def _tables(engine: str) -> list[str]:
    return [*HOSTILE_TABLES, UNICODE_TABLE[engine], LONGEST_TABLE[engine]]


# --- the databases ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_postgresql(pg_server):
    import psycopg
    from psycopg import sql

    from conftest import PG_ADMIN_URL

    suffix = uuid.uuid4().hex[:8]
    name = f"dayone_h{suffix}_{ESC_CLEAR}|`#*"
    login = f"dayone_h{suffix}_{ESC_CLEAR}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
    url = f"{base}/{quote(name, safe='')}"
    tables = _tables("postgresql")
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for table in tables:
                conn.execute(sql.SQL("CREATE TABLE {} (id serial PRIMARY KEY, status text, {} text, created_at timestamp)")
                             .format(sql.Identifier(table), sql.Identifier(HOSTILE_COLUMN)))  # fmt: skip
                conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(sql.Identifier(table), sql.Literal(HOSTILE_COMMENT)))
                conn.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                    sql.Identifier(table), sql.Identifier(HOSTILE_COLUMN), sql.Literal(HOSTILE_COMMENT)))  # fmt: skip
                with conn.cursor() as cur:
                    cur.executemany(sql.SQL("INSERT INTO {} (status, {}) VALUES (%s, %s)").format(
                        sql.Identifier(table), sql.Identifier(HOSTILE_COLUMN)), [(v, PAGE_FILLER) for v in STATUS_VALUES * 3])
            # one target spelling for two tables, unless names with dots are quoted
            for schema, table in (("s", "a.b"), ("s.a", "b")):
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                conn.execute(sql.SQL("CREATE TABLE {}.{} (id int PRIMARY KEY)").format(sql.Identifier(schema), sql.Identifier(table)))
            conn.execute("ANALYZE")
        login_url = f"{base.split('://')[0]}://{quote(login, safe='')}@{base.split('@', 1)[1]}/{quote(name, safe='')}"
        yield Hostile("postgresql", url, tables, name, "public", check_url=login_url, login=login)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


def _mysql_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"  # test set-up only: dayone quotes through sqlglot


@pytest.fixture(scope="module")
def hostile_mysql(mysql_server):
    from conftest import MYSQL_ADMIN_URL, _mysql_admin

    name = f"dayone_h{uuid.uuid4().hex[:8]}_{ESC_CLEAR}|`#*"
    tables = _tables("mysql")
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {_mysql_identifier(name)} CHARACTER SET utf8mb4")
    try:
        with _mysql_admin(name) as conn, conn.cursor() as cur:
            for table in tables:
                cur.execute(f"CREATE TABLE {_mysql_identifier(table)} (id int AUTO_INCREMENT PRIMARY KEY, status varchar(64), "
                            f"{_mysql_identifier(HOSTILE_COLUMN)} text COMMENT %s, created_at datetime) COMMENT=%s",
                            (HOSTILE_COMMENT, HOSTILE_COMMENT))  # fmt: skip
                cur.executemany(f"INSERT INTO {_mysql_identifier(table)} (status, {_mysql_identifier(HOSTILE_COLUMN)}) VALUES (%s, %s)",
                                [(v, PAGE_FILLER) for v in [*STATUS_VALUES, NUL_VALUE] * 3])  # fmt: skip
        yield Hostile("mysql", MYSQL_ADMIN_URL.rstrip("/") + "/" + quote(name, safe=""), tables, name, name)
    finally:
        with _mysql_admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {_mysql_identifier(name)}")


@pytest.fixture(scope="module")
def hostile_sqlite(tmp_path_factory):
    stem = f"hostile_{ESC_CLEAR}|#"
    path = tmp_path_factory.mktemp("hostile") / f"{stem}.db"
    tables = _tables("sqlite")
    conn = sqlite3.connect(path)
    try:
        for table in tables:
            ident = '"' + table.replace('"', '""') + '"'  # test set-up only
            column = '"' + HOSTILE_COLUMN.replace('"', '""') + '"'
            conn.execute(f"CREATE TABLE {ident} ( -- {HOSTILE_COMMENT.splitlines()[0]}\n"
                         f"  id integer PRIMARY KEY, status text, {column} text, created_at timestamp)")  # fmt: skip
            conn.executemany(f"INSERT INTO {ident} (status, {column}) VALUES (?, ?)",
                             [(v, PAGE_FILLER) for v in [*STATUS_VALUES, NUL_VALUE] * 3])  # fmt: skip
        conn.commit()
    finally:
        conn.close()
    yield Hostile("sqlite", str(path), tables, stem, stem)


# --- every command, every format, to standard output and to a file -------------------------------

RUNS = [
    ("audit", "text"), ("audit", "json"), ("audit", "markdown"), ("audit", "sarif"),
    ("audit", "text+expand"), ("audit", "markdown+expand"),  # every finding under its group
    ("check", "text"), ("check", "json"), ("check", "markdown"),
    ("catalog", "text"), ("catalog", "markdown"), ("catalog", "json"), ("catalog", "csv"),
]  # fmt: skip


def _run(args: list[str]) -> bytes:
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "240", "NO_COLOR": "1"})
    assert result.exit_code in (0, 1), f"dayone {' '.join(map(repr, args))}: {result.output!r} {result.exception!r}"
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.stdout_bytes


@pytest.fixture(scope="module", params=[pytest.param("postgresql", marks=pytest.mark.postgres),
                                        pytest.param("mysql", marks=pytest.mark.mysql), "sqlite"])
def hostile(request, tmp_path_factory) -> Hostile:
    db: Hostile = request.getfixturevalue(f"hostile_{request.param}")
    folder = tmp_path_factory.mktemp(f"out-{request.param}")
    for command, output_format in RUNS:
        url = db.check_url if command == "check" and db.check_url else db.url
        shape, _, expand = output_format.partition("+")
        args = [command, url, "--format", shape] + ([] if command == "catalog" else ["--fail-on", "never"])
        args += ["--expand"] if expand else []
        db.outputs[(command, output_format, "stdout")] = _run(args)
        path = folder / f"{command}.{output_format}"
        _run([*args, "-o", str(path)])
        db.outputs[(command, output_format, "file")] = path.read_bytes()
    return db


def _text(db: Hostile, command: str, output_format: str, dest: str = "stdout") -> str:
    return db.outputs[(command, output_format, dest)].decode("utf-8")


# --- no control character reaches any output -----------------------------------------------------


def test_no_output_holds_a_control_character(hostile):
    for (command, output_format, dest), data in hostile.outputs.items():
        text = data.decode("utf-8")  # valid UTF-8, too
        found = sorted({hex(ord(c)) for c in RAW_CONTROL.findall(text)})
        assert not found, f"{hostile.engine}: dayone {command} --format {output_format} ({dest}) holds {found}"


def test_every_hostile_name_and_value_is_shown_escaped_and_recognisable(hostile):
    audit = _text(hostile, "audit", "text+expand")
    for table in hostile.tables:
        assert visible(hostile.target(table, "created_at")) in audit, f"{hostile.engine}: {table!r} missing"
    for value in [ESC_CLEAR, OSC8_LINK, "[bold]x\u202e", "\x9b31m"]:
        assert visible(value) in audit, f"{hostile.engine}: value {value!r} missing"
    assert "\\x1b[2J" in audit and "\\x1b]8;;http://evil.example/\\x1b\\click" in audit
    if hostile.engine != "postgresql":
        assert "nul\\x00byte" in audit
    catalog = _text(hostile, "catalog", "text")
    for table in ["evil" + ESC_CLEAR, "[bold red]rich[/]", "cr\rover", "bel\x07l", "rtl\u202eevil\u2066x\u2069"]:
        assert visible(table) in catalog, f"{hostile.engine}: catalog lacks {visible(table)!r}"
    assert visible(hostile.database) in catalog
    if hostile.engine != "sqlite":  # SQLite keeps comments only in the DDL's -- comments
        assert visible(HOSTILE_COMMENT.splitlines()[0]) in catalog
    check = _text(hostile, "check", "text")
    if hostile.engine == "postgresql":  # as a login that may read nothing: its name, the tables it cannot read
        assert f"login {visible(hostile.login)}" in check
        assert visible("evil" + ESC_CLEAR) in check and visible("[bold red]rich[/]") in check
    elif hostile.engine == "mysql":  # the database's name (a SQLite file's check names nothing inside it)
        assert visible(hostile.database) in check


def test_rich_markup_in_a_name_is_printed_not_obeyed(hostile):
    catalog = _text(hostile, "catalog", "text")
    assert "[bold red]rich[/]" in catalog
    assert "<script>alert(1)</script>" in catalog


# --- Markdown: structure intact, names in code spans exactly -------------------------------------


def _markdown(text: str):
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def _inline_tokens(tokens):
    for token in tokens:
        yield token
        yield from token.children or ()


def _headings(tokens) -> list[tuple[int, str]]:
    return [(int(t.tag[1]), tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]


def _assert_no_injected_markup(engine: str, tokens) -> None:
    kinds = {t.type for t in _inline_tokens(tokens)}
    injected = kinds & {"html_block", "html_inline", "link_open", "image", "s_open", "em_open", "fence", "code_block",
                        "blockquote_open", "hr", "ordered_list_open"}  # fmt: skip
    assert not injected, f"{engine}: the Markdown holds {injected}"


def test_audit_markdown_structure_is_intact(hostile):
    report = json.loads(_text(hostile, "audit", "json"))
    for shape in ("markdown", "markdown+expand"):
        text = _text(hostile, "audit", shape)
        tokens = _markdown(text)
        headings = _headings(tokens)
        # one title; the verdict, the checklist's sections and the info groups; one heading per group
        assert headings[0][0] == 1 and [h for h in headings if h[0] == 1] == headings[:1]
        assert {c for level, c in headings if level == 2} <= {"Verdict", "For information", *FAMILIES.values()}, headings
        assert len([h for h in headings if h[0] == 3]) == len(report["groups"]), headings
        assert {level for level, _ in headings} <= {1, 2, 3}
        _assert_no_injected_markup(hostile.engine, tokens)
        # the verdict's table alone: a header and one row per section, five cells each
        rows = [i for i, t in enumerate(tokens) if t.type == "tr_open"]
        assert len(rows) == 1 + len(report["sections"])
        for i in rows:
            cells = 0
            for t in tokens[i + 1 :]:
                if t.type == "tr_close":
                    break
                cells += t.type in ("td_open", "th_open")
            assert cells == 5
        spans = {c.content for t in tokens if t.type == "inline" for c in t.children if c.type == "code_inline"}
        if shape == "markdown+expand":  # every finding's target, exactly, as a code span
            assert {visible(f["target"]) for f in report["findings"]} <= spans


def test_check_markdown_structure_is_intact(hostile):
    text = _text(hostile, "check", "markdown")
    tokens = _markdown(text)
    report = json.loads(_text(hostile, "check", "json"))
    headings = _headings(tokens)
    assert [level for level, _ in headings] == [1] + [2] * (len(report["checks"]) + 1)
    assert [content for _, content in headings[1:-1]] == [f"{c['title']} — {c['status']}" for c in report["checks"]]
    _assert_no_injected_markup(hostile.engine, tokens)
    rows = [i for i, t in enumerate(tokens) if t.type == "tr_open"]
    assert len(rows) == 1 + len(report["checks"])  # the header and one per check
    for i in rows:
        cells = 0
        for t in tokens[i + 1 :]:
            if t.type == "tr_close":
                break
            cells += t.type in ("td_open", "th_open")
        assert cells == 3
    assert "\\x1b" in text


def _cells_per_row(tokens) -> list[int]:
    counts = []
    for i, t in enumerate(tokens):
        if t.type == "tr_open":
            counts.append(0)
            for cell in tokens[i + 1 :]:
                if cell.type == "tr_close":
                    break
                counts[-1] += cell.type in ("td_open", "th_open")
    return counts


def test_catalog_markdown_structure_is_intact(hostile):
    """One title, a section per schema and per table; every row of every table six cells; every
    table and column name exactly one code span."""
    document = json.loads(_text(hostile, "catalog", "json"))
    tables = [t for s in document["schemas"] for t in s["tables"]]
    for dest in ("stdout", "file"):
        tokens = _markdown(_text(hostile, "catalog", "markdown", dest))
        levels = [level for level, _ in _headings(tokens)]
        assert levels == [1] + [level for s in document["schemas"] for level in [2] + [3] * len(s["tables"])], levels
        _assert_no_injected_markup(hostile.engine, tokens)
        rows = _cells_per_row(tokens)
        assert len(rows) == sum(1 + len(s["tables"]) for s in document["schemas"]) + sum(1 + len(t["columns"]) for t in tables)
        assert set(rows) == {6}
        spans = {c.content for t in tokens if t.type == "inline" for c in t.children if c.type == "code_inline"}
        assert {visible(t["name"]) for t in tables} <= spans
        assert {visible(c["name"]) for t in tables for c in t["columns"]} <= spans
        assert visible(HOSTILE_COLUMN) in spans


def test_catalog_json_and_csv_keep_every_name(hostile):
    for dest in ("stdout", "file"):
        document = json.loads(_text(hostile, "catalog", "json", dest))
        schema = max(document["schemas"], key=lambda s: len(s["tables"]))  # not s or s.a, which hold one table each
        tables = {t["name"]: t for t in schema["tables"]}
        assert set(hostile.tables) <= set(tables)  # the real names, control characters and all
        assert document["database"] == hostile.database
        for table in hostile.tables:
            assert HOSTILE_COLUMN in [c["name"] for c in tables[table]["columns"]]
            if hostile.engine != "sqlite":
                assert tables[table]["comment"] == HOSTILE_COMMENT
        text = _text(hostile, "catalog", "csv", dest)
        rows = list(csv.reader(io.StringIO(text)))
        assert len(text.splitlines()) == len(rows)  # a newline in a name or comment cannot start a record
        assert {len(r) for r in rows} == {10}
        assert {visible(t) for t in hostile.tables} <= {r[1] for r in rows[1:]}
        assert visible(HOSTILE_COLUMN) in {r[2] for r in rows[1:]}


def test_catalog_text_lines_up_hostile_names(hostile):
    """Wide characters, escapes and long names: no line of the text is wider than the width."""
    from rich.cells import cell_len

    for dest in ("stdout", "file"):
        text = _text(hostile, "catalog", "text", dest)
        assert max(cell_len(line) for line in text.splitlines()) <= 240
        assert visible(HOSTILE_COLUMN) in text


# --- JSON and SARIF: valid, faithful to the real names ------------------------------------------


def test_json_and_sarif_keep_the_real_names(hostile):
    for dest in ("stdout", "file"):
        document = json.loads(_text(hostile, "audit", "json", dest))
        sarif = json.loads(_text(hostile, "audit", "sarif", dest))
        targets = {f["target"] for f in document["findings"]}
        for table in hostile.tables:
            assert hostile.target(table, "created_at") in targets, f"{hostile.engine}: {table!r} lost in JSON"
        observed = [f["evidence"]["observed_values"] for f in document["findings"] if f["rule"] == "unexplained-value-set"]
        assert observed and set(STATUS_VALUES) <= set(observed[0]), observed[:1]
        results = sarif["runs"][0]["results"]
        assert [r["properties"]["target"] for r in results] == [f["target"] for f in document["findings"]]
        assert [r["partialFingerprints"]["dayoneFindingId"] for r in results] == [f["id"] for f in document["findings"]]
        assert len({f["id"] for f in document["findings"]}) == len(document["findings"])
        # a SARIF message is text a viewer renders: no control character, no placeholder or link syntax
        for result in results:
            message = result["message"]["text"]
            assert not CONTROL.search(message), message
            assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", message), message
        assert any("\\[bold\\]x\\u202e" in r["message"]["text"] for r in results)
    check = json.loads(_text(hostile, "check", "json"))
    assert check["database"] == hostile.database  # the real name, control characters and all


def test_every_hostile_table_is_read_and_profiled(hostile):
    """Quoting: the catalog and profile queries work on every name (none skipped, none lost)."""
    catalog = api.read_catalog(hostile.url)
    names = {t.name for _, t in catalog.tables()}
    assert set(hostile.tables) <= names
    profile = json.loads(_text(hostile, "audit", "json"))["profile"]
    assert profile["skipped"] == []
    profiled = {t["table"] for t in profile["tables"]}
    assert {hostile.target(t) for t in hostile.tables} <= profiled


@pytest.mark.parametrize("tier", ["sample", "full"])
def test_every_profile_tier_reads_every_hostile_table(hostile, tier):
    """The profile queries quote every name: a sample of one page (each table holds several) takes
    the sampling path, the full tier streams every row; none is skipped."""
    from dayone.profile.options import ProfileOptions

    result = api.audit(hostile.url, profile=ProfileOptions(tier=tier, sample_rows=5, page_budget=1))
    read = {t.table: (t.method, t.skipped) for t in result.profile.tables if t.schema not in ("s", "s.a")}
    assert set(read) == set(hostile.tables)
    assert {method for method, _ in read.values()} == {tier}, read


# --- targets: one spelling per object ----------------------------------------------------------


def test_a_dot_in_a_name_cannot_make_two_targets_alike(hostile_postgresql):
    document = json.loads(_run(["audit", hostile_postgresql.url, "--format", "json", "--fail-on", "never", "--schema", "s",
                                "--schema", "s.a", "--select", "missing-created-at"]))  # fmt: skip
    found = {f["target"]: f["id"] for f in document["findings"]}
    assert set(found) == {'s."a.b"', '"s.a".b'}
    assert len(set(found.values())) == 2


# --- stderr: errors and progress ----------------------------------------------------------------


def test_an_error_quoting_a_hostile_input_is_one_escaped_line(tmp_path):
    """A snapshot file someone sent, a path: what an error message quotes is shown escaped."""
    sent = tmp_path / "sent.json"
    sent.write_text(json.dumps({"format": "dayone-snapshot", "format_version": OSC8_LINK, "catalog": {}}))
    for target in (str(sent), str(tmp_path / f"missing{ESC_CLEAR}.json")):
        done = subprocess.run([sys.executable, "-m", "dayone", "audit", target], capture_output=True, timeout=120)
        assert done.returncode == 2
        err = done.stderr.decode()
        assert not RAW_CONTROL.search(err), err
        # shown escaped, as the terminal writer does (\x1b) or as JSON quotes it (\u001b)
        assert err.startswith("dayone: error: ") and err.count("\n") == 1 and ("\\x1b" in err or "\\u001b" in err), err


def test_progress_shows_hostile_names_escaped(capsys, monkeypatch):
    from dayone.cli.progress import MIN_TABLES, ProfileProgress
    from dayone.profile.model import TableProfile
    from dayone.profile.profiler import Progress
    from rich.text import Text

    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws the bar as on a terminal
    monkeypatch.setenv("COLUMNS", "200")
    name = "[bold red]rich[/]" + ESC_CLEAR
    skipped = TableProfile(schema="public", table=name, method="skipped", skipped=f"permission denied for table {name}")
    with ProfileProgress(enabled=True) as progress:
        for position in range(1, MIN_TABLES + 1):
            progress(Progress(position, MIN_TABLES, "public", name))
            progress(Progress(position, MIN_TABLES, "public", name, skipped))
            # the bar's description is console markup: it must render as the name, escaped
            assert Text.from_markup(progress.bar.tasks[0].description).plain == f"public.{visible(name)}"
    err = capsys.readouterr().err
    assert ESC_CLEAR not in err  # the bar's own cursor movements are ESC sequences, but never this one
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err)  # without the bar's own colours and cursor moves
    assert f"skipped public.{visible(name)}: permission denied for table {visible(name)}" in shown


# --- the report site and its Markdown pages ---------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(hostile, tmp_path_factory) -> tuple[Hostile, Path, Path]:
    folder = tmp_path_factory.mktemp(f"site-{hostile.engine}")
    html, markdown = folder / "html", folder / "markdown"
    _run(["report", hostile.url, "-o", str(html)])
    _run(["report", hostile.url, "-o", str(markdown), "--format", "markdown"])
    return hostile, html, markdown


class _Tags(__import__("html.parser").parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_report_site_holds_no_control_character_and_no_markup_from_the_database(hostile_site):
    import html as html_lib

    hostile, site, _ = hostile_site
    pages = list(site.rglob("*.html"))
    assert len(pages) > len(hostile.tables)  # a page per table at least
    every_text = []
    for page in pages + list(site.rglob("*.js")):
        text = page.read_text(encoding="utf-8")
        found = sorted({hex(ord(c)) for c in RAW_CONTROL.findall(text)})
        assert not found, f"{hostile.engine}: {page.name} holds {found}"
        if page.suffix != ".html":
            continue
        parsed = _Tags()
        parsed.feed(text)
        for tag, attrs in parsed.tags:
            assert tag != "script" or attrs.get("src", "").endswith("assets/site.js"), f"{page.name}: a script the database planted"
            assert not any(name.startswith("on") for name in attrs), f"{page.name}: <{tag} {attrs}>"
            assert tag not in ("iframe", "object", "embed", "img", "b", "style"), f"{page.name}: <{tag}>"
        every_text.append(html_lib.unescape("".join(parsed.text)))
    shown = "\n".join(every_text)
    for table in hostile.tables:  # each name readable, its control characters shown as escapes
        assert visible(table) in shown, f"{hostile.engine}: {table!r} missing from the site"
    assert "<script>alert(1)</script>" in shown and visible(HOSTILE_COMMENT) in shown or hostile.engine == "sqlite"
    for value in ("<script>", "| a | b |", visible(ESC_CLEAR)):  # the status column's value set, as text
        assert value in shown, f"{hostile.engine}: value {value!r} missing"


def test_the_report_markdown_pages_keep_their_structure(hostile_site):
    from dayone.render.site.markdown import MERMAID_COLUMNS  # noqa: F401 - the module under test

    hostile, _, site = hostile_site
    for page in site.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        found = sorted({hex(ord(c)) for c in RAW_CONTROL.findall(text)})
        assert not found, f"{hostile.engine}: {page.name} holds {found}"
        tokens = _markdown(text)
        kinds = {t.type for t in _inline_tokens(tokens)}
        assert not kinds & {"html_block", "html_inline", "image", "code_block", "blockquote_open", "hr"}, (page.name, kinds)
        assert len([h for h in _headings(tokens) if h[0] == 1]) == 1, page.name  # its own title, nothing injected
        for token in _inline_tokens(tokens):
            if token.type == "link_open":
                href = token.attrs["href"]
                assert (page.parent / href).is_file(), f"{page.name}: {href}"
            if token.type == "fence":
                assert token.info == "mermaid"
                for line in token.content.splitlines()[1:]:
                    assert re.fullmatch(r'  (t\d+\["[\w .\-]*"\]( \{)?|\}|t\d+ \|\|(--|\.\.)o\{ t\d+ : "[\w .\-]*")|    \w+ \w+( PK| FK| PK,FK)?|  \}',
                                        line), f"{hostile.engine}: {line!r}"
