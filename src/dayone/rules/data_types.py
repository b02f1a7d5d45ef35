"""Data rules on types: what the values read say that the declared type does not (dates and flags in
text, Unix times in integers), money kept in floating point, and values outside a declared list.
Values of personal columns are never quoted: only counts and shapes."""

from __future__ import annotations

from functools import lru_cache

import re
from datetime import datetime, timezone

from dayone.catalog.checks import declared_lists
from dayone.catalog.model import Column, Table
from dayone.profile.model import ColumnProfile, TableProfile
from dayone.rules.context import AuditContext
from dayone.rules.naming import holds_time, is_created_name, is_updated_name, words
from dayone.rules.personal import personal_by_values, personal_columns
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup, columns_in

MIN_VALUES = 10  # fewer values read say too little about what a column holds
MOSTLY = 0.9  # a shape must hold for nine in ten values read
DAY = 86_400

# Names that say a number is not a time even when its values fall in the range of Unix times.
_NOT_TIME = re.compile(r"(\w+_)?(id|ids|key|no|num|number|nr|code|count|qty|quantity|amount|price|total|sum|size|bytes|"
                       r"phone|zip|version|seq|sequence|rank|score|position|hash|checksum|port|pid|ref|reference)")  # fmt: skip
# Names of yes/no flags: an integer column named so, holding only 0 and 1, is a boolean in all but its type.
_FLAG = re.compile(r"(is|has|can|was|should|allow|allows|enable|disable|show|hide|use|needs?)_\w+|\w+_(flag|enabled|disabled)"
                   r"|active|enabled|disabled|deleted|visible|hidden|archived|verified|confirmed|published|locked|"
                   r"blocked|approved|featured|default|primary|flag")  # fmt: skip


def _is_reference_like(ctx: AuditContext, table: Table, column: Column) -> bool:
    """A key, a foreign key or a generated id: its numbers are identities, never times."""
    if column.identity or ctx.foreign_key_of(table, column) is not None:
        return True
    return bool(table.primary_key and column.name in table.primary_key.columns)


# --- type-contradicted-by-data -------------------------------------------------------------------

_DATE_FORMATS = (
    ("iso_dates", "ISO-8601 date (YYYY-MM-DD)"),
    ("iso_naive", "ISO-8601 date-time without offset"),
    ("iso_offsets", "ISO-8601 date-time with offset"),
    ("day_first", "D/M/YYYY (day first)"),
    ("month_first", "M/D/YYYY (month first, US)"),
    ("slash_ambiguous", "D/M/YYYY or M/D/YYYY (no day above 12 read)"),
    ("epoch_text", "Unix time as digits"),
)


def date_formats(values: ColumnProfile) -> dict[str, int]:
    """The formats of dates and times the text values read are in, each with its count."""
    counts = {
        "iso_dates": values.iso_dates,
        "iso_naive": values.iso_datetimes - values.iso_offsets,
        "iso_offsets": values.iso_offsets,
        "day_first": values.day_first,
        "month_first": values.month_first,
        "slash_ambiguous": values.slash_dates - values.day_first - values.month_first,
        "epoch_text": values.epoch_text,
    }
    return {label: counts[key] for key, label in _DATE_FORMATS if counts[key]}


TYPE_CONTRADICTED_ROLLUP = Rollup(
    noun=("column", "columns"),
    says="{n} columns of {tables} tables in {where} hold dates, times or yes/no flags that their declared type does not say",
    asks="In which format (and time zone) are the values of these columns written, which values mean yes, and can "
    "the columns get the types that say so?",
)


