"""Data rule cases: a small DDL with its rows, built on a real engine and audited the way a user runs
`dayone audit URL` (catalog, the default sampled profile, rules), then dropped.

Targets leave out the schema label, as in rule_harness: ("money-in-float", "orders.total")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dayone import api
from dayone.findings import Finding
from dayone.rules.engine import AuditResult
from rule_harness import local


class Audit:
    def __init__(self, engine: str, result: AuditResult):
        self.engine = engine
        self.result = result
        self.findings: tuple[Finding, ...] = result.findings

    @property
    def pairs(self) -> set[tuple[str, str]]:
        return {(f.rule, local(f.target)) for f in self.findings}

    def finding(self, rule: str, target: str) -> Finding:
        found = [f for f in self.findings if f.rule == rule and local(f.target) == target]
        assert len(found) == 1, f"{self.engine}: expected one {rule} on {target}, got:\n{self.listing()}"
        return found[0]

    def has(self, rule: str, target: str) -> bool:
        return (rule, target) in self.pairs

    def listing(self, rule: str | None = None) -> str:
        return "\n".join(f"  {f.severity:7} {f.rule} {local(f.target)}: {f.message}" for f in self.findings
                         if rule is None or f.rule == rule)  # fmt: skip

    def table(self, name: str):
        return next(t for t in self.result.profile.tables if t.table == name)


def audit_rows(request: pytest.FixtureRequest, tmp_path: Path, engine: str, ddl: str, **audit_options) -> Audit:
    """`ddl` (statements and INSERTs, `;`-separated) built in a fresh schema, database or file, then
    audited through its URL with the default profile."""
    from conftest import _create_mysql_database, _drop_mysql_database, _mysql_params, unique_name

    if engine == "postgresql":
        db = request.getfixturevalue("rules_pg_db")
        schema = unique_name("data")
        with db.connect() as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            with db.connect() as conn:
                conn.execute(f'SET search_path TO "{schema}"')
                conn.execute(ddl)
            return Audit(engine, api.audit(db.url, schemas=[schema], **audit_options))
        finally:
            with db.connect() as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    if engine == "mysql":
        import pymysql
        from pymysql.constants import CLIENT

        request.getfixturevalue("mysql_server")
        db = _create_mysql_database(unique_name("data"))
        try:
            conn = pymysql.connect(**_mysql_params(), database=db.name, autocommit=True,
                                   client_flag=CLIENT.MULTI_STATEMENTS, charset="utf8mb4")  # fmt: skip
            with conn, conn.cursor() as cur:
                cur.execute(ddl)
                while cur.nextset():
                    pass
            return Audit(engine, api.audit(db.url, **audit_options))
        finally:
            _drop_mysql_database(db.name)
    path = tmp_path / f"{engine}-{len(list(tmp_path.iterdir()))}.db"
    conn = sqlite3.connect(path)
    try:
        conn.executescript(ddl)
        conn.commit()
    finally:
        conn.close()
    return Audit(engine, api.audit(f"sqlite:///{path}", **audit_options))


def values(rows: list[tuple]) -> str:
    """Rows as a VALUES list every engine reads: NULL, numbers and quoted strings."""
    def literal(value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int | float):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


ENGINES = [pytest.param("postgresql", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql), "sqlite"]
