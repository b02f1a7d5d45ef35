"""What a TARGET on the command line names: a database URL or a saved snapshot file."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlsplit

from dayone.connect.secrets import PASSWORD_ENV, resolve
from dayone.errors import SECRET_KEY, DayoneError, mask_credentials, register_secret

# Every scheme dayone accepts, mapped to the engine family whose dialect reads it.
SCHEMES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
    "postgresql+psycopg2": "postgresql",
    "mysql": "mysql",
    "mysql+pymysql": "mysql",
    "mariadb": "mysql",
    "mariadb+pymysql": "mysql",
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
}

__all__ = ["PASSWORD_ENV", "DatabaseTarget", "SnapshotTarget", "Target", "parse_target"]


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database URL. `password` never leaves this object except to the driver."""

    engine: str  # "postgresql" | "mysql" | "sqlite"
    host: str | None
    port: int | None
    username: str | None
    password: str | None
    database: str | None
    query: dict[str, str]
    display: str  # the URL with the password masked: safe to print anywhere
    password_origin: str | None = None  # where the password came from ("DAYONE_PASSWORD"...): safe to print
    password_variable: str | None = None  # this source's own DAYONE_PASSWORD_<NAME>, for hints

    def __repr__(self) -> str:  # keep the password out of tracebacks and debug output
        return f"DatabaseTarget({self.display})"


@dataclass(frozen=True)
class SnapshotTarget:
    path: Path
    display: str


Target = DatabaseTarget | SnapshotTarget


def parse_target(text: str, source: str | None = None) -> Target:
    """Turn a TARGET argument into a database URL or a snapshot path, or say clearly why not.

    The password is resolved here (dayone.connect.secrets): `source`, a named source's name, picks
    its DAYONE_PASSWORD_<NAME> variable; without it, the database name or host does."""
    if "://" not in text:
        path = Path(text)
        _refuse_unless_regular(path)  # before opening it: a named pipe would block forever
        if _is_sqlite_file(path):  # a bare path to a SQLite database is as good as its URL
            return parse_target(f"sqlite:///{quote(str(path))}")  # a file name may hold '#', '?' or '%'
        if path.suffix.lower() in SQLITE_SUFFIXES:
            raise DayoneError(_not_sqlite(path) if path.exists() else f"sqlite database file {path} does not exist")
        if text.endswith(".json") or path.is_file():
            if not path.exists():
                raise DayoneError(f"snapshot file {text} does not exist")
            return SnapshotTarget(path=path, display=str(path))
        raise DayoneError(
            f"{_mask(text)!r} is neither a database URL nor a snapshot file: use e.g. "
            "postgresql://user@host/db, mysql://user@host/db, sqlite:///path.db or a dayone snapshot .json"
        )
    # urllib.parse, not SQLAlchemy's make_url: same grammar for these URLs, and importing SQLAlchemy
    # cost 0.15 s of every command's start-up (half of `dayone snapshot` on a small database).
    try:
        url = urlsplit(text)
        port = url.port
    except ValueError as exc:
        if "port" in str(exc).lower():  # never str(exc) itself: it quotes the "port", maybe a password
            raise DayoneError(f"the port in {_mask(text)} is not a number from 0 to 65535") from None
        raise DayoneError(f"cannot parse database URL {_mask(text)}: expected scheme://user@host:port/database") from None
    scheme = url.scheme.lower()
    engine = SCHEMES.get(scheme)
    if engine is None:
        known = ", ".join(sorted({s.split("+")[0] for s in SCHEMES}))
        raise DayoneError(f"unknown database URL scheme {scheme!r}: dayone reads {known}")
    if engine != "sqlite" and "@" not in url.netloc and ":" in url.netloc and "@" in text.partition("://")[2]:
        # user:pass/word@host read as host:port: the host, port and path would hold the password
        raise DayoneError(
            f"cannot parse database URL {_mask(text)}: an @ after the host:port; percent-encode @ / ? # in "
            "the password (%40 %2F %3F %23) and any other @ (%40), or give the password another way (DAYONE_PASSWORD...)"
        )
    username = unquote(url.username) if url.username else None
    pairs = parse_qsl(url.query, keep_blank_values=True)
    for key, value in pairs:
        if SECRET_KEY.search(key):  # ?password=, ?sslpassword=...
            register_secret(value)
    # the last value wins, as drivers expect; the password travels as `password`, never in the query
    query = {key: value for key, value in pairs if key != "password"}
    # user:password@ or libpq's ?password=: both are the URL's password
    url_password = unquote(url.password) if url.password else dict(pairs).get("password") or None
    register_secret(url.password)  # as written too, percent-encoded, should an error echo the URL
    register_secret(url_password)
    # sqlite:///relative.db -> "relative.db", sqlite:////absolute.db -> "/absolute.db"
    database = unquote(url.path[1:]) if url.path.startswith("/") else unquote(url.path)
    if engine == "sqlite" and not database:
        raise DayoneError("a sqlite URL needs a file path: sqlite:///relative/path.db or sqlite:////absolute/path.db")
    if engine != "sqlite" and "/" in database:
        raise DayoneError(f"cannot parse database URL {_mask(text)}: the database name is the path after the host")
    host = unquote(url.hostname) if url.hostname else None
    if engine == "sqlite":  # a file: no password to look for
        password = resolved_origin = variable = None
    else:
        found = resolve(engine, url_password=url_password, username=username, host=host, port=port,
                        database=database or None, source=source)  # fmt: skip
        password, resolved_origin, variable = found.value, found.origin, found.variable
    return DatabaseTarget(
        engine=engine,
        host=host,
        port=port,
        username=username,
        password=password,
        database=database or None,
        query=query,
        display=_display(url, username),
        password_origin=resolved_origin,
        password_variable=variable,
    )


