#!/usr/bin/env python
"""Does dayone harm a busy primary? Transactions per second and latency with and without an audit.

A data engineer runs dayone against a production database that is serving its application. This
puts a steady OLTP load on a local server and measures it, in phases of --seconds each, interleaved
round after round (the machine is shared: A/B/C, A/B/C ...), every run reported:

- **no audit**: the load alone;
- **default audit in a loop**: `dayone audit URL --format json -o FILE` (catalog, the default
  sampled profile of every table, rules, report) started again as soon as it ends, for the phase;
- **the same with `--pace 0`**: without the rests dayone takes when it sees a busy server;
- **`--full` on the big table in a loop**: `dayone audit URL --full --exclude 't*'` (every row of
  the load's biggest table, computed by the server), again and again.

PostgreSQL: `pgbench` (Debian: `apt-get install postgresql-contrib`, or the server package that
ships /usr/lib/postgresql/*/bin/pgbench), initialised with `pgbench -i -s --scale` in a new database
that also holds --tables tables like an application's (benchmarks/catalog_vs_reflect.py's); the
load is pgbench's TPC-B-like transaction (`-c --clients -j 2 -T --seconds`), and latency comes
from its per-transaction log (`-l`). MariaDB/MySQL: the same transaction from a small Python load
generator (--clients threads, one connection each) on an accounts table of --scale x 100,000 rows,
beside --mysql-tables application tables (sysbench is not needed).

Targets (exit status 1 when missed, unless --no-check): the default audit costs less than 5 % of
the transactions per second and less than 20 % on the 99th-percentile latency, both against the
median of the runs without an audit. `--full` is reported, not bounded: it is the cost of reading
the whole big table once.

    python benchmarks/load_harm.py [--engines postgresql,mysql] [--seconds 30] [--rounds 2]
        [--clients 4] [--scale 10] [--tables 5000] [--mysql-tables 1000] [--output docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import MySQLBench, PostgresBench, dayone_command, machine, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- load-benchmark:start -->"
END_MARKER = "<!-- load-benchmark:end -->"
MAX_TPS_DROP = 0.05
MAX_P99_RISE = 0.20
PHASES = ("none", "audit", "eager", "full")
LABELS = {"none": "no audit", "audit": "default audit, in a loop", "eager": "default audit with `--pace 0`, in a loop",
          "full": "`--full` on the big table, in a loop"}  # fmt: skip


@dataclass
class Phase:
    tps: float
    p50_ms: float
    p99_ms: float
    audits: int  # dayone runs completed during the phase
    audit_seconds: list[float] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def lowest_priority() -> None:
    """In the child, before dayone starts: its own scheduling group, at the lowest priority, idle class.

    With autogroups (Linux's default for desktops and many servers: /proc/sys/kernel/sched_autogroup_enabled),
    the scheduler first shares the CPU between sessions, then within each: `nice -n 19` alone only
    ranks dayone below the load generator of its own session, and the session as a whole still takes
    half the cores from the server's. A session of its own, niced, gives it what the server leaves.
    """
    os.setsid()
    try:
        Path("/proc/self/autogroup").write_text("19")
    except OSError:
        pass  # no autogroups: `nice` alone does it
    try:
        # and idle-class scheduling: even at nice 19, a CPU-bound process makes a waking task wait for
        # the scheduler's wake-up granularity (milliseconds), which a 2 ms transaction feels; an idle-
        # class task gives way at once, as dayone on another machine would not be there at all
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass


class AuditLoop:
    """`command` started again as soon as it ends, until stopped; the run under way is waited for."""

    def __init__(self, command: list[str] | None):
        self.command, self.runs, self.stop = command, [], threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while self.command and not self.stop.is_set():
            started = time.perf_counter()
            done = subprocess.run(self.command, capture_output=True, text=True, timeout=900, preexec_fn=lowest_priority)
            if done.returncode not in (0, 1):
                raise RuntimeError(f"dayone exited {done.returncode}: {done.stderr.strip()[-500:]}")
            self.runs.append(time.perf_counter() - started)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


# -- PostgreSQL: pgbench -------------------------------------------------------------------------


def pgbench_binary() -> str:
    found = shutil.which("pgbench") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None)
    if not found:
        raise SystemExit("pgbench not found: apt-get install postgresql-contrib (or the postgresql server package)")
    return found


class PostgresLoad:
    engine = "postgresql"

    def __init__(self, url: str, scale: int, tables: int, clients: int, rate: int = 0):
        self.bench, self.scale, self.tables, self.clients, self.rate = PostgresBench(url), scale, tables, clients, rate
        self.pgbench = pgbench_binary()

    def build(self) -> str:
        from catalog_vs_reflect import PG_CHUNK, pg_table_ddl

        self.bench.create_database()
        subprocess.run([self.pgbench, "-i", "-q", "-s", str(self.scale), "--foreign-keys", self.libpq()], check=True, capture_output=True)
        with self.bench._connect(self.bench.database, False) as conn:
            for first in range(0, self.tables, PG_CHUNK):
                conn.execute("".join(pg_table_ddl(i) for i in range(first, min(first + PG_CHUNK, self.tables))))
                conn.commit()
            conn.autocommit = True
            conn.execute("ANALYZE")
        return self.bench.server_version()

    def libpq(self) -> str:
        return self.bench.url()

    def url(self) -> str:
        return self.bench.url()

    def run(self, seconds: int, scratch: Path) -> tuple[float, list[float]]:
        prefix = scratch / f"pgbench{time.monotonic_ns()}"
        throttle = ["-R", str(self.rate)] if self.rate else []  # a busy primary, not a saturated one
        done = subprocess.run([self.pgbench, "-n", "-c", str(self.clients), "-j", "2", "-T", str(seconds), "-l", *throttle,
                               "--log-prefix", str(prefix), self.libpq()], capture_output=True, text=True, check=True)  # fmt: skip
        latencies = []
        for log in glob.glob(f"{prefix}*"):
            for line in Path(log).read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]) / 1000.0)  # microseconds -> ms
            os.unlink(log)
        tps = next((float(line.split("=")[1].split()[0]) for line in done.stdout.splitlines() if line.startswith("tps =")), len(latencies) / seconds)
        return tps, latencies

    def drop(self) -> None:
        self.bench.drop()


# -- MariaDB/MySQL: a small Python load generator with pgbench's transaction -----------------------


class MySQLLoad:
    engine = "mysql"

    def __init__(self, url: str, scale: int, tables: int, clients: int):
        self.bench, self.scale, self.tables, self.clients = MySQLBench(url), scale, tables, clients

    def connect(self):
        return self.bench._connect(self.bench.database)

    def build(self) -> str:
        from catalog_vs_reflect import MYSQL_CHUNK, mysql_table_ddl

        self.bench.create_database()
        accounts = self.scale * 100_000
        conn = self.bench._connect(self.bench.database, multi=True)
        try:
            with conn.cursor() as cur:
                cur.execute("CREATE TABLE branches (bid INT PRIMARY KEY, bbalance INT NOT NULL, filler CHAR(88))")
                cur.execute("CREATE TABLE tellers (tid INT PRIMARY KEY, bid INT NOT NULL, tbalance INT NOT NULL, filler CHAR(84))")
                cur.execute("CREATE TABLE accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, filler CHAR(84))")
                cur.execute("CREATE TABLE history (tid INT, bid INT, aid INT, delta INT, mtime DATETIME, filler CHAR(22))")
                cur.execute(f"INSERT INTO branches SELECT seq, 0, '' FROM seq_1_to_{self.scale}")
                cur.execute(f"INSERT INTO tellers SELECT seq, 1 + (seq - 1) DIV 10, 0, '' FROM seq_1_to_{self.scale * 10}")
                cur.execute(f"INSERT INTO accounts SELECT seq, 1 + (seq - 1) DIV 100000, 0, '' FROM seq_1_to_{accounts}")
                for first in range(0, self.tables, MYSQL_CHUNK):
                    cur.execute("".join(mysql_table_ddl(i) for i in range(first, min(first + MYSQL_CHUNK, self.tables))))
                    while cur.nextset():
                        pass
                cur.execute("ANALYZE TABLE accounts, branches, tellers")
                cur.fetchall()
        finally:
            conn.close()
        return self.bench.server_version()

    def url(self) -> str:
        return self.bench.url()

    def run(self, seconds: int, scratch: Path) -> tuple[float, list[float]]:
        accounts, latencies, lock = self.scale * 100_000, [], threading.Lock()
        deadline = time.monotonic() + seconds

        def client(seed: int) -> None:
            draw, conn, mine = random.Random(seed), self.connect(), []
            conn.autocommit(False)
            try:
                with conn.cursor() as cur:
                    while time.monotonic() < deadline:
                        aid, tid, bid, delta = draw.randint(1, accounts), draw.randint(1, self.scale * 10), draw.randint(1, self.scale), draw.randint(-5000, 5000)
                        started = time.perf_counter()
                        cur.execute("UPDATE accounts SET abalance = abalance + %s WHERE aid = %s", (delta, aid))
                        cur.execute("SELECT abalance FROM accounts WHERE aid = %s", (aid,))
                        cur.fetchall()
                        cur.execute("UPDATE tellers SET tbalance = tbalance + %s WHERE tid = %s", (delta, tid))
                        cur.execute("UPDATE branches SET bbalance = bbalance + %s WHERE bid = %s", (delta, bid))
                        cur.execute("INSERT INTO history VALUES (%s, %s, %s, %s, NOW(), '')", (tid, bid, aid, delta))
                        conn.commit()
                        mine.append((time.perf_counter() - started) * 1000)
            finally:
                conn.close()
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(latencies) / seconds, latencies

    def drop(self) -> None:
        self.bench.drop()


# -- the run -----------------------------------------------------------------------------------------


def measure(load, seconds: int, rounds: int) -> tuple[dict[str, list[Phase]], str]:
    # dayone usually runs on another machine than the database: here it shares the server's two cores,
    # so it runs at the lowest CPU priority, and what it costs the server is its statements' work
    dayone = ["nice", "-n", "19", *dayone_command()]
    with tempfile.TemporaryDirectory(prefix="dayone-load-") as work:
        scratch = Path(work)
        commands = {
            "none": None,
            "audit": [*dayone, "audit", load.url(), "--format", "json", "-o", str(scratch / "audit.json")],
            # what the pacing buys: the same audit at full speed, on two connections
            "eager": [*dayone, "audit", load.url(), "--pace", "0", "--format", "json", "-o", str(scratch / "eager.json")],
            # the big table alone: the application tables (t00000...) are excluded
            "full": [*dayone, "audit", load.url(), "--full", "--statement-timeout", "3600", "--exclude", "t0*",
                     "--format", "json", "-o", str(scratch / "full.json")],
        }  # fmt: skip
        results: dict[str, list[Phase]] = {phase: [] for phase in PHASES}
        load.run(min(10, seconds), scratch)  # warm-up, not counted
        for round_ in range(rounds):
            for phase in PHASES:  # interleaved: A/B/C, A/B/C
                with AuditLoop(commands[phase]) as loop:
                    if commands[phase]:
                        time.sleep(1.0)  # the audit is under way when the load starts
                    tps, latencies = load.run(seconds, scratch)
                runs = list(loop.runs)
                results[phase].append(Phase(tps, percentile(latencies, 0.5), percentile(latencies, 0.99), len(runs), runs))
                last = results[phase][-1]
                print(f"  {load.engine} round {round_ + 1} {phase}: {tps:,.1f} tps, p50 {last.p50_ms:.2f} ms, "
                      f"p99 {last.p99_ms:.2f} ms, {len(runs)} dayone runs", file=sys.stderr, flush=True)  # fmt: skip
    return results, ""


def summary(results: dict[str, list[Phase]]) -> dict[str, tuple[float, float, float]]:
    """Per phase: median tps, p50, p99."""
    return {phase: (statistics.median(p.tps for p in runs), statistics.median(p.p50_ms for p in runs),
                    statistics.median(p.p99_ms for p in runs)) for phase, runs in results.items()}  # fmt: skip


def section(parts: list[tuple[str, str, dict, argparse.Namespace]], args: argparse.Namespace) -> str:
    info = machine()
    blocks = []
    for server, how, results, _ in parts:
        medians = summary(results)
        base_tps, _, base_p99 = medians["none"]
        lines = ["| phase | round | tps | p50 latency | p99 latency | dayone runs in the phase (each) |", "|---|---:|---:|---:|---:|---|"]
        for phase in PHASES:
            for i, run in enumerate(results[phase], start=1):
                each = ", ".join(f"{s:.1f} s" for s in run.audit_seconds) or "–"
                lines.append(f"| {LABELS[phase]} | {i} | {run.tps:,.1f} | {run.p50_ms:.2f} ms | {run.p99_ms:.2f} ms | {run.audits} ({each}) |")
        lines += ["", "| phase (median of the rounds) | tps | vs no audit | p50 | p99 | vs no audit |", "|---|---:|---:|---:|---:|---:|"]
        for phase in PHASES:
            tps, p50, p99 = medians[phase]
            lines.append(f"| {LABELS[phase]} | {tps:,.1f} | {tps / base_tps - 1:+.1%} | {p50:.2f} ms | {p99:.2f} ms | {p99 / base_p99 - 1:+.1%} |")
        tps, _, p99 = medians["audit"]
        lines += ["", "| target (default audit) | measured | met |", "|---|---|:---:|",
                  f"| transactions per second drop < {MAX_TPS_DROP:.0%} | {1 - tps / base_tps:.1%} | {'yes' if tps >= (1 - MAX_TPS_DROP) * base_tps else '**no**'} |",
                  f"| p99 latency increase < {MAX_P99_RISE:.0%} | {p99 / base_p99 - 1:+.1%} | {'yes' if p99 <= (1 + MAX_P99_RISE) * base_p99 else '**no**'} |"]  # fmt: skip
        blocks.append(f"### {server}\n\n{how}\n\n" + "\n".join(lines))
    body = "\n\n".join(blocks)
    return f"""{START_MARKER}
## Doing no harm: a busy primary's transactions with and without dayone

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/load_harm.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}), Python {info['python']}, dayone {info['dayone']}; the server, the load generator and dayone share these cores (and other work on the machine: the runs are interleaved, phase after phase, and every run is listed). Each phase is {args.seconds} s of load with {args.clients} clients; {args.rounds} rounds.

