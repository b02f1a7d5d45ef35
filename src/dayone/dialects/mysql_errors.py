"""Turning PyMySQL errors into one line that names the cause and what to do."""

from __future__ import annotations

import configparser
import socket

from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.secrets import missing_hint
from dayone.connect.target import DatabaseTarget
from dayone.errors import ConnectError, DayoneError, redact_untrusted

# Server and client error numbers (include/mysqld_error.h, include/errmsg.h).
ACCESS_DENIED = (1045, 1698)  # 1698: MariaDB, a user that does not exist or needs another plugin
DB_ACCESS_DENIED = 1044
BAD_DB = 1049
TABLE_ACCESS_DENIED = 1142
SPECIFIC_ACCESS_DENIED = 1227
HOST_NOT_PRIVILEGED = 1130
HOST_BLOCKED = 1129
TOO_MANY_CONNECTIONS = 1040
USER_LIMIT_REACHED = 1226
CONN_HOST_ERROR = 2003
UNKNOWN_HOST = 2005
SERVER_GONE = 2006
SERVER_LOST = 2013
AUTH_PLUGIN = (1251, 2059, 2061)
STATEMENT_TIMEOUT = (1969, 3024)  # MariaDB max_statement_time, MySQL max_execution_time
LOCK_WAIT_TIMEOUT = 1205
PERMISSION_ERRORS = (DB_ACCESS_DENIED, TABLE_ACCESS_DENIED, SPECIFIC_ACCESS_DENIED, 1143, 1370)


def where(target: DatabaseTarget) -> str:
    return f"{target.host or 'localhost'}:{target.port or 3306}"


def connect_error(exc: BaseException, target: DatabaseTarget, options: SessionOptions) -> ConnectError:
    """One line for a failed connection or login; never the password, never a traceback."""
    at = where(target)
    user = target.username or "(default user)"
    code, text = _code_and_text(exc)
    lowered = text.lower()
    if isinstance(exc, configparser.Error):  # its text quotes lines of the file: maybe the password
        line = getattr(exc, "lineno", None) or next((n for n, _ in getattr(exc, "errors", ())), None)
        message = (
            f"cannot read ~/.my.cnf{f' (line {line})' if line else ''}: it is not an option file "
            "([client] then key=value lines); fix it or give the password another way"
        )
    elif isinstance(exc, UnicodeEncodeError):  # its text names a character of the password
        message = (
            f"cannot log in to {at} as {user!r}: the password in ~/.my.cnf has characters PyMySQL cannot send "
            "(it reads that file as Latin-1): give it through DAYONE_PASSWORD or another source"
        )
    elif code in ACCESS_DENIED:
        if target.password is not None or target.password_origin:  # ~/.my.cnf: PyMySQL read it itself
            came = f" (the password came from {target.password_origin})" if target.password_origin else ""
            hint = f"wrong user or password{came}"
        else:
            hint = f"no password was given: {missing_hint(target.password_variable, '~/.my.cnf')}"
        message = f"login failed for user {user!r} on {at}: {hint}"
    elif code == BAD_DB:
        message = f"database {target.database!r} does not exist on {at}: check the database name in the URL"
    elif code in PERMISSION_ERRORS:
        message = (
            f"permission denied for user {user!r} on {at} ({text}): ask the database owner to grant "
            "SELECT and SHOW VIEW on the database"
        )
    elif code == HOST_NOT_PRIVILEGED:
        message = f"the server at {at} does not accept logins for user {user!r} from this machine: {text}"
    elif code == HOST_BLOCKED:
        message = f"the server at {at} blocks this machine after too many failed connections: ask for FLUSH HOSTS"
    elif code in (TOO_MANY_CONNECTIONS, USER_LIMIT_REACHED):
        message = f"the server at {at} refuses more connections ({text}): try again later"
    elif code in AUTH_PLUGIN or "cryptography" in lowered:
        message = f"cannot log in to {at} as {user!r}: the server's authentication method is not supported here ({text})"
    elif code in (CONN_HOST_ERROR, UNKNOWN_HOST, SERVER_GONE, SERVER_LOST) or isinstance(exc, OSError):
        message = (
            f"cannot reach MySQL/MariaDB at {at} ({_network_cause(exc, lowered, options)}): "
            "is the host, port and network (VPN, SSH tunnel) right?"
        )
    else:
        message = f"cannot connect to MySQL/MariaDB at {at}: {text}" + (f" (error {code})" if code else "")
    return ConnectError(one_line(message))


def guard_error(exc: BaseException, target: DatabaseTarget, statement: str) -> ConnectError:
    code, text = _code_and_text(exc)
    return ConnectError(
        one_line(
            f"connected to {where(target)} but could not apply the session guard `{statement}` ({text}): "
            "dayone does not read a server it cannot make read-only and time-bounded"
        )
    )


def catalog_error(exc: BaseException, session: Session) -> DayoneError:
    code, text = _code_and_text(exc)
    if code in STATEMENT_TIMEOUT:
        message = (
            f"reading the catalog took longer than the statement timeout ({session.options.statement_timeout:g} s): "
            "raise --statement-timeout"
        )
    elif code == LOCK_WAIT_TIMEOUT:
        message = "a table stayed locked while the catalog was read; try again when DDL is not running"
    elif code in PERMISSION_ERRORS:
        message = f"permission denied while reading the catalog: {text}"
    elif code in (SERVER_GONE, SERVER_LOST) or isinstance(exc, OSError):
        message = f"the connection to {where(session.target)} was lost while reading the catalog: {text}"
    else:
        message = f"reading the catalog failed: {text}" + (f" (error {code})" if code else "")
    return DayoneError(one_line(message))


def one_line(message: str) -> str:
    return " ".join(message.split())


def _code_and_text(exc: BaseException) -> tuple[int | None, str]:
    """The error number and the driver's text, without credentials, withheld if a password is still in it."""
    args = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], redact_untrusted(str(args[1]))
    return None, redact_untrusted(str(exc)) or type(exc).__name__


def _network_cause(exc: BaseException, lowered: str, options: SessionOptions) -> str:
    original = getattr(exc, "original_exception", exc)
    if isinstance(original, socket.gaierror) or "name or service not known" in lowered or "nodename" in lowered:
        return "unknown host name"
    if isinstance(original, ConnectionRefusedError) or "refused" in lowered:
        return "connection refused"
    if isinstance(original, TimeoutError) or "timed out" in lowered or "timeout" in lowered:
        return f"no answer within {options.connect_timeout:g} s"
    if isinstance(original, OSError) and original.strerror:
        return original.strerror.lower()
    return lowered.rstrip(".") or "network error"
