"""Data model rules about what values mean: status, type and code columns."""

from __future__ import annotations

from dayone.profile.accumulate import MAX_DISTINCT
from dayone.rules.context import AuditContext
from dayone.rules.evidence import observed_values
from dayone.rules.naming import (
    is_code_name,
    is_region_state,
    is_value_set_column,
    polymorphic_pairs,
    singulars_of,
    words,
)
from dayone.rules.references import TableNames, resolve
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup


def _basis(finding) -> str:
    """Findings on a name alone are asked apart from those the rows back."""
    return f"{finding.location.schema}\0{_NAME_ONLY if finding.evidence.get('basis') == 'name' else _VALUES_READ}"


_NAME_ONLY = "judged by their names alone: no row was read, so whether each is a code list is a question"
_VALUES_READ = "judged by the values read"

UNEXPLAINED_VALUE_SET_ROLLUP = Rollup(
    noun=("code column", "code columns"),
    says="{n} status, type and code columns of {tables} tables in {where} have no enum, CHECK list or lookup table "
    "to explain their values ({key})",
    asks="Which of these columns hold a list of codes, where are their values listed and explained (an enum in the "
    "code, a document, an API), and how are new values announced?",
    by=_basis,
)


def _unexplained_value_set_praise(ctx: AuditContext, found: list) -> str | None:
    if found:
        return None
    if not any(is_value_set_column(c) or c.normalized_type in ("enum", "set") for _, _, c in ctx.columns()):
        return None
    return "every status, type and code column is explained by an enum, a CHECK list or a lookup table"


# Where the rows show a column is no code list: more distinct values than such lists have, values
# nearly all different (identifiers), or values longer than codes are (text, URLs).
MAX_CODES = 200
MAX_CODE_LENGTH = 64


