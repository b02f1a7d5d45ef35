"""Data rules: what only the rows show (JSON in text, test data, unused test flags, columns never
NULL). Each needs a profile and stays silent without one (an offline snapshot). Migrated rows are in
data_migrated, what the values say of their declared types in data_types."""

from __future__ import annotations

import re
from functools import lru_cache

from dayone.catalog.model import Column, Table
from dayone.profile.model import ColumnProfile
from dayone.rules.context import AuditContext
from dayone.rules.evidence import TRUE_TEXT, Sql, any_of, rows_seen, share, true_count
from dayone.rules.naming import words
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

MIN_ROWS_FOR_NOT_NULL = 100  # fewer rows read say too little about a column that is never NULL


JSON_IN_TEXT_ROLLUP = Rollup(
    noun=("column", "columns"),
    says="{n} text columns of {tables} tables in {where} hold JSON documents",
    asks="Are these columns always JSON? What writes them, and can they become JSON columns or be validated?",
)


@rule(name="json-in-text", code="DD401", family="data", scope="column", severity="warning", needs=("catalog", "profile"), rollup=JSON_IN_TEXT_ROLLUP)
def json_in_text(ctx: AuditContext):
    """A text column holds JSON documents.

    ## What it detects
    Text columns (TEXT, VARCHAR, CLOB) most of whose values read by profiling parse as JSON objects
    or arrays. Needs a profile: the schema says only "text".

    ## Why it matters for analytics
    Nothing in the schema says the column is JSON: ELT tools load it as a string, every model has
    to parse it, a value that is not valid JSON breaks that parsing, and the keys inside (often
    the facts metrics need) are invisible to catalogs and data contracts.

    ## Question for the engineering team
    Is this column always JSON? What writes it, and can it become a JSON column (or be validated)?

    ## How to fix
    Change the type to `jsonb` (PostgreSQL) or `JSON` (MySQL/MariaDB); in SQLite declare it JSON and
    add `CHECK (json_valid(col))`. Move the keys metrics depend on into real columns.

    ## What it leaves out
    Columns already of a JSON type (`json-without-schema` asks about their shape), text in which
    fewer than half of the values read are JSON objects or arrays (free text that sometimes quotes
    JSON), JSON scalars (a quoted string or a number parses as JSON but holds no document), and
    columns whose rows were not read: the schema says only "text".
    """
    this = REGISTRY["json-in-text"]
    for schema, table, column in ctx.columns():
        if column.normalized_type not in ("string", "text"):
            continue
        found = ctx.column_profile(schema, table, column)
        if found is None or found[1].json is None:
            continue
        profile, values = found
        shape = values.json
        top_level = sorted((p for p in shape.paths if p.path.count(".") == 1 and "[" not in p.path),
                           key=lambda p: (-p.present, p.path))  # fmt: skip
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} is {column.declared_type} but holds JSON: {shape.documents:,} of "
            f"{values.non_null:,} values read are JSON documents ({profile.how})"
            + (f"; {shape.invalid:,} more look like JSON but do not parse" if shape.invalid else ""),
            f"Is {table.name}.{column.name} always JSON? What writes it, and can it become a JSON column or be validated?",
            declared_type=column.declared_type,
            observed_in=profile.how,
            json_documents=shape.documents,
            invalid_json=shape.invalid,
            non_null_values=values.non_null,
            top_level_keys=[p.path[2:] for p in top_level] or None,
        )


# --- test data ----------------------------------------------------------------------------------

