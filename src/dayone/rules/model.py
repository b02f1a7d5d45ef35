"""Data model rules: keys, types, documentation, value sets, JSON, relationships."""

from __future__ import annotations

import re

from dayone.profile.accumulate import MAX_DISTINCT
from dayone.rules.context import AuditContext
from dayone.rules.evidence import json_schema, observed_values, varying_types
from dayone.rules.naming import is_region_state, is_value_set_column, words
from dayone.rules.references import reference_evidence, references_in
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup, columns_in, tables_in


MISSING_PRIMARY_KEY_ROLLUP = Rollup(
    says="{n} of {total} tables in {where} have no primary key",
    says_all="no table in {where} has a primary key ({total} tables)",
    asks="Which columns identify a row of each of these tables, and can they become primary keys before go-live?",
    total=tables_in,
)


def _missing_primary_key_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or not any(ctx.tables()) else f"every table has a primary key ({sum(1 for _ in ctx.tables()):,} tables)")


@rule(name="missing-primary-key", code="DM101", family="model", scope="table", severity="error", rollup=MISSING_PRIMARY_KEY_ROLLUP, praise=_missing_primary_key_praise)
def missing_primary_key(ctx: AuditContext):
    """A table has no primary key.

    ## What it detects
    Base tables (and partitioned tables) without a PRIMARY KEY constraint. Views are not checked.
    A unique constraint or a unique index (without a WHERE clause) over NOT NULL columns is named as
    the stand-in key, and the finding is then a warning: the rows can be identified, the key is only
    not declared (frameworks such as Rails create unique indexes, not constraints). On PostgreSQL
    the finding also says when the missing key leaves the table without a replica identity, which
    `replica-identity-missing` then does not repeat.

    ## Why it matters for analytics
    Without a key, rows cannot be deduplicated or merged in the warehouse, and ELT tools cannot
    replicate updates and deletes incrementally or through change data capture: they fall back to
    copying the whole table on every sync, and a row that changes twice looks like two rows.

    ## Question for the engineering team
    Which column(s) identify a row of this table, and can we make them the primary key before go-live?

    ## How to fix
    Add a primary key (an identity/auto-increment column or the natural key):
    `ALTER TABLE t ADD PRIMARY KEY (id);`.
    """
    this = REGISTRY["missing-primary-key"]
    no_identity = {(r.schema, r.table) for r in ((ctx.catalog.access.replica_identity or ()) if ctx.catalog.access else ())}
    for schema, table in ctx.tables():
        if table.primary_key is not None:
            continue
        stand_in, how = _stand_in_key(table)
        replication = (schema.name, table.name) in no_identity
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name} has no primary key"
            + (f"; the unique {how} on NOT NULL columns ({', '.join(stand_in)}) can serve as one" if stand_in else "")
            + ("; without one a logical-replication publication cannot carry its updates and deletes" if replication else ""),
            f"Which column(s) identify a row of {table.name}, and can they become its primary key before go-live?"
            if not stand_in else
            f"Does ({', '.join(stand_in)}) identify a row of {table.name}, and can it be declared its primary key?",
            # a unique NOT NULL key does the job for extraction and deduplication: a question, not a blocker
            severity="warning" if stand_in else None,
            estimated_rows=table.estimated_rows,
            unique_not_null_columns=list(stand_in) if stand_in else None,
            stand_in_key=how,
            replica_identity_missing=replication or None,
        )


def _stand_in_key(table) -> tuple[tuple[str, ...] | None, str | None]:
    """Columns that identify a row without being the primary key: a unique constraint, or a unique
    index without a predicate (frameworks such as Rails create indexes, not constraints), over NOT
    NULL columns."""
    def not_null(columns) -> bool:
        return all((c := table.column(name)) is not None and not c.nullable for name in columns)

    for unique in table.unique_constraints:
        if not_null(unique.columns):
            return unique.columns, "constraint"
    for index in table.indexes:
        if index.unique and not index.primary and index.predicate is None and not_null(index.columns):
            return index.columns, "index"
    return None, None


