"""Tables that belong to a framework or a tool, not to the application's data model.

Migration ledgers, job queues, session and cache stores, file-attachment bookkeeping, feature
flags and partition templates are written by libraries, not by the product: asking the product's
engineers why `schema_migrations` has no `created_at` wastes everyone's time. The audit lists
them once as "not audited (framework)"; `--include-framework` audits them anyway.

A table is recognised by its name; names an application could also choose for its own data
(`migrations`, `jobs`, `sessions`, `cache`) count only with the columns the framework gives them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import translate
from functools import cached_property, lru_cache

from dayone.catalog.model import Table


@dataclass(frozen=True)
class Framework:
    name: str
    tables: tuple[str, ...] = ()  # glob patterns on the lower-cased table name
    schemas: tuple[str, ...] = ()  # every table of these schemas (glob, lower-cased)
    # A generic table name counts only when the table has all these columns: name -> columns.
    shaped: tuple[tuple[str, tuple[str, ...]], ...] = ()

    # One regular expression per list: a 5,000-table catalog is matched against every framework.
    @cached_property
    def table_pattern(self) -> re.Pattern[str] | None:
        return _any_of(self.tables)

    @cached_property
    def schema_pattern(self) -> re.Pattern[str] | None:
        return _any_of(self.schemas)


def _any_of(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{translate(glob)})" for glob in globs)) if globs else None


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("Rails", (
        "ar_internal_metadata", "active_storage_blobs", "active_storage_attachments",
        "active_storage_variant_records", "action_text_rich_texts", "action_mailbox_inbound_emails",
    ), shaped=(("schema_migrations", ("version",)),)),
    Framework("Rails jobs and caches (good_job, delayed_job, solid_queue, solid_cache, solid_cable, que)", (
        "good_jobs", "good_job_*", "delayed_jobs", "solid_queue_*", "solid_cache_entries", "solid_cable_messages",
        "que_jobs", "que_lockers", "que_values",
    )),
    Framework("Doorkeeper (OAuth)", (
        "oauth_access_grants", "oauth_access_tokens", "oauth_applications", "oauth_openid_requests",
        "oauth_device_grants",
    )),
    Framework("Flipper, Blazer, PgHero", ("flipper_features", "flipper_gates", "blazer_*", "pghero_*")),
    Framework("Django", (
        "django_migrations", "django_content_type", "django_admin_log", "django_session", "django_site",
        "auth_permission", "auth_group", "auth_group_permissions", "auth_user_groups",
        "auth_user_user_permissions", "django_celery_beat_*", "django_celery_results_*", "celery_taskmeta",
        "celery_tasksetmeta", "django_q_*", "silk_*",
    )),
    Framework("Laravel", (
        "failed_jobs", "job_batches", "password_reset_tokens", "personal_access_tokens",
        "telescope_*", "pulse_*", "oauth_auth_codes", "oauth_clients", "oauth_personal_access_clients",
        "oauth_refresh_tokens",
    ), shaped=(
        ("migrations", ("migration", "batch")),
        ("password_resets", ("email", "token")),
        ("jobs", ("queue", "payload", "attempts")),
        ("sessions", ("payload", "last_activity")),
        ("cache", ("key", "value", "expiration")),
        ("cache_locks", ("key", "owner", "expiration")),
    )),
    Framework("migration tools (Flyway, Liquibase, Alembic, Prisma, Knex, Sequelize, goose, Doctrine, Diesel, "
              "sqlx, EF Core, MikroORM, TypeORM)", (
        "flyway_schema_history", "databasechangelog", "databasechangeloglock", "alembic_version",
        "_prisma_migrations", "knex_migrations", "knex_migrations_lock", "sequelizemeta", "goose_db_version",
        "doctrine_migration_versions", "__diesel_schema_migrations", "_sqlx_migrations", "__efmigrationshistory",
        "mikro_orm_migrations", "typeorm_metadata", "__drizzle_migrations",
    ), schemas=("drizzle",)),
    Framework("job schedulers (Quartz, Oban, River, pg-boss, graphile-worker, Hangfire, Spring Batch, ShedLock)", (
        "qrtz_*", "oban_jobs", "oban_peers", "oban_producers", "river_job", "river_leader", "river_migration",
        "river_queue", "river_client", "river_client_queue", "batch_job_*", "batch_step_*", "shedlock",
        "spring_session", "spring_session_attributes",
    ), schemas=("pgboss", "graphile_worker", "hangfire")),
    Framework("pg_partman", schemas=("partman",)),
)


def framework_of(schema: str, table: Table) -> str | None:
    """The framework or tool `table` belongs to, or None for the application's own tables."""
    name, schema = table.name.lower(), schema.lower()
    if not _might_belong(schema, name):  # most tables: one look instead of one per framework
        return None
    for framework in FRAMEWORKS:
        if framework.schema_pattern is not None and framework.schema_pattern.match(schema):
            return framework.name
        if framework.table_pattern is not None and framework.table_pattern.match(name):
            return framework.name
        for shaped_name, columns in framework.shaped:
            if name == shaped_name and _has_columns(table, columns):
                return framework.name
    return None


@lru_cache(maxsize=1)
def _every_framework() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, frozenset[str]]:
    """What any framework's schemas, tables and shaped tables are named: one pattern per list."""
    return (
        _any_of(tuple(glob for f in FRAMEWORKS for glob in f.schemas)),
        _any_of(tuple(glob for f in FRAMEWORKS for glob in f.tables)),
        frozenset(name for f in FRAMEWORKS for name, _ in f.shaped),
    )


def _might_belong(schema: str, name: str) -> bool:
    schemas, tables, shaped = _every_framework()
    return (name in shaped or (tables is not None and tables.match(name) is not None)
            or (schemas is not None and schemas.match(schema) is not None))  # fmt: skip


def _has_columns(table: Table, wanted: tuple[str, ...]) -> bool:
    present = {c.name.lower() for c in table.columns}
    return all(column in present for column in wanted)
