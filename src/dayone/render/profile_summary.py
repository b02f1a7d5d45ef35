"""What profiling read, for the reports: the tier, the tables read and how, the tables skipped and why.

Aggregates only: no value of any row appears here (value sets appear, where kept, in the evidence of
the findings that use them).
"""

from __future__ import annotations

from dayone.catalog.model import Catalog
from dayone.dialects.base import dialect_for_product
from dayone.findings import target_name
from dayone.profile.model import Profile, TableProfile


def table_label(catalog: Catalog, profile: TableProfile) -> str:
    """The table as findings name it (SQLite: the database name for its one schema, "main")."""
    if dialect_for_product(catalog.product).has_schemas:
        return target_name(profile.schema, profile.table)
    return target_name(profile.table, label=catalog.database)


def summary(catalog: Catalog, profile: Profile | None) -> dict | None:
    if profile is None:
        return None
    read = [t for t in profile.tables if t.method != "skipped"]
    skipped = [t for t in profile.tables if t.method == "skipped"]
    return {
        "tier": profile.tier,
        "profiled_at": profile.profiled_at,
        "values_kept": profile.keep_values,
        "tables_profiled": len(read),
        "tables_skipped": len(skipped),
        "rows_read": sum(t.rows_read for t in read),
        "seconds": round(sum(t.seconds or 0 for t in profile.tables), 3),
        "skipped": [{"table": table_label(catalog, t), "reason": t.skipped} for t in skipped],
        "tables": [
            {
                "table": table_label(catalog, t),
                "method": t.method,
                "how": t.how,
                "rows_read": t.rows_read,
                "rows_estimated": t.rows_estimated,
                "pages_read_share": t.pages_read_share,
                "seconds": t.seconds,
                # columns no row read fills (all NULL): a metric reading one counts nothing (issue 11)
                "never_filled": [c.name for c in t.columns if c.rows and not c.non_null],
            }
            for t in read
        ],
    }


def lines(catalog: Catalog, profile: Profile | None) -> list[str]:
    """A line on what was read, then one per skipped table."""
    if profile is None:
        return ["data: not profiled (catalog only)"]
    found = summary(catalog, profile)
    assert found is not None
    counts = {m: sum(1 for t in profile.tables if t.method == m) for m in ("statistics", "sample", "full")}
    how = ", ".join(f"{n} by {'full scan' if m == 'full' else m}" for m, n in counts.items() if n)
    text = f"data: {profile.tier} profile of {found['tables_profiled']} table(s)"
    if how:
        text += f" ({how})"
    if found["rows_read"]:
        text += f", {found['rows_read']:,} rows read in {found['seconds']:.1f} s"
    if not profile.keep_values:
        text += ", no values kept"
    if found["tables_skipped"]:
        text += f"; {found['tables_skipped']} skipped:"
    result = [text]
    result += [f"    {entry['table']}: {entry['reason']}" for entry in found["skipped"]]
    return result
