"""The data dictionary as plain text that fits a width (the terminal's, or $COLUMNS, or 80).

Each schema opens with its tables, one line each; then each table lists its columns, one line each.
A grid never wraps a cell: when its fields do not fit the width, the least useful ones are left out
(a column's default first, then comments, then sizes...), and only free text (comments, defaults,
long types) is cut, with an ellipsis. Numbers are never cut. A name wider than its field stands on a
line of its own above its row. Nothing but spaces lines the fields up: no box drawing to collapse
into `┃┃┃` in a file or a pipe. Each cell is measured once and each table's grid laid out on its
own, so the time grows with the number of columns, never faster.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, chop_cells, set_cell_size

from dayone.findings import target_name
from dayone.render.dictionary import ColumnEntry, Dictionary, TableEntry, kinds, one_line, short_version, shown_default, size_text, summary, table_facts
from dayone.render.escape import terminal_text

ELLIPSIS = "…"
GAP = "  "
INDENT = "  "
MIN_WIDTH = 40
BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


@dataclass
class Field:
    """A column of a grid: its values wider than `most` are cut with an ellipsis (`cut`) or, for
    the name, set on a line of their own; a grid's steps may shrink it to `least` or leave it out."""

    header: str
    cells: list[str]  # already escaped for a terminal
    right: bool = False
    cut: bool = False
    most: int | None = None
    least: int = 0


# What a grid gives up, in order, until its line fits: ("drop", field) leaves a field out,
# ("shrink", field) cuts its values to its `least` cells. Free text goes first; numbers are never cut.
OVERVIEW_STEPS = (("shrink", "comment"), ("drop", "comment"), ("shrink", "primary key"), ("drop", "size"),
                  ("drop", "primary key"), ("drop", "kind"), ("drop", "rows≈"))  # fmt: skip
COLUMN_STEPS = (("drop", "default"), ("shrink", "comment"), ("drop", "comment"), ("shrink", "type"), ("drop", "key"),
                ("drop", "null"), ("drop", "type"))  # fmt: skip


@dataclass(frozen=True)
class Text:
    text: str
    left_out: tuple[str, ...]  # fields some grid had to leave out, to say so


def to_text(found: Dictionary, width: int = 80, styled: bool = False) -> Text:
    width = max(width, MIN_WIDTH)
    writer = _Writer(width, styled)
    writer.title(found)
    for schema, tables in found.schemas:
        writer.blank()
        heading = f"schema {terminal_text(schema.name)}: " if found.has_schemas else "tables: "
        writer.heading(heading + (kinds(tables) if tables else "no tables or views"))
        if tables:
            writer.grid(_overview(found, tables), OVERVIEW_STEPS, INDENT)
        if schema.enums:
            writer.blank()
        for enum in schema.enums:
            writer.line(_cut(f"{INDENT}enum {terminal_text(enum.name)}: {terminal_text(', '.join(enum.values))}", width))
        for entry in tables:
            writer.blank()
            writer.table(found, entry)
    return Text("\n".join(writer.lines) + "\n", tuple(sorted(writer.left_out, key=_LEFT_OUT_ORDER.index)))


_LEFT_OUT_ORDER = list(dict.fromkeys(header for steps in (COLUMN_STEPS, OVERVIEW_STEPS) for action, header in steps if action == "drop"))


