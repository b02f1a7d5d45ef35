"""Rule cases as data: a small DDL (+ rows) per engine, run on a real server, audited, and compared
with the (rule, target) pairs that must be present and those that must be absent.

Targets in a case leave out the schema label (the PostgreSQL schema, the MySQL database, the SQLite
file's stem): ("implicit-foreign-key", "rides.bike_id"). Evidence values may say "{schema}" for it.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dayone import api
from dayone.catalog.model import Catalog
from dayone.findings import Finding
from dayone.rules import run_rules, select_rules

ENGINES = ("postgresql", "mysql", "sqlite")
MARKS = {"postgresql": [pytest.mark.postgres], "mysql": [pytest.mark.mysql], "sqlite": []}
Pair = tuple[str, str]
STATS_WAIT = 10.0  # seconds to wait for the server's row counters; a harness limit, never an assertion


@dataclass(frozen=True)
class Case:
    """`ddl` per engine the case runs on; on every one of them the `present` pairs must be found
    and the `absent` ones must not. `changes` run afterwards in a second session (rows deleted
    there are what the server's counters must show). `expect` maps a pair to facts its finding
    holds: evidence keys, and "severity". `gap` names a fact the catalog does not read yet: the
    case is then expected to fail (strictly, so it is noticed when the dialect learns the fact)."""

    id: str
    ddl: dict[str, str]
    present: frozenset[Pair] = frozenset()
    absent: frozenset[Pair] = frozenset()
    changes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    expect: dict[Pair, dict] = field(default_factory=dict)
    gap: str = ""


def case(id: str, ddl: dict[str, str], present=(), absent=(), changes=None, expect=None, gap: str = "") -> Case:
    unknown = {e for e in ddl if e not in ENGINES}
    assert not unknown, f"{id}: unknown engines {unknown}"
    return Case(id, ddl, frozenset(present), frozenset(absent), changes or {}, expect or {}, gap)


def everywhere(ddl: str) -> dict[str, str]:
    """The same DDL on every engine (portable SQL: integer, varchar, text, table-level FOREIGN KEY)."""
    return dict.fromkeys(ENGINES, ddl)


def params(cases: list[Case]) -> list:
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return [
        pytest.param(engine, c, id=f"{c.id}-{engine}",
                     marks=MARKS[engine] + ([pytest.mark.xfail(strict=True, reason=c.gap)] if c.gap else []))
        for c in cases for engine in c.ddl
    ]  # fmt: skip


def local(target: str) -> str:
    """'shop.orders.status' -> 'orders.status': the target without its schema label."""
    return target.split(".", 1)[1] if "." in target else ""


@dataclass(frozen=True)
class Audited:
    engine: str
    schema: str  # the label every target starts with
    catalog: Catalog
    findings: tuple[Finding, ...]

    @property
    def pairs(self) -> set[Pair]:
        return {(f.rule, local(f.target)) for f in self.findings}

    def finding(self, rule: str, target: str) -> Finding:
        found = [f for f in self.findings if f.rule == rule and local(f.target) == target]
        assert len(found) == 1, f"{self.engine}: expected one {rule} finding on {target}, got {len(found)}"
        return found[0]

    def rerun(self, **catalog_changes) -> Audited:
        """The rules again over this catalog with some facts changed (cdc_settings...)."""
        catalog = dataclasses.replace(self.catalog, **catalog_changes)
        return Audited(self.engine, self.schema, catalog, run_rules(catalog, select_rules()).findings)

    def listing(self) -> str:
        return "\n".join(f"  {f.severity:7} {f.rule} {local(f.target)}: {f.message}" for f in self.findings)


def check(c: Case, audited: Audited) -> None:
    pairs = audited.pairs
    missing = sorted(c.present - pairs)
    unexpected = sorted(c.absent & pairs)
    assert not (missing or unexpected), (
        f"{c.id} on {audited.engine}: missing {missing}, unexpected {unexpected}; findings:\n{audited.listing()}"
    )
    for pair, facts in c.expect.items():
        finding = audited.finding(*pair)
        for key, want in facts.items():
            got = finding.severity if key == "severity" else finding.evidence.get(key)
            assert got == _fill(want, audited.schema), f"{c.id} on {audited.engine}: {pair} {key} = {got!r}"


def _fill(value, schema: str):
    if isinstance(value, str):
        return value.replace("{schema}", schema)
    if isinstance(value, list):
        return [_fill(v, schema) for v in value]
    return value


# --- running a DDL on a real engine ------------------------------------------------------------


class Engines:
    """`engines(engine, ddl, changes)` builds the DDL in a fresh schema (PostgreSQL), database
    (MySQL/MariaDB) or file (SQLite), audits it with every rule, and drops it again."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path):
        self.request = request
        self.tmp_path = tmp_path
        self.runs = 0

    def __call__(self, engine: str, ddl: str, changes: tuple[str, ...] = ()) -> Audited:
        self.runs += 1
        runner: Callable = {"postgresql": self._postgres, "mysql": self._mysql, "sqlite": self._sqlite}[engine]
        schema, catalog = runner(ddl, changes)
        return Audited(engine, schema, catalog, api.audit(catalog).findings)

    def run(self, c: Case, engine: str) -> Audited:
        audited = self(engine, c.ddl[engine], c.changes.get(engine, ()))
        check(c, audited)
        return audited

    def _postgres(self, ddl: str, changes: tuple[str, ...]):
        from conftest import unique_name

        db = self.request.getfixturevalue("rules_pg_db")
        schema = unique_name("case")
        with db.connect() as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            with db.connect() as conn:
                conn.execute(f'SET search_path TO "{schema}"')
                conn.execute(ddl)  # no parameters: psycopg sends the script as one simple query
                conn.execute("SELECT pg_stat_force_next_flush()")
            if changes:
                self._postgres_changes(db, schema, changes)
            return schema, api.read_catalog(db.url, schemas=[schema])
        finally:
            with db.connect() as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    @staticmethod
    def _postgres_changes(db, schema: str, changes: tuple[str, ...]) -> None:
        """Run DML in another session and wait until the server's counters show it. PostgreSQL 15
        flushes a backend's counters at transaction end at most once a second, unless asked."""
        done = {"INSERT": 0, "UPDATE": 0, "DELETE": 0}
        with db.connect() as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            for statement in changes:
                cur = conn.execute(statement)
                done[statement.split(None, 1)[0].upper()] += max(cur.rowcount, 0)
            conn.execute("SELECT pg_stat_force_next_flush()")
        deadline = time.monotonic() + STATS_WAIT
        while time.monotonic() < deadline:
            (counted,) = db.execute(
                "SELECT coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0), coalesce(sum(n_tup_del), 0) "
                "FROM pg_stat_user_tables WHERE schemaname = %s",
                [schema],
            )
            if all(seen >= done[kind] for seen, kind in zip(counted, ("INSERT", "UPDATE", "DELETE"))):
                return
            time.sleep(0.05)

    def _mysql(self, ddl: str, changes: tuple[str, ...]):
        import pymysql
        from pymysql.constants import CLIENT

        from conftest import _create_mysql_database, _drop_mysql_database, _mysql_params, unique_name

        self.request.getfixturevalue("mysql_server")
        db = _create_mysql_database(unique_name("case"))
        try:
            conn = pymysql.connect(**_mysql_params(), database=db.name, autocommit=True,
                                   client_flag=CLIENT.MULTI_STATEMENTS, charset="utf8mb4")  # fmt: skip
            with conn, conn.cursor() as cur:
                cur.execute(ddl)  # the server splits the script, BEGIN ... END bodies included
                while cur.nextset():
                    pass
                for statement in changes:
                    cur.execute(statement)
            return db.name, api.read_catalog(db.url)
        finally:
            _drop_mysql_database(db.name)

    def _sqlite(self, ddl: str, changes: tuple[str, ...]):
        path = self.tmp_path / f"case{self.runs}.db"
        conn = sqlite3.connect(path)
        try:
            conn.executescript(ddl)
            for statement in changes:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
        return path.stem, api.read_catalog(f"sqlite:///{path}")
