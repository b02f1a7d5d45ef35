#!/usr/bin/env python
"""What profiling a big table costs: dayone's tiers against `SELECT count(*)` and against pandas.

`SELECT count(*)` is what a user runs first on a table they do not know, and the cheapest question
that reads the whole table. Loading the table into pandas and profiling it is what a user would
otherwise do to learn what is in it. This builds one table of --rows rows (id, email, status,
amount, created_at, a JSON payload; default 10,000,000) in a new, uniquely named database per
engine (dropped on every exit path), analyzes it (the benchmark's admin does; dayone never does),
and measures, interleaved, each of:

- `SELECT count(*)`, from a plain connection in this process;
- dayone's profile of that one table at each tier (statistics, sample, full) as `dayone audit` runs
  it: in a fresh worker process, one session reads the catalog (not timed) and then
  `profile_catalog` (timed: the statistics query, the size query and the table's read);
- `dayone audit URL` (the default, sampled audit), the whole command as a user runs it, timed from
  the outside (interpreter start-up, imports, catalog, profile, rules, report);
- pandas: `pandas.read_sql("SELECT * FROM events ORDER BY random() LIMIT 100000")` (RAND() on
  MySQL/MariaDB), then `ydata_profiling.ProfileReport(df, minimal=True).to_file("report.html")`;
- pandas: `pandas.read_sql("SELECT * FROM events")` of the whole table, then the same report, unless
  the same on `SELECT * FROM events LIMIT 100000` extrapolates beyond --pandas-limit seconds or 85 %
  of the free memory (then skipped, with the reason); it is stopped if it gets there.

The cheap steps run --repeat times and keep the median; the full pass and the whole-table load run
--heavy-repeat times (once by default). Each worker's peak resident memory comes from wait4(); its
time is measured inside it, after its imports (the CLI's from the outside, everything included).

What the server read is counted by the server: PostgreSQL's pg_statio_user_tables (heap and index
blocks touched by every backend, read from disk or found in shared buffers), MariaDB/MySQL's
Innodb_buffer_pool_read_requests (logical page reads, server-wide: the benchmark should run alone).

Bounds (exit status 1 when one is missed, unless --no-check; 2 when the benchmark itself failed):
the default sample reads at most 5 % of the table's pages and takes at most 3x one count(*); the
full tier reads every row and at most 1.1x the table's pages (the table once).

    python benchmarks/profile_vs_count.py [--rows 10000000] [--mysql-rows N] [--repeat 3]
        [--engines postgresql,mysql] [--output docs/benchmarks.md] [--no-check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import machine, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- profile-benchmark:start -->"
END_MARKER = "<!-- profile-benchmark:end -->"
SAMPLE_ROWS = 100_000  # the pandas user's sample
CHUNK = 1_000_000  # rows per INSERT ... SELECT while building
MAX_SAMPLE_SHARE = 0.05  # bounds: the default sample reads at most 5 % of the pages ...
MAX_SAMPLE_RATIO = 3.0  # ... and takes at most 3x one count(*)
MAX_FULL_SHARE = 1.10  # the full tier reads the table once per pass (its first statement reads the sample only)
MAX_FULL_RATIO = 2.0  # --full against the one-pass aggregate a user would write by hand
MAX_FULL_MEMORY = 200 * 2**20
MEMORY_SHARE = 0.85  # of the memory free: the whole-table pandas step may not use more (the machine is shared)
FULL_TIMEOUT = 3600  # --statement-timeout of the full pass (dayone's default, 60 s, is for production)
CHILDREN: set[subprocess.Popen] = set()


class BenchmarkError(Exception):
    """The benchmark could not measure what it claims to measure."""


# -- the servers ------------------------------------------------------------------------------------


class Postgres:
    engine = "postgresql"
    counted_inside = False  # the counter is the table's own: the worker's catalog read is not in it
    unit = "heap + index blocks touched (pg_statio_user_tables)"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.admin_db = admin_url.rsplit("/", 1)[1] or "postgres"
        self.name = f"dayone_bench_{uuid.uuid4().hex[:10]}"
        self.created = False

    def connect(self, database: str | None = None):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def url(self, database: str | None = None) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + (database or self.name)

    def sqlalchemy_url(self) -> str:
        return "postgresql+psycopg://" + self.url().split("://", 1)[1]

    random = "random()"

    def build(self, rows: int) -> str:
        with self.connect(self.admin_db) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True
        with self.connect() as conn:
            conn.execute("SET synchronous_commit = off")
            conn.execute(
                "CREATE TABLE events (id bigint NOT NULL, email text, status text, amount numeric(12, 2), "
                "created_at timestamptz, payload jsonb) WITH (autovacuum_enabled = false)"
            )
            for low in range(1, rows + 1, CHUNK):  # one transaction per chunk
                conn.execute(
                    "INSERT INTO events SELECT g, 'user' || g || '@mail.test', (ARRAY['new','paid','shipped','refunded'])[1 + g %% 4], "
                    "(g %% 10000) / 100.0, timestamptz '2025-01-01' + g * interval '30 seconds', "
                    "jsonb_build_object('source', 'web', 'n', g %% 7) FROM generate_series(%s, %s) g",
                    (low, min(low + CHUNK - 1, rows)),
                )
            conn.execute("ALTER TABLE events ADD PRIMARY KEY (id)")
            conn.execute("VACUUM ANALYZE events")
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]

    def pages(self) -> int:
        with self.connect() as conn:
            return conn.execute("SELECT relpages FROM pg_class WHERE relname = 'events'").fetchone()[0]

    def counter(self) -> int:
        """Heap and index blocks of the table touched so far, once every other backend has flushed."""
        with self.connect() as conn:
            for _ in range(250):
                busy = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,)
                ).fetchone()[0]
                if not busy:
                    break
                time.sleep(0.02)
            return conn.execute(
                "SELECT coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0) + coalesce(idx_blks_read, 0) "
                "+ coalesce(idx_blks_hit, 0) FROM pg_statio_user_tables WHERE relname = 'events'"
            ).fetchone()[0]

    def count(self) -> int:
        with self.connect() as conn:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

    def aggregate(self) -> None:
        with self.connect() as conn:
            conn.execute(aggregate_sql('"'))

    def others(self) -> Callable[[], set[str]] | None:
        return None  # the counter is the table's own: no other session reads it

    def drop(self) -> None:
        if self.created:
            with self.connect(self.admin_db) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False


class MySQL:
    engine = "mysql"
    counted_inside = True  # the counter is server-wide: read around the timed part only, not the catalog read
    unit = "InnoDB logical page reads (Innodb_buffer_pool_read_requests, server-wide)"
    random = "RAND()"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url.rstrip("/")
        self.name = f"dayone_bench_{uuid.uuid4().hex[:10]}"
        self.created = False

    def connect(self, database: str | None = None):
        from urllib.parse import urlsplit

        import pymysql

        u = urlsplit(self.admin_url)
        return pymysql.connect(host=u.hostname or "127.0.0.1", port=u.port or 3306, user=u.username or "root",
                               password=u.password or "", database=database, autocommit=True)  # fmt: skip

    def url(self) -> str:
        return f"{self.admin_url}/{self.name}"

    def sqlalchemy_url(self) -> str:
        return "mysql+pymysql://" + self.url().split("://", 1)[1]

    def run(self, sql: str, database: str | None = None) -> list:
        with self.connect(database) as conn, conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall()) if cur.description else []

    def build(self, rows: int) -> str:
        self.run(f"CREATE DATABASE `{self.name}`")
        self.created = True
        self.run("CREATE TABLE events (id BIGINT PRIMARY KEY, email VARCHAR(100), status VARCHAR(10), "
                 "amount DECIMAL(12, 2), created_at DATETIME, payload JSON)", self.name)  # fmt: skip
        digits = " UNION ALL ".join(f"SELECT {d} d" for d in range(10))
        places = len(str(CHUNK - 1))
        sources = ", ".join(f"({digits}) d{i}" for i in range(places))
        offset = " + ".join(f"d{i}.d * {10**i}" for i in range(places))
        for low in range(0, rows, CHUNK):  # one transaction per chunk, in key order
            self.run(f"INSERT INTO events SELECT n + 1, CONCAT('user', n, '@mail.test'), ELT(1 + n % 4, 'new', 'paid', 'shipped', 'refunded'), "
                     f"(n % 10000) / 100, '2025-01-01' + INTERVAL (n * 30) SECOND, JSON_OBJECT('source', 'web', 'n', n % 7) "
                     f"FROM (SELECT {low} + {offset} AS n FROM {sources}) numbers WHERE n < {rows} ORDER BY n", self.name)  # fmt: skip
        self.run("ANALYZE TABLE events", self.name)
        self.settle()
        version = self.run("SELECT VERSION()")[0][0]
        return ("MariaDB " if "mariadb" in version.lower() else "MySQL ") + version.split("-")[0]

    def pages(self) -> int:
        length = self.run(f"SELECT DATA_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{self.name}' AND TABLE_NAME = 'events'")[0][0]
        return int(length) // 16384

    def counter(self) -> int:
        return int(self.run("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_read_requests'")[0][1])

    def settle(self) -> None:
        """Wait until InnoDB's background work after the load (purge, statistics: some 14,000 page reads
        in the first seconds at 10 million rows) has stopped adding to the server-wide counter."""
        last = self.counter()
        for _ in range(60):
            time.sleep(2)
            now = self.counter()
            if now == last:
                return
            last = now

    def others(self) -> Callable[[], set[str]] | None:
        """A probe of the queries other sessions are running (the counter is server-wide: theirs count too)."""
        conn = self.connect()

        def probe() -> set[str]:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT ID, COALESCE(DB, '-'), LEFT(INFO, 60) FROM information_schema.PROCESSLIST "
                    "WHERE COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') AND USER <> 'system user' "
                    "AND ID <> CONNECTION_ID() AND COALESCE(DB, '') <> %s AND INFO NOT LIKE 'SHOW GLOBAL STATUS%%'",
                    (self.name,),
                )
                return {f"{id_} {db}: {info}" for id_, db, info in cur.fetchall()}

        probe.close = conn.close  # type: ignore[attr-defined]
        return probe

    def count(self) -> int:
        return self.run("SELECT COUNT(*) FROM events", self.name)[0][0]

    def aggregate(self) -> None:
        self.run(aggregate_sql("`"), self.name)

    def drop(self) -> None:
        if self.created:
            self.run(f"DROP DATABASE IF EXISTS `{self.name}`")
            self.created = False


def aggregate_sql(quote: str) -> str:
    """The one-pass query a user would write by hand for exact figures: for every column its non-null
    count, minimum and maximum, and for text its shortest and longest length (JSON has no order:
    its count and the lengths of its text)."""
    parts = []
    for column, kind in COLUMNS:
        q = f"{quote}{column}{quote}"
        text = f"{q}::text" if kind == "json" and quote == '"' else q
        parts.append(f"count({q})")
        if kind != "json":
            parts += [f"min({q})", f"max({q})"]
        if kind in ("text", "json"):
            parts += [f"min(char_length({text}))", f"max(char_length({text}))"]
    return f"SELECT {', '.join(parts)} FROM events"


COLUMNS = (("id", ""), ("email", "text"), ("status", "text"), ("amount", ""), ("created_at", ""), ("payload", "json"))


# -- workers: each measured step but count(*) runs in a fresh process -------------------------------


def rss_bytes(pid: int | str = "self") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    raise BenchmarkError("no MemAvailable in /proc/meminfo")


def handler_reads(session) -> Callable[[], int]:
    """MySQL/MariaDB: the rows dayone's own session has examined so far (Handler_read_*, per session,
    unlike the page counter)."""
    return lambda: sum(int(value) for _, value in session.query("SHOW SESSION STATUS LIKE 'Handler_read%'"))


def worker(spec: dict) -> None:
    """Run one measured step in this (fresh) process and write what it found to spec['out']."""
    found: dict = {}
    counter = MySQL(spec["counter"]).counter if spec.get("counter") else lambda: 0
    if spec["kind"] == "dayone":
        from dayone import api
        from dayone.connect.options import SessionOptions
        from dayone.connect.target import parse_target
        from dayone.dialects.base import dialect_for
        from dayone.profile.options import ProfileOptions
        from dayone.profile.profiler import profile_catalog

        target = parse_target(spec["url"])
        dialect = dialect_for(target.engine)
        schemas = [target.database] if dialect.url_database_is_schema else None
        found["rss_base"] = rss_bytes()
        with api.open_session(target, SessionOptions(statement_timeout=spec["statement_timeout"], pace=0)) as session:
            catalog = dialect.read_catalog(session, schemas)  # as `dayone audit` does, in the same session
            examined = handler_reads(session) if spec.get("counter") else lambda: 0
            before, started = (counter(), examined()), time.perf_counter()
            profile = profile_catalog(session, dialect, catalog, ProfileOptions(tier=spec["tier"], pushdown=spec.get("pushdown", True)))
            found["seconds"] = time.perf_counter() - started
            found["pages"], found["examined"] = counter() - before[0], examined() - before[1]
        table = profile.tables[0]
        found.update(rows=table.rows_read, how=table.how, method=table.method,
                     statements=sum(1 for s in session.statements if "events" in s and "information_schema" not in s and "pg_" not in s))
    else:  # pandas
        import warnings

        warnings.simplefilter("ignore")  # ydata-profiling's deprecation notice and pandas' chatter
        import pandas as pd
        import sqlalchemy as sa

        try:
            from ydata_profiling import ProfileReport
        except Exception as exc:  # noqa: BLE001 - not installed, or broken on this Python: pandas' own
            ProfileReport, found["fallback"] = None, f"{type(exc).__name__}: {exc}"
        found["rss_base"] = rss_bytes()
        before, started = counter(), time.perf_counter()
        engine = sa.create_engine(spec["sqlalchemy_url"])
        frame = pd.read_sql(spec["query"], engine)
        engine.dispose()
        found["read_seconds"] = time.perf_counter() - started
        found["rss_after_read"] = rss_bytes()
        found["frame_bytes"] = int(frame.memory_usage(deep=True).sum())
        with tempfile.TemporaryDirectory() as scratch:
            if ProfileReport is not None:
                ProfileReport(frame, minimal=True, progress_bar=False).to_file(Path(scratch) / "report.html")
            else:  # what a pandas user does without a profiler
                frame.describe(include="all").to_string()
                for column in frame.columns:
                    frame[column].astype(str).value_counts().head(10)
        found["seconds"] = time.perf_counter() - started
        found["pages"] = counter() - before
        found["report_seconds"] = found["seconds"] - found["read_seconds"]
        found["rows"] = len(frame)
    Path(spec["out"]).write_text(json.dumps(found))


@dataclass
class Run:
    seconds: float
    pages: int
    peak: int | None = None  # bytes of the process's peak resident memory
    found: dict = field(default_factory=dict)
    stopped: str | None = None  # why the step was stopped before it ended
    others: set[str] = field(default_factory=set)  # other sessions' queries seen meanwhile (MySQL)


@dataclass
class Child:
    seconds: float  # wall clock, from the outside
    peak: int  # bytes of peak resident memory (wait4)
    stopped: str | None  # why it was stopped before it ended
    others: set[str]  # other sessions' queries seen on the server while it ran
    tail: str  # the end of its output


def run_child(command: list[str], bench, limit: float | None = None, memory_cap: int | None = None) -> Child:
    """Run `command`, stopping it past `limit` seconds or `memory_cap` bytes resident, and watching
    for other sessions' queries where the server's counter is server-wide."""
    probe, others = bench.others(), set()
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        CHILDREN.add(child)
        stopped: list[str] = []
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.2):
                if probe is not None:
                    others.update(probe())
                elapsed, rss = time.perf_counter() - started, rss_bytes(child.pid)
                if limit is not None and elapsed > limit:
                    stopped.append(f"stopped after {limit:,.0f} s")
                elif memory_cap is not None and rss > memory_cap:
                    stopped.append(f"stopped at {rss / 2**30:.1f} GiB resident, past the cap of {memory_cap / 2**30:.1f} GiB")
                else:
                    continue
                os.killpg(child.pid, signal.SIGKILL)
                return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        watcher.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        CHILDREN.discard(child)
        if probe is not None:
            probe.close()
        log.seek(0)
        tail = log.read()[-3000:]
    if child.returncode not in (0, 1) and not stopped:
        raise BenchmarkError(f"{' '.join(command[:4])} ... exited {child.returncode}:\n{tail}")
    return Child(elapsed, usage.ru_maxrss * 1024, stopped[0] if stopped else None, others, tail)


def run_worker(bench, spec: dict, limit: float | None = None, memory_cap: int | None = None) -> Run:
    with tempfile.TemporaryDirectory() as scratch:
        spec = {**spec, "out": str(Path(scratch) / "found.json"), "counter": bench.admin_url if bench.counted_inside else None}
        before = bench.counter()
        child = run_child([sys.executable, __file__, "--worker", json.dumps(spec)], bench, limit, memory_cap)
        pages = bench.counter() - before
        if child.stopped:
            return Run(child.seconds, pages, child.peak, stopped=child.stopped, others=child.others)
        out = Path(spec["out"])
        if not out.exists():
            raise BenchmarkError(f"the {spec['kind']} worker wrote nothing:\n{child.tail}")
        found = json.loads(out.read_text())
    return Run(found["seconds"], found["pages"] if bench.counted_inside else pages, child.peak, found, others=child.others)


# -- the steps ---------------------------------------------------------------------------------------


def measure_count(bench) -> Run:
    before = bench.counter()
    started = time.perf_counter()
    bench.count()
    elapsed = time.perf_counter() - started
    return Run(elapsed, bench.counter() - before)


def measure_aggregate(bench) -> Run:
    before = bench.counter()
    started = time.perf_counter()
    bench.aggregate()
    elapsed = time.perf_counter() - started
    return Run(elapsed, bench.counter() - before)


def measure_dayone(bench, tier: str, pushdown: bool = True) -> Run:
    timeout = FULL_TIMEOUT if tier == "full" else 60.0
    return run_worker(bench, {"kind": "dayone", "url": bench.url(), "tier": tier, "statement_timeout": timeout, "pushdown": pushdown})


def measure_cli(bench) -> Run:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "audit.json"
        before = bench.counter()
        command = [sys.executable, "-m", "dayone", "audit", bench.url(), "--pace", "0", "--format", "json", "-o", str(report)]
        child = run_child(command, bench)
        pages = bench.counter() - before
        if not report.exists():
            raise BenchmarkError(f"dayone audit wrote no report:\n{child.tail}")
        profile = json.loads(report.read_text()).get("profile") or {}
    tables = profile.get("tables") or [{"how": "not profiled: " + "; ".join(s["reason"] for s in profile.get("skipped", []))}]
    return Run(child.seconds, pages, child.peak, {"how": tables[0]["how"]}, others=child.others)


def measure_pandas(bench, query: str, limit: float | None = None, memory_cap: int | None = None) -> Run:
    spec = {"kind": "pandas", "sqlalchemy_url": bench.sqlalchemy_url(), "query": query}
    return run_worker(bench, spec, limit, memory_cap)


@dataclass
class Step:
    label: str
    runs: list[Run] = field(default_factory=list)
    skipped: str | None = None

    def median(self, what: str) -> float:
        """The median of a Run's attribute (seconds, pages, peak) or of what its worker found."""
        return statistics.median(getattr(r, what) if hasattr(r, what) else r.found[what] for r in self.runs)

    @property
    def last(self) -> Run:
        return self.runs[-1]


