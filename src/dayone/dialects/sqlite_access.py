"""SQLite access facts: a file has no logins, TLS, replicas or change log, only the file itself.

What can be said: dayone opened it read-only (mode=ro, query_only), whether the operating-system
user running dayone could write it anyway, and its journal mode (a WAL file beside it means another
process may be writing while we read). One query.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from dayone.catalog.access import AccessFacts, Hosting
from dayone.connect.session import Session


def read_access(session: Session) -> AccessFacts:
    path = Path(session.target.database or "")
    unknown: dict[str, str] = {}
    journal_mode = None
    try:
        rows = session.query("PRAGMA journal_mode")
        journal_mode = str(rows[0][0]) if rows else None
    except sqlite3.Error as exc:
        unknown["journal mode"] = str(exc)
    return AccessFacts(
        product="sqlite",
        version=sqlite3.sqlite_version,
        version_text=f"SQLite {sqlite3.sqlite_version}",
        database=path.stem,
        transport="file",
        hosting=Hosting(provider="a database file on this machine", evidence=("SQLite keeps the database in one file",)),
        journal_mode=journal_mode,
        file_writable=os.access(path, os.W_OK) if path.exists() else None,
        unknown=unknown,
        notes=("opened read-only: SQLite itself refuses every write (mode=ro, PRAGMA query_only)",),
    )
