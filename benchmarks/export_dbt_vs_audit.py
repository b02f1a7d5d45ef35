#!/usr/bin/env python
"""Exporting a dbt project of a big schema: `dayone export dbt` against the audit it runs, and
against `dbt parse` of what it wrote (what the user runs next).

An export is an audit (catalog and the default sample profile) plus rendering and writing one
staging model per table, the sources YAML and the snapshots. This builds the catalog benchmark's
schema (ten columns, a primary key, a foreign key, a CHECK list of statuses, comments per table) in
a new, uniquely named PostgreSQL database (dropped on every exit path) and times, interleaved,
medians of --repeat runs, each the whole command in a subprocess:

- `dayone audit URL --format json -o FILE` (the audit alone);
- `dayone export dbt URL -o DIR` into a new folder (every file written);
- `dayone export dbt URL -o DIR` again into the same folder (every file compared, none written);
- `dbt parse --no-partial-parse` of the exported project (needs dbt: pip install -e '.[test]'), for
  schemas up to --parse-max-tables (dbt takes ~50 s per 500 tables: beyond, the export alone);
- in this process, on the same data (the exported sources YAML, read back): dayone's YAML writer
  (PyYAML with libyaml) against the one exports used before (ruamel.yaml's pure-Python emitter).

dbt-codegen's `generate_source`, the skeleton a user would otherwise start from, is a dbt package
fetched from dbt's hub at `dbt deps`; it is not measured here (no network in this benchmark).

    python benchmarks/export_dbt_vs_audit.py [--tables 500 5000] [--repeat 3] [--output docs/benchmarks.md]

Exit status 0 when the export takes at most --target (default 1.0) times dbt's own parse of the
files it wrote (for every size dbt parsed), 1 when not, 2 when the benchmark failed (or dbt is not installed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import QUIET, PostgresBench, dayone_command, machine, run_benchmark, time_command, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_MARKER = "<!-- export-dbt-benchmark:start -->"
END_MARKER = "<!-- export-dbt-benchmark:end -->"


def timed(command: list[str], cwd: Path | None = None) -> float:
    return time_command(command, ok=(0, 1), timeout=1800, cwd=cwd)  # audit exits 1 when findings reach --fail-on


def write_profile(folder: Path, project: str, bench: PostgresBench) -> None:
    from ruamel.yaml import YAML

    url = bench.url()
    output = {"type": "postgres", "host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "",
              "dbname": url.rsplit("/", 1)[1], "schema": "dbt_bench", "threads": 1}  # fmt: skip
    with open(folder / "profiles.yml", "w") as stream:
        YAML().dump({project: {"target": "dev", "outputs": {"dev": output}}}, stream)


def ruamel_pure(document) -> str:
    """The exports' YAML writer before dayone.export.yamltext moved to libyaml: ruamel.yaml's
    round-trip dumper, pure Python, with the same settings."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def writers_side_by_side(sources_yaml: Path, repeat: int) -> dict[str, list[float]]:
    """Seconds to write the same sources document with the old writer and with dayone's, interleaved."""
    import yaml

    from dayone.export.yamltext import to_yaml

    document = yaml.safe_load(sources_yaml.read_text(encoding="utf-8"))
    times: dict[str, list[float]] = {"before: ruamel.yaml, pure Python": [], "now: PyYAML with libyaml (dayone.export.yamltext)": []}
    for _ in range(repeat):
        for name, write in zip(times, (ruamel_pure, to_yaml)):
            started = time.perf_counter()
            write(document)
            times[name].append(time.perf_counter() - started)
    return times