_STEMS = ("test", "tester", "testing", "dummy", "fake", "asdf", "qwerty", "lorem ipsum", "foo", "bar")
# Each label of dayone.profile.accumulate.TEST_PATTERNS as SQL over the lower-cased value: a regular
# expression (PostgreSQL ~, MySQL/MariaDB REGEXP) and the same as GLOB patterns for SQLite (the last
# flag: the value gets a '.' appended, so `[^a-z]*` also matches at its end).
TEST_PREDICATES: dict[str, tuple[str, list[str], bool]] = {
    "@example.com/.org/.net": ("@example[.](com|org|net)$", [f"*@example.{tld}" for tld in ("com", "org", "net")], False),
    "@*.test / @*.invalid / @localhost": (
        "@([a-z0-9_-]+[.])*(test|invalid|localhost|example)$",
        [g for tld in ("test", "invalid", "localhost", "example") for g in (f"*@{tld}", f"*@*.{tld}")],
        False,
    ),
    "disposable mail domain": (
        "@(mailinator|yopmail|guerrillamail|10minutemail|trashmail)[.]",
        [f"*@{d}.*" for d in ("mailinator", "yopmail", "guerrillamail", "10minutemail", "trashmail")],
        False,
    ),
    "load-test account": (
        "load[-_ ]?test|perf[-_]?test|stress[-_]?test",
        [g for w in ("load", "perf", "stress") for g in (f"*{w}test*", f"*{w}[-_ ]test*" if w == "load" else f"*{w}[-_]test*")],
        False,
    ),
    "qa/test plus-address": ("^(qa|test|testing|dev)[+]", [f"{w}+*" for w in ("qa", "test", "testing", "dev")], False),
    "'test' / 'dummy' value": (
        "^(qa[ _-]?)?(" + "|".join(_STEMS) + "|xxx+)([^a-z]|$)",
        [f"{prefix}{stem}" for prefix in ("", "qa", "qa[ _-]") for stem in
         [f"{s}[^a-z]*" for s in _STEMS] + ["xxx[^a-wyz]*"]],  # fmt: skip
        True,
    ),
}
# `qa` alone may say a row passed quality assurance: only qa_account, qa_user... mark test rows.
_FLAG = re.compile(
    r"(is_)?(test|dummy|fake|sandbox)(_(account|user|data|record|row|order|mode|only))?"
    r"|(is_)?qa_(account|user|data|record|order)|test_flag"
)


def test_flags(table: Table) -> list[Column]:
    """is_test, is_dummy, test_account: columns that mark a row as test data."""
    return [c for c in table.columns if _is_test_flag(c.name) and c.normalized_type in ("boolean", "integer", "string")]


@lru_cache(maxsize=1 << 16)  # asked of every column by two rules; names repeat from table to table
def _is_test_flag(name: str) -> bool:
    return _FLAG.fullmatch(words(name)) is not None


TEST_DATA_IN_PRODUCTION_ROLLUP = Rollup(
    says="{n} tables in {where} hold rows that look like test data",
    asks="Are these test rows? Will they be removed before go-live, and how are test rows marked from now on?",
)


@rule(name="test-data-in-production", code="DD403", family="data", scope="table", severity="warning",
      needs=("catalog", "profile"), rollup=TEST_DATA_IN_PRODUCTION_ROLLUP)  # fmt: skip
