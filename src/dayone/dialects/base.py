"""What every engine's dialect provides: a guarded connection and a bulk catalog read.

Rules never look at an engine's name; they read the capability flags below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from dayone.catalog.model import Catalog, Schema, Table
from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.target import DatabaseTarget

if TYPE_CHECKING:  # profiling code loads when a profile is asked for
    from dayone.catalog.access import AccessFacts
    from dayone.profile.model import TableProfile
    from dayone.profile.options import TableRequest, TableSize


class Dialect:
    engine: ClassVar[str]
    sqlglot_dialect: ClassVar[str]  # how sqlglot names the engine, for parsing and quoting
    # Capability flags.
    has_schemas: ClassVar[bool] = True  # several namespaces per connection (MySQL: databases)
    has_enum_types: ClassVar[bool] = False  # named enum types (PostgreSQL CREATE TYPE ... AS ENUM)
    has_row_change_counters: ClassVar[bool] = False  # server counts inserts/updates/deletes per table
    has_timestamp_with_time_zone: ClassVar[bool] = True  # an instant type exists to recommend
    has_comments: ClassVar[bool] = True  # tables and columns can carry comments
    url_database_is_schema: ClassVar[bool] = False  # MySQL: the URL's database is one of the schemas
    has_column_statistics: ClassVar[bool] = False  # server keeps per-column statistics (pg_stats, column_stats)
    has_date_types: ClassVar[bool] = True  # dates and times have types of their own (SQLite: text or numbers)
    # text compares without case or trailing spaces by default (MySQL/MariaDB collations): a CHECK or
    # ENUM list accepts 'PAID ' for 'paid', and a key lookup finds it
    text_ignores_case: ClassVar[bool] = False
    # how the engine matches names in a query with the catalog's (metric SQL): SQLite ignores case in
    # every name, MySQL/MariaDB in column names (table names are file names: case-sensitive on Linux)
    table_names_ignore_case: ClassVar[bool] = False
    column_names_ignore_case: ClassVar[bool] = False

    def connect(self, target: DatabaseTarget, options: SessionOptions) -> Session:
        """Open a read-only, time-bounded session, or raise ConnectError with one clear line."""
        raise NotImplementedError

    def read_catalog(self, session: Session, schemas: Sequence[str] | None = None) -> Catalog:
        """Read the whole catalog with a constant number of queries, whatever the table count."""
        raise NotImplementedError

    def read_access(self, session: Session, schemas: Sequence[str] | None = None) -> AccessFacts:
        """What the login and the server allow, in a constant number of read-only queries; a fact the
        server refuses to give is left unknown (AccessFacts.unknown says why), never an error."""
        raise NotImplementedError

    def schemas_to_read(self, target: DatabaseTarget, schemas: Sequence[str] | None) -> list[str] | None:
        """The schemas a command reads: those asked for, else (MySQL) the URL's database, else all."""
        if schemas:
            return list(schemas)
        if self.url_database_is_schema and target.database:
            return [target.database]
        return None

    # -- profiling: dayone.profile.profiler decides what to read, the dialect reads it -----------

    def read_statistics(
        self, session: Session, tables: Sequence[tuple[Schema, Table]], keep_values: bool
    ) -> dict[tuple[str, str], TableProfile]:
        """Tier 0: what the server already keeps about the data of `tables` (null fractions,
        distinct estimates, common values), in one bulk query per database; {} when it keeps
        nothing dayone may read. Never runs ANALYZE."""
        return {}

    def table_sizes(self, session: Session, tables: Sequence[tuple[Schema, Table]]) -> dict[tuple[str, str], TableSize]:
        """How big the server believes each table is, from what it keeps (a constant number of
        queries): sizes the sample of each table."""
        return {}

    def profile_table(self, session: Session, schema: Schema, table: Table, request: TableRequest) -> TableProfile:
        """Tier 1 or 2: one query over the table (a bounded sample, or one streamed full pass),
        rows aggregated by dayone.profile.profile_rows as they arrive. A table the server will not
        let us read in time (locked, statement timeout, permission) comes back as method "skipped"
        with the reason; the audit goes on."""
        raise NotImplementedError

    def look_up_keys(self, session: Session, lookups: Sequence[KeyLookup]) -> list[set | None]:
        """For each lookup, the values among `lookup.values` that are keys of its table (the key is
        its primary key: an index lookup per value), in ONE read-only statement for them all, with
        the values passed as parameters; None for a lookup that could not be answered (a table
        locked, a statement timeout, a permission): nothing is known of it then."""
        return [None] * len(lookups)

    def interrupt(self, session: Session) -> None:
        """Ctrl-C: stop what `session` is running on the server (best effort, never raises)."""

    # -- metrics: someone's SELECT, run read-only --------------------------------------------------

    def default_schemas(self, catalog: Catalog, url_database: str | None) -> list[str]:
        """Where the engine looks for a table named without its schema."""
        return []

    def run_query(self, session: Session, sql: str, row_limit: int) -> QueryResult:
        """Run one SELECT (checked by dayone.project.metric_sql.refuse_unsafe before the connection
        was opened) in `session`, with its read-only guards and statement timeout, keeping at most
        `row_limit` rows: the rest are neither fetched nor kept. A statement the server refuses,
        stops (timeout) or cannot run raises DayoneError with one line; the session stays usable
        for the next query, unless the connection itself was lost."""
        raise NotImplementedError


class QueryResult(NamedTuple):
    columns: tuple[str, ...]
    rows: list[tuple]
    cut: bool  # more rows than row_limit came back: only the first row_limit are in `rows`


class KeyLookup(NamedTuple):
    """Which of `values` are values of `schema.table.column` (a primary key)?"""

    schema: str
    table: str
    column: str
    values: list


def dialect_for(engine: str) -> Dialect:
    if engine == "postgresql":
        from dayone.dialects.postgres import PostgresDialect

        return PostgresDialect()
    if engine == "mysql":
        from dayone.dialects.mysql import MySQLDialect

        return MySQLDialect()
    if engine == "sqlite":
        from dayone.dialects.sqlite import SQLiteDialect

        return SQLiteDialect()
    raise ValueError(f"no dialect for engine {engine!r}")


def dialect_for_product(product: str) -> type[Dialect]:
    """The dialect class of a catalog's product, for reading capability flags offline."""
    return type(dialect_for({"mariadb": "mysql"}.get(product, product)))
