#!/usr/bin/env python
"""Reading a big catalog: `dayone snapshot` against SQLAlchemy's `MetaData().reflect()`.

Builds, in a freshly created, uniquely named database (dropped at the end on every exit path), a
schema of N tables on PostgreSQL and M tables on MySQL/MariaDB, each with ten columns of mixed types,
a primary key, a foreign key to the previous table, two CHECK constraints, a secondary index and a
table comment. Then, in the same run and on the same database, it times:

- `dayone snapshot URL -o FILE`, run as a subprocess, the whole command as a user runs it
  (interpreter start-up, imports, queries, JSON, writing the file); the same command is also timed on
  the database while it is still empty, which shows the cost that does not grow with the tables;
- `dayone.api.read_catalog(URL)` in this process (the library cost, without start-up and imports),
  and `dayone.catalog.snapshot.to_json` of its result;
- `sqlalchemy.MetaData().reflect(bind=engine)` in this process, timed from `create_engine` and the
  first connection to the end of the reflection. SQLAlchemy and the driver are already imported
  (this process imported them), so reflect pays no interpreter start-up and no import cost: the
  comparison is tilted in reflect's favour, and the ratio is a lower bound.

Each is run --repeat times, interleaved, and the median is kept. The results are printed and written
between markers in docs/benchmarks.md (other sections are kept). Exit status: 0 when the target is
met (dayone snapshot at least --target times faster than reflect on every engine measured), 1 when it
is missed (unless --no-check), 2 when the benchmark itself failed (wrong table counts, a command
that failed, a server that could not be reached).

    python benchmarks/catalog_vs_reflect.py [--pg-tables 5000] [--mysql-tables 2000]
        [--engines postgresql,mysql] [--output docs/benchmarks.md] [--repeat 3] [--no-check]

Server URLs: --pg-url / DAYONE_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and --mysql-url / DAYONE_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/). The user needs the
right to create and drop databases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- catalog-benchmark:start -->"
END_MARKER = "<!-- catalog-benchmark:end -->"
ENGINES = ("postgresql", "mysql")
PG_CHUNK = 200  # tables per execute (one transaction each)
MYSQL_CHUNK = 100  # tables per multi-statement execute


class BenchmarkError(Exception):
    """The benchmark could not measure what it claims to measure."""


# -- results ----------------------------------------------------------------------------------------


@dataclass
class EngineResult:
    engine: str
    server: str = ""
    tables: int = 0
    build_seconds: float = 0.0
    empty_cli: list[float] = field(default_factory=list)  # dayone snapshot of the empty database: the fixed cost
    cli: list[float] = field(default_factory=list)  # dayone snapshot, subprocess
    library: list[float] = field(default_factory=list)  # dayone.api.read_catalog, in process
    to_json: list[float] = field(default_factory=list)  # snapshot_file.to_json, in process
    reflect: list[float] = field(default_factory=list)  # MetaData().reflect incl. create_engine + connect
    snapshot_bytes: int = 0
    server_floor: list[float] = field(default_factory=list)  # MySQL: the catalog's information_schema reads, C client
    note: str = ""

    @property
    def ratio(self) -> float:  # what the target is about: the command against reflect
        return median(self.reflect) / median(self.cli)

    @property
    def library_ratio(self) -> float:  # both in this process, neither paying start-up
        return median(self.reflect) / median(self.library)


def median(values: list[float]) -> float:
    return statistics.median(values)


# -- building the schema ----------------------------------------------------------------------------


def table_name(i: int) -> str:
    return f"t{i:05d}"


def pg_table_ddl(i: int) -> str:
    t, parent = table_name(i), table_name(max(i - 1, 0))  # the first table refers to itself
    return f"""
