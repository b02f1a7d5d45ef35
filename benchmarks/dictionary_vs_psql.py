#!/usr/bin/env python
"""The data dictionary of a big schema: `dayone catalog` against what a user would otherwise run.

Without dayone, the dictionary of a PostgreSQL database is `psql -c '\\d+ public.*'` (every table
described: psql sends a few queries per table) or `pg_dump --schema-only` (the DDL). This builds the
catalog benchmark's schema (ten columns, a primary key, a foreign key, two CHECKs, an index and
comments per table) in a new, uniquely named PostgreSQL database (dropped on every exit path) and
times, interleaved, medians of --repeat runs, each the whole command in a subprocess:

- `dayone snapshot URL -o FILE`: reading the catalog, the floor of every dayone command;
- `dayone catalog URL -o FILE` in each format (text at 80 columns, markdown, json, csv);
- `dayone catalog snapshot.json -o FILE` (offline: rendering only);
- `psql -c '\\d+ public.*'` (--psql-runs times: it takes minutes) and `pg_dump --schema-only`,
  output discarded.

    python benchmarks/dictionary_vs_psql.py [--tables 5000] [--repeat 3] [--output docs/benchmarks.md]

Exit status 0 when the text dictionary takes at most --target (default 1.5) times the snapshot, 1
when not, 2 when the benchmark failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import QUIET, PostgresBench, dayone_command, machine, run_benchmark, time_command, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- dictionary-benchmark:start -->"
END_MARKER = "<!-- dictionary-benchmark:end -->"


def timed(command: list[str], env: dict[str, str]) -> float:
    return time_command(command, timeout=900, discard_output=True, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--target", type=float, default=1.5)
    parser.add_argument("--psql-runs", type=int, default=1, help="runs of psql \\d+, which takes minutes on 5,000 tables (the first rounds)")
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    args = parser.parse_args(argv)

    psql, pg_dump = shutil.which("psql"), shutil.which("pg_dump")
    bench = PostgresBench(args.pg_url)
    dayone = dayone_command()
    env = {**os.environ, "COLUMNS": "80", "PGAPPNAME": "dayone-benchmark"}
    try:
        bench.create_database()
        bench.build(args.tables)
        print(file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="dayone-dictionary-bench-") as work:
            snapshot = Path(work) / "catalog.json"
            out = lambda name: str(Path(work) / name)  # noqa: E731
            commands = {
                "`dayone snapshot` (the catalog read)": [*dayone, "snapshot", bench.url(), *QUIET, "-o", str(snapshot)],
                "`dayone catalog` (text, 80 columns)": [*dayone, "catalog", bench.url(), *QUIET, "-o", out("d.txt")],
                "`dayone catalog --format markdown`": [*dayone, "catalog", bench.url(), *QUIET, "--format", "markdown", "-o", out("d.md")],
                "`dayone catalog --format json`": [*dayone, "catalog", bench.url(), *QUIET, "--format", "json", "-o", out("d.json")],
                "`dayone catalog --format csv`": [*dayone, "catalog", bench.url(), *QUIET, "--format", "csv", "-o", out("d.csv")],
                "`dayone catalog snapshot.json` (text, offline)": [*dayone, "catalog", str(snapshot), "-o", out("o.txt")],
            }
            if psql:
                commands["`psql -c '\\d+ public.*'`"] = [psql, "-X", "-q", "-d", bench.url(), "-c", r"\d+ public.*"]
            if pg_dump:
                commands["`pg_dump --schema-only`"] = [pg_dump, "--schema-only", "-d", bench.url()]
            times: dict[str, list[float]] = {name: [] for name in commands}
            for round_ in range(args.repeat):
                for name, command in commands.items():  # interleaved: load on the machine hits all alike
                    if command[0] == psql and round_ >= args.psql_runs:
                        continue
                    times[name].append(timed(command, env))
                    print(f"{name}: {times[name][-1]:.2f} s", file=sys.stderr)
            text = Path(out("d.txt")).read_text(encoding="utf-8")
            lines, widest = len(text.splitlines()), max(len(line) for line in text.splitlines())
    finally:
        bench.drop()

    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["`dayone snapshot` (the catalog read)"]
    text_time = medians["`dayone catalog` (text, 80 columns)"]
    ratio = text_time / base
    info = machine()
    rows = "\n".join(
        f"| {name} | {medians[name]:.2f} s | {medians[name] / base:.2f}× | {medians[name] / text_time:.2f}× | "
        + ", ".join(f"{t:.2f}" for t in times[name]) + " |"
        for name in commands
    )  # fmt: skip
    section = f"""{START_MARKER}
## The data dictionary of {args.tables:,} tables: `dayone catalog` vs `psql \\d+` and `pg_dump --schema-only`

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/dictionary_vs_psql.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}), Python {info['python']}, dayone {info['dayone']}; {args.tables:,} PostgreSQL tables (the catalog benchmark's schema), medians of {args.repeat} interleaved runs (psql: {args.psql_runs}), each the whole command in a subprocess, output to a file (psql and pg_dump: discarded).

| command | median | vs snapshot | vs `dayone catalog` | every run (s) |
|---|---:|---:|---:|---|
{rows}

The text dictionary has {lines:,} lines, none wider than {widest} characters. `psql \\d+ public.*` describes every table with several queries per table; `pg_dump --schema-only` prints DDL, not a dictionary, and is the floor of reading the schema with PostgreSQL's own tools. Target: the text dictionary at most {args.target}× the catalog read — **{'met' if ratio <= args.target else 'missed'} ({ratio:.2f}×)**. Re-run: `python benchmarks/dictionary_vs_psql.py` (needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`).
{END_MARKER}
"""
    print(section)
    if args.output != "-":
        write_section(Path(args.output), section, START_MARKER, END_MARKER)
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    run_benchmark(main)
