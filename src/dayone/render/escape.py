"""Names, comments and values read from a database, made safe for where they are shown.

Whoever can name a table or write a `status` value chooses the characters that reach the analyst's
terminal and reports: ESC starts the sequences that clear a screen or plant a hyperlink (OSC 8),
CR and the bidi overrides hide or reorder what the reader sees, a backtick or a newline breaks out
of a Markdown code span. So every renderer passes each name and value through the function for its
context, at the point where it enters the output:

- `terminal_text`: control characters shown as escapes (`\\x1b`, `\\n`, `\\u202e`), the rest as is;
  an HTML page applies it before autoescaping;
- `markdown_code`: inline code, with a fence no backtick in the text can close;
- `markdown_text` and `markdown_table_cell`: text with Markdown punctuation and HTML escaped;
- `markdown_code_cell`: inline code inside a GFM table cell;
- `csv_text`: a CSV cell, which a spreadsheet must not take for a formula;
- `sarif_text`: a SARIF plain text message, in which braces are placeholders and square brackets
  embedded links;
- `json_text`: serialized JSON with the characters a JSON encoder leaves raw but a terminal obeys
  written as `\\u` escapes (JSON and SARIF keep the real names; their readers get them back).
"""

from __future__ import annotations

import re

# C0, DEL and C1 controls; the bidi marks, embeddings, overrides and isolates (ALM, LRM, RLM,
# LRE..RLO, LRI..PDI), which reorder text on screen; the line and paragraph separators, which some
# readers take as line breaks. Not the other format characters: ZWJ joins emoji sequences.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[{_CONTROLS}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def terminal_text(text: str) -> str:
    """`text` with every control character written as its escape: `\\x1b[2J` stays readable and
    clears nothing. Backslashes are left as they are."""
    if text.isprintable() or CONTROL.search(text) is None:  # isprintable: a fifth of the search, on nearly every text
        return text
    return CONTROL.sub(_escaped, text)


def markdown_code(text: str) -> str:
    """`text` as a CommonMark code span: fenced with one backtick more than its longest run of
    backticks, padded with a space where it starts or ends with a backtick or a space (the parser
    strips one from each side), and its control characters escaped (a newline would end the line)."""
    if text.isprintable() and "`" not in text and text[:1] not in ("", " ") and text[-1] != " ":
        return f"`{text}`"  # nearly every name: a third of the time (a dictionary has 100,000 of them)
    shown = terminal_text(text)
    if not shown:
        return "` `"
    fence = "`" * (max(map(len, re.findall("`+", shown)), default=0) + 1)
    if shown[0] == "`" or shown[-1] == "`" or (shown[0] == " " and shown[-1] == " " and shown.strip(" ")):
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"


# Punctuation that makes inline Markdown (code, emphasis, links, raw HTML, entities, strikethrough,
# GFM table cells, math) wherever it stands. `_` only where it can open or close emphasis: inside a
# word (created_at) it is plain text, and names are full of it.
_INLINE = re.compile(r"[\\`*\[\]<>&|~$]|(?<![^\W_])_|_(?![^\W_])")
# What starts a block at the beginning of a line: a heading, a bullet, a thematic break or setext
# underline, an ordered list item ("1. " but not the "15.2" of a version).
_LINE_START = re.compile(r"^( {0,3})([#+=-]|\d{1,9}(?=[.)](?:[ \t]|$)))")


def markdown_text(text: str) -> str:
    """`text` as literal Markdown text: the punctuation that would format, link or inject HTML
    backslash-escaped, a heading or list marker at its start escaped, control characters (newlines
    too) written as escapes, so it can neither leave its line nor change the document's structure."""
    escaped = _INLINE.sub(r"\\\g<0>", text)
    escaped = _LINE_START.sub(_marker_escaped, escaped, count=1)
    return terminal_text(escaped)  # after: the backslash of `\x1b` is followed by a letter, plain text


def _marker_escaped(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    if marker[0].isdigit():  # "1." and "1)" start an ordered list: escape what follows the number
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def markdown_table_cell(text: str) -> str:
    """`text` inside a GFM table cell: Markdown text, whose `|` (escaped) cannot end the cell and
    whose newlines (escaped) cannot end the row."""
    return markdown_text(text)


def markdown_code_cell(text: str) -> str:
    """`text` as inline code inside a GFM table cell: a table splits its row on every unescaped `|`,
    code spans included, and reads `\\|` there as a `|` of the code."""
    return markdown_code(text).replace("|", "\\|")


# What makes a spreadsheet read a cell as a formula (=, +, -, @) or a command (DDE); a tab or a CR
# at the start does too, but terminal_text has escaped those already.
_FORMULA_START = frozenset("=+-@")


def csv_text(text: str) -> str:
    """`text` as a CSV cell: its control characters written as escapes (CSV has no escape of its own,
    and a file printed to a terminal must not redraw it), and a `'` before a cell that starts like a
    formula, as spreadsheets themselves write a text cell that looks like one. A number (`-1`) stays
    as it is: a spreadsheet reads it as the number it is."""
    shown = terminal_text(text)
    if shown and shown[0] in _FORMULA_START and _NUMBER.fullmatch(shown) is None:
        return "'" + shown
    return shown


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


_SARIF_SPECIAL = re.compile(r"[\\\[\]{}]")
_SARIF_ESCAPES = {"\\": "\\\\", "[": "\\[", "]": "\\]", "{": "{{", "}": "}}"}


def sarif_text(text: str) -> str:
    """`text` as a SARIF plain text message (SARIF 2.1.0 §3.11): `{` and `}` doubled, since `{0}`
    is a placeholder; `\\`, `[` and `]` backslash-escaped, since `[text](uri)` is an embedded link a
    viewer shows as a hyperlink; control characters written as escapes (a line break would start
    a paragraph of its own)."""
    return terminal_text(_SARIF_SPECIAL.sub(lambda m: _SARIF_ESCAPES[m.group()], text))


# In serialized JSON these can only stand inside strings (the rest of the document is ASCII), so
# each becomes its \\u escape there and the parsed value is unchanged. C0 controls are escaped by
# every JSON encoder already.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(serialized: str) -> str:
    """Serialized JSON with DEL, the C1 controls and the bidi controls written as `\\u` escapes."""
    # isascii: 2 ms for 30 MB, the search 0.15 s; DEL is ASCII, and raw in JSON
    if (serialized.isascii() and "\x7f" not in serialized) or _JSON_RAW.search(serialized) is None:
        return serialized
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", serialized)