@rule(name="type-contradicted-by-data", code="DD405", family="data", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=TYPE_CONTRADICTED_ROLLUP)  # fmt: skip
def type_contradicted_by_data(ctx: AuditContext):
    """The values read are of another kind than the column's declared type.

    ## What it detects
    With a profile (at least 10 values read), columns whose values are something their type does
    not say: text that holds dates or times (nine in ten values or more; the finding counts each
    format: ISO-8601 dates, date-times with and without an offset, day-first and month-first
    slashes, Unix times as digits), text that holds only yes/no values ('Y'/'N', 'yes'/'no',
    'true'/'false', 't'/'f', or '0' and '1'), numbers that are all plausible Unix times (seconds or
    milliseconds between 2000 and ten years from now), and integer flags (is_active...) that hold
    only 0 and 1 (info). Values of personal columns are never quoted.

    ## Why it matters for analytics
    The warehouse copies the declared type: dates in text sort as strings, compare wrongly and
    break on the first value in another format (03/04/2026: March or April?); Unix times need a
    conversion every model must get right (seconds or milliseconds, UTC); flags in text need every
    model to agree which spellings mean yes.

    ## Question for the engineering team
    In which format and time zone does the application write this column, is it the same in every
    code path, and can the column get the type that says so (date, timestamp, boolean)?

    ## How to fix
    Convert the column to its real type (`ALTER TABLE t ALTER COLUMN c TYPE timestamptz USING
    to_timestamp(c)`, `... TYPE boolean USING c = 'Y'`; MySQL/MariaDB: a new column filled by an
    UPDATE, then swapped), or document the format and test it in the warehouse. In SQLite, which has
    no date type, write ISO-8601 text in one format, with its offset.

    ## What it leaves out
    Columns with fewer than 10 values read, and shapes held by fewer than nine in ten values (a
    column that mixes dates with free text is free text). In SQLite, which has no date type,
    ISO-8601 text is the convention and is reported only when its formats are mixed or not ISO.
    Numbers that are keys, foreign keys or identities are never taken for times; numbers whose name
    says they are something else (counts, amounts, ids, versions, phone numbers) are taken for times
    only when their name also says time (created_at, expires_ts); other numbers only when their
    values span more than a day. Digits in text are taken for Unix times only when the column's name
    says time. Money kept in floating point is `money-in-float`, values outside a declared list
    `values-outside-declared-list`.
    """
    this = REGISTRY["type-contradicted-by-data"]
    native_dates = ctx.capabilities.has_date_types
    for schema, table in ctx.tables():
        profile = ctx.table_profile(schema, table)
        if profile is None or profile.method not in ("sample", "full"):
            continue
        personal = None
        for column in table.columns:
            values = profile.column(column.name)
            if values is None or values.non_null < MIN_VALUES:
                continue
            if personal is None:
                personal = personal_columns(table)
            private = column.name in personal or personal_by_values(values) is not None
            kind = column.normalized_type
            found = None
            if kind in ("string", "text"):
                found = _dates_in_text(column, values, native_dates) or _flags_in_text(column, values, private)
            elif kind in ("integer", "decimal", "float") and not _is_reference_like(ctx, table, column):
                found = _epoch_numbers(column, values, private) or _integer_flag(column, values)
            if found is None:
                continue
            what, question, evidence, severity = found
            yield this.finding(
                ctx.located(schema, table, column),
                f"{table.name}.{column.name} is {column.declared_type} but {what} ({profile.how})",
                question.format(column=f"{table.name}.{column.name}"),
                severity=severity,
                declared_type=column.declared_type,
                observed_in=profile.how,
                values_read=values.non_null,
                **evidence,
            )


def _dates_in_text(column: Column, values: ColumnProfile, native_dates: bool):
    formats = date_formats(values)
    total = sum(formats.values())
    if total < MIN_VALUES or total < MOSTLY * values.non_null:
        return None
    iso = {"ISO-8601 date (YYYY-MM-DD)", "ISO-8601 date-time without offset", "ISO-8601 date-time with offset"}
    if set(formats) == {"Unix time as digits"} and not holds_time(column):
        return None  # ten digits may be a phone number or an id: only a name that says time makes them times
    if not native_dates and set(formats) <= iso and not {"ISO-8601 date-time without offset", "ISO-8601 date-time with offset"} <= set(formats):
        return None  # SQLite's convention: ISO-8601 text in one form
    listed = ", ".join(f"{count:,} {label}" for label, count in formats.items())
    mixed = len(formats) > 1
    what = (f"holds dates and times as text in {len(formats)} formats: {listed} of {values.non_null:,} values read"
            if mixed else f"holds dates or times as text: {listed} of {values.non_null:,} values read")  # fmt: skip
    question = ("In which format and time zone does the application write {column}"
                + (", and why in several formats" if mixed else "") + "? Can it become a date or timestamp column?")
    return what, question, {"date_formats": formats, "mixed_formats": mixed or None}, None


