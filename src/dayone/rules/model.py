"""Data model rules: keys, types, documentation, value sets, JSON, relationships."""

from __future__ import annotations

import re

from dayone.rules.context import AuditContext
from dayone.rules.evidence import json_schema, varying_types
from dayone.rules.references import implicit_references, narrower_integer, reference_evidence
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

    ## What it leaves out
    Views, partitions (their parent stands for them) and framework tables. A unique index with a
    WHERE clause, or over nullable columns, does not stand in for a key: it identifies only some
    rows, and the finding stays an error.
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

    ## What it leaves out
    Columns that store instants (`timestamptz`, MySQL/MariaDB `TIMESTAMP`), dates and times of day
    (a date has no instant to shift), and times kept as text or numbers, which have no declared
    type to read (the data rules look at their values). Framework tables, which follow their
    framework's convention. A schema that mixes the two kinds is asked about once more, as a whole,
    by `mixed-timestamp-conventions`.
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

    ## What it leaves out
    Views, partitions (their parent stands for them) and framework tables. Columns are not reported
    one by one: the finding counts how many of the table's columns have a comment.
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
    asks="Do these columns always hold a key of the table each finding names (for a role such as author_id: the table "
    "of people)? Are the foreign keys left out on purpose (many frameworks do not declare them), and can they be "
    "declared, or should the warehouse test them?",
)


def _implicit_foreign_key_praise(ctx: AuditContext, found: list) -> str | None:
    return (None if found or not any(t.foreign_keys for _, t in ctx.tables())
        else "every column named like a reference to a table of this database has a declared foreign key")


# How each way of finding the table reads in a finding's message.
_FOUND_BY = {
    "name": "",
    "prefix": ", the table of its own prefix,",
    "family": ", the one table of a prefixed family its name fits,",
    "self": ", another row of the same table,",
    "tracked": ", as in the table whose history this is,",
}


