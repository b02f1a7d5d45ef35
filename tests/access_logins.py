"""Least-privilege logins for the access tests: uniquely named, dropped on every exit path.

PostgreSQL roles and MariaDB users live server-wide, outside the throwaway database, so each is
created by a context manager whose `finally` drops it (and, on PostgreSQL, what it was granted in
the database first), whatever the test did.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from conftest import MySQLDatabase, PostgresDatabase, _mysql_admin, _mysql_params, unique_name


@contextmanager
def postgres_login(db: PostgresDatabase, *grants: str) -> Iterator[tuple[str, str]]:
    """(role, url) of a new LOGIN role; `grants` are run as the admin in the database, with
    {role} standing for the role's quoted name."""
    role = unique_name("dayone_ro")
    password = secrets.token_hex(12)
    db.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
    try:
        for grant in grants:
            db.execute(grant.format(role=f'"{role}"'))
        base, _, name = db.url.rpartition("/")
        scheme, _, rest = base.partition("://")
        host = rest.rpartition("@")[2]
        yield role, f"{scheme}://{role}:{quote(password)}@{host}/{name}"
    finally:
        with db.connect() as conn:
            conn.execute(f'DROP OWNED BY "{role}"')  # its grants and default privileges in this database
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@contextmanager
def mysql_login(db: MySQLDatabase, *grants: str) -> Iterator[tuple[str, str]]:
    """(user, url) of a new MariaDB/MySQL user on the test database; {user} in `grants` stands for
    'name'@'%' and {db} for the database's quoted name."""
    user = unique_name("dayone_ro")
    password = secrets.token_hex(12)
    account = f"'{user}'@'%'"
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE USER {account} IDENTIFIED BY '{password}'")
    try:
        with _mysql_admin() as conn, conn.cursor() as cur:
            for grant in grants:
                cur.execute(grant.format(user=account, db=f"`{db.name}`"))
        params = _mysql_params()
        yield user, f"mysql://{user}:{quote(password)}@{params['host']}:{params['port']}/{db.name}"
    finally:
        with _mysql_admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS {account}")