def _flags_in_text(column: Column, values: ColumnProfile, private: bool):
    flags = values.boolean_words + values.boolean_digits
    if flags < MIN_VALUES or flags != values.non_null:
        return None
    if not values.boolean_words and values.distinct != 2:
        return None  # only '1' (or only '0'): a number as much as a flag
    listed = ", ".join(f"'{v.value}' {v.count:,}" for v in values.top_values) if values.top_values and not private else None
    what = f"holds only yes/no values as text ({listed})" if listed else f"holds only yes/no values as text ({values.non_null:,} values read)"
    evidence = {"observed_values": {v.value: v.count for v in values.top_values} if listed else None}
    return what, "Is {column} a yes/no flag? Which values mean yes, can it be empty, and can it become a boolean?", evidence, None


def _epoch_numbers(column: Column, values: ColumnProfile, private: bool):
    named = holds_time(column) or is_created_name(column.name) or is_updated_name(column.name)
    for count, unit, scale in ((values.epoch_seconds, "seconds", 1), (values.epoch_millis, "milliseconds", 1000)):
        if count < MIN_VALUES or count != values.non_null:
            continue
        low, high = _as_number(values.minimum), _as_number(values.maximum)
        if not named:
            if _NOT_TIME.fullmatch(words(column.name)) or low is None or high is None or high - low < DAY * scale:
                return None  # numbers in the range of Unix times, but nothing else says they are times
        span = None
        if low is not None and high is not None and not private:
            span = [_day(low / scale), _day(high / scale)]
        what = f"all {count:,} values read are Unix times in {unit}" + (f" ({span[0]} to {span[1]})" if span else "")
        question = f"Is {{column}} a Unix time in {unit} (UTC)? Can it become a timestamp column, and what converts it until then?"
        return what, question, {"epoch_unit": unit, "epoch_range": span}, None
    return None


def _integer_flag(column: Column, values: ColumnProfile):
    if column.normalized_type != "integer" or values.non_null < MIN_VALUES or not _FLAG.fullmatch(words(column.name)):
        return None
    if values.minimum != "0" or values.maximum != "1":
        return None
    what = f"holds only 0 and 1 in the {values.non_null:,} values read: a yes/no flag stored as a number"
    return what, "Is {column} a yes/no flag, and can it become a boolean (or be documented as one)?", {}, "info"


def _as_number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).date().isoformat()


# --- money-in-float ------------------------------------------------------------------------------

_MONEY = re.compile(
    r"(\w+_)?(price|prices|amount|amt|total|subtotal|sub_total|grand_total|cost|costs|balance|fee|fees|revenue|salary|"
    r"wage|wages|payment|paid|charge|charges|refund|refunded|debit|budget|income|expense|expenses|spend|spent|earnings|"
    r"payout|commission|tip|tips|deposit|fare|rent|money|cents|tax_amount|discount_amount|credit_amount|vat_amount)"
    r"(_(amount|cents|value|total|usd|eur|gbp|local|net|gross|incl_tax|excl_tax))?"
)


def is_money_name(column: Column) -> bool:
    return _is_money_word(column.name)


@lru_cache(maxsize=1 << 16)  # every column of a big schema is asked, by the rule and its praise
def _is_money_word(name: str) -> bool:
    return _MONEY.fullmatch(words(name)) is not None


MONEY_IN_FLOAT_ROLLUP = Rollup(
    noun=("column", "columns"),
    says="{n} of {total} floating-point columns in {where} are named like amounts of money",
    asks="Are these columns amounts of money? In which currency and with how many decimals, and can they become exact "
    "decimals before go-live?",
    total=lambda ctx, schema: columns_in(ctx, schema, lambda t, c: c.normalized_type == "float"),
)


def _money_in_float_praise(ctx: AuditContext, found: list) -> str | None:
    if found:
        return None
    exact = sum(1 for _, _, c in ctx.columns() if c.normalized_type in ("decimal", "integer") and is_money_name(c))
    return f"every amount of money is kept in an exact type ({exact:,} column{'s' if exact != 1 else ''} named like amounts)" if exact else None


