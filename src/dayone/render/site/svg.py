"""Pictures drawn in Python as SVG: stacked bars for counts, and entity-relationship diagrams.

No JavaScript library draws anything: a page is readable printed, offline and with scripts off.
Every name is escaped (control characters shown, then XML-escaped) where it enters the SVG.
"""

from __future__ import annotations

import posixpath
import sys
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape

from dayone.render.escape import terminal_text
from dayone.render.site.pages import SourcePages, TablePage, slug

MAX_DIAGRAM_TABLES = 40  # a cluster bigger than this is split: 40 boxes still read on a laptop screen
MAX_ROWS = 10  # boxes per column before the column wraps
MAX_SHOWN_COLUMNS = 8  # key and reference columns shown in a box
CHAR = 7.0  # px per character at the diagram's font size (monospace 12px)
ROW = 16
HEADER = 22
GAP_X = 70
GAP_Y = 18


def text(value: str) -> Markup:
    return escape(terminal_text(value))


def stacked_bar(parts: list[tuple[str, int, str]], width: int = 240, height: int = 14) -> Markup:
    """One bar split by count: parts are (label, count, css class); an empty bar when all are 0."""
    total = sum(count for _, count, _ in parts)
    label = ", ".join(f"{count} {name}" for name, count, _ in parts if count) or "none"
    out = [f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{text(label)}"><rect class="bar-empty" width="{width}" height="{height}" rx="3"/>']  # fmt: skip
    x = 0.0
    for name, count, css in parts:
        if not count or not total:
            continue
        w = width * count / total
        out.append(f'<rect class="{css}" x="{x:.1f}" width="{w:.1f}" height="{height}"><title>{count} {text(name)}</title></rect>')
        x += w
    out.append("</svg>")
    return Markup("".join(out))


def share_bar(share: float | None, width: int = 80, height: int = 10, css: str = "share") -> Markup:
    if share is None:
        return Markup("")
    w = max(0.0, min(1.0, share)) * width
    return Markup(f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
                  f'<rect class="bar-empty" width="{width}" height="{height}" rx="2"/>'
                  f'<rect class="{css}" width="{w:.1f}" height="{height}" rx="2"/></svg>')  # fmt: skip


# -- entity-relationship diagrams ------------------------------------------------------------------


@dataclass
class Diagram:
    schema: str
    title: str  # what the cluster is: "all 14 tables", "around film (23 tables)", "tables with no reference"
    url: str  # from the site's root
    tables: list[TablePage]
    context: frozenset[str] = frozenset()  # hub tables shown for context: their references drawn faintly


def diagrams(pages: SourcePages) -> dict[str, list[Diagram]]:
    """Per schema, its diagrams: the whole schema when it is small, else one per cluster of tables
    joined by references (declared or implicit), big clusters split by name prefix."""
    found: dict[str, list[Diagram]] = {}
    for schema in pages.source.catalog.schemas:
        members = list(pages.schema_tables(schema.name))  # a diagram keeps its own list
        if not members:
            found[schema.name] = []
            continue
        if len(members) <= MAX_DIAGRAM_TABLES:
            clusters = [(f"all {len(members)} tables", members, frozenset())]
        else:
            clusters = _clusters(members)
        found[schema.name] = [
            Diagram(schema.name, title, f"{pages.folder}/er-{slug(schema.name)}-{i + 1}.html", tables, context)
            for i, (title, tables, context) in enumerate(clusters)
        ]
    return found


def _clusters(members: list[TablePage]) -> list[tuple[str, list[TablePage], frozenset[str]]]:
    """Clusters of at most MAX_DIAGRAM_TABLES tables. A big schema is usually one connected whole
    because a few hub tables (organizations, users, accounts) are referenced from everywhere: those
    hubs are set aside, the rest splits into the groups of tables that reference one another, and
    each diagram shows its group with the hubs it references (so a hub appears in several). What
    is still too big is cut in name order; tables that reference only hubs are drawn around the
    hub they reference most; tables with no reference at all come last."""
    key = {(p.schema.name, p.table.name): p for p in members}
    refs: dict[int, set[int]] = defaultdict(set)  # id -> ids it references here
    incoming: dict[int, int] = defaultdict(int)
    for page in members:
        for ref in page.outgoing:
            other = key.get((ref.schema, ref.table))
            if other is not None and other is not page and id(other) not in refs[id(page)]:
                refs[id(page)].add(id(other))
                incoming[id(other)] += 1
    by_id = {id(p): p for p in members}
    hubs: set[int] = set()
    ranked = sorted(members, key=lambda p: (-incoming[id(p)], p.table.name))
    while True:
        components = _components(members, refs, hubs, by_id)
        too_big = any(len(c) > MAX_DIAGRAM_TABLES for c in components)
        candidates = [p for p in ranked if id(p) not in hubs and incoming[id(p)] >= 5]
        if not too_big or not candidates or len(hubs) >= MAX_DIAGRAM_TABLES // 2:
            break
        hubs.add(id(candidates[0]))
    clusters: list[tuple[str, list[TablePage], frozenset[str]]] = []
    hub_names = frozenset(by_id[h].table.name for h in hubs)
    if hubs:
        hub_pages = sorted((by_id[h] for h in hubs), key=lambda p: p.table.name)
        clusters.append((f"the {len(hub_pages)} tables most referenced", hub_pages, frozenset()))
    around: dict[int, list[TablePage]] = defaultdict(list)  # hub -> tables that reference only hubs
    alone: list[TablePage] = []
    for component in sorted(components, key=lambda c: (-len(c), c[0].table.name)):
        if len(component) == 1:
            page = component[0]
            referenced = [h for h in refs[id(page)] if h in hubs]
            if referenced:
                around[max(referenced, key=lambda h: (incoming[h], by_id[h].table.name))].append(page)
            else:
                alone.append(page)
            continue
        def with_hubs(tables: list[TablePage]) -> list[TablePage]:
            referenced = {h for t in tables for h in refs[id(t)] if h in hubs}
            return tables + sorted((by_id[h] for h in referenced), key=lambda p: p.table.name)

        if len(component) <= MAX_DIAGRAM_TABLES:
            clusters.append((f"around {_hub(component)} ({len(component)} tables)", with_hubs(component), hub_names))
        else:
            for prefix, chunk in _by_prefix(component):
                clusters.append((f"{prefix}… ({len(chunk)} of a group of {len(component)} tables)", with_hubs(chunk), hub_names))
    for hub, tables in sorted(around.items(), key=lambda kv: by_id[kv[0]].table.name):
        tables.sort(key=lambda p: p.table.name)
        for start in range(0, len(tables), MAX_DIAGRAM_TABLES - 1):
            chunk = tables[start:start + MAX_DIAGRAM_TABLES - 1]
            clusters.append((f"tables that reference {by_id[hub].table.name} ({len(chunk)})", chunk + [by_id[hub]], frozenset()))
    for start in range(0, len(alone), MAX_DIAGRAM_TABLES):
        chunk = alone[start:start + MAX_DIAGRAM_TABLES]
        clusters.append((f"tables with no reference: {chunk[0].table.name} … {chunk[-1].table.name}", chunk, frozenset()))
    return clusters


def _components(members: list[TablePage], refs: dict[int, set[int]], hubs: set[int], by_id: dict[int, TablePage]) -> list[list[TablePage]]:
    """The groups of tables (hubs left out) joined by references either way, each sorted by name."""
    neighbours: dict[int, set[int]] = defaultdict(set)
    for source, targets in refs.items():
        if source in hubs:
            continue
        for target in targets:
            if target not in hubs:
                neighbours[source].add(target)
                neighbours[target].add(source)
    seen: set[int] = set(hubs)
    components = []
    for page in sorted(members, key=lambda p: p.table.name):
        if id(page) in seen:
            continue
        stack, component = [id(page)], []
        seen.add(id(page))
        while stack:
            current = stack.pop()
            component.append(by_id[current])
            for other in neighbours[current]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        components.append(sorted(component, key=lambda p: p.table.name))
    return components


def _hub(component: list[TablePage]) -> str:
    """The table a cluster is named after: the one most referenced (the first by name on a tie)."""
    return min(component, key=lambda p: (-len(p.incoming), p.table.name)).table.name


def _by_prefix(component: list[TablePage]) -> list[tuple[str, list[TablePage]]]:
    """A big cluster in chunks of tables sharing a name prefix (the word before the first `_`),
    packed in name order into diagrams of at most MAX_DIAGRAM_TABLES."""
    chunks: list[tuple[str, list[TablePage]]] = []
    current: list[TablePage] = []
    for page in component:  # sorted by name: a prefix's tables are together
        if len(current) >= MAX_DIAGRAM_TABLES:
            chunks.append((_prefix(current), current))
            current = []
        current.append(page)
    if current:
        chunks.append((_prefix(current), current))
    return chunks


def _prefix(pages: list[TablePage]) -> str:
    first, last = pages[0].table.name, pages[-1].table.name
    common = posixpath.commonprefix([first, last])
    return common or f"{first[:12]}–{last[:12]}"


def draw(diagram: Diagram, page_url: str) -> Markup:
    """The diagram as inline SVG: a box per table (its key and reference columns) linking to its page,
    parents left of the tables that reference them; declared foreign keys solid, implicit dashed."""
    members = diagram.tables
    index = {(p.schema.name, p.table.name): p for p in members}
    rank = _ranks(members, index)
    columns: dict[int, list[TablePage]] = defaultdict(list)
    for page in members:
        columns[rank[id(page)]].append(page)
    layout: dict[int, tuple[float, float, float, float, list[str]]] = {}  # id -> x, y, w, h, rows shown
    x = 20.0
    order: dict[int, float] = {}
    height = 0.0
    for r in sorted(columns):
        pages = columns[r]
        pages.sort(key=lambda p: (_barycentre(p, index, order), p.table.name))
        for start in range(0, len(pages), MAX_ROWS):
            y = 20.0
            wrapped = pages[start:start + MAX_ROWS]
            widest = 0.0
            for i, page in enumerate(wrapped):
                rows = _rows(page)
                w = min(300.0, max(120.0, CHAR * max(len(page.table.name), *(len(r) for r in rows)) + 24))
                h = HEADER + ROW * len(rows) + 6
                layout[id(page)] = (x, y, w, h, rows)
                order[id(page)] = start + i
                y += h + GAP_Y
                widest = max(widest, w)
            height = max(height, y)
            x += widest + GAP_X
    width = x
    here = posixpath.dirname(page_url)
    out = [f'<svg class="er" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="entity-relationship diagram">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>']  # fmt: skip
    for page in members:
        x1, y1, _, _, rows = layout[id(page)]
        for ref in page.outgoing:
            other = index.get((ref.schema, ref.table))
            if other is None:
                continue
            x2, y2, w2, _, _ = layout[id(other)]
            row = next((i for i, r in enumerate(rows) if r.split(" ", 1)[0] == ref.columns[0]), 0)
            sy = y1 + HEADER + ROW * row + ROW / 2
            ty = y2 + HEADER / 2
            css = "fk" if ref.declared else "fk implicit"
            if other.table.name in diagram.context and page.table.name not in diagram.context:
                css += " to-hub"  # every table of the group references it: drawn faintly, not hidden
            label = f"{page.table.name}.{', '.join(ref.columns)} → {other.table.name}" + ("" if ref.declared else " (implicit: no foreign key)")
            if other is page:  # a self-reference: a loop on the left
                d = f"M{x1:.1f},{sy:.1f} C{x1 - 40:.1f},{sy:.1f} {x1 - 40:.1f},{ty:.1f} {x1:.1f},{ty:.1f}"
            elif x2 + w2 <= x1:  # the parent is to the left
                tx = x2 + w2
                d = f"M{x1:.1f},{sy:.1f} C{x1 - GAP_X / 2:.1f},{sy:.1f} {tx + GAP_X / 2:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
            else:  # same column or to the right (a cycle): leave and enter on the left
                d = f"M{x1:.1f},{sy:.1f} C{x1 - 50:.1f},{sy:.1f} {x2 - 50:.1f},{ty:.1f} {x2:.1f},{ty:.1f}"
            out.append(f'<path class="{css}" d="{d}" marker-end="url(#arrow)"><title>{text(label)}</title></path>')
    for page in members:
        x, y, w, h, rows = layout[id(page)]
        href = posixpath.relpath(page.url, here)
        kind = "" if page.table.kind == "table" else f" ({page.table.kind})"
        css = f"box sev-{page.worst}" if page.worst else "box"
        out.append(f'<a href="{escape(href)}" class="er-table"><g class="{css}"><title>{text(page.target + kind)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4"/>'
                   f'<rect class="head" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{HEADER}" rx="4"/>'
                   f'<text class="name" x="{x + 8:.1f}" y="{y + 15:.1f}">{text(_cut(page.table.name, w))}</text>')  # fmt: skip
        for i, row in enumerate(rows):
            out.append(f'<text x="{x + 8:.1f}" y="{y + HEADER + ROW * i + 12:.1f}">{text(_cut(row, w))}</text>')
        out.append("</g></a>")
    out.append("</svg>")
    return Markup("".join(out))


def _cut(value: str, width: float) -> str:
    most = int((width - 16) / CHAR)
    return value if len(value) <= most else value[: most - 1] + "…"


def _rows(page: TablePage) -> list[str]:
    """The columns a box shows: the primary key, then the referencing ones; the rest counted."""
    table = page.table
    key = list(table.primary_key.columns) if table.primary_key else []
    refs = [c for ref in page.outgoing for c in ref.columns]
    shown: list[str] = []
    for name in key + refs:
        if name in shown:
            continue
        shown.append(name)
    rows = [f"{name} {'PK' if name in key else 'FK' if any(name in r.columns and r.declared for r in page.outgoing) else 'ref'}"
            for name in shown[:MAX_SHOWN_COLUMNS]]  # fmt: skip
    rest = len(table.columns) - len(rows)
    if rest > 0:
        rows.append(f"+{rest} column{'s' if rest > 1 else ''}")
    return rows


def _ranks(members: list[TablePage], index: dict) -> dict[int, int]:
    """A table's column: 0 for one that references nothing here, else one right of the furthest table
    it references (cycles broken where they are met)."""
    rank: dict[int, int] = {}
    visiting: set[int] = set()

    def visit(page: TablePage) -> int:
        if id(page) in rank:
            return rank[id(page)]
        visiting.add(id(page))
        best = 0
        for ref in page.outgoing:
            other = index.get((ref.schema, ref.table))
            if other is None or other is page or id(other) in visiting:
                continue
            best = max(best, visit(other) + 1)
        visiting.discard(id(page))
        rank[id(page)] = best
        return best

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * len(members) + 100))
    try:
        for page in members:
            visit(page)
    finally:
        sys.setrecursionlimit(limit)
    return rank


def _barycentre(page: TablePage, index: dict, order: dict[int, float]) -> float:
    placed = [order[id(o)] for ref in page.outgoing if (o := index.get((ref.schema, ref.table))) is not None and id(o) in order]
    return sum(placed) / len(placed) if placed else 1e9


def sparkline(points: list[tuple[str, float]], width: int = 160, height: int = 32) -> Markup:
    """A metric's kept values, oldest first, as a line with its last value marked."""
    if not points:
        return Markup("")
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 8) / max(1, len(values) - 1)
    coords = [(4 + i * step, height - 4 - (v - low) / span * (height - 8)) for i, v in enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    title = "; ".join(f"{at[:16]}: {v:g}" for at, v in points[-20:])
    x, y = coords[-1]
    return Markup(f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{text(title)}"><title>{text(title)}</title><polyline class="line" points="{line}"/>'
                  f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/></svg>')  # fmt: skip
