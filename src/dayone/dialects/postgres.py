"""PostgreSQL: guarded sessions and the whole catalog in ten bulk queries.

Several catalog functions (pg_get_expr with a table, pg_get_constraintdef, pg_get_indexdef,
pg_get_viewdef, pg_get_partkeydef) take an ACCESS SHARE lock on the table they describe, so a table
another session holds in ACCESS EXCLUSIVE mode would make them wait. We first ask pg_locks which
relations are locked (or have such a lock queued), and skip those functions for them: the table is
reported as skipped, with every fact the system catalogs give without a lock.

A big catalog (SECOND_SESSION_FROM) is read on two connections: the constraints, whose CHECK
expressions the server deparses one by one, and the access facts on the second, in the snapshot the
first exports, while the first reads the rest and builds its part of the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dayone.catalog.access import AccessFacts
from dayone.catalog.checks import value_sets
from dayone.catalog.model import (
    ValueSet,
    Catalog,
    CheckConstraint,
    Column,
    EnumType,
    ForeignKey,
    Index,
    Partitioning,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    UniqueConstraint,
)
from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.target import DatabaseTarget
from dayone.dialects.base import Dialect
from dayone.dialects.postgres_errors import catalog_error, connect_error
from dayone.errors import DayoneError

CDC_SETTINGS = (
    "wal_level",
    "max_replication_slots",
    "max_wal_senders",
    "max_slot_wal_keep_size",
    "track_commit_timestamp",
)
SYSTEM_SCHEMA_FILTER = """
    n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\\_temp\\_%%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%%'
    AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY(%(schemas)s::text[]))
"""
# Tables that belong to an extension (PostGIS spatial_ref_sys...) are not the application's.
# Found from the extensions' side (pg_depend_reference_index), once per query as an InitPlan: an
# anti-join probed pg_depend once per table, 10-15 ms per query for 5,000 tables.
NOT_EXTENSION_MEMBER = """
    NOT c.oid = ANY(ARRAY(SELECT e.objid FROM pg_depend e
                          WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                            AND e.classid = 'pg_class'::regclass))
"""
PARTITION_STRATEGIES = {"r": "RANGE", "l": "LIST", "h": "HASH"}
RELKINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view", "f": "foreign table"}
FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
TYPE_FAMILIES = {
    "int2": "integer", "int4": "integer", "int8": "integer", "oid": "integer",
    "numeric": "decimal", "money": "decimal", "float4": "float", "float8": "float",
    "bool": "boolean",
    "varchar": "string", "bpchar": "string", "char": "string", "name": "string", "citext": "string",
    "text": "text",
    "date": "date", "time": "time", "timetz": "time",
    "timestamp": "timestamp", "timestamptz": "timestamptz", "interval": "interval",
    "json": "json", "jsonb": "json", "uuid": "uuid", "bytea": "binary",
}  # fmt: skip

LOCKED_RELATIONS_SQL = """
WITH locked AS (
    SELECT l.relation AS oid, min(l.pid) AS pid
    FROM pg_locks l
    WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    GROUP BY l.relation
)
SELECT oid, pid FROM locked
UNION
-- describing a view locks the tables it reads
SELECT DISTINCT r.ev_class, locked.pid
FROM pg_rewrite r
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                AND d.refclassid = 'pg_class'::regclass
JOIN locked ON locked.oid = d.refobjid
WHERE r.ev_class <> d.refobjid
"""

SERVER_SQL = """
SELECT current_setting('server_version'), current_database(), current_user,
       (SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), current_setting('TimeZone'),
       pg_is_in_recovery(),
       (SELECT coalesce(json_object_agg(name, setting), '{}') FROM pg_settings WHERE name = ANY(%(cdc)s)),
       (SELECT count(*) FROM pg_class),  -- a big catalog is read on two connections
       -- other sessions at work: a busy server gets a gentle dayone (Session.settle_pace). A session
       -- hidden from this role (state NULL) counts as at work: it is someone else's.
       (SELECT count(*) FROM pg_stat_activity a
        WHERE a.pid <> pg_backend_pid() AND coalesce(a.backend_type, 'client backend') = 'client backend'
          AND coalesce(a.application_name, '') NOT LIKE 'dayone%%'
          AND (a.state IS DISTINCT FROM 'idle' OR a.state_change > clock_timestamp() - interval '1 second'))
