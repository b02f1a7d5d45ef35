"""What a TARGET on the command line names: a database URL or a saved snapshot file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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

PASSWORD_ENV = "DAYONE_PASSWORD"


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

    def __repr__(self) -> str:  # keep the password out of tracebacks and debug output
        return f"DatabaseTarget({self.display})"


@dataclass(frozen=True)
class SnapshotTarget:
    path: Path
    display: str


Target = DatabaseTarget | SnapshotTarget


def parse_target(text: str) -> Target:
    """Turn a TARGET argument into a database URL or a snapshot path, or say clearly why not."""
    if "://" not in text:
        path = Path(text)
        if _is_sqlite_file(path):  # a bare path to a SQLite database is as good as its URL
            return parse_target(f"sqlite:///{path}")
        if text.endswith(".json") or path.is_file():
            if not path.exists():
                raise DayoneError(f"snapshot file {text} does not exist")
            return SnapshotTarget(path=path, display=str(path))
        raise DayoneError(
            f"{text!r} is neither a database URL nor a snapshot file: use e.g. "
            "postgresql://user@host/db, mysql://user@host/db, sqlite:///path.db or a dayone snapshot .json"
        )
    from sqlalchemy.engine.url import make_url  # URL grammar, escaping and query strings done right
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise DayoneError(f"cannot parse database URL {_mask(text)}: expected scheme://user@host:port/database") from None
    scheme = url.drivername.lower()
    engine = SCHEMES.get(scheme)
    if engine is None:
        known = ", ".join(sorted({s.split("+")[0] for s in SCHEMES}))
        raise DayoneError(f"unknown database URL scheme {scheme!r}: dayone reads {known}")
    password = url.password if url.password is not None else os.environ.get(PASSWORD_ENV)
    register_secret(password)
    if engine == "sqlite" and not url.database:
        raise DayoneError("a sqlite URL needs a file path: sqlite:///relative/path.db or sqlite:////absolute/path.db")
    try:
        port = url.port
    except ValueError:
        raise DayoneError(f"the port in {_mask(text)} is not a number") from None
    return DatabaseTarget(
        engine=engine,
        host=url.host,
        port=port,
        username=url.username,
        password=password,
        database=url.database,
        query={k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()},
        display=url.render_as_string(hide_password=True),
    )


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
