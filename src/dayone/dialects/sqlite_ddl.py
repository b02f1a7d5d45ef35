"""Reading what only SQLite's stored DDL says: constraint names, CHECK and generated expressions,
trigger timing and events, view bodies, index expressions, and `-- ` comments.

SQLite keeps each object's CREATE statement verbatim in sqlite_master; its pragmas give columns,
keys and indexes but not these. sqlglot's parser rejects valid SQLite DDL (`WITHOUT ROWID`,
`ON CONFLICT`, type names like `unsigned big int`), so this module walks sqlglot's *tokens* (which
handle every quoting style, strings and comments) and hands only expressions to sqlglot's parser
(through `catalog.checks.value_sets`). Anything unreadable yields nothing rather than an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot.tokens import Token, TokenType

_QUOTED = (TokenType.IDENTIFIER, TokenType.STRING)
_COLUMN_CLAUSE_ENDS = {"NOT", "NULL", "DEFAULT", "COLLATE"}


@dataclass(frozen=True)
class DdlConstraint:
    kind: str  # "primary key" | "unique" | "check" | "foreign key"
    name: str | None
    columns: tuple[str, ...] = ()  # the constrained columns (a column-level constraint: its column)
    expression: str | None = None  # CHECK expression as written


@dataclass
class DdlTable:
    constraints: list[DdlConstraint] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)  # lower column name -> expression
    column_comments: dict[str, str] = field(default_factory=dict)  # lower column name -> comment
    comment: str | None = None
    without_rowid: bool = False


def _tokens(sql: str | None) -> list[Token]:
    if not sql:
        return []
    from sqlglot.dialects.dialect import Dialect

    try:
        return list(Dialect.get_or_raise("sqlite").tokenize(sql))
    except Exception:  # a statement sqlglot cannot tokenize simply tells us nothing more
        return []


def _word(token: Token) -> str | None:
    """The (first) keyword a token spells, upper case, or None for a quoted identifier or string.
    sqlglot folds some pairs into one token ("PRIMARY KEY", "FOREIGN KEY"): those give the first."""
    if token.token_type in _QUOTED or not token.text.strip():
        return None
    return token.text.split()[0].upper()


def _close(tokens: list[Token], i: int) -> int:
    """Index of the parenthesis closing the one at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _split(tokens: list[Token]) -> list[list[Token]]:
    """Split a token run at commas outside parentheses."""
    items: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        if token.token_type == TokenType.COMMA and depth == 0:
            items.append([])
        else:
            items[-1].append(token)
    return [item for item in items if item]


def _text(sql: str, tokens: list[Token]) -> str:
    return sql[tokens[0].start : tokens[-1].end + 1] if tokens else ""


def _names(tokens: list[Token]) -> tuple[str, ...]:
    """Column names of a `(a COLLATE nocase, "b" DESC)` list: the first token of each item."""
    return tuple(item[0].text for item in _split(tokens))


def _comments(gap: str) -> list[tuple[bool, str]]:
    """Comments in the text between two tokens, each with whether it starts on the gap's first line."""
    found = []
    for match in re.finditer(r"--([^\n]*)|/\*(.*?)(?:\*/|$)", gap, flags=re.DOTALL):
        text = " ".join((match.group(1) if match.group(1) is not None else match.group(2)).split())
        if text:
            found.append(("\n" not in gap[: match.start()], text))
    return found


def _skip_name(tokens: list[Token], i: int) -> int:
    """Index after `[IF NOT EXISTS] [schema.]name` starting at tokens[i]."""
    if i + 2 < len(tokens) and [_word(t) for t in tokens[i : i + 3]] == ["IF", "NOT", "EXISTS"]:
        i += 3
    i += 1
    if i + 1 < len(tokens) and tokens[i].token_type == TokenType.DOT:
        i += 2
    return i


def _index_of_word(tokens: list[Token], words: set[str], start: int = 0) -> int | None:
    return next((i for i in range(start, len(tokens)) if _word(tokens[i]) in words), None)


def parse_create_table(sql: str | None) -> DdlTable:
    """Constraints, generated expressions and comments of a `CREATE TABLE` statement."""
    table = DdlTable()
    tokens = _tokens(sql)
    keyword = _index_of_word(tokens, {"TABLE"})
    if sql is None or keyword is None or any(_word(t) == "VIRTUAL" for t in tokens[:keyword]):
        return table
    open_at = _skip_name(tokens, keyword + 1)
    if open_at >= len(tokens) or tokens[open_at].token_type != TokenType.L_PAREN:
        return table
    close_at = _close(tokens, open_at)
    table.without_rowid = "WITHOUT" in {_word(t) for t in tokens[close_at + 1 :]}
    items = _split(tokens[open_at + 1 : close_at])
    if not items:
        return table
    lead = _comments(sql[tokens[open_at - 1].end + 1 : tokens[open_at].start])
    lead += [c for c in _comments(sql[tokens[open_at].end + 1 : items[0][0].start]) if c[0]]
    table.comment = " ".join(text for _, text in lead) or None
    for n, item in enumerate(items):
        if _word(item[0]) in {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}:
            table.constraints.extend(_table_constraint(sql, item))
            continue
        column = item[0].text
        table.constraints.extend(_column_constraints(sql, item, table.generated))
        # A column's comment: on the line where its definition ends, else on the lines just above it.
        before_end = items[n - 1][-1].end + 1 if n else tokens[open_at].end + 1
        after_end = items[n + 1][0].start if n + 1 < len(items) else tokens[close_at].start
        trailing = [text for same, text in _comments(sql[item[-1].end + 1 : after_end]) if same]
        leading = [text for same, text in _comments(sql[before_end : item[0].start]) if not same]
        if trailing or leading:
            table.column_comments[column.lower()] = " ".join(trailing or leading)
    return table