class _Writer:
    def __init__(self, width: int, styled: bool):
        self.width, self.styled = width, styled
        self.lines: list[str] = []
        self.left_out: set[str] = set()

    def line(self, text: str, style: str = "") -> None:
        self.lines.append(f"{style}{text}{RESET}" if style and self.styled else text)

    def blank(self) -> None:
        self.lines.append("")

    def heading(self, text: str) -> None:
        for part in _wrap(text, self.width):
            self.line(part, BOLD)

    def title(self, found: Dictionary) -> None:
        catalog = found.catalog
        self.heading(f"{terminal_text(catalog.database)}: {terminal_text(catalog.product)} "
                     f"{terminal_text(short_version(catalog))}"
                     + (", read replica" if catalog.is_replica else "")
                     + (f"; time zone {terminal_text(catalog.server_timezone)}" if catalog.server_timezone else ""))  # fmt: skip
        for part in _wrap(summary(found), self.width):
            self.line(part)

    def table(self, found: Dictionary, entry: TableEntry) -> None:
        t = entry.table
        facts = table_facts(entry)
        label, shown = terminal_text(entry.label), " · ".join(facts)
        if _cells(label) + len(GAP) + _cells(shown) <= self.width:
            self.line(f"{label}{GAP}{shown}", BOLD)
        else:  # a long name: the facts go below it, whole (on several lines if they must)
            for part in _fold(label, self.width):
                self.line(part, BOLD)
            line = INDENT + facts[0]
            for fact in facts[1:]:
                if _cells(line) + 3 + _cells(fact) > self.width:
                    self.line(line)
                    line = INDENT + fact
                else:
                    line += " · " + fact
            self.line(line)
        if t.comment:
            self.line(_cut(INDENT + terminal_text(one_line(t.comment)), self.width))
        if t.skipped:
            self.line(_cut(f"{INDENT}not read in full: {terminal_text(one_line(t.skipped))}", self.width))
        if t.partition_of is not None:
            parent = terminal_text(found.label(entry.schema.name, t.partition_of))
            self.line(_cut(f"{INDENT}partition of {parent}, with its columns", self.width), DIM)
            if t.partition_bound:
                self.line(_cut(INDENT + terminal_text(one_line(t.partition_bound)), self.width), DIM)
            return
        if entry.columns:
            self.grid(_columns(found, entry), COLUMN_STEPS, INDENT)

    def grid(self, fields: list[Field], steps, indent: str) -> None:
        kept = _fit(fields, steps, self.width - len(indent))
        shown = {k.field.header for k in kept}
        self.left_out.update(f.header for f in fields if f.header not in shown and any(f.cells))
        self.line(indent + GAP.join(_pad(k.field.header, k.width, k.field.right) for k in kept).rstrip(), BOLD)
        name, *rest = kept
        # field by field, then joined row by row: str methods and zip, no Python call per cell
        labels = [indent + cell for cell in name.column()]
        for row in name.overflowing():  # on a line of its own, whole (folded only when wider than the line)
            labels[row] = "\n".join(_fold(indent + name.field.cells[row], self.width)) + "\n" + indent + " " * name.width
        self.lines.extend(GAP.join(cells).rstrip() for cells in zip(labels, *(k.column() for k in rest)))


@dataclass
class _Placed:
    """A field as laid out: its width, and the cells each of its values takes."""

    field: Field
    sizes: list[int]
    width: int
    ascii: bool

    def overflowing(self) -> list[int]:
        return [row for row, size in enumerate(self.sizes) if size > self.width]

    def column(self) -> list[str]:
        """Each value padded (or cut) to the width; a name wider than it as it is."""
        width, cells = self.width, self.field.cells
        if self.ascii:
            if self.field.cut and max(self.sizes, default=0) > width:
                cells = [c if len(c) <= width else c[: width - 1] + ELLIPSIS for c in cells]
            return [c.rjust(width) for c in cells] if self.field.right else [c.ljust(width) for c in cells]
        shown = []
        for text, size in zip(cells, self.sizes):
            if size > width and self.field.cut:
                text, size = _cut(text, width), width
            shown.append(_pad(text, width, self.field.right) if size < width else text)
        return shown


def _fit(fields: list[Field], steps, width: int) -> list[_Placed]:
    """The fields kept and their widths: empty fields go, then `steps` are taken one by one until the
    line fits; a field shrunk on the way gets back what the last step freed beyond need."""
    live: dict[str, _Placed] = {}
    natural: dict[str, int] = {}
    for f in fields:
        if f is fields[0] or any(f.cells):  # a field with no value in this grid is left out
            # measured once: most fields are all ASCII, one character a cell
            ascii = "".join(f.cells).isascii()
            sizes = list(map(len, f.cells)) if ascii else list(map(_cells, f.cells))
            widest = max(_cells(f.header), max(sizes, default=0))
            live[f.header] = _Placed(f, sizes, 0, ascii)
            natural[f.header] = min(widest, f.most) if f.most is not None else widest
    widths = dict(natural)

    def needed() -> int:
        return sum(widths.values()) + len(GAP) * (len(widths) - 1)

    for action, header in steps:
        if needed() <= width:
            break
        if header in widths:
            if action == "drop":
                del widths[header]
            else:
                widths[header] = min(widths[header], max(live[header].field.least, _cells(header)))
    spare = width - needed()
    for header in widths:  # left to right: the more important field first
        grown = min(max(spare, 0), natural[header] - widths[header])
        widths[header] += grown
        spare -= grown
    for header, placed_width in widths.items():
        live[header].width = placed_width
    return [live[h] for h in widths]