@rule(name="money-in-float", code="DD406", family="data", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=MONEY_IN_FLOAT_ROLLUP, praise=_money_in_float_praise)  # fmt: skip
def money_in_float(ctx: AuditContext):
    """An amount of money is kept in a floating-point column.

    ## What it detects
    Columns of a binary floating-point type (`real`, `double precision`, `FLOAT`, `DOUBLE`, SQLite
    `REAL`) named like an amount of money: price, amount, total, subtotal, cost, balance, fee,
    revenue, salary, payment, charge, refund, payout, commission, deposit... The schema alone says
    it; with a profile the finding also counts the values read with more than two decimals (0.1 +
    0.2 stored as 0.30000000000000004).

    ## Why it matters for analytics
    Binary floating point cannot hold most decimal fractions exactly: sums of many amounts drift by
    cents, equal amounts compare unequal, and revenue reconciled against the payment provider never
    quite matches. Every model then rounds, each in its own way.

    ## Question for the engineering team
    Is this column an amount of money? In which currency and with how many decimals, and can it
    become an exact decimal before go-live?

    ## How to fix
    `ALTER TABLE t ALTER COLUMN c TYPE numeric(12, 2)` (PostgreSQL), `MODIFY c DECIMAL(12, 2)`
    (MySQL/MariaDB), or keep integer cents (`amount_cents bigint`); in SQLite store integer cents.

    ## What it leaves out
    Exact types (numeric, DECIMAL, integers of cents) are never reported, nor floating-point columns
    named like rates, ratios, percentages, scores, weights or coordinates: they are measurements,
    for which floating point is right. A bare `tax`, `discount` or `credit` may be a rate or a count
    of points and is left out; `tax_amount` is not.
    """
    this = REGISTRY["money-in-float"]
    for schema, table, column in ctx.columns():
        if column.normalized_type != "float" or not is_money_name(column):
            continue
        found = ctx.column_profile(schema, table, column)
        noisy = ""
        if found and found[0].method in ("sample", "full") and found[1].non_null:
            profile, values = found
            noisy = (f"; {values.beyond_cents:,} of {values.non_null:,} values read have more than two decimals ({profile.how})"
                     if values.beyond_cents else f"; every one of {values.non_null:,} values read has at most two decimals ({profile.how})")  # fmt: skip
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} is {column.declared_type}, a binary floating-point type, for what its name says is "
            f"an amount of money{noisy}",
            f"Is {table.name}.{column.name} an amount of money? In which currency and with how many decimals, and can it "
            "become an exact decimal?",
            declared_type=column.declared_type,
            observed_in=found[0].how if noisy else None,
            values_read=found[1].non_null if noisy else None,
            values_beyond_cents=found[1].beyond_cents if noisy else None,
        )


# --- values-outside-declared-list ----------------------------------------------------------------

VALUES_OUTSIDE_ROLLUP = Rollup(
    noun=("column", "columns"),
    says="{n} columns of {tables} tables in {where} hold values outside the list their enum or CHECK constraint declares",
    asks="How did values outside the declared lists get in (rows older than the constraint, checks switched off, a "
    "server that did not enforce them), what do they mean, and will they be corrected?",
)


def _values_outside_praise(ctx: AuditContext, found: list) -> str | None:
    if found or ctx.profile is None:
        return None
    dialect = ctx.capabilities.sqlglot_dialect
    checked = 0
    for schema, table in ctx.tables():
        profile = ctx.table_profile(schema, table)
        if profile is not None and profile.rows_read and (table.check_constraints or any(c.enum_values for c in table.columns)):
            checked += sum(1 for name in declared_lists(table, dialect) if (v := profile.column(name)) is not None and v.non_null)
    return f"every value read lies within its column's declared list ({checked:,} column{'s' if checked != 1 else ''} with an ENUM or CHECK list)" if checked else None


