"""The escaping of names and values for each place they are shown, and the spelling of targets,
without a server: every hostile sample must come out of a CommonMark parser as the literal text it
was (its control characters escaped), in one paragraph, with no markup of its own."""

from __future__ import annotations

import json

import pytest
from markdown_it import MarkdownIt

from dayone.findings import Finding, target_name
from dayone.render.escape import (
    csv_text, json_text, markdown_code, markdown_code_cell, markdown_table_cell, markdown_text, sarif_text, terminal_text,
)

SAMPLES = [
    "orders", "created_at", "_private_", "__dunder__", "a*b*c", "**bold**", "`tick`", "``double`` ` x", "`", "``",
    " padded ", "` leading", "trailing `", "a|b", "| a | b |", "# heading", "   ## indented", "- item", "+ item",
    "1. first", "2) second", "15.20", "===", "---", "> quote", "<script>alert(1)</script>", "&amp; &#27;",
    "[link](http://evil)", "![img](x)", "<http://evil>", "~~strike~~", "$x^2$", "a\\b\\", "\\*not bold\\*",
    "new\nline", "new\n## injected", "cr\rover", "tab\tx", "\x1b[2J", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
    "\x07", "\x00nul", "\x7f", "\x9b31m", "rtl\u202eevil", "\u2066isolate\u2069", "\u2028line", "café 日本 🎉 שלום",
    "👨‍👩‍👧 family",
]  # fmt: skip
VISIBLE = {"\x1b[2J": "\\x1b[2J", "\x07": "\\x07", "\x00nul": "\\x00nul", "\x7f": "\\x7f", "\x9b31m": "\\x9b31m",
           "rtl\u202eevil": "rtl\\u202eevil", "\u2066isolate\u2069": "\\u2066isolate\\u2069", "\u2028line": "\\u2028line",
           "new\nline": "new\\nline", "cr\rover": "cr\\rover", "tab\tx": "tab\\tx",
           "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\": "\\x1b]8;;http://evil\\x1b\\click\\x1b]8;;\\x1b\\"}  # fmt: skip
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def visible(text: str) -> str:
    return VISIBLE.get(text, text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))