TIMESTAMP_WITHOUT_TIME_ZONE_ROLLUP = Rollup(
    noun=("date-time column", "date-time columns"),
    says="{n} of {total} date-time columns in {where} are wall-clock times with no time zone",
    says_all="all {total} date-time columns in {where} are wall-clock times with no time zone: the schema's convention",
    asks="In which time zone does the application write the date-time columns of {where} (UTC, the server's zone, "
    "each user's zone), and is it the same in every service and environment?",
    total=lambda ctx, schema: columns_in(ctx, schema, lambda t, c: c.normalized_type in ("timestamp", "timestamptz")),
)


def _timestamp_without_time_zone_praise(ctx: AuditContext, found: list) -> str | None:
    if found or not any(c.normalized_type == "timestamptz" for _, _, c in ctx.columns()):
        return None
    return "every date-time column stores an instant (with its time zone)"


@rule(name="timestamp-without-time-zone", code="DM102", family="model", scope="column", severity="warning", rollup=TIMESTAMP_WITHOUT_TIME_ZONE_ROLLUP, praise=_timestamp_without_time_zone_praise)
def timestamp_without_time_zone(ctx: AuditContext):
    """A date-time column stores wall-clock time with no time zone.

    ## What it detects
    PostgreSQL `timestamp` (without time zone), MySQL/MariaDB `DATETIME` and SQLite date-time
    columns. MySQL `TIMESTAMP` is not flagged: it is stored in UTC and converted per session.

    ## Why it matters for analytics
    A value such as 2026-11-02 09:00 means a different instant in every zone. Unless everyone knows
    which zone the application writes, daily metrics shift by hours, events appear out of order
    across systems, and daylight-saving changes create duplicate or missing hours.

    ## Question for the engineering team
    In which time zone does the application write this column, and is it the same in every
    service and environment?

    ## How to fix
    Store instants: `timestamptz` on PostgreSQL (`ALTER COLUMN c TYPE timestamptz USING c AT TIME
    ZONE 'UTC'`), `TIMESTAMP` or UTC-only `DATETIME` on MySQL/MariaDB, ISO-8601 with an offset in SQLite.
    """
    this = REGISTRY["timestamp-without-time-zone"]
    for schema, table, column in ctx.columns():
        if column.normalized_type != "timestamp":
            continue
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} is {column.declared_type}: a wall-clock time with no zone",
            f"In which time zone does the application write {table.name}.{column.name}, "
            "and is it the same in every service and environment?",
            declared_type=column.declared_type,
            server_timezone=ctx.catalog.server_timezone,
            session_timezone=ctx.catalog.session_timezone,
        )


UNDOCUMENTED_TABLE_ROLLUP = Rollup(
    says="{n} of {total} tables in {where} have no comment",
    says_all="no table in {where} has a comment ({total} tables)",
    asks="Where is the data model of {where} documented (what one row of each table is, when it is written, what its "
    "codes mean), and who keeps it current?",
    total=tables_in,
)


def _undocumented_table_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or not any(ctx.tables()) else "every table has a comment")


@rule(name="undocumented-table", code="DM103", family="model", scope="table", severity="info", rollup=UNDOCUMENTED_TABLE_ROLLUP, praise=_undocumented_table_praise)
def undocumented_table(ctx: AuditContext):
    """A table has no comment in the database.

    ## What it detects
    Tables without a table comment, with the share of their columns that have a comment. SQLite
    has no COMMENT statement; dayone reads the `--` comments in its CREATE statements instead.

    ## Why it matters for analytics
    The meaning of a table (what one row is, when it is written, what its codes mean) is what
    analysts get wrong first. A comment travels with the schema into ELT tools, dbt sources and
    data catalogs; a wiki page does not.

    ## Question for the engineering team
    Where is the data model documented, and who keeps it current as the schema changes?

    ## How to fix
    `COMMENT ON TABLE t IS '...'` (PostgreSQL), `ALTER TABLE t COMMENT = '...'` (MySQL/MariaDB),
    a `-- comment` after the opening parenthesis and after each column (SQLite), and the same for
    the columns whose meaning is not obvious.
    """
    this = REGISTRY["undocumented-table"]
    if not ctx.capabilities.has_comments:
        tables = [t.name for _, t in ctx.tables()]
        if tables:
            yield this.finding(
                ctx.catalog.database,
                f"{ctx.catalog.database} cannot store table comments; {len(tables)} tables are documented elsewhere or not at all",
                "Where is the data model of this database documented, and who keeps it current?",
                tables=len(tables),
            )
        return
    for schema, table in ctx.tables():
        if table.comment:
            continue
        commented = sum(1 for c in table.columns if c.comment)
        yield this.finding(
            ctx.located(schema, table),
            f"{table.name} has no comment; {commented} of {len(table.columns)} columns have one",
            f"What does one row of {table.name} represent, when is it written, and where is that documented?",
            columns=len(table.columns),
            commented_columns=commented,
            column_comment_coverage=round(commented / len(table.columns), 2) if table.columns else None,
        )