def _display(url, username: str | None) -> str:
    """The URL as the user wrote it, with the password (if any) replaced by ***."""
    netloc = url.netloc.rpartition("@")[2]
    if url.username is not None:
        netloc = url.username + (":***" if url.password is not None else "") + "@" + netloc
    pairs = [_masked_pair(pair) for pair in url.query.split("&")] if url.query else []
    return f"{url.scheme}://{netloc}{url.path}" + (f"?{'&'.join(pairs)}" if pairs else "")


def _masked_pair(pair: str) -> str:
    key, equals, _ = pair.partition("=")
    return f"{key}=***" if equals and SECRET_KEY.search(unquote_plus(key)) else pair


SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")
_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _refuse_unless_regular(path: Path) -> None:
    """A TARGET path is a regular file (or a link to one), told from its mode alone, never opened."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing or unreadable: said where it is read
    if stat.S_ISDIR(mode):
        raise DayoneError(f"{path} is a directory: give a SQLite database file, a snapshot .json or a database URL")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "a special file")
        raise DayoneError(f"{path} is not a regular file but {kind}: dayone reads a SQLite database file or a snapshot .json")


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_HEADER
    except OSError:
        return False


def _not_sqlite(path: Path) -> str:
    """Why a file named like a SQLite database is not one (rather than "not valid JSON")."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    if not head:
        return f"{path} is empty (0 bytes): not a SQLite database"
    return f"{path} is not a SQLite database: it starts with {head!r}, a SQLite file with {SQLITE_HEADER!r}"


def _mask(text: str) -> str:
    """A TARGET that did not parse, fit to print: nothing in it that could be a password survives.

    After rule 1 of dayone.errors (password= values, scheme://user:pw@), all before the last @ is
    user:password (a password may hold an unencoded @, /, ? or #): only the user is kept. Without an
    @, a host:port whose port is no number may be user:password with the @host forgotten: masked."""
    text = mask_credentials(text)
    scheme, separator, rest = text.partition("://")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):  # no scheme: user:password@... as a whole
        scheme, separator, rest = "", "", text
    head = scheme + separator
    if "@" in rest:
        credentials, _, after = rest.rpartition("@")
        user, colon, _ = credentials.partition(":")
        return f"{head}{user}{':***' if colon else ''}@{after}"
    authority, tail = re.match(r"([^/?#]*)(.*)", rest, re.S).groups()
    host, colon, port = authority.rpartition(":")
    if colon and not port.isdigit() and not port.endswith("]"):
        authority = f"{host}:***"
    return head + authority + tail
