"""The report as a static HTML site: jinja2 templates (autoescaped), one small stylesheet and one
small script of our own, pictures drawn as SVG in Python. It opens from disk with no network.

    index.html                 the overview: each source's readiness, on one screen
    src-*/index.html           a source: the verdict per checklist section, its groups, its schemas
    src-*/s-*.html             a schema: its tables, its diagrams
    src-*/er-*.html            an entity-relationship diagram (a schema, or one cluster of a big one)
    src-*/t/*.html             a table
    questions.html, metrics.html, log.html, drift.html   the project's, when there is one
    assets/                    site.css, site.js, search-index.js (the offline search's index)
"""

from __future__ import annotations

import json
import posixpath
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from dayone.render.escape import terminal_text
from dayone.render.site import pages as view
from dayone.render.site import svg
from dayone.render.site.model import Site
from dayone.render.site.parallel import write_pages


def _finalize(value: Any) -> Any:
    """Every value a template prints: control characters shown as escapes; autoescaping follows."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return terminal_text(value)
    return value


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dayone.render.site", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a template is read once per report, not checked on disk for each of 5,000 pages
    )
    env.globals.update(bar=svg.stacked_bar, share=svg.share_bar, shows_range=view.shows_range)
    env.filters["num"] = lambda n: "" if n is None else f"{n:,}"
    env.filters["pct"] = lambda x: "" if x is None else f"{x:.0%}" if x == 0 or x >= 0.01 else "<1%"
    env.filters["size"] = _size
    return env


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""


def write_html(site: Site, folder: Path) -> list[str]:
    """Write every page of `site` under `folder` (which exists, empty); the pages written, from the root."""
    env = environment()
    sources = view.build_pages(site)
    written: list[str] = []

    nav = _nav(site, sources)
    templates: dict[str, Any] = {}

    def render_to(url: str, template: str, **context: Any) -> None:
        root = "../" * url.count("/")
        if template not in templates:
            templates[template] = env.get_template(template)
        html = templates[template].render(site=site, root=root, here=url, nav=nav, **context)
        path = folder / url
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")

    def put(url: str, template: str, **context: Any) -> None:
        render_to(url, template, **context)
        written.append(url)

    overview = [_overview(site, pages) for pages in sources]
    put("index.html", "overview.html", cards=overview)
    search: list[list[str]] = []
    table_pages: list[tuple[view.SourcePages, dict]] = []
    for pages, card in zip(sources, overview):
        source = pages.source
        schema_diagrams = svg.diagrams(pages)
        put(f"{pages.folder}/index.html", "source.html", pages=pages, source_card=card,
            sections=view.groups_by_section(source), diagrams=schema_diagrams, owner=_owners(pages))  # fmt: skip
        for schema in source.catalog.schemas:
            tables = pages.schema_tables(schema.name)
            put(pages.schema_urls[schema.name], "schema.html", pages=pages, schema=schema, tables=tables,
                diagrams=schema_diagrams.get(schema.name, []))  # fmt: skip
            for diagram in schema_diagrams.get(schema.name, []):
                put(diagram.url, "diagram.html", pages=pages, schema=schema, diagram=diagram,
                    picture=svg.draw(diagram, diagram.url), others=schema_diagrams[schema.name])  # fmt: skip
        diagram_of = {id(p): d for ds in schema_diagrams.values() for d in ds for p in d.tables}
        table_pages.append((pages, diagram_of))
        for page in pages.tables.values():
            label = f"{source.name}: {page.target}" if len(sources) > 1 else page.target
            search.append(["table", label, page.url])
            search.extend(["column", f"{label}.{c.name}", f"{page.url}#col-{c.position}"] for c in page.table.columns)

    def put_table(item: tuple[view.SourcePages, view.TablePage, svg.Diagram | None]) -> None:
        pages, page, diagram = item
        render_to(page.url, "table.html", pages=pages, page=page, columns=_columns(site, page), diagram=diagram)

    templates["table.html"] = env.get_template("table.html")  # compiled once, before any worker starts
    for pages, _ in table_pages:  # the folders first: workers only write files
        (folder / pages.folder / "t").mkdir(parents=True, exist_ok=True)
    write_pages([(pages, page, diagram_of.get(id(page))) for pages, diagram_of in table_pages for page in pages.tables.values()], put_table)
    written += [page.url for pages, _ in table_pages for page in pages.tables.values()]
    if site.questions:
        put("questions.html", "questions.html", questions=site.questions, owners=view.questions_by_owner(site.questions))
    if site.metrics:
        put("metrics.html", "metrics.html", metrics=site.metrics)
    if site.log:
        put("log.html", "log.html", entries=site.log)
    if site.drift:
        put("drift.html", "drift.html", drift=site.drift)
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    for name in ("site.css", "site.js"):
        (assets / name).write_bytes(resources.files("dayone.render.site").joinpath("static", name).read_bytes())
    # a script, not JSON: a page opened from disk may load a <script src>, never fetch() a local file
    index = json.dumps([[kind, terminal_text(label), url] for kind, label, url in search], ensure_ascii=True, separators=(",", ":"))
    (assets / "search-index.js").write_text(f"window.DAYONE_SEARCH={index};\n", encoding="ascii")
    written += ["assets/site.css", "assets/site.js", "assets/search-index.js"]
    return written


def _nav(site: Site, sources: list[view.SourcePages]) -> list[tuple[str, str]]:
    links = [("Overview", "index.html")] + [(p.source.name, f"{p.folder}/index.html") for p in sources]
    links += [(title, url) for title, url, shown in (("Questions", "questions.html", site.questions),
              ("Metrics", "metrics.html", site.metrics), ("Log", "log.html", site.log), ("Drift", "drift.html", site.drift)) if shown]  # fmt: skip
    return links


def _overview(site: Site, pages: view.SourcePages) -> dict[str, Any]:
    source = pages.source
    questions = [q for q in source.questions if q.get("status", "open") == "open"]
    owners = source.by_owner or [{"owner": o, "open": n} for o, n in view.questions_by_owner(questions)]
    return {
        "pages": pages,
        "source": source,
        "readiness": view.readiness(source),
        "sections": view.section_counts(source),
        "access": view.access_counts(source),
        "failed": [c for c in (source.check or {}).get("checks", ()) if c.get("status") == "fail"],
        "owners": owners,
        "metrics": source.metrics,
        "tables": len(pages.tables),
        "summary": source.audit.get("summary") or {},
        "open": view.open_questions(source),
        "blockers": sum(len(s.get("blockers", ())) for s in source.audit.get("sections", ())),
    }


def _owners(pages: view.SourcePages) -> dict[str, str]:
    """Group id -> who is asked, from the questionnaire."""
    found = {}
    for question in pages.source.questions:
        for group_id in (question.get("group_ids") or {}).values():
            found[group_id] = question.get("to") or ""
    return found


def _columns(site: Site, page: view.TablePage) -> list[dict[str, Any]]:
    table = page.table
    key = set(table.primary_key.columns) if table.primary_key else set()
    unique = {c for u in table.unique_constraints if len(u.columns) == 1 for c in u.columns}
    unique |= {i.columns[0] for i in table.indexes if i.unique and len(i.columns) == 1 and not i.predicate}
    refs = {ref.columns[0]: ref for ref in page.outgoing if len(ref.columns) == 1}
    allowed = {vs.column: vs.values for check in table.check_constraints for vs in check.value_sets}
    rows = []
    for column in table.columns:
        profiled = page.profile.column(column.name) if page.profile is not None else None
        values = view.shown_values(table, column, profiled) if site.values else []
        read = profiled.rows if profiled is not None else 0
        rows.append({
            "column": column,
            "pk": column.name in key,
            "unique": column.name in unique,
            "ref": refs.get(column.name),
            "allowed": column.enum_values or allowed.get(column.name, ()),
            "profile": profiled,
            "range": site.values and profiled is not None and view.shows_range(column.normalized_type)
            and (profiled.minimum is not None or profiled.maximum is not None),
            "value_set": [(v.value, v.count, v.count / read if read else None) for v in values[:12]],
            "more_values": max(0, len(values) - 12),
        })  # fmt: skip
    return rows


def relative(url: str, here: str) -> str:
    return posixpath.relpath(url, posixpath.dirname(here) or ".")