@dataclass
class EngineResult:
    engine: str
    server: str
    rows: int
    pages: int
    build_seconds: float
    unit: str
    steps: dict[str, Step]
    sample_query: str
    estimate: str


def measure(bench, rows: int, repeat: int, heavy_repeat: int, pandas_limit: float, streamed_runs: int = 1) -> EngineResult:
    started = time.perf_counter()
    server = bench.build(rows)
    build_seconds = time.perf_counter() - started
    pages = bench.pages()
    print(f"{server}: {rows:,} rows, {pages:,} pages, built in {build_seconds:.0f} s", file=sys.stderr, flush=True)
    sample_query = f"SELECT * FROM events ORDER BY {bench.random} LIMIT {SAMPLE_ROWS}"
    whole_query = "SELECT * FROM events"
    steps = {key: Step(label) for key, label in (
        ("count", "`SELECT count(*)`"),
        ("aggregate", "hand-written one-pass aggregate: every column's count, min, max (and text lengths)"),
        ("statistics", "dayone profile, `--profile statistics`"),
        ("sample", "dayone profile, default (`--profile sample`)"),
        ("cli", "`dayone audit URL` (default), whole command"),
        ("full", "dayone profile, `--full` (computed by the server)"),
        ("full_streamed", "dayone profile, `--full` streamed (every row through Python, as before)"),
        ("pandas_sample", f"pandas `read_sql` of {SAMPLE_ROWS:,} random rows + ydata-profiling minimal"),
        ("pandas_whole", "pandas `read_sql` of the whole table + ydata-profiling minimal"),
    )}  # fmt: skip
    cheap = {
        "count": lambda: measure_count(bench),
        "aggregate": lambda: measure_aggregate(bench),
        "full": lambda: measure_dayone(bench, "full"),
        "statistics": lambda: measure_dayone(bench, "statistics"),
        "sample": lambda: measure_dayone(bench, "sample"),
        "cli": lambda: measure_cli(bench),
        "pandas_sample": lambda: measure_pandas(bench, sample_query),
    }
    for round_ in range(max(repeat, streamed_runs)):  # interleaved: load on the machine hits all alike
        if round_ < repeat:
            for key, step in cheap.items():
                steps[key].runs.append(step())
                note(steps[key])
        if round_ < streamed_runs:
            steps["full_streamed"].runs.append(measure_dayone(bench, "full", pushdown=False))
            note(steps["full_streamed"])
    if not streamed_runs:
        steps["full_streamed"].skipped = "not run (--streamed-runs 0)"
    for run in steps["full"].runs + steps["full_streamed"].runs:
        if run.found.get("rows") != rows:
            raise BenchmarkError(f"dayone --full read {run.found.get('rows')} rows of {rows}: {run.found.get('how')}")

    # the whole table in pandas, if 100k rows of it say it fits in time and memory: the first 100k
    # (LIMIT, no ORDER BY), whose read costs what moving 100k rows costs, unlike the random sample's,
    # which also scans and sorts the whole table
    if steps["pandas_sample"].last.found.get("fallback"):
        for key in ("pandas_sample", "pandas_whole"):
            steps[key].label = steps[key].label.replace("ydata-profiling minimal", "pandas describe() + value_counts()")
    probe = measure_pandas(bench, f"{whole_query} LIMIT {SAMPLE_ROWS}")
    scale = rows / SAMPLE_ROWS
    read, report = probe.found["read_seconds"], probe.found["report_seconds"]
    base, peak = probe.found["rss_base"], probe.peak
    seconds = (read + report) * scale
    memory = base + (peak - base) * scale  # an upper bound: some of the report's memory does not grow
    free = available_bytes()
    estimate = (f"`{whole_query} LIMIT {SAMPLE_ROWS}` + the same report took {read:.1f} s to read and {report:.1f} s to profile, "
                f"{peak / 2**30:.2f} GiB at its peak ({base / 2**30:.2f} GiB after the imports); linearly in rows, the whole "
                f"table would take {seconds:,.0f} s and {memory / 2**30:.1f} GiB; {free / 2**30:.1f} GiB of memory were free")  # fmt: skip
    cap = int(free * MEMORY_SHARE)
    if seconds > pandas_limit:
        steps["pandas_whole"].skipped = f"skipped: estimated at {seconds:,.0f} s, past the limit of {pandas_limit:,.0f} s"
    elif memory > cap:
        steps["pandas_whole"].skipped = (f"skipped: estimated at {memory / 2**30:.1f} GiB, past {MEMORY_SHARE:.0%} "
                                         f"of the {free / 2**30:.1f} GiB free ({cap / 2**30:.1f} GiB)")  # fmt: skip
    else:
        for _ in range(heavy_repeat):
            run = measure_pandas(bench, whole_query, limit=pandas_limit, memory_cap=cap)
            steps["pandas_whole"].runs.append(run)
            note(steps["pandas_whole"])
            if run.stopped:
                break
    return EngineResult(bench.engine, server, rows, pages, build_seconds, bench.unit, steps, sample_query, estimate)


