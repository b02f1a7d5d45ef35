#!/usr/bin/env python
"""Diffing two 5,000-table snapshots: `dayone diff` against what a user would otherwise run,
`git diff --no-index` and `diff -u` of the two snapshot files.

Builds the catalog benchmark's schema (ten columns, a primary key, a foreign key, two CHECKs, an
index and comments per table) in a new, uniquely named PostgreSQL database (dropped on every exit
path), snapshots it, makes a go-live's worth of changes across it (columns dropped, renamed and
added, types narrowed and widened, CHECK lists widened and narrowed, foreign keys dropped, a table
renamed, one added, comments) while rows and statistics move (inserts, ANALYZE), snapshots it again,
then times, interleaved, medians of --repeat runs, each the whole command in a subprocess:

- `dayone diff OLD NEW -o FILE` (text) and `--format json`;
- `git diff --no-index OLD NEW` and `diff -u OLD NEW`, output to a file;

and, in this process, the pure comparison `dayone.diff.diff_catalogs(old, new)` of the two catalogs
already read, and reading one snapshot (`dayone.catalog.snapshot.read`).

    python benchmarks/diff_snapshots.py [--tables 5000] [--repeat 5] [--output docs/benchmarks.md]

Exit status 0 when the whole `dayone diff` command takes under --target seconds (default 1.0),
1 when not, 2 when the benchmark failed (a wrong number of changes found counts as failed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import QUIET, PostgresBench, dayone_command, machine, run_benchmark, time_command, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- diff-benchmark:start -->"
END_MARKER = "<!-- diff-benchmark:end -->"


def changes(tables: int) -> tuple[str, dict[str, int]]:
    """The go-live: SQL, and how many changes of each impact dayone must find."""
    step = max(tables // 10, 1)
    picked = list(range(5, tables, step))[:10]
    sql = []
    for n, i in enumerate(picked):
        t = f"t{i:05d}"
        sql.append([
            f"ALTER TABLE {t} DROP COLUMN external_id;",                                   # breaking
            f"ALTER TABLE {t} RENAME COLUMN name TO title;",                               # breaking (one rename)
            f"ALTER TABLE {t} ALTER COLUMN name TYPE varchar(50);",                        # breaking
            f"ALTER TABLE {t} ALTER COLUMN name TYPE text;",                               # action
            f"ALTER TABLE {t} ADD COLUMN region text;",                                    # action
            f"ALTER TABLE {t} DROP CONSTRAINT {t}_status_ck, ADD CONSTRAINT {t}_status_ck CHECK (status IN ('new', 'active', 'closed', 'void'));",  # action
            f"ALTER TABLE {t} DROP CONSTRAINT {t}_status_ck, ADD CONSTRAINT {t}_status_ck CHECK (status IN ('new', 'active'));",  # breaking
            f"ALTER TABLE {t} DROP CONSTRAINT {t}_parent_fk;",                             # action
            f"COMMENT ON TABLE {t} IS 'changed';",                                         # info
            f"ALTER TABLE {t} RENAME TO {t}_renamed;",                                     # breaking (one rename)
        ][n % 10])
    sql.append("CREATE TABLE brand_new (id bigint PRIMARY KEY, note text);")  # action
    # rows move in a fifth of the tables: their estimates and sizes change, their structure does not
    sql += [f"INSERT INTO t{i:05d} (id) SELECT g FROM generate_series(1, 20) g;" for i in range(0, tables, 5) if i not in picked]
    expected = {"breaking": 5, "action": 5, "info": 1}
    return "\n".join(sql), expected


def timed(command: list[str], ok: tuple[int, ...] = (0, 1)) -> float:
    return time_command(command, ok=ok)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--target", type=float, default=1.0, help="seconds the whole dayone diff command may take")
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    args = parser.parse_args(argv)

    from dayone.catalog import snapshot as snapshot_file
    from dayone.diff import diff_catalogs

    bench = PostgresBench(args.pg_url)
    dayone = dayone_command()
    sql, expected = changes(args.tables)
    with tempfile.TemporaryDirectory(prefix="dayone-diff-bench-") as work:
        old, new = Path(work) / "old.json", Path(work) / "new.json"
        try:
            bench.create_database()
            bench.build(args.tables)
            print(file=sys.stderr)
            timed([*dayone, "snapshot", bench.url(), *QUIET, "-o", str(old)], ok=(0,))
            with bench._connect(bench.database, True) as conn:
                conn.execute(sql)
                conn.execute("ANALYZE")
            timed([*dayone, "snapshot", bench.url(), *QUIET, "-o", str(new)], ok=(0,))
        finally:
            bench.drop()
        report = Path(work) / "out"
        commands = {
            "`dayone diff OLD NEW` (text)": [*dayone, "diff", str(old), str(new), "-o", str(report)],
            "`dayone diff OLD NEW --format json`": [*dayone, "diff", str(old), str(new), "--format", "json", "-o", str(report) + ".json"],
            "`git diff --no-index OLD NEW`": ["git", "diff", "--no-index", "--output", str(report) + ".git", str(old), str(new)],
            "`diff -u OLD NEW`": ["sh", "-c", f'diff -u "{old}" "{new}" > "{report}.diff"'],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        pure: list[float] = []
        reads: list[float] = []
        old_catalog, new_catalog = snapshot_file.read(old), snapshot_file.read(new)
        for _ in range(args.repeat):
            for name, command in commands.items():  # interleaved: load on the machine hits all alike
                times[name].append(timed(command))
            started = time.perf_counter()
            result = diff_catalogs(old_catalog, new_catalog)
            pure.append(time.perf_counter() - started)
            started = time.perf_counter()
            snapshot_file.read(new)
            reads.append(time.perf_counter() - started)
        found = {impact: result.count(impact) for impact in expected}
        if found != expected:
            raise RuntimeError(f"dayone diff found {found}, the go-live made {expected}: {[c.as_dict() for c in result.changes]}")
        changed = [line for line in (Path(str(report) + ".git")).read_text().splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        git_lines = len(changed)
        statistics_lines = sum(1 for line in changed if '"estimated_rows"' in line or '"size_bytes"' in line)
        size = old.stat().st_size
        load = os.getloadavg()
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["`dayone diff OLD NEW` (text)"] / medians["`git diff --no-index OLD NEW`"]
    whole = medians["`dayone diff OLD NEW` (text)"]
    info = machine()
    rows = "\n".join(f"| {name} | {medians[name]:.2f} s | {', '.join(f'{v:.2f}' for v in times[name])} |" for name in commands)
    section = f"""{START_MARKER}
