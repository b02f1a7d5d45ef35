#!/usr/bin/env python
"""Auditing a big schema: `dayone audit` against `dayone snapshot` on the same 5,000 tables.

The audit issue asks that auditing a 5,000-table schema take little more than reading its catalog:
the rules are pure functions over the catalog, so everything beyond the catalog read is rule and
report time. This builds the same schema as catalog_vs_reflect.py (ten columns, primary key, foreign
key, two CHECKs, an index and comments per table) in a new, uniquely named PostgreSQL database
(dropped on every exit path) and times, interleaved, medians of --repeat runs:

- `dayone snapshot URL -o FILE` (the catalog read, as a command);
- `dayone audit URL -o report.txt` (text, the default format) and `--format json`;
- `dayone audit snapshot.json -o report.txt` (offline: no server, rules and report only).

    python benchmarks/audit_vs_catalog.py [--tables 5000] [--repeat 3] [--output docs/benchmarks.md]

Exit status 0 when the text audit takes at most --target (default 1.5) times the snapshot, 1 when
not, 2 when the benchmark failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import QUIET, PostgresBench, dayone_command, machine, run_benchmark, time_command, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- audit-benchmark:start -->"
END_MARKER = "<!-- audit-benchmark:end -->"


def timed(command: list[str]) -> float:
    return time_command(command, ok=(0, 1))  # audit exits 1 when findings reach --fail-on


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--target", type=float, default=1.5)
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    args = parser.parse_args(argv)

    bench = PostgresBench(args.pg_url)
    dayone = dayone_command()
    try:
        bench.create_database()
        bench.build(args.tables)
        print(file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="dayone-audit-bench-") as work:
            snapshot = Path(work) / "catalog.json"
            commands = {
                "snapshot": [*dayone, "snapshot", bench.url(), *QUIET, "-o", str(snapshot)],
                # --no-profile: the catalog against the catalog; profiling's cost is the row below and
                # benchmarks/profile_vs_count.py
                "audit (text)": [*dayone, "audit", bench.url(), *QUIET, "--no-profile", "-o", str(Path(work) / "audit.txt")],
                "audit (json)": [*dayone, "audit", bench.url(), *QUIET, "--no-profile", "--format", "json", "-o", str(Path(work) / "audit.json")],
                "audit of the snapshot (offline)": [*dayone, "audit", str(snapshot), "-o", str(Path(work) / "offline.txt")],
                "audit (text) with the default sample profile": [*dayone, "audit", bench.url(), *QUIET, "-o", str(Path(work) / "sampled.txt")],
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(args.repeat):
                for name, command in commands.items():  # interleaved: load on the machine hits all alike
                    times[name].append(timed(command))
            findings = (Path(work) / "audit.txt").read_text(encoding="utf-8").count("\n    ")
    finally:
        bench.drop()

    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["audit (text)"] / medians["snapshot"]
    info = machine()
    rows = "\n".join(
        f"| {name} | {medians[name]:.2f} s | {medians[name] / medians['snapshot']:.2f}× |" for name in commands
    )
    section = f"""{START_MARKER}
## Auditing 5,000 tables: `dayone audit` vs `dayone snapshot`

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/audit_vs_catalog.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}), Python {info['python']}, dayone {info['dayone']}; {args.tables:,} PostgreSQL tables (the catalog benchmark's schema), medians of {args.repeat} interleaved runs, each the whole command in a subprocess.

| command | time | vs snapshot |
|---|---:|---:|
{rows}

The text report lists about {findings:,} lines of findings. The audits of the database run with `--no-profile` but the last, which also runs the default profiler: its bulk statistics and size queries, and no per-table query, since a table without a page has nothing to sample. Target: the audit at most {args.target}× the catalog read — **{'met' if ratio <= args.target else 'missed'} ({ratio:.2f}×)**. Re-run: `python benchmarks/audit_vs_catalog.py` (needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`).
{END_MARKER}
"""
    print(section)
    if args.output != "-":
        write_section(Path(args.output), section, START_MARKER, END_MARKER)
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    run_benchmark(main)
