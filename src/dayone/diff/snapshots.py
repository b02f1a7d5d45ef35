"""Reading two snapshot files for a diff, leaving out what cannot hold a change.

pydantic validates a 5,000-table snapshot in about half a second; a diff reads two. Most tables of
two snapshots of one database are the same but for their statistics, and the same JSON object
minus those fields is the same table: such tables are dropped from both documents before they are
validated (orjson parses the whole files in a fraction of that time), and what is left is built
without pydantic (dayone.catalog.fastread). A table whose readability or
publication differs between the two stays, as does everything else a change is made of. Anything
unexpected in a file, and it is read whole by the snapshot reader, which says what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from dayone.catalog import fastread
from dayone.catalog import snapshot as snapshot_file
from dayone.catalog.model import Catalog

# Fields that move with the rows, never a change (dayone.diff.compare.structure leaves them out too).
STATISTICS = frozenset({"estimated_rows", "size_bytes", "inserts", "updates", "deletes"})


def read_pair(old: Path, new: Path) -> tuple[Catalog, Catalog]:
    """Both catalogs, without the tables whose structure is the same in both files (and without
    the statistics of those kept: a diff does not read them)."""
    old_text, new_text = _text(old), _text(new)
    documents = [_document(old_text), _document(new_text)]
    if documents[0] is None or documents[1] is None:
        return snapshot_file.from_json(old_text, str(old)), snapshot_file.from_json(new_text, str(new))
    try:
        pruned = _pruned(documents[0]["catalog"], documents[1]["catalog"])
        try:  # what is left is small: built directly, without pydantic's import and schema build
            return fastread.catalog(pruned[0]), fastread.catalog(pruned[1])
        except fastread.Unreadable:
            adapter = snapshot_file._adapter()
            return adapter.validate_python(pruned[0]), adapter.validate_python(pruned[1])
    except Exception:  # noqa: BLE001 - anything unexpected: the snapshot reader says what is wrong
        return snapshot_file.from_json(old_text, str(old)), snapshot_file.from_json(new_text, str(new))


def _text(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return snapshot_file.read(path)  # type: ignore[return-value] - raises the reader's one-line error


def _document(text: bytes) -> dict | None:
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if (isinstance(document, dict) and document.get("format") == snapshot_file.FORMAT and type(document.get("format_version")) is int
            and document["format_version"] == snapshot_file.FORMAT_VERSION and isinstance(document.get("catalog"), dict)):  # fmt: skip
        return document
    return None


def _pruned(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, dict]:
    old_tables = _tables(old)
    new_tables = _tables(new)
    keep = _access_differences(old, new, old_tables.keys() | new_tables.keys())
    for table in (*old_tables.values(), *new_tables.values()):  # the documents are this reader's own
        for name in STATISTICS.intersection(table):
            del table[name]
    same = {key for key, table in old_tables.items() if key not in keep and table == new_tables.get(key)}
    return _without(old, same), _without(new, same)


def _tables(catalog: dict) -> dict[tuple[str, str], dict]:
    return {(schema["name"], table["name"]): table for schema in catalog.get("schemas", ()) for table in schema.get("tables", ())}


def _without(catalog: dict, same: set[tuple[str, str]]) -> dict:
    schemas = [{**schema, "tables": [t for t in schema.get("tables", ()) if (schema["name"], t["name"]) not in same]}
               for schema in catalog.get("schemas", ())]  # fmt: skip
    return {**catalog, "schemas": schemas}


def _access_differences(old: dict, new: dict, tables: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Tables (of `tables`, both sides') whose readability or publication membership is not the same in both."""
    def facts(catalog: dict) -> set[tuple[str, ...]]:
        access = catalog.get("access") or {}
        found: set[tuple[str, ...]] = set()
        for schema in access.get("schemas") or ():
            found |= {("unreadable", schema["name"], t) for t in schema.get("unreadable", ())}
            found |= {("columns", schema["name"], t) for t in schema.get("columns_only", ())}
            found |= {("schema", schema["name"], str(schema.get("usage")))}
        for publication in access.get("publications") or ():
            found |= {("member", s, t, publication["name"]) for s, t in publication.get("members") or ()}
        return found

    changed = facts(old) ^ facts(new)
    schemas = {f[1] for f in changed if f[0] == "schema"}
    keep = {(f[1], f[2]) for f in changed if f[0] != "schema"}
    keep |= {key for key in tables if key[0] in schemas}
    return keep