"""

SCHEMAS_SQL = f"SELECT n.nspname FROM pg_namespace n WHERE {SYSTEM_SCHEMA_FILTER}"

RELATIONS_SQL = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind, ds.description,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint ELSE pg_stat_get_live_tuples(c.oid) END,
       CASE WHEN c.relkind NOT IN ('r', 'm', 'p') THEN NULL
            -- the planner's page counts cost nothing; pg_total_relation_size stats every file of every
            -- table (0.4 s for 5,000 tables), so it is only asked of tables with rows never analyzed
            WHEN c.reltuples < 0 AND pg_stat_get_live_tuples(c.oid) > 0 AND NOT c.oid = ANY(%(locked)s::oid[])
                THEN pg_total_relation_size(c.oid)
            ELSE (c.relpages::bigint + coalesce(toast.relpages, 0) + coalesce(ix.pages, 0)) * current_setting('block_size')::bigint
       END,
       -- the counters pg_stat_user_tables shows, without the view's other dozen functions per table
       CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_stat_get_tuples_inserted(c.oid) END,
       CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_stat_get_tuples_updated(c.oid) END,
       CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_stat_get_tuples_deleted(c.oid) END,
       parent.relname,
       CASE WHEN c.relispartition AND NOT c.oid = ANY(%(locked)s::oid[]) THEN pg_get_expr(c.relpartbound, c.oid) END,
       CASE WHEN c.relkind IN ('v', 'm') AND NOT c.oid = ANY(%(locked)s::oid[]) THEN pg_get_viewdef(c.oid) END,
       -- a partitioned table's strategy and key columns (numbers, named from the columns query; 0 marks
       -- an expression) come without a lock; pg_get_partkeydef waits for one, like pg_get_expr
       pt.partstrat, pt.partattrs::int2[],
       CASE WHEN pt.partrelid IS NOT NULL AND NOT c.oid = ANY(%(locked)s::oid[]) THEN pg_get_partkeydef(c.oid) END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
LEFT JOIN (SELECT x.indrelid, sum(xc.relpages) AS pages FROM pg_index x JOIN pg_class xc ON xc.oid = x.indexrelid
           GROUP BY x.indrelid) ix ON ix.indrelid = c.oid
LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class parent ON parent.oid = i.inhparent
LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM_SCHEMA_FILTER} AND {NOT_EXTENSION_MEMBER}
"""

COLUMNS_SQL = f"""
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
       coalesce(base.typname, t.typname), coalesce(base.typtype, t.typtype), t.typcategory,
       coalesce(base.oid, t.oid), CASE WHEN t.typtype = 'd' THEN t.oid END,
       a.attnotnull,
       -- A default cannot name a column, so it is printed without the table: pg_get_expr(x, relid)
       -- opens the relation (a lock, and half the query's time on a new connection). A generated
       -- column's expression names columns and needs it.
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, 0)
            WHEN NOT c.oid = ANY(%(locked)s::oid[]) THEN pg_get_expr(d.adbin, d.adrelid) END,
       a.attidentity, a.attgenerated, ds.description
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type base ON t.typtype = 'd' AND base.oid = t.typbasetype
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
-- a join, not col_description(): one hash join instead of an index probe per column
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM_SCHEMA_FILTER} AND {NOT_EXTENSION_MEMBER}
"""

