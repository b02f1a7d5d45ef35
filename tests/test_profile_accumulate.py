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


# --- shapes: what the values say that the declared type does not (counted, never kept) ----------


def test_dates_and_times_in_text_are_counted_by_format():
    rows = [("2026-03-01",), ("2026-03-02 10:15:00",), ("2026-03-02T10:15:00.123+02:00",), ("2026-03-02T10:15Z",),
            ("31/12/2025",), ("12/31/2025 11:00 PM",), ("01.02.2026",), ("1767225600",), ("1767225600123",),
            ("2026-13-01",), ("12345",), ("hello",), ("1999-99-99 25:00",), (None,)]  # fmt: skip
    text = profile([col("logged", "text")], rows).columns[0]
    assert (text.iso_dates, text.iso_datetimes, text.iso_offsets) == (1, 3, 2)
    assert (text.slash_dates, text.day_first, text.month_first) == (3, 1, 1)
    assert text.epoch_text == 2
    assert not text.holds_iso_datetimes  # 3 of 13 values
    logged = profile([col("logged_at", "text")], [(f"2026-03-0{i} 10:00:00",) for i in range(1, 10)] + [("",)]).columns[0]
    assert logged.iso_datetimes == 9 and logged.holds_iso_datetimes  # nine in ten


def test_epochs_in_numbers_and_noise_in_floats():
    seconds = [(1_700_000_000 + 3600 * i,) for i in range(10)]
    millis = [(1_700_000_000_000 + i,) for i in range(10)]
    ids = [(i,) for i in range(1, 11)]
    assert profile([col("ts", "integer")], seconds).columns[0].epoch_seconds == 10
    assert profile([col("ts", "integer")], millis).columns[0].epoch_millis == 10
    plain = profile([col("n", "integer")], ids + [(4_000_000_000,)]).columns[0]  # year 2096: not plausible
    assert (plain.epoch_seconds, plain.epoch_millis) == (0, 0)
    prices = profile([col("price", "float")], [(19.99,), (0.1 + 0.2,), (5.0,), (2.125,)]).columns[0]
    assert prices.beyond_cents == 2


def test_booleans_in_text_and_true_values_of_flags():
    words = profile([col("active", "string")], [("Y",), ("N",), ("yes",), ("False",), (" t",)]).columns[0]
    assert (words.boolean_words, words.boolean_digits) == (4, 0)  # " t" is not a word
    digits = profile([col("active", "string")], [("0",), ("1",), ("1",), ("10",)]).columns[0]
    assert digits.boolean_digits == 3
    flag = profile([col("is_test", "boolean")], [(True,), (False,), (1,), (0,), ("true",), (None,)]).columns[0]
    assert flag.trues == 3


def test_phone_numbers_and_ip_addresses_are_counted_and_never_kept():
    import ipaddress

    phones = [("+44 20 7946 0958",), ("(555) 123-4567",), ("555.123.4567",), ("3.14159265",), ("2026-01-01",), ("12-34",)]
    phone = profile([col("contact", "string")], phones).columns[0]
    assert phone.phone_like == 3
    addresses = [("192.168.0.1",), ("10.0.0.300",), ("2001:db8::1",), ("fe80::1%eth0",), ("::1",), ("10:15:00",)]
    ip = profile([col("origin", "string")], addresses * 2).columns[0]
    assert ip.ip_like == 6
    assert ip.top_values == () and ip.minimum is None  # mostly IP addresses: personal, no value kept
    inet = profile([col("last_sign_in_ip", "other")], [(ipaddress.ip_address("10.1.2.3"),)] * 3).columns[0]
    assert inet.ip_like == 3 and inet.top_values == ()


def test_private_columns_keep_no_value():
    from datetime import date

    rows = [(date(1980, 1, 2), "1980-01-02"), (date(1980, 1, 2), "1980-01-02"), (date(1991, 5, 6), "1991-05-06")]
    columns = [col("born", "date"), col("born_text", "text")]
    kept = profile(columns, rows).columns[0]
    assert kept.top_values and kept.minimum == "1980-01-02"
    private = profile(columns, rows, private_columns=["born", "born_text"])
    assert private.columns[0].top_values == () and private.columns[0].minimum is None and private.columns[0].maximum is None
    assert private.columns[1].top_values == () and private.columns[1].non_null == 3 and private.columns[1].iso_dates == 3


def test_values_outside_the_declared_list_are_counted_as_the_server_compares():
    rows = [("new",), ("paid",), ("PAID ",), ("",), (None,)]
    exact = profile([col("status", "string")], rows, value_lists={"status": ("new", "paid")}).columns[0]
    assert exact.outside_list == 2
    folded = profile([col("status", "string")], rows, value_lists={"status": ("new", "paid")}, fold_case=True).columns[0]
    assert folded.outside_list == 1  # only '': MySQL's stand-in for a value an ENUM refused
    numbers = profile([col("level", "integer")], [(1,), (2,), (7,)], value_lists={"level": ("1", "2", "3")}).columns[0]
    assert numbers.outside_list == 1


def test_marked_rows_are_counted_apart():
    rows = [(i, 7 if i <= 4 else None, None if i <= 4 else f"+1 555 000 {i:04d}", "legacy" if i <= 4 else "web")
            for i in range(1, 11)]  # fmt: skip
    columns = [col("id", "integer"), col("import_batch", "integer"), col("phone", "string"), col("source", "string")]
    table = profile(columns, rows, marker=("import_batch", False))
    assert table.marker == "import_batch"
    phone, source = table.column("phone").marked, table.column("source").marked
    assert (phone.rows, phone.nulls) == (4, 4) and phone.top_values == ()
    assert (source.rows, source.nulls) == (4, 0) and [(v.value, v.count) for v in source.top_values] == [("legacy", 4)]
    flagged = profile([col("is_migrated", "boolean"), col("x", "string")], [(True, None), (False, "a"), (None, "b")],
                      marker=("is_migrated", True))  # fmt: skip
    assert flagged.column("x").marked.rows == 1 and flagged.column("x").marked.nulls == 1


def test_lookup_values_are_a_bounded_repeatable_choice(monkeypatch):
    from dayone.profile import accumulate

    monkeypatch.setattr(accumulate, "MAX_REFERENCE_VALUES", 50)
    rows = [(i % 300,) for i in range(3000)]
    first = profile([col("user_id", "integer")], rows, lookup_columns=["user_id"]).lookup_values["user_id"]
    again = profile([col("user_id", "integer")], list(reversed(rows)), lookup_columns=["user_id"]).lookup_values["user_id"]
    assert len(first) == 50 and first == again  # the same values whatever the order they were read in
    assert all(count == 10 for count in first.values())  # each value's rows counted whole
    assert profile([col("user_id", "integer")], rows).lookup_values is None