@rule(name="unexplained-value-set", code="DM105", family="model", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=UNEXPLAINED_VALUE_SET_ROLLUP, praise=_unexplained_value_set_praise)  # fmt: skip
def unexplained_value_set(ctx: AuditContext):
    """A status, type or code column whose values are not explained in the database.

    ## What it detects
    Columns named like status, state, stage, type, kind, category, tier, source or code that are not
    constrained by an enum type, a CHECK list of values or a foreign key to a lookup table. Where a
    likely lookup table exists but is not linked, it is named (a small table named after the
    column: `statuses` or `order_statuses` for `orders.status`). With a profile, the finding lists
    the values read and their counts, and checks them against the lookup table's keys (when that
    table was profiled too): a small table whose keys cover every value read is named even when its
    name does not match. Without rows (the table is empty, was not profiled, or every value read is
    NULL) the finding rests on the name alone: it says so, asks whether the column is a code list
    at all, and is info, not a warning. An integer status or type is often an enum of the
    application's code (a Rails `enum`, a Django `choices`), and the question says so.

    ## Why it matters for analytics
    Metrics are built on these values ("submitted", "graded", "shipped"). If their meaning lives
    only in application code, analysts guess, new values appear unannounced after a release, and
    dashboards silently drop them.

    ## Question for the engineering team
    What values can this column hold, what does each mean, and where is the authoritative list
    (a lookup table, an enum in code, an API)?

    ## How to fix
    Add a lookup table with a foreign key, an enum type, or a CHECK (col IN (...)) constraint, and
    document the meaning of each value.

    ## What it leaves out
    Columns whose values are explained or are no list of codes: an enum type, a MySQL ENUM or a
    CHECK list of values (`enum-meaning` asks what enum values mean); a foreign key, declared or
    implied by the name (`category_id` beside a `categories` table, which `implicit-foreign-key`
    reports); a code that names a row of another table (`tax_code` beside `taxes.code`); a column
    that is unique, alone (`locales.code`, a lookup table's own key) or, for a code, within a scope
    (`code` unique per `organization_id`: an identifier the customer chose, not a list); the type
    half of a polymorphic pair (`commentable_type`), which `polymorphic-reference` asks about;
    identifiers, URLs, hashes and tokens by name (`postal_code`, `promo_code`, `url_code`,
    `token_code`); standard lists (currencies, countries, languages, MIME types, HTTP statuses,
    process exit codes); the state of an address. With a profile: a column with more than 200
    distinct values, values nearly all different, or values longer than 64 characters is free text
    or an identifier, not a code list.
    """
    this = REGISTRY["unexplained-value-set"]
    keyed = _keyed_tables(ctx)
    names = TableNames.of(ctx.catalog)
    rails = any(ctx.find_table(s.name, "ar_internal_metadata") for s in ctx.catalog.schemas)
    polymorphic: dict[int, frozenset[str]] = {}
    for schema, table, column in ctx.columns():
        if not is_value_set_column(column) or column.enum_values or is_region_state(table, column):
            continue
        if ctx.foreign_key_of(table, column) is not None:
            continue
        if any(vs.column == column.name for ck in table.check_constraints for vs in ck.value_sets):
            continue
        if table.primary_key and column.name in table.primary_key.columns:
            continue  # the key of a lookup table is the explanation, not the problem
        if id(table) not in polymorphic:
            pairs = ctx.per_table("polymorphic pairs", table, polymorphic_pairs)
            polymorphic[id(table)] = frozenset(c.name for pair in pairs for c in pair)
        if column.name in polymorphic[id(table)] or _unique(table, column):
            continue
        if resolve(names, schema, table, column, polymorphic[id(table)]):
            continue  # a reference: implicit-foreign-key asks about it
        if _names_a_coded_row(names, schema, table, column):
            continue
        found = ctx.column_profile(schema, table, column)
        if (found and _not_codes(found)) or _own_code(column, found):
            continue  # what the rows hold is free text or identifiers, whatever the name
        lookup = _likely_lookup(ctx, column.name, table)
        values = observed_values(found[1]) if found else None
        coverage = _lookup_coverage(keyed, lookup, values, table) if values else None
        if coverage and (lookup is None or coverage["table"] is not lookup[1]):
            lookup = coverage["schema"], coverage["table"]  # the table whose keys hold the values wins over the name
        read = _why_no_value(ctx, schema, table, found)
        seen = ""
        if found and read is None:
            profile, column_profile = found
            if values:
                listed = ", ".join(f"{v} ({n:,})" for v, n in list(values.items())[:8]) + (", ..." if len(values) > 8 else "")
                seen = f"; {profile.how}: {len(values)} values, {listed}"
            elif column_profile.distinct:
                seen = f"; {profile.how}: {column_profile.distinct} distinct values"
        if coverage and coverage["covers"]:
            linked = f"; the keys of {coverage['table'].name}.{coverage['key']} cover every value read, but nothing links them"
        elif coverage and coverage["missing"] is not None:
            linked = (f"; {lookup[1].name} looks like its lookup table but lacks {', '.join(coverage['missing'][:5])}"
                      + (", ..." if len(coverage["missing"]) > 5 else ""))  # fmt: skip
        else:
            linked = f"; {lookup[1].name} looks like its lookup table but is not linked" if lookup else ""
        where = f"{table.name}.{column.name}"
        if column.normalized_type == "integer":
            enum = (" As an integer it is probably a Rails enum, whose values are named only in the model's code."
                    if rails else " As an integer, its values are probably named only in the application's code (an enum).")  # fmt: skip
        else:
            enum = ""
        if read is not None:
            message = (f"{where} is named like a code list, judged by its name alone ({read}): no enum, CHECK list or "
                       f"lookup table lists its values{linked}")  # fmt: skip
            question = f"Is {where} a code list? If so, what values can it hold, what does each mean, and where is the list kept?{enum}"
        else:
            message = f"{where} holds coded values with no enum, CHECK list or lookup table{linked}{seen}"
            question = f"What values can {where} hold, what does each mean, and where is the list kept?{enum}"
        yield this.finding(
            ctx.located(schema, table, column),
            message,
            question,
            severity="info" if read is not None else None,
            basis="name" if read is not None else "values",
            declared_type=column.declared_type,
            candidate_lookup_table=ctx.target(*lookup) if lookup else None,
            observed_in=found[0].how if found else None,
            observed_values=values,
            distinct_values=found[1].distinct if found and not values and read is None else None,
            lookup_key_column=coverage["key"] if coverage else None,
            lookup_covers_values=coverage["covers"] if coverage else None,
            values_missing_from_lookup=coverage["missing"] or None if coverage else None,
        )