IMPLICIT_FOREIGN_KEY_ROLLUP = Rollup(
    noun=("column", "columns"),
    says="{n} columns of {tables} tables in {where} look like references to another table's key but have no foreign key",
    asks="Do these columns always hold a key of the table their name points to? Are the foreign keys left out on "
    "purpose (many frameworks do not declare them), and can they be declared, or should the warehouse test them?",
)


def _implicit_foreign_key_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or not any(t.foreign_keys for _, t in ctx.tables())
        else "every column named like a reference has a declared foreign key")


@rule(name="implicit-foreign-key", code="DM104", family="model", scope="column", severity="warning", rollup=IMPLICIT_FOREIGN_KEY_ROLLUP, praise=_implicit_foreign_key_praise)
def implicit_foreign_key(ctx: AuditContext):
    """A column refers to another table by name and type but has no foreign key.

    ## What it detects
    Columns such as `submission_id` or `account_id` whose name matches another table (`submissions`,
    `account`) whose single-column primary key has a compatible type, without a FOREIGN KEY
    constraint on the column. A role may come first (`end_station_id` for `stations`), the table
    may be the column's own (`parent_category_id` in `categories`), and the column may be its
    table's key (a one-to-one extension such as `bike_specs.bike_id`). With a profile, up to 500
    distinct values read of the column are looked up in the referenced key (one indexed lookup per
    table): the finding gives the share of rows read whose value is a key there, and how many point
    at no row (orphans in the sample).

    ## Why it matters for analytics
    Without the constraint nothing guarantees the referenced row exists: joins silently drop or
    duplicate rows, and orphans accumulate when parents are deleted. The relationship is also
    invisible to tools that draw or test the model from the schema.

    ## Question for the engineering team
    Does this column always refer to a row of the named table, and can that be declared (or, if
    not, why: another service, soft links, legacy ids)?

    ## How to fix
    `ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent (id);` — or document why the
    link cannot be enforced, so the warehouse tests it instead.
    """
    this = REGISTRY["implicit-foreign-key"]
    for found in references_in(ctx):
        schema, table, column = found.schema, found.table, found.column
        ref_schema, ref_table, ref_key = found.ref_schema, found.ref_table, found.ref_column
        without, partitions = list(found.partitions_without), found.partitions
        where = f" (declared on {partitions - len(without)} of {partitions} partitions; missing on {', '.join(without)})" if partitions and len(without) < partitions else ""
        checked, data = reference_evidence(ctx, found)  # the rows read: their values found in the key, or not
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} looks like a reference to {ctx.target(ref_schema, ref_table)}"
            f"({ref_key.name}) but has no foreign key{where}{checked}",
            f"Does {table.name}.{column.name} always refer to a row of {ref_table.name}? "
            "Can the foreign key be declared, or why not?",
            referred_table=ctx.target(ref_schema, ref_table),
            referred_column=ref_key.name,
            column_type=column.declared_type,
            referred_type=ref_key.declared_type,
            partitions_without_foreign_key=without or None,
            **data,
        )


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


JSON_WITHOUT_SCHEMA_ROLLUP = Rollup(
    noun=("JSON column", "JSON columns"),
    says="{n} JSON columns of {tables} tables in {where} have no declared shape",
    asks="What keys do these JSON columns hold, which are always present, with what types, and how are changes to "
    "their shape announced?",
)


