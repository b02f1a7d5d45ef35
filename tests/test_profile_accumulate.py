"""Aggregating rows into a profile: what a user would read in a finding, computed in one pass."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from dayone.catalog.model import Column
from dayone.profile import profile_rows

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def col(name: str, kind: str) -> Column:
    return Column(name=name, position=1, declared_type=kind, normalized_type=kind, nullable=True)  # type: ignore[arg-type]


def profile(columns, rows, **kw):
    return profile_rows("s", "t", columns, rows, method="sample", now=NOW, **kw)


def test_value_sets_nulls_and_distinct():
    rows = [("new",)] * 5 + [("paid",)] * 3 + [(None,)] * 2
    status = profile([col("status", "string")], rows).columns[0]
    assert (status.non_null, status.nulls, status.distinct) == (8, 2, 2)
    assert [(v.value, v.count) for v in status.top_values] == [("new", 5), ("paid", 3)]
    assert status.null_share == 0.2


def test_values_can_be_kept_out_and_high_cardinality_never_kept():
    rows = [(f"user{i}",) for i in range(200)] + [("a",)] * 3
    assert profile([col("name", "string")], rows).columns[0].top_values == ()
    assert profile([col("status", "string")], [("a",), ("b",), ("a",)], keep_values=False).columns[0].top_values == ()


def test_json_shape_with_varying_types_and_json_in_text():
    docs = [{"grader": "G-1", "grade": 9}, {"grader": "G-2", "grade": "9.5"}, {"grader": "G-3"}]
    shape = profile([col("details", "json")], [(d,) for d in docs]).columns[0].json
    paths = {p.path: p for p in shape.paths}
    assert shape.documents == 3 and paths["$.grader"].present == 3
    assert paths["$.grade"].types == {"number": 1, "string": 1}  # a key whose type varies
    text = profile([col("payload", "text")], [(json.dumps(d),) for d in docs] + [("plain words",)]).columns[0]
    assert text.json is not None and text.json.documents == 3


def test_creation_spike_and_future_timestamps():
    start = datetime(2026, 10, 31, 2, 0, tzinfo=timezone.utc)
    migrated = [(start + timedelta(seconds=2 * i),) for i in range(600)]  # 600 rows in 20 minutes
    organic = [(start - timedelta(days=d, hours=d % 7),) for d in range(1, 200)]
    future = [(NOW + timedelta(days=30),)]
    created = profile([col("created_at", "timestamptz")], migrated + organic + future, spike_columns=["created_at"]).columns[0]
    assert created.spike is not None and created.spike.rows == 600 and created.spike.start.startswith("2026-10-31T02:00")
    assert created.future == 1
    steady = profile([col("created_at", "timestamptz")], organic, spike_columns=["created_at"]).columns[0]
    assert steady.spike is None


def test_test_data_patterns_are_counted_by_label_not_value():
    rows = [("qa+1@example.com",), ("loadtest_0001@collectors-loadtest.com",), ("ann@gmail.com",), ("bob@yahoo.com",)]
    email = profile([col("email", "string")], rows).columns[0]
    assert email.email_like == 4 and email.test_like == 2
    assert "@example.com/.org/.net" in email.test_examples and "load-test account" in email.test_examples
    assert not any("@" in label and "qa+1" in label for label in email.test_examples)


def test_a_long_full_pass_keeps_bounded_memory_and_still_finds_the_spike(monkeypatch):
    """Years of data have millions of distinct minutes: buckets coarsen instead of growing."""
    from dayone.profile import accumulate

    monkeypatch.setattr(accumulate, "MAX_TIME_BUCKETS", 500)
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    organic = [(start + timedelta(minutes=7 * i),) for i in range(3000)]  # 3,000 distinct minutes
    burst = [(datetime(2020, 1, 5, 3, 0, tzinfo=timezone.utc) + timedelta(seconds=i),) for i in range(2000)]
    column = col("created_at", "timestamptz")
    accumulator = accumulate.ColumnAccumulator(column, NOW, True, track_spike=True)
    for (value,) in organic + burst:
        accumulator.add(value)
    assert len(accumulator.minutes) <= 500
    spike = accumulator.result().spike
    assert spike is not None and spike.rows >= 2000 and spike.start.startswith("2020-01-05T0")