CONSTRAINTS_SQL = f"""
SELECT co.conrelid, co.conname, co.contype,
       co.conkey,  -- column numbers: named from the columns query, no subquery per constraint
       fn.nspname, fc.relname,
       CASE WHEN co.contype = 'f' THEN  -- the referred table may lie outside the schemas read
           ARRAY(SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[]
       END,
       co.confupdtype, co.confdeltype,
       CASE WHEN co.contype = 'c' AND NOT co.conrelid = ANY(%(locked)s::oid[]) THEN pg_get_constraintdef(co.oid) END,
       co.convalidated
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = co.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE co.contype IN ('p', 'u', 'f', 'c') AND {SYSTEM_SCHEMA_FILTER} AND {NOT_EXTENSION_MEMBER}
"""

INDEXES_SQL = f"""
SELECT i.indrelid, ic.relname, i.indisunique, i.indisprimary, am.amname,
       -- key column numbers, named from the columns query: 0 marks an expression
       (i.indkey::int2[])[0:i.indnkeyatts - 1],
       CASE WHEN 0 = ANY(i.indkey::int2[]) AND NOT c.oid = ANY(%(locked)s::oid[])
            THEN ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k)
       END,
       CASE WHEN NOT c.oid = ANY(%(locked)s::oid[]) THEN pg_get_expr(i.indpred, i.indrelid) END
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {SYSTEM_SCHEMA_FILTER} AND {NOT_EXTENSION_MEMBER}
"""

TRIGGERS_SQL = f"""
SELECT tg.tgrelid, tg.tgname, tg.tgtype, pn.nspname || '.' || p.proname,
       -- the function's source; for built-in (C) trigger functions the trigger's own definition,
       -- whose arguments say what it does (tsvector_update_trigger(fulltext, ...))
       CASE WHEN lang.lanname IN ('internal', 'c') THEN pg_get_triggerdef(tg.oid) ELSE p.prosrc END,
       -- generic functions take the column to maintain as an argument: touch_column('updated_at')
       CASE WHEN tg.tgnargs > 0 THEN string_to_array(rtrim(encode(tg.tgargs, 'escape'), '\\000'), '\\000') END
FROM pg_trigger tg
JOIN pg_proc p ON p.oid = tg.tgfoid
JOIN pg_language lang ON lang.oid = p.prolang
JOIN pg_namespace pn ON pn.oid = p.pronamespace
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND {SYSTEM_SCHEMA_FILTER} AND {NOT_EXTENSION_MEMBER}
"""

ENUMS_SQL = """
SELECT t.oid, n.nspname, t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
GROUP BY t.oid, n.nspname, t.typname
"""

# A domain's CHECK (VALUE IN (...)) limits every column of that type: it explains a status column
# as well as a table's CHECK does.
DOMAIN_CHECKS_SQL = """
SELECT co.contypid, t.typname, co.conname, pg_get_constraintdef(co.oid)
FROM pg_constraint co
JOIN pg_type t ON t.oid = co.contypid
WHERE co.contype = 'c' AND co.contypid <> 0
"""

LOCK_RETRIES = 3
# From this many pg_class rows (tables, indexes, sequences, system catalogs: about 400 in an empty
# database) the constraints and access facts are read on a second connection while the first reads
# the rest. Below it, one connection reads everything in a fraction of a second.
SECOND_SESSION_FROM = 2000
SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$")