def note(step: Step) -> None:
    run = step.last
    extra = (run.stopped or run.found.get("how") or "") + (f" [others: {sorted(run.others)}]" if run.others else "")
    print(f"  {step.label}: {run.seconds:.2f} s, {run.pages:,} pages {extra}", file=sys.stderr, flush=True)


# -- checking and writing ------------------------------------------------------------------------------


def bounds(result: EngineResult) -> list[tuple[str, str, bool]]:
    steps, pages = result.steps, result.pages
    count = steps["count"].median("seconds")
    sample_pages, sample_time = steps["sample"].median("pages"), steps["sample"].median("seconds")
    full_pages = max(r.pages for r in steps["full"].runs)
    anchor, full = steps["aggregate"].median("seconds"), steps["full"].median("seconds")
    memory = max(r.peak or 0 for r in steps["full"].runs)
    statements = steps["full"].last.found.get("statements", 0)
    return [
        (f"`--full` takes ≤ {MAX_FULL_RATIO:g}× the hand-written one-pass aggregate", f"{full / anchor:.2f}× ({full:.2f} s vs {anchor:.2f} s)",
         full <= MAX_FULL_RATIO * anchor),
        (f"`--full` client memory < {MAX_FULL_MEMORY // 2**20} MiB", f"{memory / 2**20:,.0f} MiB", memory < MAX_FULL_MEMORY),
        (f"default sample reads ≤ {MAX_SAMPLE_SHARE:.0%} of the pages", f"{sample_pages / pages:.2%} ({sample_pages:,.0f} of {pages:,})",
         sample_pages <= MAX_SAMPLE_SHARE * pages),
        (f"default sample takes ≤ {MAX_SAMPLE_RATIO:g}× count(*)", f"{sample_time / count:.2f}× ({sample_time:.2f} s vs {count:.2f} s)",
         sample_time <= MAX_SAMPLE_RATIO * count),
        (f"`--full` reads every row, each page at most once per pass (≤ {MAX_FULL_SHARE:g}× its pages per pass)",
         f"{full_pages / pages:.1%} of the pages in {statements} statements, {steps['full'].last.found['rows']:,} rows",
         full_pages <= MAX_FULL_SHARE * pages * max(1, statements - 1)),
    ]  # fmt: skip


