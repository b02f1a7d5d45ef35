"""Value sets from CHECK expressions as each server prints them (no server needed: literal text)."""

from __future__ import annotations

import pytest

from dayone.catalog.checks import value_sets
from dayone.catalog.model import ValueSet


@pytest.mark.parametrize(
    "expression",
    [
        # information_schema.CHECK_CONSTRAINTS on MySQL 8 writes every string with a charset introducer
        "(`status` in (_utf8mb4'new',_utf8mb4'paid',_utf8mb4'shipped'))",
        "CHECK (`status` in (_utf8mb4'new', _utf8mb4 'paid', _latin1'shipped'))",
        "((`status` = _utf8mb4'new') or (`status` = _utf8mb4'paid') or (`status` = _utf8mb4'shipped'))",
        "(`status` in (_utf8mb4'new' collate utf8mb4_bin,_utf8mb4'paid',_binary'shipped'))",
        # MariaDB and hand-written forms keep working
        "`status` in ('new','paid','shipped')",
        "`status` IN('new', 'paid', 'shipped')",
    ],
)
def test_mysql_in_lists_with_or_without_introducers(expression):
    assert value_sets(expression, "mysql") == (ValueSet(column="status", values=("new", "paid", "shipped")),)


def test_introducer_values_are_unescaped_and_kept_whole():
    expression = "(`kind` in (_utf8mb4'it\\'s',_utf8mb4'a,b',_utf8mb4'_utf8mb4''x',_utf8mb4''))"
    assert value_sets(expression, "mysql") == (ValueSet(column="kind", values=("it's", "a,b", "_utf8mb4'x", "")),)


def test_a_list_with_a_non_literal_is_not_a_value_set():
    assert value_sets("(`status` in (_utf8mb4'new',`other_column`))", "mysql") == ()
    assert value_sets("((`status` = _utf8mb4'new') or (`other` = _utf8mb4'paid'))", "mysql") == ()


def test_postgres_arrays_still_give_value_sets():
    expression = "CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text])))"
    assert value_sets(expression, "postgres") == (ValueSet(column="status", values=("new", "paid")),)


# --- the canonical forms read without sqlglot give what sqlglot gives ---------------------------

CANONICAL = [
    ("(a = ANY (ARRAY['x'::text, 'it''s'::text]))", "postgres"),
    ("((b)::text = ANY ((ARRAY['p'::character varying, 'q'::character varying])::text[]))", "postgres"),
    ("(\"Odd Col\" = ANY (ARRAY['m'::text]))", "postgres"),
    ("((\"we\"\"ird\")::text = ANY ((ARRAY['a'::character varying, 'a'::character varying])::text[]))", "postgres"),
    ("(status = ANY (ARRAY['new'::text, 'a, b'::text, ''::text]))", "postgres"),
    ("`odd col` in ('m','n')", "mysql"),
    ("(`status` in ('new','paid'))", "mysql"),
    ("`status` IN('new', 'paid', 'shipped')", "mysql"),
    ("`quo``te` in ('x','it''s','a,b')", "mysql"),
]
NOT_CANONICAL = [
    ("(n = ANY (ARRAY[1, 2]))", "postgres"),  # numbers
    ("(((e)::text = 'a'::text) OR ((e)::text = 'b'::text))", "postgres"),  # an OR chain
    ("((a = ANY (ARRAY['x'::text])) AND (b = ANY (ARRAY['y'::text])))", "postgres"),  # two lists
    ("((a = ANY (ARRAY['x'::text]))", "postgres"),  # unbalanced
    ("(a = ANY (ARRAY['x'::text])) OR (b > 0)", "postgres"),
    ("`a` in ('x','it\\'s')", "mysql"),  # a backslash escape, as MariaDB prints a quote
    ("`a` in ('x', `b`)", "mysql"),
    ("`a` not in ('x','y')", "mysql"),
]


@pytest.mark.parametrize("expression, dialect", CANONICAL)
def test_canonical_lists_are_read_without_the_parser_and_agree_with_it(expression, dialect):
    from dayone.catalog.checks import _canonical_list, _parse

    assert _canonical_list(expression) is not None
    assert _canonical_list(expression) == _parse(expression, dialect) != ()


@pytest.mark.parametrize("expression, dialect", NOT_CANONICAL)
def test_other_forms_go_to_the_parser(expression, dialect):
    from dayone.catalog.checks import _canonical_list, _parse

    assert _canonical_list(expression) is None
    assert value_sets(expression, dialect) == _parse(expression, dialect)
