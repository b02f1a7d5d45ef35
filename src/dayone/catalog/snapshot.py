"""Snapshots: the catalog as stable, versioned, sorted JSON.

The same catalog always gives the same bytes (sorted keys, sorted collections, no timestamps), so
snapshots diff cleanly in git and can be audited offline.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from dayone.catalog.model import Catalog
from dayone.errors import DayoneError

FORMAT = "dayone-snapshot"
FORMAT_VERSION = 1


@cache
def _adapter() -> TypeAdapter[Catalog]:
    return TypeAdapter(Catalog)


def to_json(catalog: Catalog) -> str:
    body = _adapter().dump_python(catalog, mode="json")
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "catalog": body}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def from_json(text: str, source: str = "snapshot") -> Catalog:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DayoneError(f"{source} is not valid JSON (line {exc.lineno}): is it a dayone snapshot?") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DayoneError(f"{source} is not a dayone snapshot (no \"format\": \"{FORMAT}\" field)")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise DayoneError(
            f"{source} has snapshot format version {version}; this dayone reads version {FORMAT_VERSION}: "
            "take the snapshot again with this version"
        )
    try:
        return _adapter().validate_python(document["catalog"])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DayoneError(f"{source} is a damaged snapshot: {where}: {first['msg']}") from None


def write(catalog: Catalog, path: str | Path) -> None:
    Path(path).write_text(to_json(catalog), encoding="utf-8")


def read(path: str | Path) -> Catalog:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DayoneError(f"snapshot file {path} does not exist") from None
    except OSError as exc:
        raise DayoneError(f"cannot read snapshot file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DayoneError(f"{path} is not a dayone snapshot (not text): pass a snapshot .json or a database URL") from None
    return from_json(text, source=str(path))
