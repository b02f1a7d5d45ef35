"""The catalog: everything dayone knows about a database's structure, as plain frozen data.

Dialects build it with a constant number of bulk queries; everything downstream (rules, outputs,
snapshots) works on it offline. Collections are tuples sorted by name so that the same database
always gives the same value, and therefore the same snapshot bytes. The classes a big catalog holds
by the ten thousand are `lean` frozen dataclasses (see dayone.catalog.lean).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dayone.catalog.access import AccessFacts
from dayone.catalog.lean import lean

TableKind = Literal["table", "partitioned table", "partition", "view", "materialized view", "foreign table"]

# The normalized type vocabulary rules reason about, whatever the engine called the type.
NormalizedType = Literal[
    "integer",
    "decimal",
    "float",
    "boolean",
    "string",
    "text",
    "date",
    "time",
    "timestamp",  # wall-clock time without a zone: PostgreSQL timestamp, MySQL DATETIME
    "timestamptz",  # an instant: PostgreSQL timestamptz, MySQL TIMESTAMP (stored in UTC)
    "interval",
    "json",
    "uuid",
    "binary",
    "enum",
    "set",
    "array",
    "other",
]


@lean
class Column:
    name: str
    position: int
    declared_type: str  # as the engine spells it, e.g. "character varying(40)", "enum('a','b')"
    normalized_type: NormalizedType
    nullable: bool
    default: str | None = None
    identity: str | None = None  # "always", "by default", "auto_increment", "rowid"
    generated: str | None = None  # expression of a generated (computed) column
    comment: str | None = None
    enum_values: tuple[str, ...] = ()  # values of an enum/set type (PostgreSQL enum, MySQL ENUM)
    on_update: str | None = None  # MySQL/MariaDB ON UPDATE CURRENT_TIMESTAMP


@lean
class PrimaryKey:
    name: str | None
    columns: tuple[str, ...]


@lean
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]


@lean
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    referred_schema: str
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"


@lean
class ValueSet:
    """Values a CHECK constraint allows for one column (`status IN ('a', 'b')`)."""

    column: str
    values: tuple[str, ...]


@lean
class CheckConstraint:
    name: str | None
    expression: str
    value_sets: tuple[ValueSet, ...] = ()
    # False: the server has not checked the rows already there (PostgreSQL NOT VALID), only new ones
    validated: bool = True


@lean
class Index:
    name: str
    columns: tuple[str, ...]  # column names, or expressions as the engine prints them
    unique: bool = False
    primary: bool = False
    method: str | None = None  # btree, hash, gin, FULLTEXT...
    predicate: str | None = None  # partial index WHERE clause


@lean
class Trigger:
    name: str
    timing: str  # BEFORE, AFTER, INSTEAD OF
    events: tuple[str, ...]  # INSERT, UPDATE, DELETE, TRUNCATE
    orientation: str  # ROW or STATEMENT
    body: str  # the trigger function's source, or the trigger statement
    function: str | None = None  # PostgreSQL: schema-qualified trigger function
    arguments: tuple[str, ...] = ()  # PostgreSQL: the trigger's arguments (TG_ARGV), e.g. a column name


@lean
class PartitionBound:
    """One partition of a MySQL/MariaDB table and the values it takes, as the server prints them
    (information_schema.PARTITIONS.PARTITION_DESCRIPTION): "'2024-07-01'" or "739433" for VALUES LESS
    THAN, "MAXVALUE", "1,2" for VALUES IN; None for HASH and KEY partitions. (PostgreSQL partitions
    are tables of their own, with partition_of and partition_bound.)"""

    name: str
    bound: str | None = None


@lean
class Partitioning:
    """How a partitioned table splits its rows, as the server declares it."""

    # PostgreSQL: RANGE, LIST, HASH; MySQL/MariaDB: PARTITION_METHOD, e.g. RANGE COLUMNS, LINEAR KEY,
    # MariaDB's SYSTEM_TIME
    strategy: str
    # the key as the server prints it, without the strategy: "created_at", "to_days(`taken_on`)",
    # "`taken_on`,`id`"; None when it could not be read (PostgreSQL: the table was locked)
    key: str | None = None
    # the key's parts in order: a column name, or an expression as the server prints it (as Index.columns)
    columns: tuple[str, ...] = ()
    # MySQL/MariaDB: each partition in the order of its bounds (not by name: RANGE bounds ascend)
    partitions: tuple[PartitionBound, ...] = ()


@lean
class Table:
    name: str
    kind: TableKind = "table"
    comment: str | None = None
    estimated_rows: int | None = None
    size_bytes: int | None = None
    # Row change counters kept by the server (PostgreSQL pg_stat_user_tables) since its last reset.
    inserts: int | None = None
    updates: int | None = None
    deletes: int | None = None
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    check_constraints: tuple[CheckConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    view_definition: str | None = None
    partition_of: str | None = None  # parent table name, for a partition
    partition_bound: str | None = None
    partitioning: Partitioning | None = None  # for a partitioned table: its strategy and key
    # Why some facts could not be read (e.g. the table was locked by another session).
    skipped: str | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@lean
class EnumType:
    name: str
    values: tuple[str, ...]


@lean
class Schema:
    name: str
    tables: tuple[Table, ...] = ()
    enums: tuple[EnumType, ...] = ()

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


@dataclass(frozen=True)
class Catalog:
    product: str  # "postgresql", "mysql", "mariadb", "sqlite"
    version: str
    database: str
    current_user: str | None = None
    server_timezone: str | None = None
    session_timezone: str | None = None
    is_replica: bool | None = None
    # Server settings that matter for change data capture (wal_level, log_bin, binlog_format...).
    cdc_settings: dict[str, str] = field(default_factory=dict)
    schemas: tuple[Schema, ...] = ()
    # What the login and the server allow (privileges, TLS, replication, CDC readiness); None in
    # snapshots taken before dayone read these facts.
    access: AccessFacts | None = None

    def schema(self, name: str) -> Schema | None:
        return next((s for s in self.schemas if s.name == name), None)

    def tables(self):
        """Every (schema, table) pair, in a stable order."""
        for schema in self.schemas:
            for table in schema.tables:
                yield schema, table
