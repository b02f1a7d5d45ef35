"""Edits of dayone.yml made on its text, so that every line dayone does not change stays byte for byte.

ruamel.yaml keeps comments when it writes a document back, but it attaches a comment to the node
before it: a comment that introduces the next source goes away with the source removed before it,
and a person added after the last one lands below the comment that introduces `metrics:`. It also
re-indents the whole file to one style. So an edit is spliced into the text instead: ruamel only
says where each key is (its line and column), the lines of the entry that changes are replaced, and
a new entry goes right after the last line of its mapping's last entry, before the blank lines and
comments that follow it. The caller (ConfigFile.save) checks that the spliced text reads as the
edited document, and writes the document with ruamel when it does not (a flow-style mapping, keys
in a sequence, anything this module does not know how to splice).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

# `key:` then optionally an empty value ({}, ~, null) and an end-of-line comment
_KEY_LINE = re.compile(r"""^(?P<head>[ ]*(?:"[^"\n]*"|'[^'\n]*'|[^#'"{\n]*?)[ ]*:)[ \t]*(?:\{[ \t]*\}|~|null|Null|NULL)?"""
                       r"""(?P<tail>[ \t]*(?:#[^\n]*)?)(?P<end>\n?)$""")  # fmt: skip


def yaml() -> YAML:
    out = YAML()  # round-trip: comments, order and quoting kept
    out.preserve_quotes = True
    out.indent(mapping=2, sequence=4, offset=2)
    out.width = 120
    return out


def commented(value: Any) -> Any:
    """A plain value as ruamel's containers: mappings in block style, lists inline ([a, b])."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = commented(item)
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(commented(item) for item in value)
        seq.fa.set_flow_style()
        return seq
    return value


def set_text(text: str, keys: Sequence[str], value: Any) -> str | None:
    """`text` with keys[-1] under keys[:-1] set to `value` (mappings made as needed); None when
    this cannot be spliced."""
    document, lines = _parse(text)
    if document is None:
        return None
    node: CommentedMap = document
    for depth, key in enumerate(keys):
        rest = keys[depth + 1 :]
        if not _is_block(node, document):
            return None
        if key not in node:
            return _append(lines, node, document, {key: _nest(rest, value)})
        line, col = node.lc.key(key)
        if lines[line][:col].strip():  # `- key: ...`: a mapping inside a sequence
            return None
        child = node[key]
        if not rest:
            if isinstance(child, CommentedMap) and child and isinstance(value, dict) and _is_block(child, document):
                return _merge(text, keys, child, value)
            return _replace(lines, node, key, line, col, value)
        if child is None or (isinstance(child, CommentedMap) and not child):
            emptied = _KEY_LINE.match(lines[line])
            if emptied is None:
                return None
            lines[line] = emptied["head"] + emptied["tail"] + "\n"
            return "".join(lines[: line + 1] + _render({rest[0]: _nest(rest[1:], value)}, col + 2) + lines[line + 1 :])
        if not isinstance(child, CommentedMap):
            return None
        node = child
    return None


def delete_text(text: str, keys: Sequence[str]) -> str | None:
    """`text` without keys[-1] under keys[:-1] and its value's lines; None when this cannot be spliced.
    The comments after the entry stay: they may well be about what follows it."""
    document, lines = _parse(text)
    if document is None:
        return None
    parents: list[tuple[CommentedMap, str]] = []
    node: Any = document
    for key in keys[:-1]:
        if not isinstance(node, CommentedMap) or key not in node:
            return text
        parents.append((node, key))
        node = node[key]
    if not isinstance(node, CommentedMap) or keys[-1] not in node:
        return text
    if not _is_block(node, document):
        return None
    line, col = node.lc.key(keys[-1])
    if lines[line][:col].strip():
        return None
    end = _block_end(lines, line, col)
    del lines[line : end + 1]
    if len(node) == 1 and parents:  # the mapping is left empty: `grading:` becomes `grading: {}`
        parent, key = parents[-1]
        pline, _ = parent.lc.key(key)
        found = _KEY_LINE.match(lines[pline])
        if found is None:
            return None
        lines[pline] = found["head"] + " {}" + found["tail"] + "\n"
    return "".join(lines)


# -- helpers ------------------------------------------------------------------------------------


def _parse(text: str) -> tuple[CommentedMap | None, list[str]]:
    try:
        document = yaml().load(text)
    except YAMLError:
        return None, []
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        return None, []
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return document, lines


def _is_block(node: Any, document: CommentedMap) -> bool:
    return isinstance(node, CommentedMap) and (node is document or not node.fa.flow_style())


def _nest(keys: Sequence[str], value: Any) -> Any:
    for key in reversed(keys):
        value = {key: value}
    return value


def _block_end(lines: list[str], line: int, col: int) -> int:
    """The last line of the entry whose key starts at (line, col): the lines after it indented
    deeper (or a sequence's `- ` at the key's column), not counting blank and comment lines after
    its last line of content."""
    end = line
    for index in range(line + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(lines[index]) - len(lines[index].lstrip(" "))
        if indent > col or (indent == col and (stripped == "-" or stripped.startswith("- "))):
            end = index
            continue
        break
    return end


def _render(entry: dict[str, Any], indent: int) -> list[str]:
    buffer = io.StringIO()
    yaml().dump(commented(entry), buffer)
    return [(" " * indent + line) if line.strip() else line for line in buffer.getvalue().splitlines(keepends=True)]


def _append(lines: list[str], node: CommentedMap, document: CommentedMap, entry: dict[str, Any]) -> str | None:
    if not node:  # only the document itself can be an empty block mapping: a file of comments
        return "".join(lines + _render(entry, 0))
    last = list(node)[-1]
    line, col = node.lc.key(last)
    if lines[line][:col].strip():
        return None
    end = _block_end(lines, line, col)
    return "".join(lines[: end + 1] + _render(entry, col) + lines[end + 1 :])


def _replace(lines: list[str], node: CommentedMap, key: str, line: int, col: int, value: Any) -> str:
    end = _block_end(lines, line, col)
    new = _render({key: value}, col)
    comment = _end_of_line_comment(node, key, line)
    if comment and end == line and len(new) == 1:  # a one-line value keeps its comment, in its column
        column, said = comment
        head = new[0].rstrip("\n")
        new = [head + " " * max(1, column - len(head)) + said + "\n"]
    return "".join(lines[:line] + new + lines[end + 1 :])


def _end_of_line_comment(node: CommentedMap, key: str, line: int) -> tuple[int, str] | None:
    items = node.ca.items.get(key) or []
    token = items[2] if len(items) > 2 else None
    if token is None or token.start_mark.line != line:
        return None
    first = token.value.split("\n", 1)[0]
    return (token.start_mark.column, first.strip()) if first.lstrip().startswith("#") else None


def _merge(text: str, keys: Sequence[str], existing: CommentedMap, value: dict[str, Any]) -> str | None:
    """Set a mapping over a mapping key by key, so the comments inside it stay."""
    for key, item in value.items():
        text = set_text(text, [*keys, key], item)
        if text is None:
            return None
    for key in [k for k in existing if k not in value]:
        text = delete_text(text, [*keys, key])
        if text is None:
            return None
    return text
