"""A metric's SELECT, run in a guarded session: Dialect.run_query of each engine.

The SQL was checked before the connection opened (dayone.project.metric_sql.refuse_unsafe: one
SELECT, nothing that writes, locks or runs SQL of its own). Here the engine's own guards apply
as for the audit: the read-only session refuses any write that got through (a user-defined
function that writes, say), the statement timeout stops a query that runs too long, and the rows
are bounded without rewriting the user's SQL:

- PostgreSQL: a server-side cursor (DECLARE ... CURSOR FOR takes exactly one query, so nothing can
  follow it), FETCH of row_limit + 1 rows, then the transaction is rolled back: rows past the limit
  are never sent;
- MySQL/MariaDB: `sql_select_limit` makes the server send at most row_limit + 1 rows of a SELECT
  without a LIMIT of its own (PyMySQL sends one statement per call unless told otherwise);
- SQLite: rows are computed as they are fetched, and the cursor is closed after row_limit + 1;
  sqlite3 runs one statement per call.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dayone.connect.session import Session
from dayone.dialects.base import QueryResult
from dayone.errors import DayoneError, redact_untrusted

CURSOR_NAME = "dayone_metric"


def _timed_out(session: Session) -> DayoneError:
    return DayoneError(
        f"took longer than the statement timeout ({session.options.statement_timeout:g} s) and was stopped by the "
        "server: --statement-timeout raises it"
    )


def _result(columns: tuple[str, ...], rows: list[tuple], row_limit: int) -> QueryResult:
    return QueryResult(columns, rows[:row_limit], len(rows) > row_limit)


def run_postgres(session: Session, sql: str, row_limit: int) -> QueryResult:
    import psycopg

    from dayone.dialects.postgres_profile import _abandon as _abandon_postgres  # the profiler's cursor clean-up

    connection = session.connection
    session.statements.append(sql)
    cursor = connection.cursor(name=CURSOR_NAME)
    try:
        cursor.execute(sql)  # DECLARE "dayone_metric" CURSOR FOR <sql>, in a read-only transaction
        rows = cursor.fetchmany(row_limit + 1)
        columns = tuple(d.name for d in cursor.description or ())
        cursor.close()
        connection.rollback()  # a read-only transaction has nothing to commit: end it, and its snapshot
        return _result(columns, rows, row_limit)
    except psycopg.Error as exc:
        lost = connection.closed or connection.broken
        _abandon_postgres(session, cursor)
        if lost:
            raise DayoneError(f"the connection was lost while the metric ran: {_first_line(exc)}") from None
        if isinstance(exc, psycopg.errors.QueryCanceled) and "statement timeout" in str(exc):
            raise _timed_out(session) from None
        if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
            raise DayoneError(f"was refused by the read-only session: {_first_line(exc)}") from None
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            raise DayoneError(f"reads a table another session has locked: not waited on longer than "
                              f"{session.options.lock_timeout:g} s") from None  # fmt: skip
        raise DayoneError(f"failed on the server: {_first_line(exc)}") from None
    except BaseException:
        _abandon_postgres(session, cursor)  # Ctrl-C: psycopg cancelled the statement on the server
        raise


def _first_line(exc) -> str:
    """The server's own message (not libpq's LINE 1: ... ^ that follows it), fit for one line."""
    diag = getattr(exc, "diag", None)
    text = getattr(diag, "message_primary", None) or next((line for line in str(exc).splitlines() if line.strip()), str(exc))
    return " ".join(redact_untrusted(text).split())


def run_mysql(session: Session, sql: str, row_limit: int) -> QueryResult:
    import pymysql
    import pymysql.cursors

    from dayone.dialects.mysql_errors import (LOCK_WAIT_TIMEOUT, PERMISSION_ERRORS, SERVER_GONE, SERVER_LOST,
                                              STATEMENT_TIMEOUT, _code_and_text, one_line)  # fmt: skip

    read_only_refused = 1792  # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
    session.query(f"SET SESSION sql_select_limit = {int(row_limit) + 1}")
    session.statements.append(sql)
    cursor = session.connection.cursor(pymysql.cursors.SSCursor)
    try:
        cursor.execute(sql)
        rows = list(cursor.fetchmany(row_limit + 1))
        columns = tuple(d[0] for d in cursor.description or ())
        cursor.close()  # reads what is left: at most the SELECT's own LIMIT, within the statement timeout
        return _result(columns, rows, row_limit)
    except pymysql.Error as exc:
        code, text = _code_and_text(exc)
        _close_quietly(cursor)
        if code in (SERVER_GONE, SERVER_LOST) or isinstance(exc, pymysql.err.InterfaceError):
            raise DayoneError(one_line(f"the connection was lost while the metric ran: {text}")) from None
        if code in STATEMENT_TIMEOUT:
            raise _timed_out(session) from None
        if code == read_only_refused:
            raise DayoneError(one_line(f"was refused by the read-only session: {text}")) from None
        if code == LOCK_WAIT_TIMEOUT:
            raise DayoneError(f"reads a table another session has locked: not waited on longer than "
                              f"{session.options.lock_timeout:g} s") from None  # fmt: skip
        if code in PERMISSION_ERRORS:
            raise DayoneError(one_line(f"permission denied: {text}")) from None
        raise DayoneError(one_line(f"failed on the server: {text}" + (f" (error {code})" if code else ""))) from None
    except BaseException:
        _close_quietly(cursor)
        raise


def _close_quietly(cursor) -> None:
    try:
        cursor.close()
    except Exception:  # noqa: BLE001 - after an error the result is already ended
        pass


def run_sqlite(session: Session, sql: str, row_limit: int) -> QueryResult:
    from dayone.dialects.sqlite_open import check_unchanged

    connection = session.connection
    session.statements.append(sql)
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchmany(row_limit + 1)
        columns = tuple(d[0] for d in cursor.description or ())
    except (sqlite3.Error, sqlite3.Warning) as exc:
        text = " ".join(redact_untrusted(str(exc)).split())
        if "interrupted" in text and getattr(connection, "timed_out", False):
            raise _timed_out(session) from None
        if "readonly" in text or "read-only" in text or "query_only" in text:
            raise DayoneError(f"was refused by the read-only session: {text}") from None
        raise DayoneError(f"failed in sqlite: {text}") from None
    finally:
        cursor.close()
    check_unchanged(connection, Path(session.target.database or ""))  # a read torn by a writer: say so
    return _result(columns, rows, row_limit)