class PostgresDialect(Dialect):
    engine = "postgresql"
    sqlglot_dialect = "postgres"
    has_enum_types = True
    has_row_change_counters = True
    has_column_statistics = True


    def read_access(self, session: Session, schemas: Sequence[str] | None = None) -> AccessFacts:
        from dayone.dialects.postgres_access import read_access

        return read_access(session, schemas)

    def connect(self, target: DatabaseTarget, options: SessionOptions) -> Session:
        import psycopg

        guards = " ".join(
            f"-c {name}={value}"
            for name, value in (
                ("default_transaction_read_only", "on"),
                ("statement_timeout", _ms(options.statement_timeout)),
                ("lock_timeout", _ms(options.lock_timeout)),
                ("idle_in_transaction_session_timeout", _ms(options.idle_timeout)),
                ("jit", "off"),
            )
        )
        params = {
            "host": target.host,
            "port": target.port,
            "user": target.username,
            "password": target.password,
            "dbname": target.database,
            "connect_timeout": max(2, round(options.connect_timeout)),  # libpq's minimum is 2 s
            "application_name": options.application_name,
            "options": guards,
        }
        from dayone.dialects.postgres_connection import WatchedConnection

        try:
            # URL query parameters (sslmode, a socket directory as ?host=...) fill what the URL left out
            connection = WatchedConnection.connect(**{**target.query, **{k: v for k, v in params.items() if v is not None}})
        except psycopg.Error as exc:
            raise connect_error(exc, target, options) from None
        # from here on, no wait for the server lasts longer than the statement timeout plus a grace period
        connection.watch(f"{target.host or 'localhost'}:{target.port or 5432}", options)
        connection.read_only = True
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one consistent view
        return Session(target=target, options=options, connection=connection)

    # Profiling lives in postgres_profile.py: pg_stats, then TABLESAMPLE SYSTEM per table.
    def read_statistics(self, session, tables, keep_values):
        from dayone.dialects import postgres_profile

        return postgres_profile.read_statistics(session, tables, keep_values)

    def table_sizes(self, session, tables):
        from dayone.dialects import postgres_profile

        return postgres_profile.table_sizes(session, tables)

    def profile_table(self, session, schema, table, request):
        from dayone.dialects import postgres_profile

        return postgres_profile.profile_table(session, schema, table, request)

    def look_up_keys(self, session, lookups):
        from dayone.dialects import postgres_profile

        return postgres_profile.look_up_keys(session, lookups)

    def interrupt(self, session):
        from dayone.dialects import postgres_profile

        postgres_profile.interrupt(session)

    def default_schemas(self, catalog, url_database):
        # the default search_path, "$user", public: a server or role that sets another one is not
        # seen in the catalog, so metric SQL names any other schema (app.rides)
        return [name for name in (catalog.current_user, "public") if name]

    def run_query(self, session, sql, row_limit):
        from dayone.dialects.queries import run_postgres

        return run_postgres(session, sql, row_limit)

    def read_catalog(self, session: Session, schemas: Sequence[str] | None = None) -> Catalog:
        import psycopg

        for attempt in range(LOCK_RETRIES):
            try:
                return self._read_catalog(session, list(schemas) if schemas else None)
            except psycopg.errors.LockNotAvailable:
                # A lock was taken after we looked at pg_locks: look again, skipping it this time.
                session.connection.rollback()
                if attempt == LOCK_RETRIES - 1:
                    raise DayoneError(
                        "tables kept being locked while the catalog was read; try again when DDL is not running"
                    ) from None
            except psycopg.Error as exc:
                session.connection.rollback()
                raise catalog_error(exc, session) from None
            finally:
                if session.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    session.connection.rollback()
        raise AssertionError("unreachable")

    def _read_catalog(self, session: Session, schemas: list[str] | None) -> Catalog:
        locked = dict(session.query(LOCKED_RELATIONS_SQL))
        params = {"schemas": schemas, "locked": list(locked), "cdc": list(CDC_SETTINGS)}
        version, database, user, server_tz, session_tz, in_recovery, cdc, relation_count, others_at_work = session.query(SERVER_SQL, params)[0]
        session.settle_pace(others_at_work)
        with self._second_half(session, params, schemas, relation_count) as pending:
            schema_names = [row[0] for row in session.query(SCHEMAS_SQL, params)]
            enums = session.query(ENUMS_SQL)
            domain_checks = session.query(DOMAIN_CHECKS_SQL)
            relations = session.query(RELATIONS_SQL, params)
            columns = session.query(COLUMNS_SQL, params)
            indexes = session.query(INDEXES_SQL, params)
            triggers = session.query(TRIGGERS_SQL, params)
            if pending is None:
                constraints = session.query(CONSTRAINTS_SQL, params)
            session.connection.rollback()  # end the read-only transaction now: short transactions only
            if pending is None:
                access = _read_access(session, schemas)
            catalog = self._build(
                locked, relations, columns, indexes, triggers, enums, domain_checks,
                # the second session's half, waited for only now: the first built its part meanwhile
                lambda: pending.result() if pending is not None else (constraints, access),
            )  # fmt: skip
        return Catalog(
            product="postgresql",
            version=version,
            database=database,
            current_user=user,
            server_timezone=server_tz,
            session_timezone=session_tz,
            is_replica=in_recovery,
            cdc_settings=dict(sorted((cdc or {}).items())),
            schemas=tuple(
                Schema(
                    name=name,
                    tables=tuple(sorted(catalog[0].get(name, ()), key=lambda t: t.name)),
                    enums=tuple(sorted(catalog[1].get(name, ()), key=lambda e: e.name)),
                )
                for name in sorted(schema_names)
            ),
            access=catalog[2],
        )

    @contextmanager
    def _second_half(self, session: Session, params: dict, schemas, relation_count: int) -> Iterator:
        """The constraints (whose CHECK expressions the server deparses one by one) and the access
        facts, read on the second connection in the same snapshot as the first; None when the catalog
        is small or a second connection or an exported snapshot is not to be had."""
        import psycopg

        from dayone.dialects.alongside import alongside

        exported = None
        if relation_count >= SECOND_SESSION_FROM and not session.rest:  # a gentle session holds one connection
            try:
                exported = session.query("SELECT pg_export_snapshot()")[0][0]
            except psycopg.Error:  # a pooler or server that will not: one connection reads it all
                session.connection.rollback()
        if exported is None or not SNAPSHOT_ID.match(exported):
            yield None
            return

        def second_half(second: Session) -> tuple[list[tuple], AccessFacts]:
            if second is not session:  # (no second connection: the first reads it after its own part)
                try:  # the first session's transaction is open until the columns are read: the id is valid
                    second.query(f"SET TRANSACTION SNAPSHOT '{exported}'")
                except psycopg.Error:
                    second.connection.rollback()  # consistent within each half, read a moment apart
            constraints = second.query(CONSTRAINTS_SQL, params)
            second.connection.rollback()
            return constraints, _read_access(second, schemas)

        with alongside(session, second_half, interrupt=self.interrupt) as pending:
            yield pending

    def _build(self, locked, relations, columns, indexes, triggers, enums, domain_checks, second_half):
        """Tables and enums by schema, and the access facts, from the rows of the bulk queries."""
        enum_values = {oid: tuple(values) for oid, _, _, values in enums}
        columns_of: dict[int, list[Column]] = defaultdict(list)
        checks_of_domain: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for domain, domain_name, check_name, definition in domain_checks:
            checks_of_domain[domain].append((domain_name, check_name, _strip_check(definition)))
        domain_columns: dict[int, list[CheckConstraint]] = defaultdict(list)
        for rel, num, name, declared, typname, typtype, category, typ, domain, notnull, default, ident, gen, comment in columns:
            for domain_name, check_name, expression in checks_of_domain.get(domain, ()):
                sets = tuple(ValueSet(column=name, values=vs.values) for vs in value_sets(expression, "postgres"))
                domain_columns[rel].append(CheckConstraint(name=f"{check_name} (domain {domain_name}, column {name})",
                                                           expression=expression, value_sets=sets))  # fmt: skip
            columns_of[rel].append(
                Column(
                    name=name,
                    position=num,
                    declared_type=declared,
                    normalized_type=_normalize(typname, typtype, category),
                    nullable=not notnull,
                    default=None if gen else default,
                    identity=_identity(ident, default),
                    generated=default if gen else None,
                    comment=comment,
                    enum_values=enum_values.get(typ, ()),
                )
            )
        column_names = {(rel, column.position): column.name for rel, cols in columns_of.items() for column in cols}
        indexes_of: dict[int, list[Index]] = defaultdict(list)
        for rel, name, unique, primary, method, numbers, expressions, predicate in indexes:
            indexes_of[rel].append(
                Index(
                    name=name,
                    columns=_index_columns(rel, numbers, expressions, column_names),
                    unique=unique,
                    primary=primary,
                    method=method,
                    predicate=predicate,
                )
            )
        triggers_of: dict[int, list[Trigger]] = defaultdict(list)
        for rel, name, tgtype, function, body, arguments in triggers:
            triggers_of[rel].append(_trigger(name, tgtype, function, body, tuple(arguments or ())))

        constraints, access = second_half()
        keys: dict[int, dict] = defaultdict(lambda: {"pk": None, "uq": [], "fk": [], "ck": []})
        for rel, name, kind, numbers, ref_schema, ref_table, ref_cols, on_update, on_delete, definition, validated in constraints:
            cols = [column_names[(rel, number)] for number in numbers or () if (rel, number) in column_names]
            if kind == "p":
                keys[rel]["pk"] = PrimaryKey(name=name, columns=tuple(cols))
            elif kind == "u":
                keys[rel]["uq"].append(UniqueConstraint(name=name, columns=tuple(cols)))
            elif kind == "f":
                keys[rel]["fk"].append(
                    ForeignKey(
                        name=name,
                        columns=tuple(cols),
                        referred_schema=ref_schema,
                        referred_table=ref_table,
                        referred_columns=tuple(ref_cols),
                        on_delete=FK_ACTIONS[on_delete],
                        on_update=FK_ACTIONS[on_update],
                    )
                )
            else:
                expression = _strip_check(definition) if definition is not None else "(not read: table locked)"
                keys[rel]["ck"].append(
                    CheckConstraint(
                        name=name,
                        expression=expression,
                        value_sets=value_sets(expression, "postgres") if definition else (),
                        validated=validated,
                    )
                )
        tables_of: dict[str, list[Table]] = defaultdict(list)
        for row in relations:
            oid, schema, name, relkind, comment, rows, size, ins, upd, dele, parent, bound, view_sql, strategy, key_numbers, key = row
            k = keys.get(oid, {"pk": None, "uq": [], "fk": [], "ck": []})
            tables_of[schema].append(
                Table(
                    name=name,
                    kind="partition" if parent is not None else RELKINDS[relkind],
                    comment=comment,
                    estimated_rows=rows,
                    size_bytes=size,
                    inserts=ins,
                    updates=upd,
                    deletes=dele,
                    columns=tuple(sorted(columns_of.get(oid, ()), key=lambda c: c.position)),
                    primary_key=k["pk"],
                    unique_constraints=_by_name(k["uq"]),
                    foreign_keys=_by_name(k["fk"]),
                    check_constraints=_by_name(k["ck"] + domain_columns.get(oid, [])),
                    indexes=_by_name(indexes_of.get(oid, [])),
                    triggers=_by_name(triggers_of.get(oid, [])),
                    view_definition=view_sql.strip() if view_sql else None,
                    partition_of=parent,
                    partition_bound=bound,
                    partitioning=_partitioning(oid, strategy, key_numbers, key, column_names) if strategy else None,
                    skipped=_locked_reason(locked[oid]) if oid in locked else None,
                )
            )
        enums_of: dict[str, list[EnumType]] = defaultdict(list)
        for _, schema, name, values in enums:
            enums_of[schema].append(EnumType(name=name, values=tuple(values)))
        return tables_of, enums_of, access