def _why_no_value(ctx: AuditContext, schema, table, found) -> str | None:
    """Why the rows say nothing of a column's values (None: they do)."""
    if found is not None and (found[1].top_values or found[1].distinct or found[1].distinct_estimate):
        return None
    profile = ctx.table_profile(schema, table)
    if profile is None:
        return "no row was read"
    if not profile.rows_read and (profile.rows_estimated == 0 or profile.method != "statistics"):
        return "the table is empty"
    if profile.method == "statistics":
        return "the server keeps no statistics of it"
    return f"every value read is NULL ({profile.how})"


def _not_codes(found) -> bool:
    """Whether what profiling read shows free text or identifiers rather than a list of codes."""
    profile, column = found
    if column.max_length is not None and column.max_length > MAX_CODE_LENGTH:
        return True
    if profile.method == "statistics":
        estimate = column.distinct_estimate
        # pg_stats: a negative n_distinct is a share of the rows; -1 means every value differs
        return estimate is not None and (estimate > MAX_CODES or -1 <= estimate < -0.5)
    if column.distinct is None:
        return column.non_null > MAX_DISTINCT  # more distinct values than were counted
    return column.distinct > MAX_CODES or (column.distinct > 20 and column.distinct >= 0.9 * column.non_null)


def _unique(table, column) -> bool:
    """Unique alone (a lookup table's key, an identifier), or, for a code, within a scope: `code`
    unique per organization is an identifier someone chose, not a list of values. A status unique
    with its parent (one active row per invoice) is still a status."""
    code = is_code_name(column.name)
    for unique in table.unique_constraints:
        if unique.columns == (column.name,) or (code and column.name in unique.columns):
            return True
    for index in table.indexes:
        if not index.unique or index.primary or column.name not in index.columns:
            continue
        if (index.columns == (column.name,) and index.predicate is None) or code:
            return True
    return False


def _own_code(column, found) -> bool:
    """A column named just `code` is the row's own code (a coupon's, a channel's, a country's in the
    table of countries): an identifier or a lookup table's key, as `name` is, not a classification,
    which says what it codes (`error_code`, `reason_code`). Unless the rows show a few values
    repeated, as codes of a list are."""
    if words(column.name) != "code":
        return False
    if found is None or not found[1].distinct:
        return True
    return not (found[1].distinct <= 50 and found[1].non_null >= 5 * found[1].distinct)


def _names_a_coded_row(names: TableNames, schema, table, column) -> bool:
    """`tax_code` beside a `taxes` table with a `code` column: the code of a tax, a reference by its
    natural key, explained by that table."""
    name = words(column.name)
    if not name.endswith("_code"):
        return False
    hit = names.by_name(schema, table, name[: -len("_code")])
    return hit is not None and any(words(c.name) == "code" for c in hit[0][1].columns)


