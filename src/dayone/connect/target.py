"""What a TARGET on the command line names: a database URL or a saved snapshot file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from dayone.connect.secrets import PASSWORD_ENV, resolve
from dayone.errors import DayoneError, register_secret

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
        if _is_sqlite_file(path):  # a bare path to a SQLite database is as good as its URL
            return parse_target(f"sqlite:///{quote(str(path))}")  # a file name may hold '#', '?' or '%'
        if text.endswith(".json") or path.is_file():
            if not path.exists():
                raise DayoneError(f"snapshot file {text} does not exist")
            return SnapshotTarget(path=path, display=str(path))
        raise DayoneError(
            f"{text!r} is neither a database URL nor a snapshot file: use e.g. "
            "postgresql://user@host/db, mysql://user@host/db, sqlite:///path.db or a dayone snapshot .json"
        )
    # urllib.parse, not SQLAlchemy's make_url: same grammar for these URLs, and importing SQLAlchemy
    # cost 0.15 s of every command's start-up (half of `dayone snapshot` on a small database).
    try:
        url = urlsplit(text)
        port = url.port
    except ValueError as exc:
        if "port" in str(exc).lower():
            raise DayoneError(f"the port in {_mask(text)} is not a number") from None
        raise DayoneError(f"cannot parse database URL {_mask(text)}: expected scheme://user@host:port/database") from None
    scheme = url.scheme.lower()
    engine = SCHEMES.get(scheme)
    if engine is None:
        known = ", ".join(sorted({s.split("+")[0] for s in SCHEMES}))
        raise DayoneError(f"unknown database URL scheme {scheme!r}: dayone reads {known}")
    username = unquote(url.username) if url.username else None
    query = dict(parse_qsl(url.query, keep_blank_values=True))  # the last value wins, as drivers expect
    # user:password@ or libpq's ?password=: both are the URL's password
    url_password = unquote(url.password) if url.password else query.get("password") or None
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
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", url.query)
    return f"{url.scheme}://{netloc}{url.path}" + (f"?{query}" if query else "")


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _mask(text: str) -> str:
    """Mask user:password@ in a URL that could not be parsed, so a typo never prints a secret."""
    scheme, _, rest = text.partition("://")
    rest = rest.split("/", 1)[0] if "@" not in rest.split("/", 1)[0] else rest
    credentials, at, host = rest.rpartition("@")
    if not at:
        return text
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else text