@rule(name="values-outside-declared-list", code="DD407", family="data", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=VALUES_OUTSIDE_ROLLUP, praise=_values_outside_praise)  # fmt: skip
def values_outside_declared_list(ctx: AuditContext):
    """Rows hold values that the column's enum or CHECK list does not allow.

    ## What it detects
    Columns declared to hold only a list of values (an ENUM, or a CHECK constraint that is just
    `col IN (...)`) in which profiling read other values, compared as the server compares text
    (MySQL/MariaDB collations ignore case and trailing spaces). The finding names the likely cause
    from the catalog: a PostgreSQL constraint added NOT VALID (rows already there were never
    checked), the empty string MySQL/MariaDB store for a value an ENUM refused while `sql_mode` was
    not strict, or checks switched off when the rows were written (MariaDB `check_constraint_checks`,
    SQLite `ignore_check_constraints`, MySQL before 8.0.16, which parsed CHECK and ignored it).

    ## Why it matters for analytics
    Analysts trust a declared list: models map each value to a meaning, accepted-values tests are
    generated from it, and dashboards group by it. Values outside it fall through every CASE, fail
    those tests in the warehouse, or vanish from reports.

    ## Question for the engineering team
    How did these values get in, what do they mean, and will the rows be corrected (or the list
    extended) before go-live?

    ## How to fix
    Correct or map the rows, then enforce the list: `ALTER TABLE t VALIDATE CONSTRAINT c`
    (PostgreSQL), a strict `sql_mode` (MySQL/MariaDB), checks never switched off in sessions that
    write.

    ## What it leaves out
    CHECK constraints that are more than one list (a list under NOT, AND or OR with other
    conditions), SET columns (their values combine), and columns whose values were not read. NULL
    is never outside a list: CHECK lets it through. Values of personal columns are counted, never
    quoted.
    """
    this = REGISTRY["values-outside-declared-list"]
    dialect = ctx.capabilities.sqlglot_dialect
    fold = (lambda text: text.casefold().rstrip(" ")) if ctx.capabilities.text_ignores_case else (lambda text: text)
    for schema, table in ctx.tables():
        profile = ctx.table_profile(schema, table)
        if profile is None or not (table.check_constraints or any(c.enum_values for c in table.columns)):
            continue
        lists = declared_lists(table, dialect)
        personal = personal_columns(table) if lists else {}
        for name, allowed in lists.items():
            column, values = table.column(name), profile.column(name)
            if column is None or values is None:
                continue
            permitted = {fold(v) for v in allowed}
            seen = {v.value: v.count for v in values.top_values if fold(v.value) not in permitted}
            rows = max(values.outside_list, sum(seen.values()))
            if not rows:
                continue
            private = name in personal or personal_by_values(values) is not None
            yield _outside(this, ctx, schema, table, column, profile, values, allowed, rows, None if private else seen)


def _outside(this, ctx: AuditContext, schema, table: Table, column: Column, profile: TableProfile, values: ColumnProfile,
             allowed: tuple[str, ...], rows: int, seen: dict[str, int] | None):  # fmt: skip
    checks = [c for c in table.check_constraints if any(vs.column == column.name for vs in c.value_sets)]
    not_valid = [c.name or c.expression for c in checks if not c.validated]
    declared = "its ENUM" if column.enum_values and not checks else f"CHECK {checks[0].name}" if checks and checks[0].name else "its CHECK constraint"
    if not_valid:
        cause = (f"the constraint {', '.join(not_valid)} is NOT VALID: the rows already there when it was added were "
                 "never checked")  # fmt: skip
    elif column.enum_values and seen is not None and set(seen) == {""} and not ctx.capabilities.has_enum_types:
        cause = "the empty string is what MySQL/MariaDB store for a value the ENUM refused while sql_mode was not strict"
    else:
        cause = "the server did not enforce the list when these rows were written (checks switched off, an older server)"
    total, unit = (profile.rows_estimated or 0, "rows (estimated)") if profile.method == "statistics" else (values.rows, "rows read")
    listed = ", ".join(f"{v!r} ({n:,})" for v, n in list(seen.items())[:8]) if seen else ""
    shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    return this.finding(
        ctx.located(schema, table, column),
        f"{table.name}.{column.name} may hold only {shown} ({declared}), yet {rows:,} of {total:,} {unit} hold other "
        f"values{': ' + listed if listed else ''} ({profile.how}); {cause}",
        f"How did values outside the list get into {table.name}.{column.name}, what do they mean, and will they be "
        "corrected before go-live?",
        observed_in=profile.how,
        declared_values=list(allowed),
        rows_outside_list=rows,
        values_outside_list=seen or None,
        constraint_not_valid=not_valid or None,
    )