def _lookup_coverage(keyed: dict, lookup, values: dict[str, int], table) -> dict | None:
    """How the values read compare with a lookup table's keys: the named candidate if it was profiled
    with its keys, else any small profiled table whose single-column key covers every value."""
    named = keyed.get(id(lookup[1])) if lookup else None
    missing: list[str] = []
    # without a name in common, only codes count: generated ids 1..n of any small table cover any small numbers
    codes = len(values) >= 2 and not all(value.lstrip("-").isdigit() for value in values)
    if named is not None:
        missing = sorted(set(values) - named[3])
        if not missing or len(values) < 2:
            return {"schema": named[0], "table": named[1], "key": named[2], "covers": not missing, "missing": missing}
    if codes:  # and a single value is covered by any table that happens to hold it
        for schema, other, key, keys, generated in keyed.values():
            if other is not table and not generated and set(values) <= keys:
                return {"schema": schema, "table": other, "key": key, "covers": True, "missing": []}
    if named is not None:
        return {"schema": named[0], "table": named[1], "key": named[2], "covers": False, "missing": missing}
    return None


def _keyed_tables(ctx: AuditContext) -> dict[int, tuple]:
    """Profiled tables with a one-column primary key whose values were all kept (small lookup
    tables): id(table) -> (schema, table, key column, its values, whether the key is generated).
    Built once per audit."""
    found: dict[int, tuple] = {}
    if ctx.profile is None:
        return found
    for schema, table in ctx.tables():
        if table.primary_key is None or len(table.primary_key.columns) != 1:
            continue
        key = table.column(table.primary_key.columns[0])
        profiled = ctx.column_profile(schema, table, key) if key is not None else None
        if profiled is None or not profiled[1].top_values or profiled[1].distinct != len(profiled[1].top_values):
            continue
        found[id(table)] = (schema, table, key.name, {v.value for v in profiled[1].top_values}, bool(key.identity))
    return found


def _likely_lookup(ctx: AuditContext, column_name: str, table):
    """A small table named after the column: `statuses` for status, `order_statuses` for
    orders.status (its table's name first), any `*_payment_statuses` for payment_status. A one-word
    name is too common to match the end of any table's name: `country_states` is no list of
    imports.state, `django_content_type` none of provider_method_type."""
    name = words(column_name).removesuffix("_id").removesuffix("_code")
    head, _, base = name.rpartition("_")
    plurals = {base, base + "s", base + "es", base[:-1] + "ies" if base.endswith("y") else base}
    full = {f"{head}_{p}" if head else p for p in plurals}
    own = singulars_of(table.name)
    for schema, other, other_name in ctx.tables_ending_with(plurals):
        if other is table or other.kind not in ("table", "view") or len(other.columns) > 6:
            continue
        for wanted in full:
            if other_name == wanted or (other_name.endswith("_" + wanted) and (head or other_name[: -len(wanted) - 1] in own)):
                return schema, other
    return None


ENUM_MEANING_ROLLUP = Rollup(
    noun=("enum type", "enum types"),
    says="{n} enum types in {where} list the values their columns may hold, but not what each value means",
    asks="Where is the meaning of each value of these enum types written down (what each state means, which changes "
    "between them can happen), and how are new values announced before they appear in the data?",
)
_SHOWN_VALUES = 12
_SHOWN_COLUMNS = 6