def test_terminal_text_shows_every_control_character_as_its_escape():
    for sample, expected in VISIBLE.items():
        assert terminal_text(sample) == expected
    assert terminal_text("café 日本 🎉 שלום") == "café 日本 🎉 שלום"
    assert terminal_text("👨‍👩‍👧") == "👨‍👩‍👧"  # the zero-width joiners of an emoji sequence stay
    assert all(terminal_text(chr(c)).startswith("\\x") for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\n\r\t")


@pytest.mark.parametrize("sample", SAMPLES)
def test_markdown_code_is_one_code_span_holding_the_text(sample):
    tokens = MARKDOWN.parse(f"- on {markdown_code(sample)}: after\n")
    inline = [t for t in tokens if t.type == "inline"]
    assert len(inline) == 1, tokens
    spans = [c for c in inline[0].children if c.type == "code_inline"]
    assert len(spans) == 1
    assert spans[0].content == (visible(sample) if sample.strip(" ") else sample or " ")
    assert inline[0].children[-1].content == ": after"


@pytest.mark.parametrize("sample", SAMPLES)
def test_markdown_text_is_literal_text_wherever_it_stands(sample):
    for line in (markdown_text(sample), f"- {markdown_text(sample)}", f"- **Question:** {markdown_text(sample)}"):
        tokens = MARKDOWN.parse(line + "\n")
        kinds = [t.type for t in tokens]
        assert kinds.count("inline") == 1 and not {"heading_open", "table_open", "html_block", "hr", "code_block",
                                                   "blockquote_open", "ordered_list_open"} & set(kinds), (line, kinds)
        inline = next(t for t in tokens if t.type == "inline")
        children = [c.type for c in inline.children]
        assert not {"code_inline", "em_open", "link_open", "image", "html_inline", "s_open", "softbreak"} & set(children), (line, children)
        text = "".join(c.content for c in inline.children if c.type == "text")
        assert text.endswith(visible(sample).strip(" ")), (line, text)


def test_markdown_table_cell_cannot_split_its_cell_or_row():
    row = f"| {markdown_table_cell('a|b')} | {markdown_table_cell('c' + chr(10) + '| d |')} |"
    tokens = MARKDOWN.parse(f"| x | y |\n| --- | --- |\n{row}\n")
    cells = [tokens[i + 1].children[0].content for i, t in enumerate(tokens) if t.type == "td_open"]
    assert cells == ["a|b", "c\\n| d |"]


@pytest.mark.parametrize("sample", SAMPLES)
def test_markdown_code_cell_is_one_code_span_in_one_cell(sample):
    tokens = MARKDOWN.parse(f"| x | y |\n| --- | --- |\n| {markdown_code_cell(sample)} | after |\n")
    cells = [tokens[i + 1] for i, t in enumerate(tokens) if t.type == "td_open"]
    assert len(cells) == 2 and cells[1].content == "after"
    spans = [c for c in cells[0].children if c.type == "code_inline"]
    assert [c.type for c in cells[0].children] == ["code_inline"]
    assert spans[0].content == (visible(sample) if sample.strip(" ") else sample or " ")


@pytest.mark.parametrize("sample", SAMPLES)
def test_csv_text_is_one_line_and_never_a_formula(sample):
    shown = csv_text(sample)
    assert shown.removeprefix("'") == visible(sample)
    assert "\n" not in shown and "\r" not in shown
    assert shown[:1] not in ("=", "+", "-", "@")


def test_csv_text_quotes_formulas_not_numbers():
    assert [csv_text(t) for t in ("=1+2", "+SUM(A1)", "-cmd|' /C calc'!A0", "@SUM(A1)", "-1", "+2.5", "-1.5e3", "-")] == [
        "'=1+2", "'+SUM(A1)", "'-cmd|' /C calc'!A0", "'@SUM(A1)", "-1", "+2.5", "-1.5e3", "'-"]  # fmt: skip
    assert csv_text("=\x1b[2J") == "'=\\x1b[2J"


def test_ordinary_text_keeps_its_look():
    assert markdown_text("orders.created_at is timestamp without time zone") == "orders.created_at is timestamp without time zone"
    assert markdown_text("PostgreSQL 15.20") == "PostgreSQL 15.20"
    assert markdown_code("public.orders.created_at") == "`public.orders.created_at`"


def test_json_text_escapes_what_a_terminal_obeys_and_keeps_the_value():
    value = {"name": "c1\x9b31m \u202e\u2066 \x7f é 日本 🎉"}
    serialized = json_text(json.dumps(value, ensure_ascii=False))
    assert serialized.isascii() is False and all(c not in serialized for c in "\x9b\u202e\u2066\x7f")
    assert json.loads(serialized) == value


def test_sarif_text_has_no_placeholder_nor_link_of_its_own():
    assert sarif_text("t[x](http://evil) {0} a\\b \x1b[2J") == "t\\[x\\](http://evil) {{0}} a\\\\b \\x1b\\[2J"


def test_targets_quote_a_name_only_where_two_would_read_alike():
    assert target_name("public", "orders", "created_at") == "public.orders.created_at"
    assert target_name("s", "a.b") == 's."a.b"' != target_name("s.a", "b") == '"s.a".b'
    assert target_name('say "hi"') == '"say ""hi"""'
    assert target_name("two words", "") == '"two words".""'
    assert target_name("x\x1b[2J") == '"x\x1b[2J"'
    assert target_name("orders", label="shop.v2") == "shop.v2.orders"  # SQLite: the file's stem, as it is
    plain = Finding("missing-primary-key", "DM101", "warning", "public.orders", "", "", "")
    assert plain.id == "DM101-" + __import__("hashlib").sha1(b"missing-primary-key\0public.orders").hexdigest()[:10]


def test_json_text_escapes_del_in_an_all_ascii_document():
    """DEL is ASCII: a document of nothing else still gets it escaped."""
    import json

    from dayone.render.escape import json_text

    written = json_text(json.dumps({"status": "x\x7fy"}))
    assert "\x7f" not in written and json.loads(written) == {"status": "x\x7fy"}
