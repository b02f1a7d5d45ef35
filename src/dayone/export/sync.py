"""The extraction plan of a source: how an ELT tool should replicate each table, and why.

One plan, three spellings: dayone's own JSON (the method, the cursor, the reasons and cautions in
words), an Airbyte ConfiguredAirbyteCatalog, and a Singer catalog (what Stitch and Meltano read).
The plan comes from the export facts, so it agrees with the audit's extraction-method findings and
with the dbt and contract exports.

| dayone method      | Airbyte sync_mode / destination_sync_mode | Singer replication-method |
|--------------------|-------------------------------------------|---------------------------|
| full refresh       | full_refresh / overwrite                  | FULL_TABLE                |
| incremental append | incremental / append, cursor              | INCREMENTAL, key          |
| incremental dedup  | incremental / append_dedup, cursor + PK   | INCREMENTAL, key          |
| log-based CDC      | incremental / append_dedup, source cursor | LOG_BASED                 |
"""

from __future__ import annotations

import json
from typing import Any

from dayone.export.facts import ExportFacts, TableFacts
from dayone.export.types import json_schema, table_json_schema

PLAN_FORMAT = 1

_AIRBYTE = {
    "full refresh": ("full_refresh", "overwrite"),
    "incremental append": ("incremental", "append"),
    "incremental dedup": ("incremental", "append_dedup"),
    "log-based CDC": ("incremental", "append_dedup"),
}
_SINGER = {"full refresh": "FULL_TABLE", "incremental append": "INCREMENTAL", "incremental dedup": "INCREMENTAL",
           "log-based CDC": "LOG_BASED"}  # fmt: skip


def sync_plan(facts: ExportFacts, source: str) -> dict[str, Any]:
    """dayone's extraction plan: one entry per table, with the reasons in words."""
    tables = []
    for table in facts.tables:
        extraction = table.extraction
        sync_mode, destination_sync_mode = _AIRBYTE[extraction.method]
        tables.append({
            "schema": table.schema,
            "table": table.name,
            "kind": table.kind,
            "method": extraction.method,
            "cursor_field": extraction.cursor,
            "primary_key": list(extraction.primary_key),
            "reason": extraction.reason,
            "cautions": list(extraction.cautions),
            "audit_advice": extraction.advice,
            "soft_delete_columns": [m.column for m in table.soft_delete],
            "airbyte": {"sync_mode": sync_mode, "destination_sync_mode": destination_sync_mode},
            "singer": {"replication-method": _SINGER[extraction.method]},
            "finding_id": extraction.finding_id,
        })  # fmt: skip
    counts = {m: sum(1 for t in tables if t["method"] == m) for m in _AIRBYTE}
    return {
        "format": "dayone-sync-plan",
        "format_version": PLAN_FORMAT,
        "source": source,
        "product": facts.product,
        "database": facts.database,
        "methods": {m: n for m, n in counts.items() if n},
        "tables": tables,
    }


def airbyte_catalog(facts: ExportFacts) -> dict[str, Any]:
    """An Airbyte ConfiguredAirbyteCatalog: a stream per table, configured as the plan says."""
    streams = []
    for table in facts.tables:
        extraction = table.extraction
        sync_mode, destination_sync_mode = _AIRBYTE[extraction.method]
        keys = [[k] for k in extraction.primary_key]
        cdc = extraction.method == "log-based CDC"
        stream: dict[str, Any] = {
            "name": table.name,
            "namespace": table.schema,
            "json_schema": table_json_schema(table.columns),
            "supported_sync_modes": ["full_refresh", "incremental"],
            "source_defined_cursor": cdc,  # with CDC the source's log position is the cursor
            "default_cursor_field": [extraction.cursor] if extraction.cursor else [],
            "source_defined_primary_key": keys,
        }
        streams.append({
            "stream": stream,
            "sync_mode": sync_mode,
            "destination_sync_mode": destination_sync_mode,
            "cursor_field": [extraction.cursor] if extraction.cursor else [],
            "primary_key": keys,
        })  # fmt: skip
    return {"streams": streams}


def singer_catalog(facts: ExportFacts) -> dict[str, Any]:
    """A Singer catalog (tap-postgres / tap-mysql style): schema and metadata breadcrumbs per table."""
    streams = []
    for table in facts.tables:
        extraction = table.extraction
        stream_meta: dict[str, Any] = {
            "selected": True,
            "replication-method": _SINGER[extraction.method],
        }
        if extraction.cursor and extraction.method != "log-based CDC":
            stream_meta["replication-key"] = extraction.cursor
        stream_meta["table-key-properties"] = list(extraction.primary_key)
        stream_meta["schema-name"] = table.schema
        stream_meta["database-name"] = facts.database
        stream_meta["is-view"] = "view" in table.kind
        metadata = [{"breadcrumb": [], "metadata": stream_meta}]
        automatic = set(extraction.primary_key) | ({extraction.cursor} if extraction.cursor else set())
        for column in table.columns:
            metadata.append({
                "breadcrumb": ["properties", column.name],
                "metadata": {"inclusion": "automatic" if column.name in automatic else "available",
                             "selected-by-default": True, "sql-datatype": column.data_type},
            })  # fmt: skip
        streams.append({
            "tap_stream_id": f"{table.schema}-{table.name}",
            "stream": table.name,
            "table_name": table.name,
            "schema": _singer_schema(table),
            "key_properties": list(extraction.primary_key),
            "metadata": metadata,
        })  # fmt: skip
    return {"streams": streams}


def _singer_schema(table: TableFacts) -> dict[str, Any]:
    properties = {}
    for column in table.columns:
        schema = json_schema(column)
        schema.pop("airbyte_type", None)  # Airbyte's own keyword
        properties[column.name] = schema
    return {"type": "object", "properties": properties}


def render(facts: ExportFacts, source: str, output_format: str) -> str:
    """The plan in `output_format` as JSON text: sorted nowhere (the order is the catalog's), indented,
    non-ASCII kept, one newline at the end."""
    data = {"json": lambda: sync_plan(facts, source), "airbyte": lambda: airbyte_catalog(facts),
            "singer": lambda: singer_catalog(facts)}[output_format]()  # fmt: skip
    from dayone.render.escape import json_text

    return json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"  # bidi controls as \u escapes