def _table_constraint(sql: str, item: list[Token]) -> list[DdlConstraint]:
    name = None
    i = 0
    if _word(item[0]) == "CONSTRAINT" and len(item) > 1:
        name, i = item[1].text, 2
    if i >= len(item):
        return []
    kind = _word(item[i])
    paren = next((j for j in range(i, len(item)) if item[j].token_type == TokenType.L_PAREN), None)
    if paren is None:
        return []
    inner = item[paren + 1 : _close(item, paren)]
    if kind == "CHECK":
        return [DdlConstraint("check", name, expression=_text(sql, inner))]
    kinds = {"PRIMARY": "primary key", "UNIQUE": "unique", "FOREIGN": "foreign key"}
    return [DdlConstraint(kinds[kind], name, columns=_names(inner))] if kind in kinds else []


def _column_constraints(sql: str, item: list[Token], generated: dict[str, str]) -> list[DdlConstraint]:
    column = item[0].text
    found: list[DdlConstraint] = []
    name: str | None = None
    i = 1
    while i < len(item):
        word = _word(item[i])
        if word == "CONSTRAINT" and i + 1 < len(item):
            name, i = item[i + 1].text, i + 2
            continue
        if word in ("PRIMARY", "UNIQUE", "REFERENCES"):
            kind = {"PRIMARY": "primary key", "UNIQUE": "unique", "REFERENCES": "foreign key"}[word]
            found.append(DdlConstraint(kind, name, columns=(column,)))
            name = None
            if word == "REFERENCES":  # skip the referenced table and its column list
                i += 1
                if i + 1 < len(item) and item[i + 1].token_type == TokenType.L_PAREN:
                    i = _close(item, i + 1)
        elif word in ("CHECK", "AS") and i + 1 < len(item) and item[i + 1].token_type == TokenType.L_PAREN:
            end = _close(item, i + 1)
            expression = _text(sql, item[i + 2 : end])
            if word == "CHECK":
                found.append(DdlConstraint("check", name, columns=(column,), expression=expression))
            else:
                generated[column.lower()] = expression
            name, i = None, end
        elif item[i].token_type == TokenType.L_PAREN:  # a type's (10, 2) or a DEFAULT (expression)
            i = _close(item, i)
        elif word in _COLUMN_CLAUSE_ENDS:
            name = None
        i += 1
    return found


def parse_trigger(sql: str | None) -> tuple[str, tuple[str, ...]]:
    """(timing, events) of a `CREATE TRIGGER`: SQLite's default timing is BEFORE."""
    tokens = _tokens(sql)
    keyword = _index_of_word(tokens, {"TRIGGER"})
    if keyword is None:
        return "BEFORE", ()
    i = _skip_name(tokens, keyword + 1)
    words = [_word(t) for t in tokens[i : i + 3]]
    timing = "BEFORE"
    if words[:1] == ["BEFORE"] or words[:1] == ["AFTER"]:
        timing, i = words[0], i + 1
    elif words[:2] == ["INSTEAD", "OF"]:
        timing, i = "INSTEAD OF", i + 2
    event = _word(tokens[i]) if i < len(tokens) else None
    return timing, (event,) if event in ("INSERT", "UPDATE", "DELETE") else ()


def parse_view(sql: str | None) -> str | None:
    """The query of a `CREATE VIEW name [(columns)] AS query`, as written."""
    tokens = _tokens(sql)
    keyword = _index_of_word(tokens, {"VIEW"})
    if sql is None or keyword is None:
        return None
    i = _skip_name(tokens, keyword + 1)
    if i < len(tokens) and tokens[i].token_type == TokenType.L_PAREN:
        i = _close(tokens, i) + 1
    if i + 1 < len(tokens) and _word(tokens[i]) == "AS":
        return sql[tokens[i + 1].start :].strip().rstrip(";").strip()
    return None


def parse_index(sql: str | None) -> tuple[list[str], str | None]:
    """(the indexed items as written, the partial index's WHERE predicate) of a `CREATE INDEX`."""
    tokens = _tokens(sql)
    on = _index_of_word(tokens, {"ON"})
    if sql is None or on is None:
        return [], None
    paren = next((j for j in range(on, len(tokens)) if tokens[j].token_type == TokenType.L_PAREN), None)
    if paren is None:
        return [], None
    close = _close(tokens, paren)
    items = []
    for item in _split(tokens[paren + 1 : close]):
        while len(item) > 1 and _word(item[-1]) in ("ASC", "DESC"):
            item = item[:-1]
        items.append(_text(sql, item))
    where = _index_of_word(tokens, {"WHERE"}, close + 1)
    predicate = _text(sql, tokens[where + 1 :]) if where is not None and where + 1 < len(tokens) else None
    return items, predicate
