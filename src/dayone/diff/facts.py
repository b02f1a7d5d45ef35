"""What the catalog's access facts and the data's profiles add to a diff: whether the analytics
login can read a table (and, on PostgreSQL, whether a CDC publication carries it), and the status
values and JSON keys the rows hold now that they did not before."""

from __future__ import annotations

from collections.abc import Iterator

from dayone.catalog.model import Catalog
from dayone.diff.compare import Names
from dayone.diff.model import Change


def _unreadable(catalog: Catalog) -> dict[tuple[str, str], str] | None:
    if catalog.access is None or catalog.access.schemas is None:
        return None
    return {(schema, table): why for schema, table, why in catalog.access.unreadable_tables()}


def _login(catalog: Catalog) -> str:
    login = catalog.access.login if catalog.access is not None else None
    return f"the login {login}" if login else "the login"


def access_changes(old: Catalog, new: Catalog, names: Names, changes: list[Change]) -> list[Change]:
    """The changes with what access says added: a new table's readability and publication, and tables
    the login could read before and cannot now."""
    old_unreadable, new_unreadable = _unreadable(old), _unreadable(new)
    found = []
    for change in changes:
        if change.kind == "table-added" and change.schema is not None:
            change = _said_of_new_table(change, new, new_unreadable)
        found.append(change)
    if old_unreadable is None or new_unreadable is None:
        return found
    same_login = (old.access.login == new.access.login)  # type: ignore[union-attr]
    seen = f"{_login(new)}" + ("" if same_login else f" (the old side was read as {old.access.login or ''})")  # type: ignore[union-attr]
    # partitions are read through their parent (PostgreSQL checks the parent's privilege)
    present = {(s.name, t.name) for s, t in new.tables() if t.kind != "partition"}
    for schema, table in sorted(_tables(old)):
        new_name = names.table(schema, table)
        if (schema, new_name) not in present:
            continue
        was, now = (schema, table) in old_unreadable, (schema, new_name) in new_unreadable
        target = names.spell(schema, new_name)
        if now and not was:
            found.append(Change("table-unreadable", target, "breaking", f"{seen} could read it and now cannot "
                                f"({new_unreadable[(schema, new_name)]}): its extraction fails", schema=schema, table=new_name))  # fmt: skip
        elif was and not now:
            found.append(Change("table-readable", target, "action", f"{seen} can read it now: decide whether to extract it",
                                schema=schema, table=new_name))  # fmt: skip
    found += list(_publication_moves(old, new, names))
    return found


def _tables(catalog: Catalog):
    return [(s.name, t.name) for s, t in catalog.tables()]


def _said_of_new_table(change: Change, new: Catalog, unreadable) -> Change:
    from dataclasses import replace

    said = []
    if unreadable is not None:
        why = unreadable.get((change.schema, change.table))  # type: ignore[arg-type]
        said.append(f"{_login(new)} cannot read it ({why}): grant SELECT before extracting it" if why
                    else f"{_login(new)} can read it")  # fmt: skip
    elif new.access is not None and new.access.hidden_tables_possible:
        said.append(f"{_login(new)} sees it, so holds some privilege on it")
    if new.product == "postgresql":
        said.append(_publication_said(new, change.schema, change.table))  # type: ignore[arg-type]
    said = [s for s in said if s]
    if not said:
        return change
    return replace(change, detail=f"{change.detail}; {'; '.join(said)}")


def _publication_said(catalog: Catalog, schema: str, table: str) -> str | None:
    access = catalog.access
    if access is None or access.publications is None:
        return None
    if not access.publications:
        return "no CDC publication exists on this database"
    carrying = [p.name for p in access.publications if p.carries(schema, table)]
    unknown = [p.name for p in access.publications if p.carries(schema, table) is None]
    if carrying:
        return f"CDC publication {', '.join(carrying)} carries it"
    if unknown:
        return f"whether CDC publication {', '.join(unknown)} carries it was not read (an older snapshot)"
    return f"no CDC publication carries it (publications: {', '.join(p.name for p in access.publications)}): its changes do not stream"


