"""Exports: what the audit learned, rendered for the tools that come next (dbt, data contracts,
ELT sync settings). Each export renders the same facts (dayone.export.facts)."""

from dayone.export.facts import (
    ColumnFacts,
    ExportFacts,
    Extraction,
    Relationship,
    SoftDelete,
    TableFacts,
    TestData,
    export_facts,
)

__all__ = ["ColumnFacts", "ExportFacts", "Extraction", "Relationship", "SoftDelete", "TableFacts", "TestData", "export_facts"]