def _read_access(session: Session, schemas) -> AccessFacts:
    from dayone.dialects.postgres_access import read_access  # it builds on this module's filters

    return read_access(session, schemas)  # its own short transactions; what it may not read stays unknown


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _by_name(items):
    return tuple(sorted(items, key=lambda item: (item.name or "", getattr(item, "columns", ()))))


def _normalize(typname: str, typtype: str, category: str) -> str:
    if category == "A":
        return "array"
    if typtype == "e":
        return "enum"
    return TYPE_FAMILIES.get(typname, "other")


def _identity(attidentity: str, default: str | None) -> str | None:
    if attidentity == "a":
        return "always"
    if attidentity == "d":
        return "by default"
    if default and default.startswith("nextval("):
        return "serial"
    return None


def _index_columns(rel: int, numbers, expressions, column_names: dict) -> tuple[str, ...]:
    """An index's key columns by name; an expression as PostgreSQL prints it (or a placeholder when the
    table was locked and pg_get_indexdef was not asked)."""
    columns = []
    for position, number in enumerate(numbers or ()):
        if number != 0:
            columns.append(column_names.get((rel, number), f"(column {number})"))
        elif expressions:
            columns.append(expressions[position])
        else:
            columns.append("(expression not read: table locked)")
    return tuple(columns)