## Diffing two 5,000-table snapshots: `dayone diff` vs `git diff` and `diff -u`

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/diff_snapshots.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}, shared with other work), Python {info['python']}, dayone {info['dayone']}; two snapshots of {args.tables:,} PostgreSQL tables (the catalog benchmark's schema, {size / 2**20:.0f} MiB each) taken before and after a go-live's changes to ten tables, rows inserted in a fifth of the others and the statistics refreshed (ANALYZE) between them; medians of {args.repeat} interleaved runs, each the whole command in a subprocess.

| command | median | every run (s) |
|---|---:|---|
{rows}
| `diff_catalogs(old, new)` in process (the comparison alone) | {statistics.median(pure) * 1000:.0f} ms | {', '.join(f'{v * 1000:.0f}' for v in pure)} ms |
| reading one snapshot in process (`snapshot.read`) | {statistics.median(reads):.2f} s | {', '.join(f'{v:.2f}' for v in reads)} |

dayone reports the {sum(expected.values())} changes made ({expected['breaking']} breaking, {expected['action']} action, {expected['info']} info), one per rename, each with its reason; `git diff` prints {git_lines:,} changed lines, {statistics_lines:,} of them row estimates and sizes that moved (rows were inserted in a fifth of the tables), the rest the changes line by line, with no word on what they break. Most of `dayone diff`'s time is interpreter start-up and reading the two snapshots; the comparison itself skips every table whose structure is unchanged. `dayone diff` took {ratio:.2f}× the time of `git diff` in the same runs; the machine's load average was {load[0]:.1f} (1 min) / {load[1]:.1f} (5 min) at the end, on {info['cores']} cores. Target: the whole command well under a second — **{'met' if whole < args.target else 'missed'} ({whole:.2f} s)**; the fastest run took {min(times['`dayone diff OLD NEW` (text)']):.2f} s. Re-run: `python benchmarks/diff_snapshots.py` (needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`).
{END_MARKER}
"""
    print(section)
    if args.output != "-":
        write_section(Path(args.output), section, START_MARKER, END_MARKER)
    return 0 if whole < args.target else 1


if __name__ == "__main__":
    run_benchmark(main)