def _overview(found: Dictionary, tables: tuple[TableEntry, ...]) -> list[Field]:
    keys = []
    for e in tables:
        t = e.table
        keys.append(terminal_text(", ".join(t.primary_key.columns)) if t.primary_key
                    else "none" if t.kind in ("table", "partitioned table") else "")  # fmt: skip
    return [
        Field("table", [terminal_text(e.table.name) for e in tables], most=32),
        Field("kind", [e.table.kind for e in tables]),
        Field("rows≈", ["" if e.estimated_rows is None else f"{e.estimated_rows:,}" for e in tables], right=True),
        Field("size", [size_text(e.size_bytes) for e in tables], right=True),
        Field("primary key", keys, cut=True, most=32, least=12),
        Field("comment", [terminal_text(one_line(e.table.comment)) for e in tables], cut=True, least=16),
    ]


def _columns(found: Dictionary, entry: TableEntry) -> list[Field]:
    names, types, nulls, keys, defaults, comments = [], [], [], [], [], []
    for c in entry.columns:  # 50,000 columns in a big schema: one pass, the common cases inline
        column = c.column
        names.append(_shown(column.name))
        types.append(_shown(_short_type(column.declared_type)))
        nulls.append("yes" if column.nullable else "no")
        keys.append(_keys(found, entry, c) if c.primary_key or c.unique or c.references else "")
        has_default = column.default is not None or column.identity is not None or column.generated is not None
        defaults.append(_shown(one_line(shown_default(column))) if has_default or column.on_update else "")
        comments.append(_shown(one_line(column.comment)) if column.comment else "")
    return [
        Field("column", names, most=32),
        Field("type", types, cut=True, most=28, least=20),
        Field("null", nulls),
        Field("key", keys, cut=True, most=40),
        Field("default", defaults, cut=True, most=28),
        Field("comment", comments, cut=True, least=16),
    ]


def _shown(text: str) -> str:
    return text if text.isprintable() else terminal_text(text)  # terminal_text's own first test, without the call


def _keys(found: Dictionary, entry: TableEntry, column: ColumnEntry) -> str:
    keys = (["PK"] if column.primary_key else []) + (["unique"] if column.unique else [])
    for schema, table, referred in column.references:  # in the table's own schema, the table's name says enough
        same = schema == entry.schema.name
        keys.append(f"FK → {target_name(table, referred) if same else found.reference(schema, table, referred)}")
    return terminal_text(", ".join(keys))


# The SQL standard's long spellings PostgreSQL prints, as its own short aliases (the same types):
# "timestamp with time zone" alone would take a third of an 80-column line.
_SHORT_TYPES = (("timestamp with time zone", "timestamptz"), ("timestamp without time zone", "timestamp"),
                ("time with time zone", "timetz"), ("time without time zone", "time"),
                ("character varying", "varchar"), ("character", "char"), ("bit varying", "varbit"))  # fmt: skip


@lru_cache(maxsize=4096)  # a schema has few distinct types, each on thousands of columns
def _short_type(declared: str) -> str:
    if " " not in declared and not declared.startswith("character"):
        return declared
    for long, short in _SHORT_TYPES:
        if declared.startswith(long) and (len(declared) == len(long) or declared[len(long)] in "([ "):
            return short + declared[len(long):]
    return declared


# --- cells -------------------------------------------------------------------------------------


def _cells(text: str) -> int:
    """Terminal cells `text` takes: a wide character (日, 🎉) two."""
    return len(text) if text.isascii() else cell_len(text)


def _cut(text: str, width: int) -> str:
    if _cells(text) <= width:
        return text
    return (text[: width - 1] if text.isascii() else set_cell_size(text, width - 1)) + ELLIPSIS


def _pad(text: str, width: int, right: bool) -> str:
    padding = " " * (width - _cells(text))
    return padding + text if right else text + padding


def _wrap(text: str, width: int) -> list[str]:
    """Words on lines of the width (a word longer than a line, a name, in pieces)."""
    if _cells(text) <= width:
        return [text]
    lines, line = [], ""
    for word in text.split(" "):
        if line and _cells(line) + 1 + _cells(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
        if _cells(line) > width:
            *whole, line = _fold(line, width)
            lines += whole
    return [*lines, line]


def _fold(text: str, width: int) -> list[str]:
    """A line too long for the width in pieces of the width: only a name longer than the line."""
    if _cells(text) <= width:
        return [text]
    return [text[i : i + width] for i in range(0, len(text), width)] if text.isascii() else chop_cells(text, width)
