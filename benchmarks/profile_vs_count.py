#!/usr/bin/env python
"""What profiling a big table costs the server: dayone's tiers against `SELECT count(*)`.

`SELECT count(*)` is what a user runs first on a table they do not know, and the cheapest question
that reads the whole table. This builds one table of --rows rows (id, email, status, amount,
created_at, a JSON payload) in a new, uniquely named database per engine (dropped on every exit
path), analyzes it (the benchmark's admin does; dayone never does), and measures, interleaved,
medians of --repeat runs of each of:

- `SELECT count(*)` from a plain connection;
- dayone's profile of that one table at each tier: statistics, sample (default page budget), full,
  in process (`profile_catalog` on an open session; the catalog read is not counted).

What the server read is counted by the server: PostgreSQL's pg_statio_user_tables (heap and index
blocks touched by every backend, read from disk or found in shared buffers), MariaDB/MySQL's
Innodb_buffer_pool_read_requests (logical page reads, server-wide: the benchmark runs alone).

    python benchmarks/profile_vs_count.py [--rows 1000000] [--repeat 3] [--engines postgresql,mysql] [--output docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import machine  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- profile-benchmark:start -->"
END_MARKER = "<!-- profile-benchmark:end -->"
TIERS = ("statistics", "sample", "full")


class Postgres:
    engine = "postgresql"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.name = f"dayone_bench_{uuid.uuid4().hex[:10]}"
        self.created = False

    def connect(self, database: str | None = None):
        import psycopg

        return psycopg.connect(self.url(database or self.name), autocommit=True)

    def url(self, database: str | None = None) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + (database or self.name)

    def build(self, rows: int) -> str:
        with self.connect(self.admin_url.rsplit("/", 1)[1] or "postgres") as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True
        with self.connect() as conn:
            conn.execute(
                "CREATE TABLE events (id bigint PRIMARY KEY, email text, status text, amount numeric(12, 2), "
                "created_at timestamptz, payload jsonb) WITH (autovacuum_enabled = false)"
            )
            conn.execute(
                "INSERT INTO events SELECT g, 'user' || g || '@mail.test', (ARRAY['new','paid','shipped','refunded'])[1 + g %% 4], "
                "(g %% 10000) / 100.0, timestamptz '2025-01-01' + g * interval '30 seconds', "
                "jsonb_build_object('source', 'web', 'n', g %% 7) FROM generate_series(1, %s) g",
                (rows,),
            )
            conn.execute("VACUUM ANALYZE events")
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]

    def pages(self) -> int:
        with self.connect() as conn:
            return conn.execute("SELECT relpages FROM pg_class WHERE relname = 'events'").fetchone()[0]

    def counter(self) -> int:
        """Heap and index blocks of the table touched so far, once every other backend has flushed."""
        with self.connect() as conn:
            for _ in range(100):
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

    def drop(self) -> None:
        if self.created:
            with self.connect(self.admin_url.rsplit("/", 1)[1] or "postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class MySQL:
    engine = "mysql"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url.rstrip("/")
        self.name = f"dayone_bench_{uuid.uuid4().hex[:10]}"
        self.created = False

    def connect(self, database: str | None = None):
        import pymysql
        from urllib.parse import urlsplit

        u = urlsplit(self.admin_url)
        return pymysql.connect(host=u.hostname or "127.0.0.1", port=u.port or 3306, user=u.username or "root",
                               password=u.password or "", database=database, autocommit=True)  # fmt: skip

    def url(self) -> str:
        return f"{self.admin_url}/{self.name}"

    def run(self, sql: str, database: str | None = None) -> list:
        with self.connect(database) as conn, conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall()) if cur.description else []

    def build(self, rows: int) -> str:
        self.run(f"CREATE DATABASE `{self.name}`")
        self.created = True
        digits = " UNION ALL ".join(f"SELECT {d} d" for d in range(10))
        self.run("CREATE TABLE events (id BIGINT PRIMARY KEY, email VARCHAR(100), status VARCHAR(10), "
                 "amount DECIMAL(12, 2), created_at DATETIME, payload JSON)", self.name)  # fmt: skip
        places = len(str(rows - 1))
        sources = ", ".join(f"({digits}) d{i}" for i in range(places))
        number = " + ".join(f"d{i}.d * {10 ** i}" for i in range(places))
        self.run(f"INSERT INTO events SELECT n + 1, CONCAT('user', n, '@mail.test'), ELT(1 + n % 4, 'new', 'paid', 'shipped', 'refunded'), "
                 f"(n % 10000) / 100, '2025-01-01' + INTERVAL (n * 30) SECOND, JSON_OBJECT('source', 'web', 'n', n % 7) "
                 f"FROM (SELECT {number} AS n FROM {sources}) numbers WHERE n < {rows}", self.name)  # fmt: skip
        self.run("ANALYZE TABLE events", self.name)
        return self.run("SELECT VERSION()")[0][0].split("-")[0] + (" (MariaDB)" if "mariadb" in self.run("SELECT VERSION()")[0][0].lower() else "")

    def pages(self) -> int:
        length = self.run(f"SELECT DATA_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{self.name}' AND TABLE_NAME = 'events'")[0][0]
        return int(length) // 16384

    def counter(self) -> int:
        return int(self.run("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_read_requests'")[0][1])

    def count(self) -> int:
        return self.run("SELECT COUNT(*) FROM events", self.name)[0][0]

    def drop(self) -> None:
        if self.created:
            self.run(f"DROP DATABASE IF EXISTS `{self.name}`")


def profile_once(bench, tier: str, catalog) -> tuple[float, int, int]:
    """Seconds, rows read and how the one table was read, for dayone's profile at `tier`."""
    from dayone import api
    from dayone.connect.target import parse_target
    from dayone.dialects.base import dialect_for
    from dayone.profile.options import ProfileOptions
    from dayone.profile.profiler import profile_catalog

    target = parse_target(bench.url())
    with api.open_session(target) as session:
        started = time.perf_counter()
        profile = profile_catalog(session, dialect_for(target.engine), catalog, ProfileOptions(tier=tier))
        elapsed = time.perf_counter() - started
    table = profile.tables[0]
    return elapsed, table.rows_read, table.how


