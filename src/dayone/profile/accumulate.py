"""Turning the rows of one table (a sample or a full pass) into a TableProfile, in one pass.

Engine-independent: dialects hand over rows as the driver returns them; everything here works in
bounded memory (capped distinct sets, capped JSON paths, minute buckets), so a full pass over a
large table streams through it.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from dayone.catalog.model import Column
from dayone.profile.model import (
    ColumnProfile,
    CreationSpike,
    JsonPath,
    JsonShape,
    MarkedRows,
    TableProfile,
    TimeOrder,
    ValueCount,
)
from dayone.profile.shapes import BOOLEAN_WORDS, EPOCH_AHEAD, EPOCH_FROM, IP_VALUES, TRUE_TEXT, text_shape

MAX_DISTINCT = 1000  # distinct values tracked exactly per column
LOW_CARDINALITY = 50  # at most this many distinct values: the column's value set is reported
MAX_VALUE_LENGTH = 100  # longer values are never kept as top values
MAX_JSON_PATHS = 500
MAX_JSON_DEPTH = 6
SPIKE_WINDOW = timedelta(minutes=60)
MAX_TIME_BUCKETS = 100_000  # per column; a full pass over years of data coarsens its buckets past this
_MINUTE = timedelta(minutes=1)
SPIKE_MIN_ROWS = 50
SPIKE_MIN_SHARE = 0.2
SAME_TIME = timedelta(seconds=1)  # created and updated this close were written by the same insert

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
# Distinct values of a column looked up in the key it seems to reference: a bounded, uniform choice
# (the values with the smallest hashes), the same from one run to the next.
MAX_REFERENCE_VALUES = 500
# Test and dummy data, as it shows up in production: reserved and disposable domains, plus-addressed
# QA logins, load-test accounts, placeholder names. Each pattern has a label that is reported
# (never the matching values) and a SQL predicate that filters it.
TEST_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("@example.com/.org/.net", re.compile(r"@example\.(com|org|net)$", re.IGNORECASE)),
    ("@*.test / @*.invalid / @localhost", re.compile(r"@([\w-]+\.)*(test|invalid|localhost|example)$", re.IGNORECASE)),
    ("disposable mail domain", re.compile(r"@(mailinator|yopmail|guerrillamail|10minutemail|trashmail)\.", re.IGNORECASE)),
    ("load-test account", re.compile(r"load[-_ ]?test|loadtest|perf[-_]?test|stress[-_]?test", re.IGNORECASE)),
    ("qa/test plus-address", re.compile(r"^(qa|test|testing|dev)\+", re.IGNORECASE)),
    ("'test' / 'dummy' value", re.compile(r"^(qa[ _-]?)?(test|tester|testing|dummy|fake|asdf|qwerty|lorem ipsum|foo|bar|xxx+)(\b|[\d_.-])", re.IGNORECASE)),
)


def _text(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return str(value)


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # naive: compared as UTC
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class ColumnAccumulator:
    """One column's running aggregates."""

    def __init__(self, column: Column, now: datetime, keep_values: bool, track_spike: bool, is_key: bool = False,
                 private: bool = False, allowed: Iterable[str] | None = None, fold_case: bool = False,
                 collect: bool = False):  # fmt: skip
        self.column = column
        self.now = now
        self.keep_values = keep_values
        self.is_key = is_key  # a key's values are all distinct: kept only when the table is small
        self.private = private  # personal data: no value of it is kept (no value set, no minimum or maximum)
        # the declared list (enum, CHECK IN) the values must be in; compared as the server compares
        # text (MySQL/MariaDB collations ignore case and trailing spaces)
        self.fold_case = fold_case
        self.allowed = frozenset(self._folded(v) for v in allowed) if allowed is not None else None
        self.outside_list = 0
        # distinct values to look up in a referenced key: value -> [hash, rows]; values hashing above
        # the bound are not collected
        self.lookup: dict | None = {} if collect else None
        self.lookup_bound = 0xFFFFFFFF
        self.marked_rows = self.marked_nulls = 0
        self.marked_counts: Counter[str] | None = Counter()
        self.nulls = 0
        self.non_null = 0
        self.counts: Counter[str] | None = Counter()  # None once MAX_DISTINCT is passed
        self.minimum = None
        self.maximum = None
        self.min_length: int | None = None
        self.max_length: int | None = None
        self.future = 0
        self.minutes: Counter[datetime] | None = Counter() if track_spike else None  # bucket start -> rows
        self.bucket = _MINUTE
        self.minute_bounds: dict[datetime, list] = {}  # minute -> [earliest, its value, latest, its value]
        kind = column.normalized_type
        self.is_json = kind == "json"
        self.is_text = kind in ("string", "text")
        self.is_time = kind in ("timestamp", "timestamptz", "date") or (self.is_text and track_spike)
        self.json_docs = 0
        self.json_invalid = 0
        self.json_candidates = 0  # text values that start like a JSON object or array
        self.paths: dict[str, list] = {}  # path -> [present, Counter(types)]
        self.paths_truncated = False
        self.email_like = 0
        self.test_like = 0
        self.test_labels: Counter[str] = Counter()
        self.is_number = kind in ("integer", "decimal", "float")
        self.numbers = 0  # values that are numbers or times (SQLite lets text into any column)
        self.is_float = kind == "float"
        self.is_boolean = kind == "boolean"
        self.is_other = kind == "other"  # PostgreSQL inet and cidr among them
        ahead = (now + EPOCH_AHEAD).timestamp()
        self.epoch_range = (EPOCH_FROM, ahead, EPOCH_FROM * 1000, ahead * 1000)
        self.shapes: Counter[str] = Counter()  # shape -> values (see ColumnProfile: iso_dates, phone_like...)
        # work only some columns need, behind one test per value
        self.extras = self.allowed is not None or self.lookup is not None or self.is_other

    def add(self, value, weight: int = 1) -> None:
        """One value, or `weight` rows holding that value (a value counted on the server)."""
        if value is None:
            self.nulls += weight
            return
        self.non_null += weight
        if self.counts is not None:
            if isinstance(value, dict | list):  # documents and arrays: no value set, distinct unknown
                self.counts = None
            else:
                key = _text(value)
                self.counts[key] += weight
                if len(self.counts) > MAX_DISTINCT:
                    self.counts = None
        if self.extras:
            self._extras(value, weight)
        # NaN (float, numeric 'NaN') is neither a minimum nor a maximum: comparing it would fail
        if isinstance(value, int | float | Decimal | datetime | date) and not isinstance(value, bool) and value == value:
            if self.minimum is None or value < self.minimum:
                self.minimum = value
            if self.maximum is None or value > self.maximum:
                self.maximum = value
            self.numbers += weight
            if self.is_float and isinstance(value, float) and value != round(value, 2):
                self.shapes["beyond_cents"] += weight
        if self.is_time:
            moment = _as_datetime(value)
            if moment is not None:
                if moment > self.now:
                    self.future += weight
                if self.minutes is not None:
                    minute = self._bucket_of(moment)
                    self.minutes[minute] += weight
                    bounds = self.minute_bounds.get(minute)
                    if bounds is None:
                        self.minute_bounds[minute] = [moment, value, moment, value]
                    elif moment < bounds[0]:
                        bounds[0:2] = moment, value
                    elif moment > bounds[2]:
                        bounds[2:4] = moment, value
                    if len(self.minutes) > MAX_TIME_BUCKETS:
                        self._coarsen()
        if self.is_json:
            self._json(value if not isinstance(value, str | bytes) else self._parse(value), weight)
        elif self.is_text and isinstance(value, str):
            self._text(value, weight)

    def _text(self, value: str, weight: int = 1, server_counted: bool = False) -> None:
        """`server_counted`: lengths, e-mails and test patterns were counted on the server (pushdown);
        only the shapes and JSON documents are left to count here."""
        if not server_counted:
            self._text_counted(value, weight)
        stripped = value.lstrip()
        if stripped[:1] in ("{", "["):
            self.json_candidates += weight
            parsed = self._parse(stripped)
            if parsed is not _INVALID:
                self._json(parsed, weight)
        first = value[:1]
        if "0" <= first <= "9" or first == "+" or first == "(" or ":" in value:  # most text has no shape: no call
            for shape in text_shape(value, self.epoch_range):
                self.shapes[shape] += weight

    def _text_counted(self, value: str, weight: int) -> None:
        length = len(value)
        if self.min_length is None or length < self.min_length:
            self.min_length = length
        if self.max_length is None or length > self.max_length:
            self.max_length = length
        if "@" in value and EMAIL.match(value):
            self.email_like += weight
        matched = False
        for label, pattern in TEST_PATTERNS:
            if pattern.search(value):
                self.test_labels[label] += weight
                matched = True
        self.test_like += weight if matched else 0

    def _extras(self, value, weight: int = 1) -> None:
        if self.allowed is not None and not isinstance(value, dict | list) and self._folded(_text(value)) not in self.allowed:
            self.outside_list += weight
        if self.lookup is not None:
            self._collect(value, weight)
        if self.is_other and isinstance(value, IP_VALUES):
            self.shapes["ip_like"] += weight

    def _epochs(self) -> None:
        """Numbers that are all plausible Unix times: known from the minimum and maximum, at no cost
        per value (a column partly in the range is no column of times)."""
        if not self.is_number or self.minimum is None or isinstance(self.minimum, datetime | date) or self.numbers != self.non_null:
            return
        low, high, low_ms, high_ms = self.epoch_range
        if low <= self.minimum and self.maximum <= high:
            self.shapes["epoch_seconds"] = self.non_null
        elif low_ms <= self.minimum and self.maximum <= high_ms:
            self.shapes["epoch_millis"] = self.non_null

    def _flags(self) -> None:
        """Booleans' true values and yes/no text, from the value counts (a column of flags has a few
        distinct values; past MAX_DISTINCT it is no column of flags)."""
        if self.counts is None:
            return
        for text, count in self.counts.items():
            word = text.lower()
            if self.is_boolean:
                if word.strip() in TRUE_TEXT:
                    self.shapes["trues"] += count
            elif self.is_text and len(text) <= 5:
                if text == "0" or text == "1":
                    self.shapes["boolean_digits"] += count
                elif word in BOOLEAN_WORDS:
                    self.shapes["boolean_words"] += count

    def _folded(self, text: str) -> str:
        return text.casefold().rstrip(" ") if self.fold_case else text

    def _collect(self, value, weight: int = 1) -> None:
        if isinstance(value, dict | list | bytes | bytearray | memoryview):
            return
        found = self.lookup.get(value)
        if found is not None:
            found[1] += weight
            return
        if isinstance(value, int):  # the usual key: a multiplicative hash, no text made of it
            hashed = (value * 2654435761) & 0xFFFFFFFF
        else:
            hashed = zlib.crc32((value if isinstance(value, str) else _text(value)).encode("utf-8", "replace"))
        if hashed > self.lookup_bound:
            return
        self.lookup[value] = [hashed, weight]
        if len(self.lookup) > 2 * MAX_REFERENCE_VALUES:  # keep the smallest hashes, lower the bound
            kept = sorted(self.lookup.items(), key=lambda item: item[1][0])[:MAX_REFERENCE_VALUES]
            self.lookup = dict(kept)
            self.lookup_bound = kept[-1][1][0]

    def lookup_values(self) -> dict:
        """The distinct values collected for a key lookup (at most MAX_REFERENCE_VALUES), with their rows."""
        kept = sorted(self.lookup.items(), key=lambda item: item[1][0])[:MAX_REFERENCE_VALUES] if self.lookup else []
        return {value: rows for value, (_, rows) in kept}

    def add_marked(self, value) -> None:
        """`value` is also that of a row carrying the table's migration marker."""
        self.marked_rows += 1
        if value is None:
            self.marked_nulls += 1
        elif self.marked_counts is not None:
            if self.counts is None or isinstance(value, dict | list):
                self.marked_counts = None
            else:
                self.marked_counts[_text(value)] += 1

    def _parse(self, text):
        try:
            return json.loads(text)
        except (ValueError, TypeError):
            return _INVALID

    def _json(self, document, weight: int = 1) -> None:
        if document is _INVALID:
            self.json_invalid += weight
            return
        self.json_docs += weight
        seen: dict[str, set[str]] = {}
        self._walk(document, "$", seen, 0)
        for path, types in seen.items():
            entry = self.paths.get(path)
            if entry is None:
                if len(self.paths) >= MAX_JSON_PATHS:
                    self.paths_truncated = True
                    continue
                entry = self.paths[path] = [0, Counter()]
            entry[0] += weight
            for kind in types:
                entry[1][kind] += weight

    def _walk(self, node, path: str, seen: dict[str, set[str]], depth: int) -> None:
        seen.setdefault(path, set()).add(_json_type(node))
        if depth >= MAX_JSON_DEPTH:
            return
        if isinstance(node, dict):
            for key, child in node.items():
                self._walk(child, f"{path}.{key}", seen, depth + 1)
        elif isinstance(node, list):
            for child in node:
                self._walk(child, f"{path}[*]", seen, depth + 1)

    def result(self) -> ColumnProfile:
        distinct = len(self.counts) if self.counts is not None else None
        top: tuple[ValueCount, ...] = ()
        self._epochs()
        self._flags()
        shapes = self.shapes
        # personal by its name, or by its values: no value of it is kept
        private = self.private or (self.non_null and self.email_like + shapes["phone_like"] + shapes["ip_like"] >= self.non_null / 2)
        if (self.keep_values and not private and self.counts and distinct is not None and distinct <= LOW_CARDINALITY
                and (distinct < self.non_null or self.is_key) and not self.is_json
                and all(len(v) <= MAX_VALUE_LENGTH for v in self.counts)):  # fmt: skip
            top = tuple(ValueCount(v, c) for v, c in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])))
        marked = None
        if self.marked_rows:
            kept = self.marked_counts if top and self.marked_counts is not None else {}
            marked = MarkedRows(self.marked_rows, self.marked_nulls,
                                tuple(ValueCount(v, c) for v, c in sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))))  # fmt: skip
        json_shape = None
        if self.json_docs and (self.is_json or self.json_docs >= max(1, self.non_null // 2)):
            paths = tuple(JsonPath(path, present, dict(sorted(types.items())))
                          for path, (present, types) in sorted(self.paths.items()))  # fmt: skip
            json_shape = JsonShape(self.json_docs, self.json_invalid if self.is_json else self.json_candidates - self.json_docs,
                                   paths, self.paths_truncated)  # fmt: skip
        return ColumnProfile(
            name=self.column.name,
            non_null=self.non_null,
            nulls=self.nulls,
            distinct=distinct,
            minimum=_text(self.minimum) if self.minimum is not None and not private else None,
            maximum=_text(self.maximum) if self.maximum is not None and not private else None,
            min_length=self.min_length,
            max_length=self.max_length,
            top_values=top,
            future=self.future,
            spike=self._spike(),
            json=json_shape,
            email_like=self.email_like,
            test_like=self.test_like,
            test_examples=tuple(label for label, _ in self.test_labels.most_common()),
            outside_list=self.outside_list,
            marked=marked,
            **{shape: shapes[shape] for shape in SHAPES if shapes[shape]},
        )

    def _bucket_of(self, moment: datetime) -> datetime:
        if self.bucket == _MINUTE:
            return moment.replace(second=0, microsecond=0)
        return moment - timedelta(seconds=moment.timestamp() % self.bucket.total_seconds())

    def _coarsen(self) -> None:
        """Keep memory bounded on a long full pass: minutes become 10-minute buckets, then hours (still
        finer than the spike window); past that, spikes are not looked for."""
        if self.bucket >= SPIKE_WINDOW:
            self.minutes, self.minute_bounds = None, {}
            return
        self.bucket = timedelta(minutes=10) if self.bucket == _MINUTE else SPIKE_WINDOW
        counts: Counter[datetime] = Counter()
        bounds: dict[datetime, list] = {}
        for minute, count in self.minutes.items():
            key = self._bucket_of(minute)
            counts[key] += count
            first_moment, first, last_moment, last = self.minute_bounds[minute]
            merged = bounds.get(key)
            if merged is None:
                bounds[key] = [first_moment, first, last_moment, last]
            else:
                if first_moment < merged[0]:
                    merged[0], merged[1] = first_moment, first
                if last_moment > merged[2]:
                    merged[2], merged[3] = last_moment, last
        self.minutes, self.minute_bounds = counts, bounds

    def _spike(self) -> CreationSpike | None:
        """The densest SPIKE_WINDOW of timestamps, when it holds far more than its share of rows."""
        if not self.minutes:
            return None
        moments = sorted(self.minutes)
        total = sum(self.minutes.values())
        best, best_start, best_end, running, left = 0, None, None, 0, 0
        for moment in moments:
            running += self.minutes[moment]
            while moment - moments[left] >= SPIKE_WINDOW:
                running -= self.minutes[moments[left]]
                left += 1
            if running > best:
                best, best_start, best_end = running, moments[left], moment
        span = moments[-1] - moments[0]
        expected = SPIKE_WINDOW / span if span > SPIKE_WINDOW else 1.0
        share = best / total
        if best < SPIKE_MIN_ROWS or share < SPIKE_MIN_SHARE or share < 10 * expected:
            return None
        window = [self.minute_bounds[m] for m in moments if best_start <= m <= best_end]
        first = min(window, key=lambda b: b[0])[1]
        last = max(window, key=lambda b: b[2])[3]
        return CreationSpike(best_start.isoformat(), (best_end + self.bucket).isoformat(), best, round(share, 4),
                             first=_text(first), last=_text(last))  # fmt: skip


_INVALID = object()
SHAPES = ("iso_dates", "iso_datetimes", "iso_offsets", "slash_dates", "day_first", "month_first", "epoch_text",
          "boolean_words", "boolean_digits", "phone_like", "ip_like", "epoch_seconds", "epoch_millis", "beyond_cents",
          "trues")  # fmt: skip


def _moment(value) -> datetime | float | None:
    """A time to compare: a date-time (ISO text included), or epoch seconds as a number."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return _as_datetime(value)


class TimeOrderAccumulator:
    """Created vs last-modified, row by row: did the row change after it was inserted?"""

    def __init__(self, created: int, updated: int, names: tuple[str, str]):
        self.created, self.updated, self.names = created, updated, names
        self.compared = self.later = self.same = self.earlier = 0

    def add(self, row: Sequence) -> None:
        created, updated = _moment(row[self.created]), _moment(row[self.updated])
        if created is None or updated is None or isinstance(created, float) != isinstance(updated, float):
            return
        self.compared += 1
        gap = updated - created
        tolerance = SAME_TIME.total_seconds() if isinstance(gap, float) else SAME_TIME
        if gap > tolerance:
            self.later += 1
        elif gap < -tolerance:
            self.earlier += 1
        else:
            self.same += 1

    def result(self) -> TimeOrder:
        return TimeOrder(*self.names, self.compared, self.later, self.same, self.earlier)


def time_pairs(columns: Sequence[Column]) -> list[tuple[str, str]]:
    """(creation column, last-modified column) pairs, by name: (created_at, updated_at)."""
    from dayone.rules.naming import holds_time, is_created_name, is_updated_name  # name conventions live with the rules

    created = [c for c in columns if is_created_name(c.name) and holds_time(c)]
    if not created:
        return []
    # each with the creation column stored alike (epoch beside epoch), else the first one
    return [(next((c for c in created if c.normalized_type == u.normalized_type), created[0]).name, u.name)
            for u in columns if is_updated_name(u.name) and holds_time(u)]  # fmt: skip


def profile_rows(
    schema: str,
    table: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    method: str,
    now: datetime,
    keep_values: bool = True,
    spike_columns: Iterable[str] = (),
    rows_estimated: int | None = None,
    pages_read_share: float | None = None,
    key_columns: Iterable[str] = (),
    compare_times: Iterable[tuple[str, str]] | None = None,
    private_columns: Iterable[str] = (),
    value_lists: Mapping[str, Iterable[str]] | None = None,
    fold_case: bool = False,
    marker: tuple[str, bool] | None = None,
    lookup_columns: Iterable[str] = (),
) -> TableProfile:
    """Aggregate `rows` (tuples in the order of `columns`) into a TableProfile, in one pass.

    `key_columns` (the primary key) keep their values like a value set although each is unique,
    when there are few of them: the codes of a lookup table, which value sets elsewhere are checked
    against. `compare_times` pairs (created, updated) columns compared row by row; by default the
    columns named like created_at and updated_at. `private_columns` (personal data) keep no value at
    all. `value_lists` (column -> its declared values) count the values outside the list, comparing
    text as the server does (`fold_case`: ignoring case and trailing spaces). `marker` (column, is a
    flag) counts every column again among the rows the marker marks (a flag: rows where it is true;
    else rows where it is set). `lookup_columns` collect a bounded set of their distinct values, for
    the profiler to look up in the keys they seem to reference (TableProfile.lookup_values).
    """
    spiky = set(spike_columns)
    keys = set(key_columns)
    private = set(private_columns)
    lists = value_lists or {}
    collected = set(lookup_columns)
    accumulators = [ColumnAccumulator(c, now, keep_values, c.name in spiky, c.name in keys, private=c.name in private,
                                      allowed=lists.get(c.name), fold_case=fold_case, collect=c.name in collected)
                    for c in columns]  # fmt: skip
    positions = {c.name: i for i, c in enumerate(columns)}
    pairs = time_pairs(columns) if compare_times is None else list(compare_times)
    orders = [TimeOrderAccumulator(positions[a], positions[b], (a, b)) for a, b in pairs if a in positions and b in positions]
    marked_at = positions.get(marker[0]) if marker else None
    flag = bool(marker and marker[1])
    count = 0
    for row in rows:
        count += 1
        for accumulator, value in zip(accumulators, row, strict=False):
            accumulator.add(value)
        for order in orders:
            order.add(row)
        if marked_at is not None and _marks(row[marked_at], flag):
            for accumulator, value in zip(accumulators, row, strict=False):
                accumulator.add_marked(value)
    lookups = {a.column.name: a.lookup_values() for a in accumulators if a.lookup is not None}
    return TableProfile(
        schema=schema,
        table=table,
        method=method,  # type: ignore[arg-type]
        rows_read=count,
        rows_estimated=rows_estimated,
        pages_read_share=pages_read_share,
        columns=tuple(a.result() for a in accumulators),
        time_orders=tuple(o.result() for o in orders),
        marker=marker[0] if marked_at is not None else None,
        lookup_values={name: values for name, values in lookups.items() if values} or None,
    )


def _marks(value, flag: bool) -> bool:
    """Whether a marker's value marks its row: a flag when true, any other marker when set."""
    if value is None:
        return False
    if not flag:
        return True
    return value is True or value == 1 or (isinstance(value, str) and value.strip().lower() in TRUE_TEXT)
