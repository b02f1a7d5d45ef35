"""The embedded demo: four small SQLite databases telling the story of one launch.

A collectibles company launches grading submissions, a physical vault, a collection feature and a
single login, "Collectors ID", on four new production databases at once. `build_demo` writes them,
the same bytes every time (fixed seed, fixed clock: go-live is 2026-11-02 09:00 UTC), with problems
planted on purpose; `DEMO_PROBLEMS` lists them so tests and the audit can check each is found.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import NamedTuple

from dayone.demo import collection, grading, identity, vault
from dayone.demo.vocabulary import GO_LIVE
from dayone.demo.world import World, make_world

__all__ = ["DATABASES", "DEMO_PROBLEMS", "GO_LIVE", "DemoProblem", "build_demo"]

DATABASES = {"identity": identity, "grading": grading, "vault": vault, "collection": collection}


class DemoProblem(NamedTuple):
    database: str
    rule: str
    target: str  # "table" or "table.column"
    seen_from: str  # "catalog": the schema shows it; "data": only the rows do (profiling);
    #                 "project": only the four databases together do


# The problems planted on purpose. An audit may rightly find more (e.g. a lookup table without
# created_at); tests check that every planted problem the audit can see is found.
DEMO_PROBLEMS: tuple[DemoProblem, ...] = tuple(DemoProblem(*p) for p in (
    ("identity", "migrated-data", "accounts", "data"),  # legacy_source/legacy_user_id, 1,550 rows created in 40 minutes
    ("identity", "test-data-in-production", "accounts", "data"),  # qa+N@example.com, loadtest_NNNN accounts
    ("identity", "soft-delete-column", "accounts.deleted_at", "catalog"),
    ("identity", "missing-updated-at", "account_identities", "catalog"),  # last_used_at changes, nothing says when
    ("grading", "unexplained-value-set", "submissions.status", "catalog"),  # no lookup table, no CHECK
    ("grading", "timestamp-without-time-zone", "submissions.submitted_at", "catalog"),  # Pacific wall-clock time
    ("grading", "timestamp-without-time-zone", "submissions.created_at", "catalog"),
    ("grading", "timestamp-without-time-zone", "submissions.updated_at", "catalog"),
    ("grading", "timestamp-without-time-zone", "items.created_at", "catalog"),
    ("grading", "timestamp-without-time-zone", "items.updated_at", "catalog"),
    ("grading", "timestamp-without-time-zone", "submission_status_history.changed_at", "catalog"),
    ("grading", "json-in-text", "items.grading_details", "data"),
    ("grading", "json-without-schema", "items.grading_details", "data"),  # TEXT: only the values show it is JSON
    ("grading", "updated-at-not-maintained", "submissions.updated_at", "catalog"),
    ("grading", "updated-at-not-maintained", "items.updated_at", "catalog"),
    ("grading", "untracked-status-changes", "items.status", "catalog"),  # submissions have a history table, items not
    ("vault", "missing-primary-key", "vault_items", "catalog"),
    ("vault", "implicit-foreign-key", "vault_items.storage_location_id", "catalog"),  # -> storage_locations.id, no FK
    ("vault", "implicit-foreign-key", "vault_items.submission_id", "project"),  # -> grading.submissions.id
    ("vault", "hard-deletes", "vault_items", "data"),  # withdrawn rows are deleted: gaps in the rowid
    ("vault", "untracked-status-changes", "vault_items.status", "catalog"),
    ("vault", "missing-updated-at", "storage_locations", "catalog"),
    ("collection", "unexplained-value-set", "collection_items.source", "catalog"),  # 'psa' | 'pcgs' | 'manual'
    ("collection", "soft-delete-column", "collection_items.is_deleted", "catalog"),
    ("collection", "json-without-schema", "collection_items.metadata", "catalog"),
    ("collection", "updated-at-not-maintained", "collection_items.updated_at", "catalog"),
    ("collection", "cascade-delete", "collection_item_images.collection_item_id", "catalog"),
    ("collection", "undocumented-table", "collection_item_images", "catalog"),
    ("collection", "missing-created-at", "collection_item_images", "catalog"),
    ("collection", "migrated-data", "collection_items", "data"),  # PCGS collections imported an hour after the logins
))


def build_demo(directory: Path) -> list[Path]:
    """(Re)create identity.db, grading.db, vault.db and collection.db in `directory`; returns their
    paths. Each file is written under a temporary name and renamed into place, so an interrupted
    build leaves either the previous file or the new one, never half a database."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    world = make_world()
    return [_build_one(directory, name, module, world) for name, module in DATABASES.items()]


def _build_one(directory: Path, name: str, module, world: World) -> Path:
    final = directory / f"{name}.db"
    partial = directory / f".{name}.db.{os.getpid()}.building"
    partial.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(partial, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back to
            conn.execute("PRAGMA synchronous = OFF")
            conn.executescript(module.DDL)
            conn.execute("BEGIN")
            module.load(conn, world)
            if module.TRIGGERS:  # after the rows, so loading them fires nothing
                conn.executescript(module.TRIGGERS)
            conn.execute("ANALYZE")  # statistics: row estimates without counting
            conn.commit()
        finally:
            conn.close()
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final
