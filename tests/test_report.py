"""`dayone report`: the static site and the Markdown pages, on pagila and on a SQLite database; the
output folder is replaced only when dayone wrote it. (The pages in a real browser: test_report_browser.py.)"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dayone.cli import cli
from dayone.render.site import MARKER


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def dayone(*args: str) -> subprocess.CompletedProcess:
    """As a user runs it: errors as one line and an exit status, from dayone.cli.main."""
    return subprocess.run([sys.executable, "-m", "dayone", *args], capture_output=True, text=True, timeout=120)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in ("script", "link") and (attrs.get("src") or attrs.get("href")):
            self.scripts.append(attrs.get("src") or attrs["href"])


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def broken_links(folder: Path) -> list[str]:
    """Every link and asset of every page that does not resolve to a file (and an element, for #anchors)."""
    pages = {p: parsed(p) for p in folder.rglob("*.html")}
    broken = []
    for page, found in pages.items():
        for href in found.links + found.scripts:
            assert not re.match(r"^[a-z]+:", href), f"{page}: {href} leaves the site"
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(folder)} -> {href}")
            elif anchor and anchor not in pages[target].ids:
                broken.append(f"{page.relative_to(folder)} -> {href} (no #{anchor})")
    return broken


def table_page(folder: Path, name: str) -> Path:
    found = [p for p in folder.glob("src-*/t/*.html") if p.name.startswith(f"{name}-")]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def pagila_site(pagila, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "pagila"
    result = run("report", pagila.url, "-o", str(folder))
    assert result.exit_code == 0, result.output
    return folder, result


@pytest.mark.postgres
def test_pagila_site_has_an_overview_a_page_per_table_and_no_broken_link(pagila_site):
    folder, result = pagila_site
    assert str((folder / "index.html").resolve()) in result.output
    overview = (folder / "index.html").read_text()
    assert "Access checks" in overview and "Findings by checklist section" in overview
    assert len(list(folder.glob("src-*/t/*.html"))) >= 21  # pagila's tables, views and partitions
    assert broken_links(folder) == []


@pytest.mark.postgres
def test_a_table_page_shows_columns_keys_references_profile_and_findings(pagila_site):
    folder, _ = pagila_site
    film = table_page(folder, "film").read_text()
    for column in ("film_id", "title", "rental_rate", "language_id", "fulltext"):
        assert f"<strong>{column}</strong>" in film
    assert "FK</span>" in film and "language</a>" in film  # film.language_id -> language, linked
    assert "Referenced by" in film and "film_actor</a>" in film  # and who references it
    assert "Null share" in film and "sample" in film or "full scan" in film  # its profile
    assert 'class="values"' in film  # a value set: rental_duration has a handful of values
    assert "<tr><td><code>4.99</code>" in film  # rental_rate, one of them
    assert "</code> … <code>" in film  # a range: film_id's smallest and largest
    assert "Findings" in film


@pytest.mark.postgres
def test_value_sets_are_shown_for_categorical_columns_only(pagila_site):
    """A key, a column whose values mostly occur once (release_year: 16 years among 25 films) and a
    timestamp are not categories: their "value sets" would be rows of the table."""
    folder, _ = pagila_site
    film = table_page(folder, "film").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<strong>(\w+)</strong>(.*?)</tr>", film, re.S)}
    for categorical in ("language_id", "rental_duration", "rental_rate", "rating"):
        assert 'class="values"' in rows[categorical], categorical
    for not_categorical in ("film_id", "release_year", "replacement_cost", "last_update", "title"):
        assert 'class="values"' not in rows[not_categorical], not_categorical


@pytest.mark.postgres
def test_no_values_keeps_value_sets_and_ranges_out(pagila, tmp_path):
    folder = tmp_path / "site"
    assert run("report", pagila.url, "-o", str(folder), "--no-values").exit_code == 0
    for page in folder.rglob("*.html"):
        text = page.read_text()
        assert 'class="values"' not in text, page
        assert "<tr><td><code>4.99</code>" not in text and "</code> … <code>" not in text, page
    assert "no values of the data" in (folder / "index.html").read_text()


@pytest.mark.postgres
def test_a_password_column_never_shows_its_value_set(pagila_site):
    folder, _ = pagila_site
    staff = table_page(folder, "staff").read_text()
    assert "<strong>password</strong>" in staff
    assert "8cb2237d0679ca88db6464eac60da96345513964" not in staff  # every staff member's password hash in pagila


@pytest.mark.postgres
def test_the_er_diagram_draws_declared_and_implicit_references_and_links_each_table(pagila_site):
    folder, _ = pagila_site
    diagram = next(folder.glob("src-*/er-*.html"))
    svg = diagram.read_text()
    assert svg.count('<a href="t/') >= 21
    assert 'class="fk"' in svg and 'class="fk implicit"' in svg  # store.manager_staff_id has no foreign key


@pytest.mark.postgres
def test_the_search_index_is_a_script_listing_tables_and_columns(pagila_site):
    folder, _ = pagila_site
    index = (folder / "assets" / "search-index.js").read_text()
    assert index.startswith("window.DAYONE_SEARCH=")
    assert '"public.film.rental_rate"' in index and '"public.film"' in index


@pytest.mark.postgres
def test_markdown_pages_with_a_mermaid_diagram(pagila, tmp_path):
    folder = tmp_path / "md"
    result = run("report", pagila.url, "-o", str(folder), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert (folder / "README.md").is_file()
    diagram = next(folder.glob("src-*/er-*.md")).read_text()
    block = diagram.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("erDiagram\n") and "||--o{" in block and "||..o{" in block
    film = table_page_md(folder, "film")
    assert "| 1 | film_id | integer | no | PK |" in film and "language" in film
    for page in folder.rglob("*.md"):  # every relative link resolves
        for href in re.findall(r"\]\(([^)]+)\)", page.read_text()):
            assert (page.parent / href).is_file(), f"{page}: {href}"


def table_page_md(folder: Path, name: str) -> str:
    return next(p for p in folder.glob("src-*/t/*.md") if p.name.startswith(f"{name}-")).read_text()


def test_mermaid_names_are_reduced_to_characters_mermaid_cannot_misread():
    from dayone.render.site.markdown import mermaid_label, mermaid_word

    assert mermaid_word('x"; } evil ||--o{ y', "c") == "x_evil_o_y"
    assert mermaid_word("1st", "c") == "_1st" and mermaid_word("日本", "c") == "c"
    assert mermaid_label('a"]{ <script> %%') == "a_ _script_ _"


# -- the output folder ------------------------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, status TEXT NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
                                 coupon_id INTEGER, total NUMERIC);
            CREATE TABLE coupons (id INTEGER PRIMARY KEY, code TEXT);
            INSERT INTO customers VALUES (1, 'a@example.org', 'active'), (2, 'b@example.org', 'closed');
            INSERT INTO orders VALUES (1, 1, NULL, 10.5), (2, 2, NULL, 3);
        """)
    return path


def test_a_folder_holding_other_files_is_refused_before_anything_is_read(small_db, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = dayone("report", str(small_db), "-o", str(folder))
    assert result.returncode == 2
    assert result.stderr.startswith("dayone: error:") and "already holds files dayone did not write" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert (folder / "notes.txt").read_text() == "keep me" and sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_a_report_replaces_the_report_written_before_and_nothing_else(small_db, tmp_path):
    folder = tmp_path / "site"
    assert run("report", str(small_db), "-o", str(folder)).exit_code == 0
    (folder / "stale.html").write_text("from an older report")
    assert run("report", f"sqlite:///{small_db}", "-o", str(folder)).exit_code == 0
    assert (folder / MARKER).is_file() and not (folder / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.db", "site"]  # no temporary folder left
    orders = table_page(folder, "orders").read_text()
    assert "customers</a>" in orders and "implicit" in orders  # coupon_id: a reference without a foreign key
    assert broken_links(folder) == []


def test_a_missing_parent_folder_is_one_line(small_db, tmp_path):
    result = dayone("report", str(small_db), "-o", str(tmp_path / "no" / "site"))
    assert result.returncode == 2 and "does not exist" in result.stderr and len(result.stderr.splitlines()) == 1


# -- inside a project ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory) -> Path:
    from dayone import api

    folder = tmp_path_factory.mktemp("demo")
    api.demo(folder)
    return folder


def test_a_project_report_shows_every_source_its_questionnaire_metrics_and_log(demo_project, tmp_path):
    folder = tmp_path / "site"
    result = run("report", "--project", str(demo_project), "-o", str(folder))
    assert result.exit_code == 0, result.output
    overview = (folder / "index.html").read_text()
    for source in ("identity", "grading", "vault", "collection"):
        assert f">{source}</a>" in overview
    assert "Whom to ask" in overview and "Priya Shah" in overview and "nobody yet" in overview
    assert "vault_items has no primary key" in overview  # what blocks go-live, on the overview
    assert "Day-1 metrics" in overview
    for page in ("questions.html", "metrics.html", "log.html"):
        assert (folder / page).is_file()
    assert "Find the engineering owner of the collection database." in (folder / "log.html").read_text()
    assert not (folder / "drift.html").exists()  # no drift history kept: no page
    assert broken_links(folder) == []


def test_a_project_report_of_one_source(demo_project, tmp_path):
    folder = tmp_path / "site"
    result = run("report", "vault", "--project", str(demo_project), "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert [p.name.split("-")[1] for p in folder.glob("src-*")] == ["vault"]
    items = table_page(folder, "vault_items").read_text()
    assert "Questions</h2>" in items  # the questionnaire's questions about this table


def test_a_project_report_with_no_values_shows_no_metric_value(demo_project, tmp_path):
    from dayone.project import find_project
    from dayone.project.metric_runs import run_metrics

    run_metrics(find_project(explicit=str(demo_project)))
    kept, hidden = tmp_path / "kept", tmp_path / "hidden"
    assert run("report", "--project", str(demo_project), "-o", str(kept)).exit_code == 0
    assert run("report", "--project", str(demo_project), "-o", str(hidden), "--no-values").exit_code == 0
    assert 'class="spark"' in (kept / "metrics.html").read_text()  # the kept values, as a line
    assert 'class="spark"' not in (hidden / "metrics.html").read_text() and ", last " not in (hidden / "metrics.html").read_text()


def test_the_drift_history_gets_a_page_when_the_project_keeps_one(demo_project, tmp_path, monkeypatch):
    import types

    drift = types.ModuleType("dayone.project.drift")
    drift.history = lambda project: [{"source": "vault", "at": "2026-11-01T10:00:00+00:00",
                                      "changes": [{"kind": "column dropped", "target": "main.vault_items.<b>", "impact": "breaks",
                                                   "message": "a metric reads it"}]}]  # fmt: skip
    monkeypatch.setitem(sys.modules, "dayone.project.drift", drift)
    folder = tmp_path / "site"
    assert run("report", "--project", str(demo_project), "-o", str(folder)).exit_code == 0
    page = (folder / "drift.html").read_text()
    assert "column dropped" in page and "main.vault_items.&lt;b&gt;" in page
    assert 'href="drift.html"' in (folder / "index.html").read_text()


def test_a_big_schema_is_written_by_worker_processes_the_same_as_by_one(tmp_path, monkeypatch):
    """Past MIN_PAGES table pages, workers write them (where the system forks): the same pages."""
    from dayone.render.site import parallel

    path = tmp_path / "big.db"
    with sqlite3.connect(path) as db:
        db.executescript("".join(f"CREATE TABLE t{i:04d} (id INTEGER PRIMARY KEY, t{max(i - 1, 0):04d}_id INTEGER "
                                 f"REFERENCES t{max(i - 1, 0):04d}(id), label TEXT);" for i in range(parallel.MIN_PAGES + 50)))  # fmt: skip
    pages = {}
    for workers in (1, 4):
        monkeypatch.setattr(parallel, "MAX_WORKERS", workers)
        for output_format in ("html", "markdown"):
            folder = tmp_path / f"{output_format}-{workers}"
            assert run("report", str(path), "-o", str(folder), "--format", output_format, "--no-profile").exit_code == 0
            pages[(output_format, workers)] = {
                p.relative_to(folder): re.sub(r"Written by dayone on [^.<]*", "", p.read_text()) for p in folder.rglob("*.*")
            }  # fmt: skip
    assert len([p for p in pages[("html", 4)] if p.parts[1:2] == ("t",)]) == parallel.MIN_PAGES + 50
    assert pages[("html", 4)] == pages[("html", 1)]
    assert pages[("markdown", 4)] == pages[("markdown", 1)]
    assert broken_links(tmp_path / "html-4") == []


def test_a_big_schema_is_drawn_as_clusters_around_its_hub_tables(tmp_path):
    """90 tables in three chains, every one referencing `accounts`: one connected whole of 91 tables,
    drawn as the three chains (each with accounts, its references faint) and the hub on its own."""
    path = tmp_path / "hubs.db"
    ddl = ["CREATE TABLE accounts (id INTEGER PRIMARY KEY);"]
    for group in ("billing", "catalog", "shipping"):
        for i in range(30):
            parent = f", parent_id INTEGER REFERENCES {group}_{i - 1:02d}(id)" if i else ""
            ddl.append(f"CREATE TABLE {group}_{i:02d} (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id){parent});")
    with sqlite3.connect(path) as db:
        db.executescript("".join(ddl))
    folder = tmp_path / "site"
    assert run("report", str(path), "-o", str(folder), "--no-profile").exit_code == 0
    titles = {p: re.search(r"<h1>[^<]*: ([^<]*)</h1>", p.read_text()).group(1) for p in folder.glob("src-*/er-*.html")}
    assert sorted(titles.values()) == ["around billing_00 (30 tables)", "around catalog_00 (30 tables)",
                                       "around shipping_00 (30 tables)", "the 1 tables most referenced"]  # fmt: skip
    for page, title in titles.items():
        svg = page.read_text().split('<svg class="er"', 1)[1]  # the diagram, not its legend
        if title.startswith("around"):
            assert svg.count('class="er-table"') == 31  # the chain and accounts
            assert svg.count('class="fk to-hub"') == 30 and svg.count('class="fk"') == 29  # faint to the hub, the chain drawn
    assert broken_links(folder) == []


def test_the_drift_that_dayone_watch_logged_is_drawn(tmp_path):
    from dayone import api
    from dayone.project import find_project
    from dayone.project.drift import watch
    from dayone.project.runs import SourceRef

    api.demo(tmp_path / "demo")
    project = find_project(explicit=str(tmp_path / "demo"))
    ref = SourceRef("vault", project.database("vault")[0])
    watch(project, ref)  # the baseline
    with sqlite3.connect(tmp_path / "demo" / "vault.db") as db:
        db.execute('ALTER TABLE vault_items ADD COLUMN "<i>note</i>" TEXT')
    assert watch(project, ref).result.changes
    folder = tmp_path / "site"
    assert run("report", "--project", str(tmp_path / "demo"), "-o", str(folder)).exit_code == 0
    page = (folder / "drift.html").read_text()
    assert "vault" in page and "&lt;i&gt;note&lt;/i&gt;" in page and "<i>note" not in page
    assert 'href="drift.html"' in (folder / "index.html").read_text()
    assert broken_links(folder) == []


def test_a_source_with_a_section_not_read_is_not_called_ready():
    from dayone.render.site.model import SiteSource
    from dayone.render.site.pages import readiness

    def source(*statuses: str, failed: int = 0) -> SiteSource:
        sections = [{"section": f"s{i}", "status": status} for i, status in enumerate(statuses)]
        return SiteSource(name="shop", catalog=None, audit={"sections": sections}, check={"summary": {"fail": failed}})

    assert readiness(source("ready", "ready")) == "ready"
    assert readiness(source("ready", "not read")) == "not read"  # nobody knows yet what the rows hold
    assert readiness(source("not checked", "ready")) == "not read"
    assert readiness(source("questions", "not read")) == "questions"
    assert readiness(source("ready", "not read", failed=1)) == "blocked"
    assert readiness(source()) == "unknown"