def gib(value: float | None) -> str:
    return "–" if value is None else f"{value / 2**30:.2f} GiB"


def table(result: EngineResult) -> str:
    steps, pages = result.steps, result.pages
    count = steps["count"].median("seconds")
    anchor = steps["aggregate"].median("seconds")
    lines = [
        "| what | runs | time | vs count(*) | vs the one-pass aggregate | pages read | share of the table's pages | peak memory (client) | how |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, step in steps.items():
        if step.skipped or not step.runs:
            lines.append(f"| {step.label} | 0 | – | – | – | – | – | – | {step.skipped or 'not run'} |")
            continue
        run = step.last
        if run.stopped:
            lines.append(f"| {step.label} | 1 | > {run.seconds:,.0f} s | > {run.seconds / count:,.0f}× | > {run.seconds / anchor:,.0f}× | {run.pages:,} | {run.pages / pages:.1%} | "
                         f"{gib(run.peak)} | **did not finish**: {run.stopped} |")  # fmt: skip
            continue
        seconds, read = step.median("seconds"), step.median("pages")
        peak = step.median("peak") if run.peak is not None else None
        if key in ("count", "aggregate"):
            how = "one query, plain connection"
        elif key == "cli":
            how = "`dayone audit URL --format json -o FILE`, wall clock of the process"
        elif key.startswith("pandas"):
            how = f"read_sql {step.median('read_seconds'):.1f} s + report {step.median('report_seconds'):.1f} s; DataFrame {run.found['frame_bytes'] / 2**20:,.0f} MiB"
        else:
            how = run.found["how"]
        if key.startswith("full") and run.found.get("statements"):
            how += f"; {run.found['statements']} statements read the table"
        if run.found.get("examined"):
            how += f"; its session examined {step.median('examined'):,.0f} rows (Handler_read_*)"
        busy = sum(bool(r.others) for r in step.runs)
        if busy:
            how += f"; **other sessions ran queries during {busy} of its runs** (their pages count too)"
        lines.append(f"| {step.label} | {len(step.runs)} | {seconds:,.2f} s | {seconds / count:,.2f}× | {seconds / anchor:,.2f}× | {read:,.0f} | {read / pages:.1%} | {gib(peak)} | {how} |")
    lines.append("")
    lines.append("| bound | measured | met |")
    lines.append("|---|---|:---:|")
    for bound, measured, met in bounds(result):
        lines.append(f"| {bound} | {measured} | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


def section(results: list[EngineResult], repeat: int, heavy_repeat: int, pandas_limit: float) -> str:
    info = machine()
    from importlib.metadata import PackageNotFoundError, version

    try:
        ydata = f"ydata-profiling {version('ydata-profiling')}"
    except PackageNotFoundError:
        ydata = "ydata-profiling not installed: pandas describe() + value_counts() instead"
    import pandas

    parts = []
    for result in results:
        parts.append(
            f"### {result.server}: {result.rows:,} rows, {result.pages:,} pages\n\n"
            f"Built in {result.build_seconds:,.0f} s. Pages counted as {result.unit}; the share is of the table's "
            f"{'heap pages (pg_class.relpages)' if result.engine == 'postgresql' else 'data pages (DATA_LENGTH / 16 kB)'}.\n\n"
            f"{table(result)}\n\n"
            f"Whole-table pandas estimate: {result.estimate}.\n"
        )
    return f"""{START_MARKER}
## Profiling a big table: dayone's tiers vs `SELECT count(*)` and pandas

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/profile_vs_count.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}), Python {info['python']}, dayone {info['dayone']}, pandas {pandas.__version__}, {ydata}. One table (id, e-mail, status, amount, created_at, JSON payload), analyzed; the cheap steps (the one-pass aggregate and `--full` among them) are medians of {repeat} interleaved runs; the streamed `--full` and the whole-table pandas load ran at most {heavy_repeat} time(s).

{chr(10).join(parts)}
How each figure is measured:

- **dayone profile**: a fresh worker process opens one dayone session, reads the catalog (not timed) and times `profile_catalog`, as `dayone audit` runs it after the catalog: the server's statistics, the table's size, then the table's one read. Peak memory is the worker's peak resident set (wait4), interpreter and imports included. `--full` ran with `--statement-timeout {FULL_TIMEOUT}`: at the default (60 s) a full pass that takes longer stops and reports the table as skipped.
- **`dayone audit URL`**: the whole command in a subprocess, timed from the outside: interpreter start-up, imports, connecting, catalog, the default sampled profile, rules and the report.
- **pandas**: a fresh worker process, timed after its imports, from `create_engine` to the end of `ProfileReport(df, minimal=True, progress_bar=False).to_file("report.html")`. The sample is what users write, `{results[0].sample_query if results else ''}` (RAND() on MariaDB/MySQL), not `TABLESAMPLE`: the server reads and sorts the whole table to return {SAMPLE_ROWS:,} rows. The whole-table run is skipped when `SELECT * FROM events LIMIT {SAMPLE_ROWS}` (no sort), read and profiled the same way, extrapolates (linearly in rows: the time, and the peak memory above the imports') beyond {pandas_limit:,.0f} s or {MEMORY_SHARE:.0%} of the memory free, and stopped if it gets there.
- **Pages on MariaDB/MySQL** are the server-wide `Innodb_buffer_pool_read_requests`, read by the worker around the timed part only (not its catalog read); after the build the benchmark waits until InnoDB's background work stops adding to it. While each worker runs, the benchmark watches the process list for other sessions' queries and says so in the table when it saw any. dayone's own session's rows examined (`Handler_read_*`, per session) are given beside it.
- **statistics** reads pg_stats / information_schema.STATISTICS (and mysql.column_stats where readable): no page of the table. **sample** (the default: at most 1,000 pages, and no more than hold about 20,000 rows): PostgreSQL `TABLESAMPLE SYSTEM` reads whole pages picked at random; MariaDB/MySQL reads ten ranges of consecutive primary keys through the primary key. **full** is computed by the server ([docs/profiling.md](profiling.md)): the sample's distinct counts, one aggregate statement over the whole table grouped by its few-valued columns (and by the signature of text whose patterns are counted in Python), the creation-time histogram (hours with a bitmap of their minutes, then at most 100,000 buckets), and the values that may have a shape; **full streamed** is the pass it replaces, every row through Python, kept for comparison (`ProfileOptions(pushdown=False)`). The **one-pass aggregate** is what a user would write by hand for exact figures: every column's `count`, `min` and `max`, and the shortest and longest text (JSON: its count and text lengths), in one query. `count(*)` may read the primary-key index instead of the table (an index-only scan), which is why it can touch fewer pages than the table has.

Re-run (tens of minutes at 10 million rows; needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`, `DAYONE_BENCH_MYSQL_URL`): `pip install -e '.[bench]' && python benchmarks/profile_vs_count.py`. Exit status 0 when every bound is met, 1 when one is missed, 2 when the benchmark failed.
{END_MARKER}
"""



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--mysql-rows", type=int, default=None, help="rows of the MySQL/MariaDB table (default: --rows)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the cheap steps")
    parser.add_argument("--heavy-repeat", type=int, default=1, help="runs of the whole-table pandas load")
    parser.add_argument("--streamed-runs", type=int, default=1, help="runs of the streamed --full (minutes at 10 million rows; 0: none)")
    parser.add_argument("--pandas-limit", type=float, default=1200.0, help="seconds the whole-table pandas step may take")
    parser.add_argument("--engines", default="postgresql,mysql")
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--mysql-url", default=os.environ.get("DAYONE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    parser.add_argument("--no-check", action="store_true", help="exit 0 even when a bound is missed")
    args = parser.parse_args(argv)

    results = []
    for engine in args.engines.split(","):
        bench = Postgres(args.pg_url) if engine == "postgresql" else MySQL(args.mysql_url)
        rows = args.rows if engine == "postgresql" else args.mysql_rows or args.rows
        try:
            results.append(measure(bench, rows, args.repeat, args.heavy_repeat, args.pandas_limit, args.streamed_runs))
        finally:
            for child in list(CHILDREN):  # a worker holds a session: end it before the drop
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                    os.waitpid(child.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
            bench.drop()

    text = section(results, args.repeat, args.heavy_repeat, args.pandas_limit)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), text, START_MARKER, END_MARKER)
    missed = [f"{r.server}: {bound} ({measured})" for r in results for bound, measured, met in bounds(r) if not met]
    for line in missed:
        print(f"bound missed: {line}", file=sys.stderr)
    return 1 if missed and not args.no_check else 0


def _terminate(signum, frame):  # SIGTERM: unwind, so that every database is dropped
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
        sys.exit(0)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        sys.exit(main())
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # the benchmark itself failed: say so
        import traceback

        traceback.print_exc()
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)
