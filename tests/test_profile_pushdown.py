"""`--full` computed by the server (dayone.dialects.pushdown) says what the streamed pass says.

The streamed pass (every row through the accumulator) is the reference: both run on pagila, sakila
and a generated table with nulls, skew, JSON, a status column, test data, text dates and phone
numbers, a burst of creation times, and the profiles and findings must be the same. Small page
budgets make the fixtures' small tables big enough to be pushed down.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from dayone import api
from dayone.dialects import pushdown
from dayone.profile.options import ProfileOptions

ROWS = 30_000


def _rows(seed: int = 7) -> list[tuple]:
    draw = random.Random(seed)
    start = datetime(2025, 3, 1, tzinfo=timezone.utc)
    shapes = ["2024-01-{:02d}", "{:02d}/11/2024", "+44 20 7946 {:04d}", "10.0.{}.1", '{{"k": {}}}', "12:{:02d}"]
    rows = []
    for i in range(1, ROWS + 1):
        burst = i % 5 == 0  # a fifth of the rows created within ten minutes: a bulk import
        created = start + (timedelta(seconds=draw.randrange(600)) if burst else timedelta(minutes=draw.randrange(400_000)))
        if i % 97 == 0:
            created = datetime(2031, 1, 1, tzinfo=timezone.utc) + timedelta(days=i)  # in the future
        updated = created + timedelta(seconds=draw.choice([0, 0, 5, 3600, -10]))
        email = None if i % 11 == 0 else (f"qa+{i}@example.com" if i % 13 == 0 else f"User{i}@mail{ i % 50}.org" if i % 3 else f"u{i}@shop.test")
        status = draw.choices(["paid", "new", "shipped", "refunded", "Paid "], weights=[70, 20, 6, 3, 1])[0]
        code = shapes[i % len(shapes)].format(i % 28 + 1) if i % 4 else f"plain-{i}"
        amount = None if i % 17 == 0 else round(draw.random() * 1000, 2)
        ratio = i / 7 if i % 2 else draw.choice([0.5, 0.25, 0.1 + 0.2, 3.0])
        flag = None if i % 19 == 0 else (i % 3 == 0)
        payload = None if i % 23 == 0 else json.dumps({"n": i, "tags": ["a", "b"][: i % 3], "deep": {"x": i % 5}} if i % 2 else {"n": i, "kind": "web"})
        settings = json.dumps({"theme": ["dark", "light"][i % 2]})
        note = draw.choice(["test user", "dummy", "real customer", "lorem ipsum dolor", None, "loadtest-42", "Foo"])
        epoch = 1_700_000_000 + i * 60
        rows.append((i, email, status, code, amount, ratio, flag, payload, settings, note, created, updated, epoch))
    return rows


GROUPED: dict[str, set[str]] = {}  # table -> the columns its pushed-down statement grouped by
SIGNED: dict[str, set[str]] = {}  # table -> the text columns grouped by signature


def _compare(url: str, options: ProfileOptions, monkeypatch) -> int:
    """Both passes over `url`: the same profile and the same findings; how many tables were pushed down."""
    pushed: list[str] = []
    original, planned = pushdown.run, pushdown.plan

    def counted(schema, table, *args, **kwargs):
        pushed.append(table.name)
        return original(schema, table, *args, **kwargs)

    def recorded(flavor, relation, table, request, value_names, signature_names=()):
        GROUPED[table.name] = set(value_names)
        SIGNED[table.name] = set(signature_names)
        return planned(flavor, relation, table, request, value_names, signature_names)

    monkeypatch.setattr(pushdown, "run", counted)
    monkeypatch.setattr(pushdown, "plan", recorded)
    streamed = api.audit(url, profile=replace(options, pushdown=False))
    assert not pushed
    computed = api.audit(url, profile=options)
    old = {(t.schema, t.table): replace(t, seconds=None) for t in streamed.profile.tables}
    new = {(t.schema, t.table): replace(t, seconds=None) for t in computed.profile.tables}
    assert old.keys() == new.keys()
    for key in old:
        for before, after in zip(old[key].columns, new[key].columns, strict=True):
            assert before == after, key
        assert old[key] == new[key], key
    assert [f.__dict__ for f in streamed.findings] == [f.__dict__ for f in computed.findings]
    return len(pushed)


def test_postgres_generated_table(pg_db, monkeypatch):
    pg_db.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, email text, status text, code text, amount numeric(10, 2), "
        "ratio double precision, flag boolean, payload jsonb, settings json, note text, created_at timestamptz, "
        "updated_at timestamptz, epoch_seconds bigint)"
    )
    with pg_db.connect() as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", _rows())
        cur.execute("UPDATE orders SET ratio = 'NaN' WHERE id % 101 = 0")
        cur.execute("ANALYZE orders")
    pushed = _compare(pg_db.url, ProfileOptions(tier="full", page_budget=100, sample_rows=1_000_000), monkeypatch)
    assert pushed == 1
    # the unique columns were aggregated on the server, the few-valued ones grouped by
    assert {"status", "flag", "settings", "note"} <= GROUPED["orders"]
    assert not {"id", "email", "code", "payload", "created_at", "ratio"} & GROUPED["orders"]
    assert "code" in SIGNED["orders"] and "email" not in SIGNED["orders"]  # once per signature; by regex on the server


def test_mariadb_generated_table(mysql_db, monkeypatch):
    mysql_db.execute(
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, email VARCHAR(100), status VARCHAR(10), code VARCHAR(40), "
        "amount DECIMAL(10, 2), ratio DOUBLE, flag TINYINT(1), payload JSON, settings JSON, note VARCHAR(40), "
        "created_at DATETIME, updated_at DATETIME, epoch_seconds BIGINT)"
    )
    rows = [(*r[:10], r[10].replace(tzinfo=None), r[11].replace(tzinfo=None), r[12]) for r in _rows()]
    with mysql_db.connect() as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        cur.execute("ANALYZE TABLE orders")
        cur.fetchall()
    pushed = _compare(mysql_db.url, ProfileOptions(tier="full", page_budget=20, sample_rows=5_000), monkeypatch)
    assert pushed == 1
    assert {"status", "flag", "settings", "note"} <= GROUPED["orders"]
    assert not {"id", "email", "payload", "created_at"} & GROUPED["orders"]


def test_pagila(pagila, monkeypatch):
    assert _compare(pagila.url, ProfileOptions(tier="full", page_budget=1, sample_rows=50), monkeypatch) >= 3


def test_sakila(sakila, monkeypatch):
    assert _compare(sakila.url, ProfileOptions(tier="full", page_budget=1, sample_rows=50), monkeypatch) >= 3
