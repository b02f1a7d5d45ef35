"""Governance: which columns hold personal data, so that the team decides what the warehouse may
copy, mask or leave out. By name and type (dayone.rules.personal) and, with a profile, by what the
values look like; no value is ever reported (the profile keeps none of these columns')."""

from __future__ import annotations

from dayone.rules.context import AuditContext
from dayone.rules.personal import EMAIL, IP, PHONE, personal_by_values, personal_columns
from dayone.rules.registry import REGISTRY, rule
from dayone.rules.rollup import Rollup

PERSONAL_DATA_ROLLUP = Rollup(
    noun=("column", "columns"),
    by="table",
    says="{n} columns of {key} hold personal data",
    asks="Which personal columns of {key} may the warehouse hold (as they are, masked, hashed or not at all), who may "
    "read them there, and how long may they be kept?",
)

_LIKE = {EMAIL: "e-mail addresses", PHONE: "phone numbers", IP: "IP addresses"}


@rule(name="personal-data", code="DG501", family="governance", scope="column", severity="info",
      needs=("catalog", "profile"), rollup=PERSONAL_DATA_ROLLUP)  # fmt: skip
def personal_data(ctx: AuditContext):
    """A column holds personal data: e-mail, phone, a person's name, an address, a birth date, an IP
    address or a government id.

    ## What it detects
    Columns whose name and type say they hold personal data: e-mail addresses (email,
    contact_email), phone numbers (phone, mobile_number), people's names (first_name, last_name;
    `name`, `display_name` and `legal_name` only in a table of people: users, customers, members,
    employees, patients, students, contacts...), postal addresses (street, address_line1, postcode:
    in a table of people, an address table that belongs to people, or named billing_/shipping_/home_),
    birth dates, IP addresses (last_sign_in_ip, PostgreSQL `inet`) and government ids (ssn, passport
    number, national id, driver's licence; tax ids only in a table of people). With a profile, also
    text columns at least half of whose values read look like e-mail addresses, phone numbers or IP
    addresses, whatever they are called. No value is ever reported: the profile keeps none of these
    columns' values, so no other finding can list them either.

    ## Why it matters for analytics
    Copying a production database to a warehouse copies its personal data to a place with more
    readers, more copies and longer retention. Privacy law (GDPR, CCPA) asks what is kept, why, who
    can read it and for how long; answering before the first sync is cheap, after it a clean-up of
    every copy.

    ## Question for the engineering team
    May the warehouse hold this column as it is, masked, hashed, or not at all? Who may read it
    there, and how long may it be kept?

    ## How to fix
    Decide per column: leave it out of extraction, hash it (joins still work), mask it, or keep it
    in a restricted schema with a retention period; record the decision in the data contract and
    tag the column in the catalog (a comment such as `PII: email`).

    ## What it leaves out
    A `name` outside a table of people (products, warehouses, plans) and an address that is a
    company's or a building's (organizations, warehouses) are not personal data. Cities, regions and
    countries alone, usernames and other online identifiers, free text that may mention people, and
    categories such as gender (which identify no one and whose value sets analysts need explained)
    are left out. Values are judged by shape only in text (and inet) columns, from five values read.
    """
    this = REGISTRY["personal-data"]
    for schema, table in ctx.tables():
        named = personal_columns(table)
        profile = ctx.table_profile(schema, table)
        for column in table.columns:
            values = profile.column(column.name) if profile is not None and profile.method in ("sample", "full") else None
            by_values = personal_by_values(values) if values is not None else None
            label = named.get(column.name) or by_values
            if label is None:
                continue
            how = "its name" if column.name in named else "its values"
            seen = None
            if by_values is not None:
                like = {EMAIL: values.email_like, PHONE: values.phone_like, IP: values.ip_like}[by_values]
                seen = f"{like:,} of {values.non_null:,} values read look like {_LIKE[by_values]} ({profile.how})"
            yield this.finding(
                ctx.located(schema, table, column),
                f"{table.name}.{column.name} holds personal data: {label}, by {how}" + (f"; {seen}" if seen else ""),
                f"May the warehouse hold {table.name}.{column.name} as it is, masked, hashed, or not at all? Who may read "
                "it there, and how long may it be kept?",
                personal_data=label,
                detected_by=[w for w, hit in (("name", column.name in named), ("values", by_values is not None)) if hit],
                observed_in=profile.how if seen else None,
                values_read=values.non_null if seen else None,
            )