@rule(name="enum-meaning", code="DM109", family="model", scope="column", severity="info", rollup=ENUM_MEANING_ROLLUP)
def enum_meaning(ctx: AuditContext):
    """An enum type lists the values its columns may hold, not what they mean.

    ## What it detects
    Each enum type once, with its values and the columns that use it: PostgreSQL named enum types
    (`CREATE TYPE payment_status AS ENUM (...)`), and on MySQL/MariaDB each distinct list of ENUM
    (or SET) values, however many columns repeat it. The finding sits on the PostgreSQL type
    (`public.payment_status`) or on the first column with that MySQL list.

    ## Why it matters for analytics
    An enum keeps unknown values out, which is good, but its labels are not definitions: is a
    `voided` invoice counted in revenue, can `failed` become `succeeded`, which states are final?
    Analysts need the meaning to build metrics on these columns, and the list changes when a
    release adds a value.

    ## Question for the engineering team
    What does each value mean, which changes between values can happen, and how are new values
    announced?

    ## How to fix
    Document each value (`COMMENT ON TYPE` on PostgreSQL, a column comment on MySQL/MariaDB, or the
    data catalog), including which values are final, and announce new values before a release adds
    them.

    ## What it leaves out
    An enum type no audited column uses (left over from a migration, or used only by framework
    tables): there is nothing in the data to interpret. The type column of a polymorphic reference
    (OpenStreetMap's `member_type` of `nwr_enum`): `polymorphic-reference` asks which tables its
    values name. CHECK (col IN (...)) lists, which belong to
    one column each and often sit on booleans-in-disguise; SQLite, which has no enum types. Columns
    with an enum are never also asked about as `unexplained-value-set`.
    """
    this = REGISTRY["enum-meaning"]
    named = {(s.name, e.name): (s, e) for s in ctx.catalog.schemas for e in s.enums}
    users: dict[tuple, list[tuple]] = {}  # an enum type, or a MySQL list of values -> its columns
    polymorphic: dict[int, frozenset[str]] = {}
    for schema, table, column in ctx.columns():
        if column.normalized_type not in ("enum", "set", "array"):
            continue
        if id(table) not in polymorphic:
            polymorphic[id(table)] = frozenset(t.name for t, _ in ctx.per_table("polymorphic pairs", table, polymorphic_pairs))
        if column.name in polymorphic[id(table)]:
            continue  # the types a polymorphic reference may name: polymorphic-reference asks which tables
        key = _enum_type_of(named, schema, column) if named else None
        if key is None and column.normalized_type in ("enum", "set") and column.enum_values:
            key = ("list", column.normalized_type, column.enum_values)
        if key is not None:
            users.setdefault(key, []).append((schema, table, column))
    for key, columns in users.items():
        listed = ", ".join(f"{table.name}.{column.name}" for _, table, column in columns[:_SHOWN_COLUMNS]) + (
            f" and {len(columns) - _SHOWN_COLUMNS} more" if len(columns) > _SHOWN_COLUMNS else "")
        used = f"used by {len(columns)} column{'s' if len(columns) > 1 else ''}: {listed}"
        if key[0] == "list":
            _, kind, values = key
            schema, table, column = columns[0]
            location = ctx.located(schema, table, column)
            what = f"the {kind.upper()} list"
            name = None
        else:
            schema, enum = named[key]
            location = (f"{ctx.target(schema)}.{enum.name}", ctx.located(schema)[1])
            values, name = enum.values, enum.name
            what = f"enum type {enum.name}"
        shown = ", ".join(values[:_SHOWN_VALUES]) + (", ..." if len(values) > _SHOWN_VALUES else "")
        yield this.finding(
            location,
            f"{what} ({shown}) is {used}; the database holds its values, not what each means",
            f"What does each value of {name or f'{columns[0][1].name}.{columns[0][2].name}'} mean ({shown}), which "
            "changes between them can happen, and how are new values announced?",
            enum_type=name,
            kind=key[1] if key[0] == "list" else "enum type",
            values=list(values),
            columns=[f"{ctx.target(s, t, c)}" for s, t, c in columns],
        )


def _enum_type_of(named: dict, schema, column) -> tuple[str, str] | None:
    """The PostgreSQL enum type a column (or an array column) is declared with: `payment_status`,
    `billing.payment_status`, `"Status"[]`; a name without a schema is looked up in the column's
    schema, then in public."""
    declared = column.declared_type.removesuffix("[]")
    parts = [p.strip('"') for p in declared.split(".")]
    if len(parts) == 2:
        return tuple(parts) if tuple(parts) in named else None
    for schema_name in (schema.name, "public"):
        if (schema_name, parts[0]) in named:
            return schema_name, parts[0]
    return next((key for key in named if key[1] == parts[0]), None)
