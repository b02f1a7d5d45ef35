"""The report as Markdown pages a team pastes into its docs: the same pages as the site, tables as
GFM tables, ER diagrams as Mermaid `erDiagram` blocks. Every name is escaped for where it stands
(dayone.render.escape); inside a Mermaid block, where no escape exists, names are reduced to safe
characters and the real name is in the page's table list."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from dayone.render.escape import markdown_code, markdown_table_cell, markdown_text, terminal_text
from dayone.render.site import pages as view
from dayone.render.site import svg
from dayone.render.site.model import Site
from dayone.render.site.parallel import write_pages

MERMAID_COLUMNS = 15  # columns listed per entity of a Mermaid diagram; keys and references first
_MERMAID_WORD = re.compile(r"[^A-Za-z0-9_]+")
_MERMAID_LABEL = re.compile(r"[^\w .\-]+")


def md_url(url: str) -> str:
    return url[:-5] + ".md" if url.endswith(".html") else url


def link(text: str, url: str, here: str) -> str:
    return f"[{markdown_text(text)}]({posixpath.relpath(md_url(url), posixpath.dirname(md_url(here)) or '.')})"


def cell(text: Any) -> str:
    return markdown_table_cell("" if text is None else str(text))


def write_markdown(site: Site, folder: Path) -> list[str]:
    sources = view.build_pages(site)
    written: list[str] = []

    def put(url: str, lines: list[str]) -> None:
        path = folder / md_url(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(md_url(url))

    here = "index.html"
    lines = [f"# {markdown_text(site.title)}", ""]
    if site.project:
        left = site.project["left"]
        lines += [f"{len(left['blockers'])} blocker(s), {site.project['questions']['open']} open question(s)."
                  + (f" Go-live {site.project['go_live']}." if site.project.get("go_live") else ""), ""]  # fmt: skip
    extra = [(t, u) for t, u, shown in (("Questions", "questions.html", site.questions), ("Metrics", "metrics.html", site.metrics),
                                        ("Log", "log.html", site.log), ("Drift", "drift.html", site.drift)) if shown]  # fmt: skip
    if extra:
        lines += [" · ".join(link(t, u, here) for t, u in extra), ""]
    lines += ["| Source | Readiness | Access (pass/warn/fail/unknown) | Errors | Warnings | Info | Open questions |", "|---|---|---|---:|---:|---:|---:|"]
    for pages in sources:
        source = pages.source
        access = view.access_counts(source)
        counts = source.audit.get("summary") or {}
        open_questions = view.open_questions(source)
        lines.append(f"| {link(source.name, pages.folder + '/index.html', here)} | {view.readiness(source)} | "
                     + ("/".join(str(access[s]) for s in ("pass", "warn", "fail", "unknown")) if access else "not checked")
                     + f" | {counts.get('error', 0)} | {counts.get('warning', 0)} | {counts.get('info', 0)} | {open_questions} |")  # fmt: skip
    put("README.html", lines)
    for pages in sources:
        schema_diagrams = svg.diagrams(pages)
        put(f"{pages.folder}/index.html", _source(pages, schema_diagrams))
        for schema in pages.source.catalog.schemas:
            url = pages.schema_urls[schema.name]
            tables = pages.schema_tables(schema.name)
            lines = [f"# {markdown_text(schema.name)}", "", "Diagrams: " + " · ".join(link(d.title, d.url, url) for d in schema_diagrams[schema.name]), "",
                     "| Table | Kind | Rows (est.) | Columns | Findings |", "|---|---|---:|---:|---:|"]  # fmt: skip
            lines += [f"| {link(p.table.name, p.url, url)} | {p.table.kind} | {'' if p.table.estimated_rows is None else f'{p.table.estimated_rows:,}'} "
                      f"| {len(p.table.columns)} | {len(p.findings) or ''} |" for p in tables]  # fmt: skip
            put(url, lines)
            for diagram in schema_diagrams[schema.name]:
                put(diagram.url, _diagram(diagram))
        (folder / pages.folder / "t").mkdir(parents=True, exist_ok=True)

        def put_table(page: view.TablePage) -> None:
            (folder / md_url(page.url)).write_text("\n".join(_table(site, page)) + "\n", encoding="utf-8")

        write_pages(list(pages.tables.values()), put_table)
        written += [md_url(page.url) for page in pages.tables.values()]
    if site.questions:
        lines = ["# Questions", "", "| Id | Status | Source | To | Question | About |", "|---|---|---|---|---|---|"]
        lines += [f"| {cell(q.get('id'))} | {cell(q.get('status'))} | {cell(q.get('source') or 'project')} | {cell(q.get('to') or 'nobody yet')} "
                  f"| {cell(q.get('question'))} | {cell(q.get('about'))} |" for q in site.questions]  # fmt: skip
        put("questions.html", lines)
    if site.metrics:
        lines = ["# Metrics", "", "| Metric | Source | Priority | Feasibility | Why | Last value |", "|---|---|---|---|---|---:|"]
        lines += [f"| {cell(m['name'])} | {cell(m['source'])} | {cell(m['priority'])} | {cell(m['status'])} | "
                  f"{cell('; '.join(r.get('message', '') for r in m['reasons']))} | {cell(m.get('last'))} |" for m in site.metrics]  # fmt: skip
        put("metrics.html", lines)
    if site.log:
        put("log.html", ["# Log", ""] + [f"- {cell(e.get('at'))} **{cell(e.get('kind'))}** {cell(e.get('id'))}: {markdown_text(e.get('text', ''))} "
                                         f"(by {markdown_text(e.get('by', ''))})" for e in reversed(site.log)])  # fmt: skip
    if site.drift:
        lines = ["# Drift", ""]
        for run in site.drift:
            lines += [f"## {markdown_text(str(run.get('source')))} {markdown_text(str(run.get('at')))}", ""]
            lines += [f"- {markdown_text(str(c.get('kind')))} {markdown_code(str(c.get('target')))}: {markdown_text(str(c.get('message', '')))}"
                      for c in run.get("changes", ())] or ["no change"]  # fmt: skip
        put("drift.html", lines)
    return written


def _source(pages: view.SourcePages, schema_diagrams: dict[str, list[svg.Diagram]]) -> list[str]:
    source = pages.source
    here = f"{pages.folder}/index.html"
    lines = [f"# {markdown_text(source.name)}", "", f"Readiness: **{view.readiness(source)}**", "",
             "| Checklist section | Verdict | Errors | Warnings | Info |", "|---|---|---:|---:|---:|"]  # fmt: skip
    lines += [f"| {s['section']} | {s['status']} | {s['error']} | {s['warning']} | {s['info']} |" for s in view.section_counts(source)]
    lines += ["", "## Schemas", ""]
    for schema in source.catalog.schemas:
        lines.append(f"- {link(schema.name, pages.schema_urls[schema.name], here)} ({len(schema.tables):,} tables): "
                     + " · ".join(link(d.title, d.url, here) for d in schema_diagrams[schema.name]))  # fmt: skip
    for section, groups in view.groups_by_section(source):
        if groups:
            lines += ["", f"## {markdown_text(section)}", ""]
            for g in groups:
                lines.append(f"- **{g['severity']}** {markdown_text(g['message'])} ({markdown_text(g['rule'])}) — Ask: {markdown_text(g['question'])}")
    return lines


def _table(site: Site, page: view.TablePage) -> list[str]:
    table = page.table
    here = page.url
    key = set(table.primary_key.columns) if table.primary_key else set()
    refs = {r.columns[0]: r for r in page.outgoing if len(r.columns) == 1}
    lines = [f"# {markdown_text(page.target)}", ""]
    if table.comment:
        lines += [markdown_text(table.comment), ""]
    lines += [f"{table.kind}" + (f", {table.estimated_rows:,} rows (estimated)" if table.estimated_rows is not None else "")
              + (f"; profile: {markdown_text(page.profile.how)}" if page.profile else ""), "",
              "| # | Column | Type | Null | Key | Default | Null share | Distinct | Values | Comment |", "|---:|---|---|---|---|---|---:|---:|---|---|"]  # fmt: skip
    for column in table.columns:
        p = page.profile.column(column.name) if page.profile is not None else None
        ref = refs.get(column.name)
        keys = " ".join(k for k in ("PK" if column.name in key else "",
                                    (("FK " if ref.declared else "ref? ") + link(ref.table, ref.url, here) if ref.url else cell(ref.table)) if ref else "") if k)  # fmt: skip
        values = ""
        if site.values and (shown := view.shown_values(table, column, p)):
            values = ", ".join(f"{cell(v.value)} ({v.count:,})" for v in shown[:8])
        lines.append(f"| {column.position} | {cell(column.name)} | {cell(column.declared_type)} | {'yes' if column.nullable else 'no'} | {keys} "
                     f"| {cell(column.default)} | {'' if p is None or p.null_share is None else f'{p.null_share:.0%}'} "
                     f"| {'' if p is None or p.distinct is None else f'{p.distinct:,}'} | {values} | {cell(column.comment)} |")  # fmt: skip
    lines += ["", "## References", ""]
    lines += [f"- references {link(r.schema + '.' + r.table, r.url, here) if r.url else markdown_text(r.schema + '.' + r.table)} by "
              f"{markdown_text(', '.join(r.columns))}{'' if r.declared else ' (implicit: no foreign key)'}" for r in page.outgoing]  # fmt: skip
    lines += [f"- referenced by {link(r.schema + '.' + r.table, r.url, here) if r.url else markdown_text(r.schema + '.' + r.table)} "
              f"({markdown_text(', '.join(r.columns))}){'' if r.declared else ' (implicit)'}" for r in page.incoming]  # fmt: skip
    if page.findings:
        lines += ["", "## Findings", ""]
        lines += [f"- **{f['severity']}** {markdown_code(f['target'])}: {markdown_text(f['message'])} — Ask: {markdown_text(f['question'])}" for f in page.findings]
    if page.questions:
        lines += ["", "## Questions", ""]
        lines += [f"- {markdown_text(str(q.get('id')))} ({markdown_text(str(q.get('status')))}, to {markdown_text(str(q.get('to') or 'nobody yet'))}): "
                  f"{markdown_text(str(q.get('question')))}" for q in page.questions]  # fmt: skip
    return lines


def mermaid_word(text: str, fallback: str) -> str:
    word = _MERMAID_WORD.sub("_", terminal_text(text)).strip("_")
    if not word:
        return fallback
    return word if word[0].isalpha() or word[0] == "_" else f"_{word}"


def mermaid_label(text: str) -> str:
    return _MERMAID_LABEL.sub("_", terminal_text(text))[:60] or "_"


def _diagram(diagram: svg.Diagram) -> list[str]:
    here = diagram.url
    ids = {id(p): f"t{i + 1}" for i, p in enumerate(diagram.tables)}
    index = {(p.schema.name, p.table.name): p for p in diagram.tables}
    lines = [f"# {markdown_text(diagram.schema)}: {markdown_text(diagram.title)}", "",
             "Solid lines: foreign keys; dotted: implicit references (no foreign key).", "", "```mermaid", "erDiagram"]  # fmt: skip
    for page in diagram.tables:
        table = page.table
        key = set(table.primary_key.columns) if table.primary_key else set()
        ref_columns = {c for r in page.outgoing for c in r.columns}
        shown = sorted(table.columns, key=lambda c: (c.name not in key, c.name not in ref_columns, c.position))[:MERMAID_COLUMNS]
        if not shown:
            lines.append(f'  {ids[id(page)]}["{mermaid_label(table.name)}"]')
            continue
        lines.append(f'  {ids[id(page)]}["{mermaid_label(table.name)}"] {{')
        for i, column in enumerate(sorted(shown, key=lambda c: c.position)):
            marks = ",".join(m for m, on in (("PK", column.name in key), ("FK", column.name in ref_columns)) if on)
            lines.append(f"    {mermaid_word(column.normalized_type, 'other')} {mermaid_word(column.name, f'column_{i + 1}')}{' ' + marks if marks else ''}")
        lines.append("  }")
    for page in diagram.tables:
        for ref in page.outgoing:
            other = index.get((ref.schema, ref.table))
            if other is None:
                continue
            line = "||--o{" if ref.declared else "||..o{"
            lines.append(f'  {ids[id(other)]} {line} {ids[id(page)]} : "{mermaid_label(", ".join(ref.columns))}"')
    lines += ["```", "", "| In the diagram | Table |", "|---|---|"]
    lines += [f"| {ids[id(p)]} | {link(p.target, p.url, here)} |" for p in diagram.tables]
    return lines
