"""The report site in a real browser: Debian's headless Chromium (installed by .ci/run) driven by
Playwright (never `playwright install`: no browser is downloaded). Every page of the demo's report
and of pagila's loads without a console error, every link resolves, the search finds a column, and
a box of the ER diagram opens its table's page. Screenshots of the overview, a table page and a
diagram are kept in test-artifacts/report-browser/ for a reviewer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "report-browser"
kept_this_session: list[Path] = []  # conftest's terminal summary prints where they are


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests are required in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    run = subprocess.run([sys.executable, "-m", "dayone", "demo", "--dir", str(folder)], capture_output=True, text=True,
                         timeout=180, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"})  # fmt: skip
    assert run.returncode == 0, run.stderr
    site = folder / "reports" / "site"
    assert str(site / "index.html") in run.stdout.replace("\n", "")  # the demo says where its report is
    return site


@pytest.fixture(scope="module")
def pagila_site(pagila, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pagila") / "site"
    run = subprocess.run([sys.executable, "-m", "dayone", "report", pagila.url, "-o", str(folder)],
                         capture_output=True, text=True, timeout=180)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return folder


def _visit_every_page(browser, site: Path) -> dict[str, list[str]]:
    """Each page's console errors, failed requests and links that lead nowhere, as the browser sees them."""
    page = browser.new_page()
    problems: dict[str, list[str]] = {}
    current = {"url": ""}
    anchors: dict[str, set[str]] = {}
    page.on("console", lambda m: problems.setdefault(current["url"], []).append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.setdefault(current["url"], []).append(f"error: {e}"))
    page.on("requestfailed", lambda r: problems.setdefault(current["url"], []).append(f"failed: {r.url}"))
    for path in sorted(site.rglob("*.html")):
        current["url"] = str(path.relative_to(site))
        page.goto(path.as_uri())
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)")
        for href in links:
            assert href.startswith("file://"), f"{current['url']}: {href} leaves the site"
            target, _, anchor = href[len("file://"):].partition("#")
            if not Path(target).is_file():
                problems.setdefault(current["url"], []).append(f"broken link: {href}")
        for href in links:  # a link to a column: the element is on its page
            target, _, anchor = href.partition("#")
            if anchor and Path(target[len("file://"):]).is_file():
                anchors.setdefault(target, set()).add(anchor)
    for target, wanted in anchors.items():
        page.goto(target)
        for anchor in wanted:
            if not page.evaluate("id => document.getElementById(id) !== null", anchor):
                problems.setdefault(target, []).append(f"no #{anchor}")
    page.close()
    return problems


def _search(browser, site: Path, typed: str) -> list[str]:
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.fill("#search", typed)
    page.wait_for_selector("#search-results a")
    found = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.lastChild.textContent)")
    page.close()
    return found


def _keep(browser, url: str, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    page.close()
    kept_this_session.append(path)
    print(f"screenshot: {path}")
    return path


def test_every_page_of_the_demo_report_loads_cleanly_and_every_link_resolves(browser, demo_site):
    assert len(list(demo_site.rglob("*.html"))) > 15
    assert _visit_every_page(browser, demo_site) == {}


@pytest.mark.postgres
def test_every_page_of_the_pagila_report_loads_cleanly_and_every_link_resolves(browser, pagila_site):
    assert _visit_every_page(browser, pagila_site) == {}


def test_the_search_finds_a_column_and_opens_its_table(browser, demo_site):
    found = _search(browser, demo_site, "storage_location_id")
    assert any(label.endswith("vault_items.storage_location_id") for label in found), found
    page = browser.new_page()
    page.goto((demo_site / "index.html").as_uri())
    page.fill("#search", "vault_items.storage_location_id")
    page.wait_for_selector("#search-results a")
    page.press("#search", "Enter")
    page.wait_for_load_state()
    assert "/t/vault_items-" in page.url and page.url.endswith(f"#col-{page.evaluate('location.hash.slice(5)')}")
    assert page.locator(page.evaluate("location.hash")).inner_text().find("storage_location_id") >= 0
    page.close()


@pytest.mark.postgres
def test_the_pagila_search_finds_a_column(browser, pagila_site):
    assert "public.film.rental_rate" in _search(browser, pagila_site, "rental_rate")


@pytest.mark.postgres
def test_a_box_of_the_er_diagram_opens_its_table_page(browser, pagila_site):
    diagram = next(pagila_site.glob("src-*/er-*.html"))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(diagram.as_uri())
    page.locator("svg.er a", has_text="film_actor").first.click()
    page.wait_for_load_state()
    assert "/t/film_actor-" in page.url
    assert page.locator("h1").inner_text().startswith("film_actor")
    page.close()


def test_screenshots_of_the_overview_a_table_and_a_diagram_are_kept(browser, demo_site, pagila_site):
    kept = [
        _keep(browser, (demo_site / "index.html").as_uri(), "demo-overview.png"),
        _keep(browser, next(demo_site.glob("src-vault-*/t/vault_items-*.html")).as_uri(), "demo-table-vault_items.png"),
        _keep(browser, next(pagila_site.glob("src-*/t/film-*.html")).as_uri(), "pagila-table-film.png"),
        _keep(browser, next(pagila_site.glob("src-*/er-*.html")).as_uri(), "pagila-diagram.png"),
    ]
    for path in kept:
        assert path.stat().st_size > 10_000  # a page drawn, not a blank one
    print(f"screenshots in {ARTIFACTS}")


def test_the_site_prints(browser, demo_site):
    page = browser.new_page()
    page.goto((demo_site / "index.html").as_uri())
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()  # navigation and search are not printed
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.close()


def test_no_browser_is_downloaded():
    """The tests use the system's Chromium: Playwright's own browsers are never fetched."""
    cache = Path.home() / ".cache" / "ms-playwright"
    assert not cache.exists() or not any(cache.glob("chromium-*")), f"{cache} holds a downloaded browser"
    assert shutil.which("chromium") or not os.environ.get("CI")
