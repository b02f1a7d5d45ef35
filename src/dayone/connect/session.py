"""A guarded, read-only session on someone else's production database.

Every statement dayone sends goes through `Session.query`, which records it: tests check the list
against the allowed kinds of statement, and `--verbose` can show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dayone.connect.options import SessionOptions
from dayone.connect.target import DatabaseTarget


@dataclass
class Session:
    target: DatabaseTarget
    options: SessionOptions
    connection: Any  # the DB-API connection the dialect opened, guards already applied
    statements: list[str] = field(default_factory=list)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        self.statements.append(sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params) if params is not None else cursor.execute(sql)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # closing a broken connection must not hide the error that broke it
            pass

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