def _partitioning(rel: int, strategy: str, numbers, definition: str | None, column_names: dict) -> Partitioning:
    """The partition key: 'RANGE (created_at)' -> strategy RANGE, key 'created_at', columns
    ('created_at',). Key columns are named from their numbers; an expression is taken from the text
    pg_get_partkeydef printed (not read when the table was locked)."""
    name = PARTITION_STRATEGIES.get(strategy, strategy)
    key = definition
    if definition is not None and definition.startswith(f"{name} (") and definition.endswith(")"):
        key = definition[len(name) + 2 : -1]
    printed = _top_level_parts(key) if key is not None else []
    if len(printed) != len(numbers or ()):
        printed = []  # not the shape pg_get_partkeydef prints: name columns, leave expressions unread
    columns = []
    for position, number in enumerate(numbers or ()):
        if number != 0:
            columns.append(column_names.get((rel, number), f"(column {number})"))
        else:
            columns.append(printed[position] if printed else "(expression not read: table locked)")
    return Partitioning(strategy=name, key=key, columns=tuple(columns))


def _top_level_parts(text: str) -> list[str]:
    """'date_trunc('day'::text, at), id' -> ["date_trunc('day'::text, at)", 'id']: split on the commas
    outside parentheses, string literals and quoted names."""
    parts, depth, start, quote = [], 0, 0, None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None  # a doubled quote closes and reopens: the same result
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _strip_check(definition: str) -> str:
    """'CHECK ((x > 0)) NOT VALID' -> '(x > 0)': the expression alone, as other engines give it."""
    return definition.removesuffix(" NOT VALID").removeprefix("CHECK (").removesuffix(")")


def _trigger(name: str, tgtype: int, function: str, body: str, arguments: tuple[str, ...] = ()) -> Trigger:
    # pg_trigger.tgtype bit layout, from src/include/catalog/pg_trigger.h
    timing = "INSTEAD OF" if tgtype & 64 else "BEFORE" if tgtype & 2 else "AFTER"
    events = tuple(event for bit, event in ((4, "INSERT"), (16, "UPDATE"), (8, "DELETE"), (32, "TRUNCATE")) if tgtype & bit)
    return Trigger(
        name=name,
        timing=timing,
        events=events,
        orientation="ROW" if tgtype & 1 else "STATEMENT",
        body=body.strip(),
        function=function,
        arguments=arguments,
    )


def _locked_reason(pid: int) -> str:
    return (
        f"locked by another session (ACCESS EXCLUSIVE lock, pid {pid}): generated columns' expressions, "
        "check expressions, index expressions, partition keys and view text were not read"
    )
