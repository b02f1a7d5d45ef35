#!/usr/bin/env python
"""A contract from a database: `dayone export contract` vs `datacontract import postgres`.

What a user would otherwise run to start a data contract is datacontract-cli's importer, which
writes a skeleton from the catalog alone. This loads the vendored pagila fixture into a new, uniquely
named PostgreSQL database (dropped on every exit path) and times, interleaved, medians of --repeat
runs, each the whole command in a subprocess:

- `dayone export contract URL -o FILE --force` (catalog, default sample profile, rules, contract);
- `datacontract import postgres ... --output FILE` (catalog only).

It also counts what each contract gives `datacontract test` to check (relationships, accepted-value
rules, required and key columns, descriptions).

    python benchmarks/export_contract.py [--repeat 5] [--output docs/benchmarks.md]

Exit status 0 when measured, 2 when the benchmark failed.
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
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_vs_reflect import QUIET, dayone_command, machine, run_benchmark, time_command, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PAGILA = REPO / "tests" / "fixtures" / "pagila"
START_MARKER = "<!-- export-contract-benchmark:start -->"
END_MARKER = "<!-- export-contract-benchmark:end -->"


def timed(command: list[str], env: dict[str, str]) -> float:
    return time_command(command, env=env)


def counts(path: Path) -> dict[str, int]:
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    props = [p for o in doc.get("schema", []) for p in o.get("properties", [])]
    return {
        "tables and views": len(doc.get("schema", [])),
        "relationships": sum(len(p.get("relationships", [])) for p in props),
        "accepted-value rules": sum(1 for p in props for q in p.get("quality", []) if q.get("metric") == "invalidValues"),
        "required columns": sum(1 for p in props if p.get("required")),
        "descriptions": sum(1 for p in props if p.get("description")) + sum(1 for o in doc.get("schema", []) if o.get("description")),
        "audit facts (customProperties)": sum(len(o.get("customProperties", [])) for o in doc.get("schema", []))
        + sum(len(p.get("customProperties", [])) for p in props),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default=os.environ.get("DAYONE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--output", default=str(REPO / "docs" / "benchmarks.md"), help="'-' prints only")
    args = parser.parse_args(argv)

    import psycopg
    from sqlalchemy.engine.url import make_url

    datacontract = shutil.which("datacontract", path=str(Path(sys.executable).parent)) or shutil.which("datacontract")
    psql = shutil.which("psql")
    if datacontract is None or psql is None:
        raise RuntimeError("needs datacontract-cli (pip install -e '.[test]') and psql")
    admin = make_url(args.pg_url)
    name = f"dayone_bench_contract_{uuid.uuid4().hex[:8]}"
    url = admin.set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "DATACONTRACT_POSTGRES_USERNAME": admin.username or "postgres",
           "DATACONTRACT_POSTGRES_PASSWORD": admin.password or "unused-with-trust"}  # fmt: skip
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        for part in ("pagila-schema.sql", "pagila-data.sql"):
            subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(PAGILA / part)], check=True, capture_output=True)
        with tempfile.TemporaryDirectory(prefix="dayone-contract-bench-") as work:
            ours, theirs = Path(work) / "dayone.odcs.yaml", Path(work) / "imported.odcs.yaml"
            commands = {
                "dayone export contract": [*dayone_command(), "export", "contract", url, *QUIET, "-o", str(ours), "--force"],
                "datacontract import postgres": [datacontract, "import", "postgres", "--source", admin.host or "127.0.0.1",
                                                 "--port", str(admin.port or 5432), "--database", name, "--schema", "public",
                                                 "--output", str(theirs)],  # fmt: skip
            }
            times: dict[str, list[float]] = {key: [] for key in commands}
            for _ in range(args.repeat):
                for key, command in commands.items():  # interleaved: load on the machine hits both alike
                    theirs.unlink(missing_ok=True)  # the importer refuses to overwrite
                    times[key].append(timed(command, env))
            ours_counts, theirs_counts = counts(ours), counts(theirs)
    finally:
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    medians = {key: statistics.median(values) for key, values in times.items()}
    info = machine()
    rows = "\n".join(f"| {key} | {medians[key]:.2f} s |" for key in commands)
    facts = "\n".join(f"| {key} | {ours_counts[key]} | {theirs_counts[key]} |" for key in ours_counts)
    section = f"""{START_MARKER}
## A data contract from pagila: `dayone export contract` vs `datacontract import postgres`

Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/export_contract.py` on {info['cores']} cores ({info['cpu']}, {info['memory']}), Python {info['python']}, dayone {info['dayone']}; the vendored pagila on PostgreSQL, medians of {args.repeat} interleaved runs, each the whole command in a subprocess.

| command | time |
|---|---:|
{rows}

What each contract gives `datacontract test` and its readers:

| | dayone | datacontract import |
|---|---:|---:|
{facts}

dayone's time includes the audit (catalog, default sample profile, rules); the importer reads the catalog only and includes the views and the partitions of `payment`, which dayone's exports leave out (a partition is extracted through its parent). Re-run: `python benchmarks/export_contract.py` (needs the right to create and drop databases; `DAYONE_BENCH_PG_URL`).
{END_MARKER}
"""
    print(section)
    if args.output != "-":
        write_section(Path(args.output), section, START_MARKER, END_MARKER)
    return 0


if __name__ == "__main__":
    run_benchmark(main)