def measure(bench, repeat: int) -> dict:
    from dayone import api

    catalog = api.read_catalog(bench.url())  # once, outside the counted reads
    results: dict[str, dict] = {name: {"seconds": [], "pages": []} for name in ("count(*)", *TIERS)}
    for _ in range(repeat):
        for name in results:  # interleaved: load on the machine hits all alike
            before = bench.counter()
            if name == "count(*)":
                started = time.perf_counter()
                bench.count()
                elapsed, rows, how = time.perf_counter() - started, 0, "SELECT count(*)"
            else:
                elapsed, rows, how = profile_once(bench, name, catalog)
            results[name]["seconds"].append(elapsed)
            results[name]["pages"].append(bench.counter() - before)
            results[name]["rows"], results[name]["how"] = rows, how
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="postgresql,mysql")
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--mysql-url", default=os.environ.get("DAYONE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    args = parser.parse_args(argv)

    lines = []
    for engine in args.engines.split(","):
        bench = Postgres(args.pg_url) if engine == "postgresql" else MySQL(args.mysql_url)
        try:
            server = bench.build(args.rows)
            pages = bench.pages()
            results = measure(bench, args.repeat)
        finally:
            bench.drop()
        unit = "heap + index blocks touched" if engine == "postgresql" else "InnoDB page reads (logical)"
        count_time = statistics.median(results["count(*)"]["seconds"])
        for name, found in results.items():
            seconds = statistics.median(found["seconds"])
            read = statistics.median(found["pages"])
            lines.append(
                f"| {server} | {name if name == 'count(*)' else 'dayone ' + name} | {seconds:.2f} s | "
                f"{seconds / count_time:.2f}× | {read:,.0f} | {read / pages:.1%} | {found['how']} |"
            )
        lines.append(f"| | *table: {args.rows:,} rows, {pages:,} pages; pages counted as {unit}* | | | | | |")

    info = machine()
    section = f"""{START_MARKER}
## Profiling a big table: dayone's tiers vs `SELECT count(*)`

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/profile_vs_count.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}), Python {info['python']}, dayone {info['dayone']}; one table of {args.rows:,} rows (id, e-mail, status, amount, created_at, JSON payload), analyzed; medians of {args.repeat} interleaved runs. dayone's time is the profile alone, in process, on an open session (the catalog read is measured in the sections above).

| server | what | time | vs count(*) | pages read | share of the table's pages | how dayone read it |
|---|---|---:|---:|---:|---:|---|
{chr(10).join(lines)}

- **statistics** reads pg_stats / information_schema.STATISTICS (and mysql.column_stats where readable): no page of the table.
- **sample** (the default: at most 1,000 pages, and no more than hold about 20,000 rows): PostgreSQL `TABLESAMPLE SYSTEM` reads whole pages picked at random; MariaDB/MySQL reads ten ranges of consecutive primary keys through the primary key. The time is mostly dayone aggregating the rows in Python (5-20 µs a row), not the server.
- **full** reads every row once, streamed. `count(*)` may read the primary-key index instead of the table (an index-only scan), which is why it can touch fewer pages than the table has.

Re-run: `python benchmarks/profile_vs_count.py` (needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`, `DAYONE_BENCH_MYSQL_URL`).
{END_MARKER}
"""
    print(section)
    if args.output != "-":
        path = Path(args.output)
        text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        if START_MARKER in text:
            before, rest = text.split(START_MARKER, 1)
            text = before + section + rest.split(END_MARKER, 1)[1].lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # the benchmark itself failed: say so
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)