@rule(name="json-without-schema", code="DM106", family="model", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=JSON_WITHOUT_SCHEMA_ROLLUP)  # fmt: skip
def json_without_schema(ctx: AuditContext):
    """A JSON column whose shape is not declared.

    ## What it detects
    JSON and JSONB columns (MariaDB's JSON, stored as LONGTEXT with a json_valid check, included)
    with no constraint validating them against a schema (PostgreSQL `jsonb_matches_schema`, MySQL
    `JSON_SCHEMA_VALID`), and, with a profile, text columns whose values are JSON documents. With a
    profile the finding carries the JSON Schema inferred from the documents read (each key's types;
    required: the keys present in every document) and names the keys whose type varies.

    ## Why it matters for analytics
    JSON hides columns from the schema: keys appear, disappear and change type between releases,
    and the warehouse models that unpack them break or, worse, silently return nulls.

    ## Question for the engineering team
    What keys does this JSON hold, which are always present, what types do they have, and how are
    changes to its shape announced?

    ## How to fix
    Document a JSON Schema for the column and validate it (a CHECK constraint or in the
    application); move keys that metrics depend on into real columns.
    """
    this = REGISTRY["json-without-schema"]
    for schema, table, column in ctx.columns():
        found = ctx.column_profile(schema, table, column)
        shape = found[1].json if found else None
        if column.normalized_type != "json" and (shape is None or column.normalized_type not in ("string", "text")):
            continue
        validated = any(
            column.name in ck.expression and re.search(r"matches_schema|json_schema_valid|validate_json_schema", ck.expression, re.I)
            for ck in table.check_constraints
        )
        if validated:
            continue
        varying = varying_types(shape) if shape else {}
        what = f"is {column.declared_type}" if column.normalized_type == "json" else f"holds JSON in {column.declared_type}"
        read = ""
        if shape:
            keys = [p for p in shape.paths if p.path != "$"]
            read = f"; {shape.documents:,} documents read ({found[0].how}) use {len(keys)} key paths" + (
                f", and {', '.join(list(varying)[:5])} change{'s' if len(varying) == 1 else ''} type" if varying else "")
        yield this.finding(
            ctx.located(schema, table, column),
            f"{table.name}.{column.name} {what} with no declared shape{read}",
            f"What keys does {table.name}.{column.name} hold, which are always present, with what types, "
            "and how are changes to its shape announced?",
            declared_type=column.declared_type,
            observed_in=found[0].how if shape else None,
            json_documents=shape.documents if shape else None,
            inferred_json_schema=json_schema(shape, found[0].how) if shape else None,
            keys_with_varying_types=varying or None,
        )


CASCADE_DELETE_ROLLUP = Rollup(
    noun=("foreign key", "foreign keys"),
    says="{n} foreign keys of {tables} tables in {where} delete child rows with their parent (ON DELETE CASCADE)",
    asks="When are the parent rows deleted, and should their child rows really disappear with them, leaving no trace "
    "for the warehouse, or be kept and marked?",
)


@rule(name="cascade-delete", code="DM107", family="model", scope="column", severity="warning", rollup=CASCADE_DELETE_ROLLUP)
def cascade_delete(ctx: AuditContext):
    """Rows disappear with their parent through ON DELETE CASCADE.

    ## What it detects
    Foreign keys declared with ON DELETE CASCADE: deleting the parent row deletes the child rows.

    ## Why it matters for analytics
    Cascaded deletes leave no trace: no soft-delete marker, no counter the application reports.
    Key-based incremental extraction never learns the child rows are gone, so the warehouse keeps
    ghost rows and historic metrics change when someone deletes a parent.

    ## Question for the engineering team
    When are parent rows deleted, and should the children really disappear with them, or be kept
    (and marked) for history?

    ## How to fix
    Prefer soft deletes on the parent, or ON DELETE RESTRICT / SET NULL; if cascading is intended,
    replicate with log-based CDC so deletes reach the warehouse.
    """
    this = REGISTRY["cascade-delete"]
    for schema, table in ctx.tables():
        for fk in table.foreign_keys:
            if fk.on_delete != "CASCADE":
                continue
            # named as targets are (SQLite: the database file's stem), so a reader can look it up
            referred = ctx.find_table(fk.referred_schema, fk.referred_table)
            parent = ctx.target(*referred) if referred else f"{fk.referred_schema}.{fk.referred_table}"
            yield this.finding(
                ctx.located(schema, table, table.column(fk.columns[0])),
                f"rows of {table.name} are deleted when their {fk.referred_table} row is deleted "
                f"(foreign key {fk.name or ', '.join(fk.columns)} ON DELETE CASCADE)",
                f"When are {fk.referred_table} rows deleted, and should the {table.name} rows really disappear with them?",
                foreign_key=fk.name,
                columns=list(fk.columns),
                parent_table=parent,
            )