CREATE TABLE {t} (
    id bigint PRIMARY KEY,
    parent_id bigint,
    status text NOT NULL DEFAULT 'new',
    amount numeric(12, 2) NOT NULL DEFAULT 0,
    name varchar(200),
    is_active boolean NOT NULL DEFAULT true,
    payload jsonb,
    external_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamp,
    CONSTRAINT {t}_parent_fk FOREIGN KEY (parent_id) REFERENCES {parent} (id),
    CONSTRAINT {t}_status_ck CHECK (status IN ('new', 'active', 'closed')),
    CONSTRAINT {t}_amount_ck CHECK (amount >= 0)
);
CREATE INDEX {t}_status_created_ix ON {t} (status, created_at);
COMMENT ON TABLE {t} IS 'Benchmark table {i}: orders of shard {i}';
COMMENT ON COLUMN {t}.amount IS 'Amount in the account currency';"""


def mysql_table_ddl(i: int) -> str:
    t, parent = table_name(i), table_name(max(i - 1, 0))
    return f"""
CREATE TABLE {t} (
    id BIGINT NOT NULL PRIMARY KEY,
    parent_id BIGINT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'new',
    amount DECIMAL(12, 2) NOT NULL DEFAULT 0 COMMENT 'Amount in the account currency',
    name VARCHAR(200) NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    payload JSON NULL,
    external_id CHAR(36) NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NULL,
    KEY {t}_status_created_ix (status, created_at),
    CONSTRAINT {t}_parent_fk FOREIGN KEY (parent_id) REFERENCES {parent} (id),
    CONSTRAINT {t}_status_ck CHECK (status IN ('new', 'active', 'closed')),
    CONSTRAINT {t}_amount_ck CHECK (amount >= 0)
) ENGINE=InnoDB COMMENT='Benchmark table {i}: orders of shard {i}';"""


def unique_database_name() -> str:
    return f"dayone_bench_{os.getpid()}_{secrets.token_hex(3)}"


class PostgresBench:
    engine = "postgresql"

    def __init__(self, admin_url: str):
        from sqlalchemy.engine.url import make_url

        self.admin = make_url(admin_url).set(drivername="postgresql")
        self.database = unique_database_name()
        self.created = False

    def _connect(self, database: str, autocommit: bool):
        import psycopg

        u = self.admin
        return psycopg.connect(
            host=u.host, port=u.port, user=u.username, password=u.password, dbname=database,
            autocommit=autocommit, connect_timeout=10,
        )  # fmt: skip

    def url(self, driver: str | None = None) -> str:
        u = self.admin.set(database=self.database)
        if driver:
            u = u.set(drivername=f"postgresql+{driver}")
        return u.render_as_string(hide_password=False)

    def server_version(self) -> str:
        with self._connect(self.admin.database or "postgres", True) as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]

    def create_database(self) -> None:
        from psycopg import sql

        with self._connect(self.admin.database or "postgres", True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        self.created = True

    def build(self, tables: int) -> float:
        started = time.perf_counter()
        with self._connect(self.database, False) as conn:
            for first in range(0, tables, PG_CHUNK):
                # no parameters: psycopg sends the string as one simple-protocol multi-statement query
                conn.execute("".join(pg_table_ddl(i) for i in range(first, min(first + PG_CHUNK, tables))))
                conn.commit()
                progress("postgresql", min(first + PG_CHUNK, tables), tables, started)
            # As on a live database: reltuples known. Outside a transaction, ANALYZE commits table
            # by table instead of holding a lock on every table at once.
            conn.autocommit = True
            conn.execute("ANALYZE")
        return time.perf_counter() - started

    def drop(self) -> None:
        if not self.created:
            return
        from psycopg import sql

        with self._connect(self.admin.database or "postgres", True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.database)))
        self.created = False

    def bench_schema(self) -> str:
        return "public"


class MySQLBench:
    engine = "mysql"

    def __init__(self, admin_url: str):
        from sqlalchemy.engine.url import make_url

        self.admin = make_url(admin_url).set(drivername="mysql")
        self.database = unique_database_name()
        self.created = False

    def _connect(self, database: str | None, multi: bool = False):
        import pymysql
        from pymysql.constants import CLIENT

        u = self.admin
        return pymysql.connect(
            host=u.host or "127.0.0.1", port=u.port or 3306, user=u.username or "root", password=u.password or "",
            database=database, autocommit=True, connect_timeout=10, charset="utf8mb4",
            client_flag=CLIENT.MULTI_STATEMENTS if multi else 0,
        )  # fmt: skip

    def url(self, driver: str | None = None) -> str:
        u = self.admin.set(database=self.database)
        if driver:
            u = u.set(drivername=f"mysql+{driver}")
        return u.render_as_string(hide_password=False)

    def server_version(self) -> str:
        conn = self._connect(None)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                version = cur.fetchone()[0]
        finally:
            conn.close()
        name = "MariaDB" if "mariadb" in version.lower() else "MySQL"
        return f"{name} {version.split('-')[0]}"

    def create_database(self) -> None:
        conn = self._connect(None)
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")
        finally:
            conn.close()
        self.created = True

    def build(self, tables: int) -> float:
        started = time.perf_counter()
        conn = self._connect(self.database, multi=True)
        try:
            with conn.cursor() as cur:
                for first in range(0, tables, MYSQL_CHUNK):
                    cur.execute("".join(mysql_table_ddl(i) for i in range(first, min(first + MYSQL_CHUNK, tables))))
                    while cur.nextset():  # read every statement's result, or the next execute fails
                        pass
                    progress("mysql", min(first + MYSQL_CHUNK, tables), tables, started)
        finally:
            conn.close()
        return time.perf_counter() - started

    def drop(self) -> None:
        if not self.created:
            return
        conn = self._connect(None)
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{self.database}`")
        finally:
            conn.close()
        self.created = False

    def bench_schema(self) -> str:  # a MySQL URL's database is the one schema dayone and reflect read
        return self.database


def time_command(command: list[str], ok: tuple[int, ...] = (0,), timeout: float = 600, discard_output: bool = False,
                 **run) -> float:  # fmt: skip
    """Wall-clock seconds of `command` run in a subprocess (`run`: env, cwd); RuntimeError with the end
    of what it said when its exit status is not in `ok` (`dayone audit` exits 1 on findings)."""
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL if discard_output else subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, **run)  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        said = (done.stderr or done.stdout or "").strip()[-500:]
        raise RuntimeError(f"{' '.join(command[:3])} exited {done.returncode}: {said}")
    return elapsed


def run_benchmark(main) -> None:
    """Exit with main()'s status: 0 target met, 1 missed; 2 when the benchmark itself failed."""
    try:
        sys.exit(main())
    except Exception as exc:  # the benchmark itself failed: say so, distinct from a missed target
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