def measure(args, size: int, dbt: Path, dayone: list[str]) -> dict:
    """The medians of one schema size, and the writers' times on its sources YAML."""
    bench = PostgresBench(args.pg_url)
    parse = size <= args.parse_max_tables
    try:
        bench.create_database()
        bench.build(size)
        print(file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="dayone-export-bench-") as work:
            root = Path(work)
            rerun = root / "dbt_bench"
            timed([*dayone, "export", "dbt", bench.url(), *QUIET, "-o", str(rerun)])  # the folder reruns compare against
            write_profile(root, "dbt_bench", bench)
            times: dict[str, list[float]] = {"audit (json)": [], "export dbt (new folder)": [], "export dbt (rerun, nothing changed)": []}
            if parse:
                times["dbt parse of the export"] = []
            for i in range(args.repeat):  # interleaved: load on the machine hits all alike
                times["audit (json)"].append(timed([*dayone, "audit", bench.url(), *QUIET, "--format", "json", "-o", str(root / "audit.json")]))
                fresh = root / f"new{i}" / "dbt_bench"
                times["export dbt (new folder)"].append(timed([*dayone, "export", "dbt", bench.url(), *QUIET, "-o", str(fresh)]))
                shutil.rmtree(fresh.parent)
                times["export dbt (rerun, nothing changed)"].append(timed([*dayone, "export", "dbt", bench.url(), *QUIET, "-o", str(rerun)]))
                if parse:
                    times["dbt parse of the export"].append(
                        timed([str(dbt), "parse", "--no-partial-parse", "--profiles-dir", str(root)], cwd=rerun))
            files = sum(1 for p in rerun.rglob("*") if p.is_file() and "target" not in p.parts and "logs" not in p.parts)
            sources = next((rerun / "models" / "staging").glob("*/_*__sources.yml"))
            size_mib = sources.stat().st_size / 2**20
            writers = writers_side_by_side(sources, args.repeat)
    finally:
        bench.drop()
    return {"size": size, "files": files, "sources_mib": size_mib, "parse": parse,
            "medians": {name: statistics.median(values) for name, values in times.items()},
            "writers": {name: statistics.median(values) for name, values in writers.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--parse-max-tables", type=int, default=1000, help="run dbt parse only up to this many tables")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--target", type=float, default=1.0)
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    args = parser.parse_args(argv)

    dbt = Path(sys.executable).parent / "dbt"
    if not dbt.exists():
        raise RuntimeError("dbt is not installed beside this Python: pip install -e '.[test]'")
    dayone = dayone_command()
    results = [measure(args, size, dbt, dayone) for size in args.tables]
    info = machine()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    parts, verdicts, met = [], [], True
    for r in results:
        base = r["medians"]["audit (json)"]
        rows = "\n".join(f"| {name} | {value:.2f} s | {value / base:.2f}× |" for name, value in r["medians"].items())
        parts.append(f"**{r['size']:,} tables** ({r['files']:,} files; the sources YAML {r['sources_mib']:.1f} MiB)\n\n"
                     f"| command | time | vs audit |\n|---|---:|---:|\n{rows}\n")
        if r["parse"]:
            ratio = r["medians"]["export dbt (new folder)"] / r["medians"]["dbt parse of the export"]
            met = met and ratio <= args.target
            verdicts.append(f"{r['size']:,} tables: {'met' if ratio <= args.target else '**missed**'} ({ratio:.2f}×)")
        else:
            verdicts.append(f"{r['size']:,} tables: dbt parse not run (over --parse-max-tables {args.parse_max_tables:,}: "
                            "it takes ~50 s per 500 tables), the export alone measured")
    writer_rows = "\n".join(f"| {name} | " + " | ".join(f"{r['writers'][name]:.2f} s" for r in results) + " |"
                             for name in results[0]["writers"])
    header = " | ".join(f"{r['size']:,} tables" for r in results)
    section = f"""{START_MARKER}
## Exporting a dbt project: `dayone export dbt` vs the audit it runs and dbt's parse

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/export_dbt_vs_audit.py` on {info.get('cores', '?')} cores ({info.get('cpu', '?')}), Python {sys.version.split()[0]}, dayone `{commit}`; PostgreSQL schemas of {' and '.join(f"{r['size']:,}" for r in results)} tables (the catalog benchmark's schema: each with a status CHECK list, so each gets a snapshot), medians of {args.repeat} interleaved runs, each the whole command in a subprocess.

{chr(10).join(parts)}
The YAML writer alone, in this process, on the same data (the exported sources YAML, read back), interleaved:

| writer | {header} |
|---|{'---:|' * len(results)}
{writer_rows}

Both dayone commands run the default sample profile; the export's time beyond the audit is rendering and writing the YAML and SQL. Target: the export at most {args.target}× what dbt takes to parse the same files, the user's next command — {'; '.join(verdicts)}. Re-run: `python benchmarks/export_dbt_vs_audit.py --tables 500 5000` (needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`).
{END_MARKER}
"""
    print(section)
    if args.output != "-":
        write_section(Path(args.output), section, START_MARKER, END_MARKER)
    return 0 if met else 1


if __name__ == "__main__":
    run_benchmark(main)
