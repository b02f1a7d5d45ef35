"""Data model rules about what values mean: status, type and code columns."""

from __future__ import annotations

from dayone.profile.accumulate import MAX_DISTINCT
from dayone.rules.context import AuditContext
from dayone.rules.evidence import observed_values
from dayone.rules.naming import is_region_state, is_value_set_column, words
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup


UNEXPLAINED_VALUE_SET_ROLLUP = Rollup(
    noun=("code column", "code columns"),
    says="{n} status, type and code columns of {tables} tables in {where} hold values nothing in the database explains "
    "(no enum, CHECK list or lookup table)",
    asks="Where are the values of these columns listed and explained (an enum in the code, a document, an API), and "
    "how are new values announced?",
)


@rule(name="unexplained-value-set", code="DM105", family="model", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=UNEXPLAINED_VALUE_SET_ROLLUP)  # fmt: skip
def unexplained_value_set(ctx: AuditContext):
    """A status, type or code column whose values are not explained in the database.

    ## What it detects
    Columns named like status, state, stage, type, kind, category, tier, source or code that are not
    constrained by an enum type, a CHECK list of values or a foreign key to a lookup table. Where a
    likely lookup table exists but is not linked, it is named. Identifiers and standard code lists
    (postal codes, currencies, countries, the state of an address) are left out. With a profile, the
    finding lists the values read and their counts, and checks them against the lookup table's keys
    (when that table was profiled too): a small table whose keys cover every value read is named
    even when its name does not match. A column in which profiling read more than 1,000 distinct
    values is free text or an identifier, not a code list, and is left out.

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
    """
    this = REGISTRY["unexplained-value-set"]
    keyed = _keyed_tables(ctx)
    for schema, table, column in ctx.columns():
        if not is_value_set_column(column) or column.enum_values or is_region_state(table, column):
            continue
        if ctx.foreign_key_of(table, column) is not None:
            continue
        if any(vs.column == column.name for ck in table.check_constraints for vs in ck.value_sets):
            continue
        if table.primary_key and column.name in table.primary_key.columns:
            continue  # the key of a lookup table is the explanation, not the problem
        found = ctx.column_profile(schema, table, column)
        if found and found[0].method != "statistics" and found[1].distinct is None and found[1].non_null > MAX_DISTINCT:
            continue  # more distinct values than any code list has: free text or identifiers, whatever the name
        lookup = _likely_lookup(ctx, column.name, table)
        values = observed_values(found[1]) if found else None
        coverage = _lookup_coverage(keyed, lookup, values, table) if values else None
        if coverage and (lookup is None or coverage["table"] is not lookup[1]):
            lookup = coverage["schema"], coverage["table"]  # the table whose keys hold the values wins over the name
        seen = ""
        if found:
            profile, column_profile = found
            if values:
                listed = ", ".join(f"{v} ({n:,})" for v, n in list(values.items())[:8]) + (", ..." if len(values) > 8 else "")
                seen = f"; {profile.how}: {len(values)} values, {listed}"
            elif column_profile.distinct is not None:
                seen = f"; {profile.how}: {column_profile.distinct} distinct values"
        if coverage and coverage["covers"]:
            linked = f"; the keys of {coverage['table'].name}.{coverage['key']} cover every value read, but nothing links them"
        elif coverage and coverage["missing"] is not None:
            linked = (f"; {lookup[1].name} looks like its lookup table but lacks {', '.join(coverage['missing'][:5])}"
                      + (", ..." if len(coverage["missing"]) > 5 else ""))  # fmt: skip
        else:
            linked = f"; {lookup[1].name} looks like its lookup table but is not linked" if lookup else ""
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} holds coded values with no enum, CHECK list or lookup table{linked}{seen}",
            f"What values can {table.name}.{column.name} hold, what does each mean, and where is the list kept?",
            declared_type=column.declared_type,
            candidate_lookup_table=ctx.target(*lookup) if lookup else None,
            observed_in=found[0].how if found else None,
            observed_values=values,
            distinct_values=found[1].distinct if found and not values else None,
            lookup_key_column=coverage["key"] if coverage else None,
            lookup_covers_values=coverage["covers"] if coverage else None,
            values_missing_from_lookup=coverage["missing"] or None if coverage else None,
        )


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
    """A small table named after the column (submission_statuses for status): probably its lookup."""
    name = words(column_name).removesuffix("_id").removesuffix("_code")
    base = name.rsplit("_", 1)[-1]
    plurals = {base, base + "s", base + "es", base[:-1] + "ies" if base.endswith("y") else base}
    # Every table whose full name is name, name+s or name+es also ends with one of these words.
    for schema, other, _ in ctx.tables_ending_with(plurals):
        if other is table or other.kind not in ("table", "view"):
            continue
        if len(other.columns) <= 6:
            return schema, other
    return None