def _publication_moves(old: Catalog, new: Catalog, names: Names) -> Iterator[Change]:
    if old.access is None or new.access is None or not old.access.publications or not new.access.publications:
        return
    old_pubs = {p.name: p for p in old.access.publications}
    present = {(s.name, t.name) for s, t in new.tables()}
    was_present = {(s, names.table(s, t)) for s, t in _tables(old)}
    for publication in new.access.publications:
        before = old_pubs.get(publication.name)
        if before is None or before.members is None or publication.members is None:
            continue
        renamed_before = {(s, names.table(s, t)) for s, t in before.members}
        now = set(publication.members)
        for schema, table in sorted(renamed_before - now):
            if (schema, table) in present:
                yield Change("publication-left", names.spell(schema, table), "action", f"CDC publication {publication.name} no "
                             "longer carries it: its changes stop streaming", schema=schema, table=table)  # fmt: skip
        for schema, table in sorted(now - renamed_before):
            if (schema, table) in was_present:
                yield Change("publication-joined", names.spell(schema, table), "action",
                             f"CDC publication {publication.name} carries it now", schema=schema, table=table)  # fmt: skip


def profile_changes(old_profile, new_profile, names: Names, new: Catalog) -> Iterator[Change]:
    """New observed status values and new JSON keys, from two profiles (both sides read live). Only
    complete value sets count (every distinct value read was kept), so a value seen for the first
    time is new, not merely rarer than the ones listed."""
    if old_profile is None or new_profile is None:
        return
    if not (old_profile.keep_values and new_profile.keep_values):
        return
    from dayone.rules.naming import is_value_set_column

    # keyed by the table's new name: a renamed table's profile is compared with its old one
    old_tables = {(t.schema, names.table(t.schema, t.table)): t for t in old_profile.tables}
    for table_profile in new_profile.tables:
        schema = table_profile.schema
        old_table = old_tables.get((schema, table_profile.table))
        catalog_schema = new.schema(schema)
        table = catalog_schema.table(table_profile.table) if catalog_schema is not None else None
        if old_table is None or table is None:
            continue
        mapping = {new_name: old_name for old_name, new_name in names.columns.get((schema, table.name), {}).items()}
        for column_profile in table_profile.columns:
            column = table.column(column_profile.name)
            before = old_table.column(mapping.get(column_profile.name, column_profile.name))
            if column is None or before is None:
                continue
            target = names.spell(schema, table.name, column.name)
            if is_value_set_column(column) or column.normalized_type == "enum":
                added = _new_values(before, column_profile)
                if added:
                    yield Change("status-value-new", target, "action", f"value(s) {', '.join(map(repr, added[:12]))} appear in "
                                 f"the rows now ({table_profile.how}) and did not before: add them to mappings and "
                                 "accepted-values tests", schema=schema, table=table.name, column=column.name)  # fmt: skip
            if before.json is not None and column_profile.json is not None and not before.json.truncated and not column_profile.json.truncated:
                old_paths = {p.path for p in before.json.paths}
                added = sorted(p.path for p in column_profile.json.paths if p.path not in old_paths)
                if added:
                    yield Change("json-key-new", target, "action", f"JSON key(s) {', '.join(added[:12])} appear in the documents "
                                 f"now ({table_profile.how}): models flattening this column do not carry them",
                                 schema=schema, table=table.name, column=column.name)  # fmt: skip


def _new_values(before, after) -> list[str]:
    def complete(profile) -> bool:
        return bool(profile.top_values) and profile.distinct is not None and profile.distinct == len(profile.top_values)

    if not (complete(before) and complete(after)):
        return []
    known = {v.value for v in before.top_values}
    return [v.value for v in after.top_values if v.value not in known]