def progress(engine: str, done: int, total: int, started: float) -> None:
    if sys.stderr.isatty():
        print(f"\r  building {engine}: {done}/{total} tables, {time.perf_counter() - started:.1f} s", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


# -- what is timed ----------------------------------------------------------------------------------


# dayone rests after each statement when other sessions are at work on the server (--pace auto).
# This machine's servers serve other work, so the speed benchmarks ask for what dayone does on a
# quiet server; benchmarks/load_harm.py measures the pacing itself.
QUIET = ("--pace", "0")


def dayone_command() -> list[str]:
    """The `dayone` executable a user would run: next to this interpreter, else on PATH.

    dayone's modules are compiled first: an installed package has its .pyc files, and an editable
    install writes them on its first run, unless PYTHONDONTWRITEBYTECODE is set, as on some CI and
    container images; every timed run would then compile the source again."""
    import compileall

    import dayone

    compileall.compile_dir(Path(dayone.__file__).parent, quiet=1)
    beside = Path(sys.executable).parent / ("dayone.exe" if os.name == "nt" else "dayone")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("dayone")
    if found:
        return [found]
    return [sys.executable, "-m", "dayone"]


def time_cli(bench, workdir: Path, timeout: float) -> tuple[float, dict, int]:
    output = workdir / f"{bench.engine}.snapshot.json"
    output.unlink(missing_ok=True)
    command = [*dayone_command(), "snapshot", bench.url(), *QUIET, "-o", str(output)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchmarkError(
            f"{bench.engine}: `dayone snapshot` exited with {done.returncode}:\n{(done.stderr or done.stdout).strip()}"
        )
    text = output.read_text(encoding="utf-8")
    return elapsed, json.loads(text), len(text.encode())


def time_library(bench) -> tuple[float, float, object]:
    from dayone import api
    from dayone.catalog import snapshot as snapshot_file
    from dayone.connect.options import SessionOptions

    started = time.perf_counter()
    catalog = api.read_catalog(bench.url(), options=SessionOptions(pace=0))  # QUIET
    read = time.perf_counter() - started
    started = time.perf_counter()
    snapshot_file.to_json(catalog)
    return read, time.perf_counter() - started, catalog


def time_reflect(bench) -> tuple[float, object]:
    import sqlalchemy as sa

    url = bench.url("psycopg" if bench.engine == "postgresql" else "pymysql")
    started = time.perf_counter()
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(bind=engine)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    return elapsed, metadata


# What a complete catalog needs from MySQL/MariaDB's information_schema, split as dayone splits it over its
# two connections. Each query makes the server open the definition of every table it describes.
MYSQL_FLOOR_HALVES = (
    (
        "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH, CREATE_OPTIONS "
        "FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}'",
        "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, "
        "GENERATION_EXPRESSION, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{db}'",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, "
        "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = '{db}'",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS "
        "WHERE CONSTRAINT_SCHEMA = '{db}'",
        "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '{db}'",
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = '{db}'",
    ),
    (
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, INDEX_TYPE FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = '{db}'",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '{db}'",
    ),
)


def time_server_floor(bench) -> float | None:
    """The information_schema reads a complete catalog needs, sent by the `mysql` command-line client (C,
    no Python) on two connections at once and its output thrown away: the server's part of the command,
    which no client can go below. None without the client."""
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        return None
    u = bench.admin
    base = [client, "-N", "-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]
    env = dict(os.environ, MYSQL_PWD=u.password or "")
    started = time.perf_counter()
    running = [
        subprocess.Popen(base, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        for _ in MYSQL_FLOOR_HALVES
    ]
    for process, half in zip(running, MYSQL_FLOOR_HALVES):
        process.stdin.write("".join(q.format(db=bench.database) + ";\n" for q in half))
        process.stdin.close()
    failed = [p.stderr.read().strip() for p in running if p.wait() != 0]
    if failed:
        raise BenchmarkError(f"mysql: the information_schema reads failed in the C client: {failed[0]}")
    return time.perf_counter() - started


# -- checks: each side must really have read the whole schema ----------------------------------------


def check_snapshot(bench, document: dict, tables: int) -> None:
    """Every table the benchmark built is in the snapshot with everything it was built with.

    Checked by name, table by table, not by counting: MariaDB adds a CHECK (json_valid(...)) of its
    own to every JSON column (its JSON is LONGTEXT), and MySQL/MariaDB add an index for each foreign
    key, so counts differ between engines while the benchmark's own objects must all be there.
    """
    schemas = {s["name"]: s for s in document["catalog"]["schemas"]}
    if sorted(schemas) != [bench.bench_schema()]:  # the same tables as reflect, no more (it would cost time), no fewer
        raise BenchmarkError(
            f"{bench.engine}: the dayone snapshot should hold schema {bench.bench_schema()!r} only, not {sorted(schemas)}"
        )
    schema = schemas[bench.bench_schema()]
    found = {t["name"]: t for t in schema.get("tables", ())}  # a snapshot leaves fields at their default out
    missing: dict[str, int] = {}

    def miss(what: str) -> None:
        missing[what] = missing.get(what, 0) + 1

    for i in range(tables):
        t = table_name(i)
        table = found.get(t)
        if table is None:
            miss("tables")
            continue
        if len(table.get("columns", ())) != 10:
            miss("tables with 10 columns")
        if (table.get("primary_key") or {}).get("columns") != ["id"]:
            miss("primary keys")
        if f"{t}_parent_fk" not in {fk["name"] for fk in table.get("foreign_keys", ())}:
            miss("foreign keys")
        if not {f"{t}_status_ck", f"{t}_amount_ck"} <= {ck["name"] for ck in table.get("check_constraints", ())}:
            miss("tables with both check constraints")
        if f"{t}_status_created_ix" not in {ix["name"] for ix in table.get("indexes", ())}:
            miss("secondary indexes")
        if not table.get("comment"):
            miss("table comments")
    if missing:
        raise BenchmarkError(
            f"{bench.engine}: the dayone snapshot does not hold the whole schema of {tables} tables; missing: "
            + ", ".join(f"{what} {count}" for what, count in missing.items())
        )


def check_catalog(bench, catalog, tables: int) -> None:
    schema = next((s for s in catalog.schemas if s.name == bench.bench_schema()), None)
    got = len(schema.tables) if schema else 0
    if got != tables:
        raise BenchmarkError(f"{bench.engine}: dayone.api.read_catalog found {got} tables, expected {tables}")


def check_reflected(bench, metadata, tables: int) -> None:
    got = len(metadata.tables)
    fks = sum(len(t.foreign_keys) for t in metadata.tables.values())
    columns = sum(len(t.columns) for t in metadata.tables.values())
    if (got, fks, columns) != (tables, tables, 10 * tables):
        raise BenchmarkError(
            f"{bench.engine}: MetaData.reflect found {got} tables, {fks} foreign keys and {columns} columns, "
            f"expected {tables}, {tables} and {10 * tables}"
        )


# -- one engine -------------------------------------------------------------------------------------


def run_engine(bench, tables: int, args, workdir: Path) -> EngineResult:
    result = EngineResult(engine=bench.engine, tables=tables)
    result.server = bench.server_version()
    print(f"{bench.engine}: building {tables} tables in database {bench.database} ({result.server})", file=sys.stderr)
    try:
        bench.create_database()
        for _ in range(args.repeat):  # the same command on the empty database: start-up, imports, connecting
            result.empty_cli.append(time_cli(bench, workdir, args.timeout)[0])
        print(f"  dayone snapshot of the empty database: {fmt_list(result.empty_cli)}", file=sys.stderr)
        result.build_seconds = bench.build(tables)
        print(f"  built in {result.build_seconds:.1f} s", file=sys.stderr)
        reflect_runs = args.reflect_repeat or args.repeat
        for run in range(max(args.repeat, reflect_runs)):  # interleaved, so noise from the shared cores spreads evenly
            if run < args.repeat:
                seconds, document, size = time_cli(bench, workdir, args.timeout)
                if run == 0:
                    check_snapshot(bench, document, tables)
                    result.snapshot_bytes = size
                result.cli.append(seconds)
                read, to_json, catalog = time_library(bench)
                if run == 0:
                    check_catalog(bench, catalog, tables)
                del catalog
                result.library.append(read)
                result.to_json.append(to_json)
            if run < reflect_runs:
                seconds, metadata = time_reflect(bench)
                if run == 0:
                    check_reflected(bench, metadata, tables)
                del metadata
                result.reflect.append(seconds)
            if bench.engine == "mysql" and run < args.repeat:
                floor = time_server_floor(bench)
                if floor is not None:
                    result.server_floor.append(floor)
            print(
                f"  run {run + 1}: dayone snapshot {fmt_list(result.cli[run:run + 1])}, "
                f"read_catalog {fmt_list(result.library[run:run + 1])}, reflect {fmt_list(result.reflect[run:run + 1])}"
                + (f", information_schema reads alone {fmt_list(result.server_floor[run:run + 1])}" if result.server_floor[run:run + 1] else ""),
                file=sys.stderr,
            )
    finally:
        started = time.perf_counter()
        bench.drop()
        print(f"  dropped {bench.database} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return result


def fmt_list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f} s" for v in values) or "-"


# -- reporting --------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlalchemy

    try:
        memory = ""
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.0f} GiB RAM"
                break
    except (OSError, ValueError):
        memory = ""
    return {
        "cores": str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "dayone": dayone_revision(),
    }


def dayone_revision() -> str:
    """The commit measured, and the files that differed from it: the package is installed editable, so a
    benchmark of a working tree with uncommitted changes measures those changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown"
    changed = git("diff", "--name-only", "HEAD", "--", "src", "pyproject.toml").splitlines()
    if not changed:
        return f"`{commit}`"
    files = ", ".join(f"`{name}`" for name in changed)
    return f"`{commit}` with uncommitted changes to {files}"


def source_fingerprint() -> str:
    """A hash of the dayone source being measured: it is installed editable, so an edit made while the
    benchmark runs changes what later runs measure."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([*(REPO / "src").rglob("*.py"), REPO / "pyproject.toml"]):
        if path.is_file():
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def verdict(result: EngineResult, target: float) -> str:
    return "yes" if result.ratio >= target else "**no**"


FLOOR_AIM = 1.5  # the catalog read against the server's own part (MySQL/MariaDB), as the issue aims


def markdown(results: list[EngineResult], info: dict[str, str], args, source_changed: bool) -> str:
    today = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        START_MARKER,
        "## Reading the catalog: `dayone snapshot` vs SQLAlchemy `MetaData.reflect()`",
        "",
        f"Measured {today} by `benchmarks/catalog_vs_reflect.py` on {info['cores']} cores ({info['cpu']}"
        + (f", {info['memory']}" if info["memory"] else "")
        + f", {info['os']}, shared with other work), Python {info['python']}, SQLAlchemy {info['sqlalchemy']}, "
        f"dayone {info['dayone']}; medians of {args.repeat} runs"
        + (f" ({args.reflect_repeat} for reflect)" if args.reflect_repeat and args.reflect_repeat != args.repeat else "")
        + ".",
        "",
    ]
    if source_changed:
        lines += ["**The dayone source changed while the benchmark ran: the figures may mix two versions.**", ""]
    lines += [
        "| engine | server | tables | `dayone snapshot` (CLI) | same, empty database | `read_catalog` (in process) "
        "| `to_json` | `MetaData.reflect` | reflect / CLI | reflect / `read_catalog` | CLI ≥ {:g}× "
        "| CLI / the server's floor | `read_catalog` / the floor |".format(args.target),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.engine} | {r.server} | {r.tables:,} | {median(r.cli):.2f} s | {median(r.empty_cli):.2f} s | "
            f"{median(r.library):.2f} s | {median(r.to_json):.2f} s | {median(r.reflect):.2f} s | "
            f"**{r.ratio:.1f}×** | {r.library_ratio:.1f}× | {verdict(r, args.target)} | "
            + (f"**{median(r.cli) / median(r.server_floor):.1f}×** | {median(r.library) / median(r.server_floor):.1f}× |"
               if r.server_floor else "– | – |")
        )
    lines.append("")
    for r in results:
        lines.append(
            f"- {r.engine}, every run in order: `dayone snapshot` {fmt_list(r.cli)}; reflect {fmt_list(r.reflect)}; "
            f"run by run {', '.join(f'{b / a:.1f}×' for a, b in zip(r.cli, r.reflect))}."
        )
        budget = median(r.reflect) / args.target
        if r.ratio < args.target:
            lines.append(
                f"  The target asks for {budget:.2f} s; of the command's {median(r.cli):.2f} s, {median(r.empty_cli):.2f} s "
                f"is the same command on the empty database (start-up, imports, connecting, the fixed queries) and "
                f"{median(r.library):.2f} s the catalog read itself (queries and building the catalog, in process)."
            )
        if r.server_floor:
            lines.append(
                f"  The server's part alone: the same information_schema reads sent by the `mysql` C client on two "
                f"connections, output discarded, took {fmt_list(r.server_floor)} (median {median(r.server_floor):.2f} s, "
                f"{median(r.server_floor) / budget:.0%} of the {budget:.2f} s the target allows): MariaDB opens the "
                "definition of every table for each information_schema table it fills. Against that floor, the "
                f"command takes {median(r.cli) / median(r.server_floor):.1f}× and the catalog read in process "
                f"{median(r.library) / median(r.server_floor):.1f}× (aim: {FLOOR_AIM:g}×)."
            )
    lines += [
        "",
        "Every table has ten columns (bigint, text/varchar, numeric, boolean, json, uuid, timestamps), a primary "
        "key, a foreign key to the previous table, two CHECK constraints, a secondary index and comments.",
        "",
        "- **`dayone snapshot` (CLI)**: `dayone snapshot URL -o FILE`, the whole command as a user runs it, in a "
        "subprocess: interpreter start-up, imports, connecting, the catalog queries, building the catalog, JSON, "
        "writing the file. **Same, empty database**: the same command on the benchmark's database before its "
        "tables were built, the cost that does not depend on the table count.",
        "- **`read_catalog`**: `dayone.api.read_catalog(url)` in the benchmark's process: connecting, the "
        "queries and building the catalog, without start-up and imports; **`to_json`**: serializing it.",
        "- **`MetaData.reflect`**: timed from `create_engine` and the first connection to the end of "
        "`MetaData().reflect(bind=engine)`, in the benchmark's process (PostgreSQL through `postgresql+psycopg`, "
        "MySQL/MariaDB through `mysql+pymysql`). SQLAlchemy and the driver were already imported, so reflect "
        "pays no start-up and no imports: the ratio favours reflect.",
    ]
    if any(r.engine == "mysql" for r in results):
        lines.append(
            "- On MySQL/MariaDB both read the URL's database only (the benchmark checks that the snapshot holds "
            "that one schema)."
        )
    lines += [
        "- Target: `dayone snapshot` at least {:g}× faster than reflect on each engine.".format(args.target),
        "",
        "To re-run (a few minutes; the user needs the right to create and drop databases; each engine's tables "
        "are built in a new database with a unique name, dropped at the end on every exit path):",
        "",
        "```sh",
        "pip install -e .",
        "python benchmarks/catalog_vs_reflect.py            # both engines, writes this section",
        "python benchmarks/catalog_vs_reflect.py --help     # table counts, --engines, --repeat, --output -",
        "```",
        "",
        "Servers: `DAYONE_BENCH_PG_URL` (default `postgresql://postgres@127.0.0.1:5432/postgres`) and "
        "`DAYONE_BENCH_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/`), or `--pg-url` / `--mysql-url`. "
        "The exit status is 0 when the target is met, 1 when it is missed, 2 when the benchmark itself failed.",
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


INTRO = """# Benchmarks

Each section compares dayone with what a user would otherwise run, measured in the same run on the
same database, as a ratio. The scripts are in `benchmarks/`; each one rewrites only its own section
(between its markers) and keeps the others.
"""


def write_section(path: Path, section: str, start: str = START_MARKER, end: str = END_MARKER) -> None:
    """Replace the section between `start` and `end` in docs/benchmarks.md (appended when absent);
    every benchmark script writes its own section this way and keeps the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else INTRO
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def print_table(results: list[EngineResult], target: float) -> None:
    header = (
        f"{'engine':<11} {'tables':>6} {'build':>8} {'dayone CLI':>11} {'empty db':>9} {'read_catalog':>13} "
        f"{'to_json':>8} {'reflect':>9} {'ratio':>7} {'lib ratio':>9}  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.engine:<11} {r.tables:>6} {r.build_seconds:>7.1f}s {median(r.cli):>10.2f}s {median(r.empty_cli):>8.2f}s "
            f"{median(r.library):>12.2f}s {median(r.to_json):>7.2f}s {median(r.reflect):>8.2f}s {r.ratio:>6.1f}x "
            f"{r.library_ratio:>8.1f}x  "
            f"{'met' if r.ratio >= target else 'MISSED'} (>= {target:g}x)"
        )


# -- main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-tables", type=int, default=5000, help="tables to build on PostgreSQL (default 5000)")
    parser.add_argument("--mysql-tables", type=int, default=2000, help="tables to build on MySQL/MariaDB (default 2000)")
    parser.add_argument("--engines", default="postgresql,mysql", help="comma-separated: postgresql,mysql")
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="markdown file to update ('-' for none)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is kept (default 3)")
    parser.add_argument("--reflect-repeat", type=int, default=None, help="runs of reflect, if fewer are wanted (default: --repeat)")
    parser.add_argument("--target", type=float, default=10.0, help="how many times faster than reflect dayone must be (default 10)")
    parser.add_argument("--no-check", action="store_true", help="exit 0 even when the target is missed")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one `dayone snapshot` may take")
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--mysql-url", default=os.environ.get("DAYONE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/"))
    args = parser.parse_args(argv)
    args.engines = [e.strip().lower() for e in args.engines.split(",") if e.strip()]
    args.engines = ["mysql" if e in ("mariadb", "mysql") else "postgresql" if e in ("postgres", "pg") else e for e in args.engines]
    unknown = sorted(set(args.engines) - set(ENGINES))
    if unknown or not args.engines:
        parser.error(f"--engines: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(ENGINES)}")
    if args.repeat < 1 or (args.reflect_repeat is not None and args.reflect_repeat < 1):
        parser.error("--repeat and --reflect-repeat must be at least 1")
    if args.pg_tables < 2 or args.mysql_tables < 2:
        parser.error("--pg-tables and --mysql-tables must be at least 2")
    return args


def _terminate(signum, frame):  # SIGTERM/SIGHUP: unwind through the finally blocks that drop databases
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _terminate)

    import dayone.api  # noqa: F401  in-process timings measure the library, not its import
    import dayone.catalog.snapshot  # noqa: F401
    import sqlalchemy  # noqa: F401

    print(f"dayone command: {' '.join(dayone_command())}", file=sys.stderr)
    fingerprint = source_fingerprint()
    results: list[EngineResult] = []
    try:
        with tempfile.TemporaryDirectory(prefix="dayone-bench-") as tmp:
            for engine in args.engines:
                if engine == "postgresql":
                    bench, tables = PostgresBench(args.pg_url), args.pg_tables
                else:
                    bench, tables = MySQLBench(args.mysql_url), args.mysql_tables
                try:
                    results.append(run_engine(bench, tables, args, Path(tmp)))
                finally:
                    bench.drop()  # again, in case building failed before run_engine's own finally
    except KeyboardInterrupt:
        print("\ninterrupted: benchmark databases dropped", file=sys.stderr)
        return 130
    except BenchmarkError as exc:
        print(f"\nbenchmark FAILED: {exc}", file=sys.stderr)
        return 2
    except subprocess.TimeoutExpired as exc:
        print(f"\nbenchmark FAILED: `{' '.join(map(str, exc.cmd))}` took longer than {exc.timeout:g} s", file=sys.stderr)
        return 2
    except Exception:  # a server that cannot be reached, a driver error: the databases were dropped on the way out
        traceback.print_exc()
        print("\nbenchmark FAILED (see above)", file=sys.stderr)
        return 2

    source_changed = source_fingerprint() != fingerprint
    if source_changed:
        print("warning: the dayone source changed while the benchmark ran: the figures may mix two versions", file=sys.stderr)
    print()
    print_table(results, args.target)
    if args.output != "-":
        path = Path(args.output)
        write_section(path, markdown(results, machine(), args, source_changed))
        print(f"wrote the results to {path}")
    missed = [r.engine for r in results if r.ratio < args.target]
    if missed and not args.no_check:
        print(f"target missed on {', '.join(missed)}: dayone snapshot is not {args.target:g}x faster than reflect", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
