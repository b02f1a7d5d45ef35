"""Reading CHECK constraint expressions: which columns they limit to a fixed list of values."""

from __future__ import annotations

import re
from functools import lru_cache

from dayone.catalog.model import ValueSet


CHECK_KEYWORD = re.compile(r"^\s*CHECK\s*", re.IGNORECASE)


@lru_cache(maxsize=4096)  # a big schema repeats the same few CHECK expressions table after table
def value_sets(expression: str, dialect: str) -> tuple[ValueSet, ...]:
    """Value sets in a CHECK expression: `status IN ('a','b')`, `status = ANY (ARRAY['a','b'])`
    (how PostgreSQL prints an IN list), and `status = 'a' OR status = 'b'` chains."""
    expression = CHECK_KEYWORD.sub("", expression)
    lowered = expression.lower()
    # Most checks (ranges, NOT NULL, json_valid) hold no list: skip the parser for them.
    if " in " not in lowered and " in(" not in lowered and "any" not in lowered and " or " not in lowered:
        return ()
    canonical = _canonical_list(expression)
    return canonical if canonical is not None else _parse(expression, dialect)


# The IN lists of string literals as servers print them, read without the parser: PostgreSQL
# `((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))` and
# MariaDB `` `status` in ('a','b') ``. Importing sqlglot takes 0.05-0.07 s, a tenth of a snapshot of
# 5,000 tables; most schemas hold only these forms. Anything else (numbers, OR chains, backslash
# escapes, several columns) goes to sqlglot, and tests check both give the same answer.
_LITERAL = r"'(?:[^'\\]|'')*'"
_CAST = r"(?:::[A-Za-z][A-Za-z0-9_ ]*(?:\[\])?)?"
_ITEMS = rf"{_LITERAL}{_CAST}(?:\s*,\s*{_LITERAL}{_CAST})*"
CANONICAL_LISTS = (
    re.compile(  # PostgreSQL
        rf"^(?P<open>\(*)\s*(?P<c>\()?(?P<column>[a-z_][a-z0-9_$]*|\"(?:[^\"]|\"\")+\")(?(c)\)){_CAST}\s*=\s*ANY\s*"
        rf"\(\s*(?P<a>\()?ARRAY\[(?P<items>{_ITEMS})\](?(a)\)){_CAST}\s*\)\s*(?P<close>\)*)$"
    ),
    re.compile(  # MySQL, MariaDB
        rf"^(?P<open>\(*)\s*(?P<column>`(?:[^`]|``)+`)\s+in\s*\((?P<items>{_ITEMS})\)\s*(?P<close>\)*)$", re.IGNORECASE
    ),
)
_ITEM = re.compile(rf"({_LITERAL}){_CAST}")


def _canonical_list(expression: str) -> tuple[ValueSet, ...] | None:
    for pattern in CANONICAL_LISTS:
        found = pattern.match(expression.strip())
        if found and len(found["open"]) == len(found["close"]):
            column = found["column"]
            if column[0] in "\"`":
                column = column[1:-1].replace(column[0] * 2, column[0])
            values = [item[1:-1].replace("''", "'") for item in _ITEM.findall(found["items"])]
            return (ValueSet(column=column, values=tuple(dict.fromkeys(values))),)
    return None


def _parse(expression: str, dialect: str) -> tuple[ValueSet, ...]:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(expression, read=dialect)
    except Exception:  # an expression sqlglot cannot read simply yields no value set
        return ()
    while isinstance(tree, exp.Paren):
        tree = tree.this
    found: dict[str, list[str]] = {}

    def column_of(node: exp.Expression) -> str | None:
        while isinstance(node, (exp.Cast, exp.Paren, exp.Collate)):
            node = node.this
        return node.name if isinstance(node, exp.Column) else None

    def literal(node: exp.Expression) -> str | None:
        # MySQL 8 prints string literals with a charset introducer, and sometimes a collation:
        # _utf8mb4'a' COLLATE utf8mb4_bin. PostgreSQL casts them: 'a'::text.
        while isinstance(node, (exp.Cast, exp.Paren, exp.Collate, exp.Introducer)):
            node = node.expression if isinstance(node, exp.Introducer) else node.this
        return node.name if isinstance(node, exp.Literal) else None

    for node in tree.find_all(exp.In):
        column = column_of(node.this)
        values = [literal(v) for v in node.expressions]
        if column and values and None not in values:
            found.setdefault(column, []).extend(values)
    for node in tree.find_all(exp.Any):
        eq = node.parent
        array = node.this
        while isinstance(array, (exp.Cast, exp.Paren)):
            array = array.this
        if isinstance(eq, exp.EQ) and isinstance(array, exp.Array):
            column = column_of(eq.this)
            values = [literal(v) for v in array.expressions]
            if column and values and None not in values:
                found.setdefault(column, []).extend(values)
    if not found:
        # col = 'a' OR col = 'b' OR ...: every disjunct must compare the same column to a literal.
        disjuncts = list(tree.flatten()) if isinstance(tree, exp.Or) else []
        columns, values = set(), []
        for node in disjuncts:
            while isinstance(node, exp.Paren):
                node = node.this
            if not isinstance(node, exp.EQ):
                return ()
            columns.add(column_of(node.this))
            values.append(literal(node.expression))
        if len(columns) == 1 and None not in columns and values and None not in values:
            found[columns.pop()] = values
    return tuple(ValueSet(column=c, values=tuple(dict.fromkeys(v))) for c, v in sorted(found.items()))


def declared_lists(table, dialect: str) -> dict[str, tuple[str, ...]]:
    """column -> the only values it may hold: its enum's (a SET's values combine, so not those), or a
    CHECK constraint that is nothing but a list for it (`status IN ('a', 'b')`; not a list under NOT,
    AND or OR with other conditions). Several lists for one column: the values all of them allow."""
    found: dict[str, tuple[str, ...]] = {}

    def narrow(column: str, values: tuple[str, ...]) -> None:
        found[column] = tuple(v for v in found[column] if v in values) if column in found else values

    for column in table.columns:
        if column.enum_values and column.normalized_type == "enum":
            narrow(column.name, column.enum_values)
    for check in table.check_constraints:
        if len(check.value_sets) == 1 and _only_a_list(check.expression, dialect):
            narrow(check.value_sets[0].column, check.value_sets[0].values)
    return found


@lru_cache(maxsize=4096)
def _only_a_list(expression: str, dialect: str) -> bool:
    """The whole expression is one column's list of values, nothing around it."""
    expression = CHECK_KEYWORD.sub("", expression)
    if _canonical_list(expression) is not None:
        return True
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(expression, read=dialect)
    except Exception:  # noqa: BLE001 - unreadable: not known to be a list
        return False
    while isinstance(tree, exp.Paren):
        tree = tree.this
    if isinstance(tree, exp.In):
        return True
    if isinstance(tree, exp.EQ) and isinstance(tree.expression, exp.Any):
        return True
    return isinstance(tree, exp.Or) and all(isinstance(_unwrapped(node), exp.EQ) for node in tree.flatten())


def _unwrapped(node):
    from sqlglot import exp

    while isinstance(node, exp.Paren):
        node = node.this
    return node