def test_data_in_production(ctx: AuditContext):
    """Rows that look like test or dummy data live in the production database.

    ## What it detects
    Text values that match test-data patterns (addresses at example.com or .test domains, disposable
    mail domains, qa+1@ plus-addresses, load-test accounts, values such as 'test', 'dummy', 'QA Tester')
    and flags such as is_test or is_dummy that are set, among the rows profiling read. The finding
    counts them by column and gives a SQL predicate that selects them. Values are never reported,
    only which patterns matched.

    ## Why it matters for analytics
    QA and load-test accounts created before go-live are counted as customers, their orders as
    revenue and their logins as activity, unless every model filters them the same way; test rows
    that keep arriving after launch skew metrics quietly.

    ## Question for the engineering team
    Are these test accounts or rows? Will they be removed before go-live, and how are test rows
    created in production marked from now on?

    ## How to fix
    Delete test data before go-live, or mark it (an is_test flag set by the tooling that creates it)
    so that models filter it with one predicate.

    ## What it leaves out
    A test flag no row read sets (`test-flag-unused` asks about it), text inside JSON documents,
    test rows in tables that were not read, and names that merely contain a test word (`contest`,
    `latest`, `Testa Rossa`). A value alone such as 'test' or 'foo' is reported at info level; only
    test domains, plus-addressed QA logins, load-test accounts and set flags make it a warning.
    """
    this = REGISTRY["test-data-in-production"]
    sql = Sql(ctx)
    for schema, table in ctx.tables():
        profile = ctx.table_profile(schema, table)
        if profile is None:
            continue
        columns: dict[str, dict] = {}
        predicates: list[str] = []
        strong = False
        flags = test_flags(table)
        for column in table.columns:
            values = profile.column(column.name)
            if values is None:
                continue
            if column.normalized_type in ("string", "text") and values.test_like and values.json is None:
                labels = [label for label in values.test_examples if label in TEST_PREDICATES]
                columns[column.name] = {"rows": values.test_like, "patterns": list(values.test_examples)}
                strong = strong or any(label != "'test' / 'dummy' value" for label in labels)
                if labels:
                    regex = "|".join(f"({TEST_PREDICATES[label][0]})" for label in labels) if len(labels) > 1 else TEST_PREDICATES[labels[0]][0]
                    globs = [g for label in labels for g in TEST_PREDICATES[label][1]]
                    predicates.append(sql.matches(column, regex, globs, pad=any(TEST_PREDICATES[label][2] for label in labels)))
            elif column in flags:
                flagged = true_count(values)
                if flagged:
                    truthy = [v.value for v in values.top_values if v.value.strip().lower() in TRUE_TEXT]
                    columns[column.name] = {"rows": flagged, "flag": True}
                    predicates.append(sql.is_set(column, truthy))
                    strong = True
        if not columns:
            continue
        most = max(c["rows"] for c in columns.values())
        total, unit = rows_seen(profile)  # the server's statistics count flags among estimated rows
        predicate = any_of(predicates) if predicates else None
        described = "; ".join(
            f"{name}: {facts['rows']:,} " + ("flagged" if facts.get("flag") else f"({', '.join(facts['patterns'])})")
            for name, facts in columns.items()
        )  # fmt: skip
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name} holds rows that look like test data: at least {most:,} of {total:,} {unit} "
            f"({share(most, total)}; {profile.how}) — {described}",
            f"Are these test rows in {table.name}? Will they be removed before go-live, and how are test rows marked from now on?",
            severity=None if strong else "info",
            observed_in=profile.how,
            rows_read=profile.rows_read,
            test_rows_at_least=most,
            columns=columns,
            predicate=predicate,
            query=sql.count_query(schema, table, predicate) if predicate else None,
        )


TEST_FLAG_UNUSED_ROLLUP = Rollup(
    noun=("flag", "flags"),
    says="{n} test-data flags of {tables} tables in {where} are set on no row read",
    asks="Are these test flags still used? How are test rows marked today, and will the flags be set (or dropped) "
    "before go-live?",
)


@rule(name="test-flag-unused", code="DD408", family="data", scope="column", severity="info",
      needs=("catalog", "profile"), rollup=TEST_FLAG_UNUSED_ROLLUP)  # fmt: skip
def test_flag_unused(ctx: AuditContext):
    """A column that marks test data exists, but no row read sets it.

    ## What it detects
    Flags such as is_test, test_account, is_dummy or is_sandbox (boolean, integer or text) that are
    false (or empty) in every row profiling read, or in every row the server's statistics describe
    (PostgreSQL's most common values). Needs rows: an empty table, or one not read, says nothing.

    ## Why it matters for analytics
    A flag nobody sets looks like a filter that works: models exclude `is_test` rows and believe test
    data is gone, while QA accounts are created without it. Either the flag is dead (and can go) or
    the tooling that creates test rows does not set it (and test rows are counted as real ones).

    ## Question for the engineering team
    Is this flag still used? How are test rows marked today, and will the flag be set by whatever
    creates them (or dropped) before go-live?

    ## How to fix
    Have the tooling that creates test accounts and orders set the flag, and filter on it in every
    model; or drop the column so that nobody relies on it.

    ## What it leaves out
    Flags that are set on some row read: that is `test-data-in-production`. Tables with no row read
    (empty, or not profiled), and text flags whose values were not kept (`--no-values`): what they
    hold is unknown.
    """
    this = REGISTRY["test-flag-unused"]
    for schema, table in ctx.tables():
        flags = test_flags(table)
        profile = ctx.table_profile(schema, table) if flags else None
        if profile is None:
            continue
        total, unit = rows_seen(profile)
        if not total:
            continue  # no row read: nothing to say about what the rows hold
        for column in flags:
            values = profile.column(column.name)
            if values is None or values.rows == 0:
                continue
            flagged = _flag_set_count(column, values, profile.method)
            if flagged != 0:
                continue
            yield this.finding(
                ctx.located(schema, table, column),
                f"{table.name}.{column.name} marks test data, but it is set on none of {total:,} {unit} ({profile.how})",
                f"Is {table.name}.{column.name} still used? How are test rows of {table.name} marked today, and will the "
                "flag be set (or dropped) before go-live?",
                observed_in=profile.how,
                rows_read=None if profile.method == "statistics" else profile.rows_read,
                rows_estimated=total if profile.method == "statistics" else None,
                rows_flagged=0,
            )


