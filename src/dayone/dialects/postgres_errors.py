"""Turning psycopg errors into one line that names the cause and what to do."""

from __future__ import annotations

from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.secrets import missing_hint
from dayone.connect.target import DatabaseTarget
from dayone.errors import ConnectError, DayoneError, redact_untrusted


def connect_error(exc: Exception, target: DatabaseTarget, options: SessionOptions) -> ConnectError:
    where = f"{target.host or 'localhost'}:{target.port or 5432}"
    user = target.username or "(default user)"
    text = str(exc)
    lowered = text.lower()
    sqlstate = getattr(exc, "sqlstate", None)
    # libpq adds 'password retrieved from file "..."' when the password came from .pgpass
    origin = target.password_origin or ("the .pgpass file" if "password retrieved from file" in lowered else None)
    if sqlstate == "28P01" or "password authentication failed" in lowered:
        source = f"from {origin}" if origin else f"({missing_hint(target.password_variable, '~/.pgpass')})"
        message = f"login failed for user {user!r} on {where}: wrong password {source}"
    elif "no password supplied" in lowered or "fe_sendauth" in lowered:
        message = f"the server at {where} asks user {user!r} for a password: {missing_hint(target.password_variable, '~/.pgpass')}"
    elif sqlstate == "3D000" or ("database" in lowered and "does not exist" in lowered):
        message = f"database {target.database!r} does not exist on {where}: check the database name in the URL"
    elif ("role" in lowered and "does not exist" in lowered) or sqlstate == "28000":
        message = f"login failed for user {user!r} on {where}: the server does not accept this user ({_first_line(text)})"
    elif sqlstate == "42501" or "permission denied" in lowered or "connect privilege" in lowered:
        message = f"user {user!r} may not connect to database {target.database!r} on {where}: ask for CONNECT permission"
    elif "could not translate host name" in lowered or "name or service not known" in lowered:
        message = f"unknown host {target.host!r}: check the host name in the URL (and your VPN or SSH tunnel)"
    elif "timeout expired" in lowered or "timed out" in lowered:
        message = (
            f"no answer from {where} within {options.connect_timeout:g} s: is the host reachable from here "
            "(firewall, VPN, SSH tunnel)? --connect-timeout sets the limit"
        )
    elif "connection refused" in lowered:
        message = f"cannot reach PostgreSQL at {where} (connection refused): is the server running and the port right?"
    elif "ssl" in lowered:
        message = f"TLS problem connecting to {where}: {_first_line(text)}"
    else:
        message = f"cannot connect to {where}: {_first_line(text)}"
    return ConnectError(message)


def catalog_error(exc: Exception, session: Session) -> DayoneError:
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate == "57014":
        return DayoneError(
            f"reading the catalog took longer than the statement timeout ({session.options.statement_timeout:g} s): "
            "raise --statement-timeout"
        )
    if sqlstate == "42501":
        return DayoneError(f"permission denied while reading the catalog: {_first_line(str(exc))}")
    return DayoneError(f"reading the catalog failed: {_first_line(str(exc))}")


def _first_line(text: str) -> str:
    """The driver's cause, fit for a message: one line, no credentials (libpq may quote parts of the
    connection string), withheld if a password is still in it."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    # libpq prefixes 'connection to server at "h" (ip), port p failed:' — keep the cause after it
    line = lines[-1] if lines else text
    return redact_untrusted(line.split("failed: ", 1)[-1])