@rule(name="implicit-foreign-key", code="DM104", family="model", scope="column", severity="warning", rollup=IMPLICIT_FOREIGN_KEY_ROLLUP, praise=_implicit_foreign_key_praise)
def implicit_foreign_key(ctx: AuditContext):
    """A column refers to another table by name and type but has no foreign key.

    ## What it detects
    Columns named `<table>_id` or `<table>_uuid` such as `submission_id` or `person_id` whose name
    matches another table (`submissions`, `people`: irregular plurals resolve) whose single-column
    primary key the column's type can hold, without a FOREIGN KEY constraint on the column. A role
    may come first (`end_station_id` for `stations`); in a family of prefixed tables the column's
    own prefix counts (`ci_builds.stage_id` for `ci_stages`), and so does the one table of a module
    family that fits (`stage_id` for `ci_stages` when no other family has a `stages` table). A
    column may point into its own table when its name says so (`parent_id`, `previous_*_id`,
    `replaced_by_id`, `parent_category_id` in `categories`; in a history table such as
    `post_versions`, `parent_id` is the tracked row's parent), and may be its table's key (a
    one-to-one extension such as `bike_specs.bike_id`). Columns named by a person's role
    (`author_id`, `created_by_id`, `merged_by_id`, `assignee_id`, `reviewer_id`, `owner_id`,
    `updated_by`) are references to the one table of people, the table with logins (a password
    hash beside an e-mail or user name) whatever it is called; the finding says it rests on the
    role name (`found_by`: `role`). An integer column narrower than its key (an `integer` for a
    `bigint` key) is still a reference, and the finding says the key's values may outgrow it. With a
    profile, up to 500 distinct values read of the column are looked up in the referenced key (one
    indexed lookup per table): the finding gives the share of rows read whose value is a key there,
    and how many point at no row (orphans in the sample).

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

    ## What it leaves out
    A type that cannot hold the key: a `varchar` does not refer to a `uuid` key (except text of a
    uuid's length, `char(36)` / `varchar(36)`, which MySQL applications use for uuids), text does
    not refer to an integer key. Names of codes and numbers (`tax_code`, `purchase_order_number`,
    `invoice_no`): they are natural keys or labels, not ids. Ids of other systems: a name starting
    with `external_`, `provider_`, `remote_`, `legacy_`, `gateway_` (`external_customer_id`,
    `provider_payment_id`) is another system's id, not a reference to our table of that name. A
    column named after its own table without a role (`reactions.reaction_id`, `stations.station_id`):
    that names something else, or is the table's key. The `_id` half of a polymorphic pair
    (`commentable_id` beside `commentable_type`), which `polymorphic-reference` asks about. A role
    name when the database has no table of people, or more than one (`admins` and `customers` both
    with logins): which one is meant cannot be told, so nothing is said; and a role done by no
    person (`auto_canceled_by_id`). A name that fits two tables of different schemas equally.
    """
    this = REGISTRY["implicit-foreign-key"]
    for found in implicit_references(ctx.catalog, ctx.scope, ctx):
        schema, table, column = found.schema, found.table, found.column
        ref_schema, ref_table, ref_key = found.ref_schema, found.ref_table, found.ref_column
        without, partitions = list(found.partitions_without), found.partitions
        where = f" (declared on {partitions - len(without)} of {partitions} partitions; missing on {', '.join(without)})" if partitions and len(without) < partitions else ""
        narrower = narrower_integer(column, ref_key, ctx.catalog.product)
        outgrow = f"; its type {column.declared_type} is narrower than the key's {ref_key.declared_type}" if narrower else ""
        referred = f"{ctx.target(ref_schema, ref_table)}({ref_key.name})"
        if found.found_by == "role":
            message = (f"{table.name}.{column.name} is, by its role name, probably a user: a reference to {referred}, "
                       f"the one table of people, with no foreign key{where}{outgrow}")  # fmt: skip
            question = (f"Does {table.name}.{column.name} always hold the id of a row of {ref_table.name} (the person "
                        "in that role)? Can the foreign key be declared, or why not?")  # fmt: skip
        else:
            how = "tracked" if found.found_by == "self" and ref_table is not table else found.found_by
            message = (f"{table.name}.{column.name} looks like a reference to {referred}{_FOUND_BY[how]} "
                       f"but has no foreign key{where}{outgrow}")  # fmt: skip
            question = (f"Does {table.name}.{column.name} always refer to a row of {ref_table.name}? "
                        "Can the foreign key be declared, or why not?")  # fmt: skip
        checked, data = reference_evidence(ctx, found)  # the rows read: their values found in the key, or not
        yield this.finding(
            ctx.located(schema, table, column),
            message + checked,
            question,
            referred_table=ctx.target(ref_schema, ref_table),
            referred_column=ref_key.name,
            column_type=column.declared_type,
            referred_type=ref_key.declared_type,
            found_by=found.found_by,
            narrower_than_key=narrower or None,
            partitions_without_foreign_key=without or None,
            **data,
        )


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

    ## What it leaves out
    JSON columns a CHECK constraint validates against a schema. Text columns when no row was read:
    nothing but the values tells that they hold JSON.
    """
    this = REGISTRY["json-without-schema"]
    for schema, table, column in ctx.columns():
        if column.normalized_type not in ("json", "string", "text"):
            continue  # decided before the profile is looked up: most columns are neither
        found = ctx.column_profile(schema, table, column)
        shape = found[1].json if found else None
        if column.normalized_type != "json" and shape is None:
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

    ## What it leaves out
    ON DELETE SET NULL, RESTRICT and NO ACTION (the child row stays), and ON UPDATE CASCADE (a key
    that changes is carried along; no row disappears). A cascade is asked about here once, not
    again as a way rows are deleted (`hard-deletes`).
    """
    this = REGISTRY["cascade-delete"]
    for schema, table in ctx.tables():
        for fk in table.foreign_keys:
            if fk.on_delete != "CASCADE":
                continue
            # named as targets are (SQLite: the database file's stem), so a reader can look it up
            referred = ctx.find_table(fk.referred_schema, fk.referred_table)
            parent = ctx.target(*referred) if referred else ctx.target_of(fk.referred_schema, fk.referred_table)
            yield this.finding(
                ctx.located(schema, table, table.column(fk.columns[0])),
                f"rows of {table.name} are deleted when their {fk.referred_table} row is deleted "
                f"(foreign key {fk.name or ', '.join(fk.columns)} ON DELETE CASCADE)",
                f"When are {fk.referred_table} rows deleted, and should the {table.name} rows really disappear with them?",
                foreign_key=fk.name,
                columns=list(fk.columns),
                parent_table=parent,
            )


# The rest of the family, in modules of their own; imported here so that registering the model
# family registers all of it.
from dayone.rules import model_refs, model_time, model_values  # noqa: E402, F401