def _flag_set_count(column: Column, values: ColumnProfile, method: str) -> int | None:
    """Rows whose flag is set, among those read; None when unknown."""
    if values.non_null == 0:
        return 0  # NULL everywhere: never set
    if method == "statistics":
        # the most common values leave out rare ones: only a column of one value is known never set
        one_value = values.distinct_estimate is not None and values.distinct_estimate <= 1
        return true_count(values) if values.top_values and one_value else None
    if values.top_values:
        return true_count(values)
    if column.normalized_type == "boolean":
        return values.trues
    if column.normalized_type == "integer" and values.minimum is not None:
        return 0 if values.minimum == values.maximum == "0" else None
    return None


# --- nullable, never null ---------------------------------------------------------------------


NULLABLE_NEVER_NULL_ROLLUP = Rollup(
    noun=("column", "columns"),
    says="{n} nullable columns of {tables} tables in {where} held a value in every row read",
    asks="Are these columns always set by the application? Can they be declared NOT NULL, or when are they empty?",
)


@rule(name="nullable-never-null", code="DD404", family="data", scope="column", severity="info", needs=("catalog", "profile"), rollup=NULLABLE_NEVER_NULL_ROLLUP)
def nullable_never_null(ctx: AuditContext):
    """A nullable column that held no NULL in any row read.

    ## What it detects
    Columns declared NULL-able in which profiling found a value in every row read (at least 100
    rows). After a full scan this is a fact about today's data; after a sample it is a hint.

    ## Why it matters for analytics
    Whether a column can be empty decides how models treat it (inner or outer joins, defaults in
    metrics, not_null tests). A column that is always filled but declared nullable leaves that
    undecided: the first NULL after a release breaks a join or a dashboard without warning.

    ## Question for the engineering team
    Is this column always set by the application? If so, can it be declared NOT NULL; if not, when
    is it empty?

    ## How to fix
    `ALTER TABLE t ALTER COLUMN c SET NOT NULL` (PostgreSQL), `MODIFY c <type> NOT NULL`
    (MySQL/MariaDB); or document when the column is empty, and test it in the warehouse.

    ## What it leaves out
    Columns with fewer than 100 rows read (too few to say anything), generated columns (the server
    computes them), and columns already declared NOT NULL. A sample is reported as a hint, never as
    a fact about the whole table.
    """
    this = REGISTRY["nullable-never-null"]
    for schema, table, column in ctx.columns():
        if not column.nullable or column.generated:
            continue
        found = ctx.column_profile(schema, table, column)
        if found is None:
            continue
        profile, values = found
        if values.nulls or values.rows < MIN_ROWS_FOR_NOT_NULL:
            continue
        full = profile.method == "full"
        estimated = profile.method == "statistics"  # no NULL among the rows the server's ANALYZE sampled
        total, unit = rows_seen(profile)
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} is nullable but "
            + (f"the server's statistics show no NULL in it ({total:,} rows estimated); a hint" if estimated else
               f"held a value in every one of {values.rows:,} rows read ({profile.how})" + ("" if full else "; a sample, so a hint")),
            f"Is {table.name}.{column.name} always set by the application? Can it be declared NOT NULL, or when is it empty?",
            observed_in=profile.how,
            rows_read=None if estimated else values.rows,
            rows_estimated=total if estimated else None,
            nulls=0,
            definitive=full,
        )  # fmt: skip