{body}

How to read it: **no audit** is the load alone; **default audit** runs `dayone audit URL` (catalog, the default sampled profile of every table, rules, report) again as soon as it ends, for the whole phase; **`--full`** does the same with `--full --exclude 't0*'`, every row of the load's accounts table (computed by the server). **default audit with `--pace 0`** is the same audit without the rests dayone takes on a busy server (it would otherwise see the load's sessions at work and rest four times each statement's time, on one connection): the difference between the two is what the pacing buys. dayone usually runs on another machine than the database; here the server, the load generator and dayone share two cores, so dayone runs in a session of its own at the lowest priority (`nice -n 19`, its autogroup's nice at 19, and the idle scheduling class: with Linux's autogroups, `nice` alone only ranks a process within its session, and dayone's session would still take half the cores from the server's; and even at nice 19 a busy process makes a waking transaction wait for the scheduler's wake-up granularity, where an idle-class one gives way at once): what is measured is mostly what its statements cost the server (the server's backends are not niced), plus what is left of its own CPU use. The "dayone runs" column says how long each audit took meanwhile.

Re-run: `apt-get install postgresql-contrib` (pgbench) and `pip install -e '.[bench]' && python benchmarks/load_harm.py` (`DAYONE_BENCH_PG_URL`, `DAYONE_BENCH_MYSQL_URL`; needs the right to create and drop databases).
{END_MARKER}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="postgresql,mysql")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--scale", type=int, default=10, help="pgbench scale: 100,000 accounts each")
    parser.add_argument("--rate", type=int, default=0, help="PostgreSQL: pgbench -R, transactions per second asked (0: as fast as it can)")
    parser.add_argument("--tables", type=int, default=5000, help="application tables beside the load's (PostgreSQL)")
    parser.add_argument("--mysql-tables", type=int, default=1000, help="application tables beside the load's (MariaDB/MySQL)")
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--mysql-url", default=os.environ.get("DAYONE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args(argv)

    parts = []
    for engine in args.engines.split(","):
        if engine == "postgresql":
            load = PostgresLoad(args.pg_url, args.scale, args.tables, args.clients, args.rate)
            rate = f" -R {args.rate}" if args.rate else ""
            how = (f"pgbench TPC-B-like transactions (`pgbench -n -c {args.clients} -j 2 -T {args.seconds}{rate}`, latency from `-l`) on "
                   f"`pgbench -i -s {args.scale}` ({args.scale * 100_000:,} accounts), beside {args.tables:,} application tables.")  # fmt: skip
        else:
            load = MySQLLoad(args.mysql_url, args.scale, args.mysql_tables, args.clients)
            how = (f"pgbench's TPC-B-like transaction from a Python load generator ({args.clients} threads, one connection each) on "
                   f"{args.scale * 100_000:,} accounts, beside {args.mysql_tables:,} application tables.")  # fmt: skip
        try:
            started = time.perf_counter()
            server = load.build()
            print(f"{server}: built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            results, _ = measure(load, args.seconds, args.rounds)
            parts.append((server, how, results, args))
        finally:
            load.drop()
    text = section(parts, args)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), text, START_MARKER, END_MARKER)
    missed = []
    for server, _, results, _ in parts:
        medians = summary(results)
        if medians["audit"][0] < (1 - MAX_TPS_DROP) * medians["none"][0] or medians["audit"][2] > (1 + MAX_P99_RISE) * medians["none"][2]:
            missed.append(server)
    for server in missed:
        print(f"target missed: {server}", file=sys.stderr)
    return 1 if missed and not args.no_check else 0


if __name__ == "__main__":
    sys.exit(main())
