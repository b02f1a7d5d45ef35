from dayone.catalog.model import (
    Catalog,
    CheckConstraint,
    Column,
    EnumType,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    UniqueConstraint,
    ValueSet,
)

__all__ = [
    "Catalog",
    "CheckConstraint",
    "Column",
    "EnumType",
    "ForeignKey",
    "Index",
    "PrimaryKey",
    "Schema",
    "Table",
    "Trigger",
    "UniqueConstraint",
    "ValueSet",
]
