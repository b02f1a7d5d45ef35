"""Data model rules about references no foreign key can declare: polymorphic pairs."""

from __future__ import annotations

import re

from dayone.rules.context import AuditContext
from dayone.rules.evidence import observed_values
from dayone.rules.naming import polymorphic_pairs, words
from dayone.rules.references import TableNames
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

POLYMORPHIC_REFERENCE_ROLLUP = Rollup(
    noun=("polymorphic reference", "polymorphic references"),
    says="{n} polymorphic references in {tables} tables of {where} point at rows of several tables through a type "
    "column: no foreign key can hold them",
    asks="For each of these pairs, which tables can the type column name (and with which stored values), is that list "
    "closed, and does every id exist in the table its type names?",
)

# The class or model a type column stores: `Invoice`, `Integrations::NetsuiteCustomer`,
# `App\Models\Product` (Laravel), or a morph-map alias (`product`).
_LAST_SEGMENT = re.compile(r"(?:.*(?:::|\\|\.))?([^:\\.]+)")
_MAX_TYPES = 20


@rule(name="polymorphic-reference", code="DM108", family="model", scope="column", severity="warning",
      needs=("catalog", "profile"), rollup=POLYMORPHIC_REFERENCE_ROLLUP)  # fmt: skip
def polymorphic_reference(ctx: AuditContext):
    """A type column and an id column together point at a row of one of several tables.

    ## What it detects
    Pairs of columns through which a row refers to a row of whichever table a second column names:
    Rails polymorphic associations and Laravel `morphs` (`commentable_type` + `commentable_id`,
    `taggable_type` + `taggable_id`) and Django's GenericForeignKey (`content_type_id` +
    `object_id`, or the same with a prefix). One finding per pair, on its id column. With a profile,
    the types read from the rows are listed with their counts (`observed_types`), and those that
    name a table of the database are matched to it (`Invoice` -> `invoices`, `tables_named`); a
    type column with an enum type or ENUM lists the types it allows (`declared_types`).

    ## Why it matters for analytics
    No foreign key can declare such a reference, so nothing keeps its ids valid, tools that draw or
    test the model from the schema do not see it, and every model that follows it has to union one
    join per possible table. The list of tables lives in the application's code, and a new type
    appears in the data the day a release adds it.

    ## Question for the engineering team
    Which tables can the type column name, with which stored values (class names, aliases), is the
    list closed, and does every id exist in the table its type names?

    ## How to fix
    Document the list of types and the table each stands for (a Rails or Laravel morph map keeps the
    stored values stable across renames); where the set of targets is small and fixed, one nullable
    foreign-key column per target table (`invoice_id`, `fee_id`) with a CHECK that exactly one is set
    can be declared and joined.

    ## What it leaves out
    A `*_type` column beside a `*_id` column that has a foreign key: the key says which table it
    points to, and the type is then a kind, not a table. Pairs of framework tables (Active Storage's
    `record_type` + `record_id`), which are not audited. The type column itself is not also asked
    about as an unexplained value set.
    """
    this = REGISTRY["polymorphic-reference"]
    names: TableNames | None = None
    for schema, table in ctx.tables():
        for type_column, id_column in ctx.per_table("polymorphic pairs", table, polymorphic_pairs):
            found = ctx.column_profile(schema, table, type_column)
            types = observed_values(found[1]) if found else None
            named: dict[str, str] = {}
            for value in list(types or ())[:_MAX_TYPES]:
                names = names or TableNames.of(ctx.catalog)
                if (table_named := _table_named(names, schema, table, value)) is not None:
                    named[value] = ctx.target(*table_named)
            if types:
                listed = ", ".join(f"{v} ({n:,})" for v, n in list(types.items())[:8]) + (", ..." if len(types) > 8 else "")
                seen = f"; {found[0].how}: {len(types)} types, {listed}"
            elif found and found[1].distinct:
                seen = f"; {found[0].how}: {found[1].distinct} types"
            elif found and found[1].non_null == 0 and found[0].rows_read:
                seen = f"; {found[0].how}: no row has a type"
            else:
                seen = "; no row was read, so which tables it points to is not known from the data"
            if type_column.enum_values:
                seen += f"; its {type_column.declared_type} allows {', '.join(type_column.enum_values[:12])}"
            pair = f"{table.name}.{type_column.name} + {id_column.name}"
            yield this.finding(
                ctx.located(schema, table, id_column),
                f"{pair} is a polymorphic reference: each row points at a row of the table its "
                f"{type_column.name} names, and no foreign key can hold that{seen}",
                f"Which tables can {table.name}.{type_column.name} name (and with which stored values), is that list "
                f"closed, and does every {id_column.name} exist in the table its type names?",
                type_column=type_column.name,
                id_column=id_column.name,
                id_type=id_column.declared_type,
                observed_in=found[0].how if types else None,
                observed_types=types,
                tables_named=named or None,
                declared_types=list(type_column.enum_values) or None,
            )


def _table_named(names: TableNames, schema, table, value: str):
    """The table a stored type names by its own words (`Invoice`, `App\\Models\\Product`), if any;
    a role is not stripped from a class name (`NetsuiteCustomer` is not `customers`)."""
    segment = _LAST_SEGMENT.fullmatch(value.strip())
    hit = names.by_name(schema, table, words(segment.group(1))) if segment else None
    return hit[0][:2] if hit is not None and not hit[2] else None
