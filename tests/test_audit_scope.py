"""Framework tables and --exclude: kept out of the findings and the profile, listed once as not
audited; --include-framework audits them. Fragments of real schemas: Lago (Rails + pg_partman),
a Laravel application, a Django application."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_audit_cli import dayone

from dayone import api
from dayone.groups import build_report

RAILS_AND_PARTMAN = """
CREATE SCHEMA partman;
CREATE TABLE partman.template_public_enriched_events (organization_id uuid NOT NULL, code varchar NOT NULL,
    enriched_at timestamp(6) without time zone NOT NULL);
CREATE TABLE public.schema_migrations (version character varying NOT NULL PRIMARY KEY);
CREATE TABLE public.ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying,
    created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);
CREATE TABLE public.active_storage_blobs (id uuid PRIMARY KEY, key varchar NOT NULL, filename varchar NOT NULL,
    service_name varchar NOT NULL, created_at timestamp(6) without time zone NOT NULL);
CREATE TABLE public.organizations (id uuid PRIMARY KEY, name varchar NOT NULL,
    created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);
CREATE TABLE public.invoices (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status integer NOT NULL,
    created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);
CREATE TABLE public.tmp_backfill_invoices (id uuid, status integer);
"""



@pytest.mark.postgres
def test_framework_tables_are_listed_once_and_not_audited(pg_db):
    pg_db.execute(RAILS_AND_PARTMAN)
    result = api.audit(pg_db.url, exclude=["public.tmp_*"])
    tables = {f.location.table for f in result.findings if f.location.table}
    assert {"organizations", "invoices"} <= tables
    assert not tables & {"schema_migrations", "ar_internal_metadata", "active_storage_blobs",
                         "template_public_enriched_events", "tmp_backfill_invoices"}  # fmt: skip
    # neither read by the profile
    profiled = {t.table for t in result.profile.tables}
    assert profiled == {"organizations", "invoices"}
    said = "\n".join(build_report(result).not_read)
    assert "not audited (framework): Rails: public.active_storage_blobs, public.ar_internal_metadata, public.schema_migrations" in said
    assert "not audited (framework): pg_partman: partman.template_public_enriched_events" in said
    assert "not audited (--exclude 'public.tmp_*'): public.tmp_backfill_invoices" in said

    everything = api.audit(pg_db.url, include_framework=True)
    tables = {f.location.table for f in everything.findings if f.location.table}
    assert {"ar_internal_metadata", "template_public_enriched_events", "tmp_backfill_invoices"} <= tables
    assert not build_report(everything).not_read or "framework" not in "\n".join(build_report(everything).not_read)


def test_generic_names_count_as_framework_only_with_the_frameworks_columns(tmp_path):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            -- Laravel's own ledger and queue
            CREATE TABLE migrations (id INTEGER PRIMARY KEY, migration VARCHAR(255) NOT NULL, batch INTEGER NOT NULL);
            CREATE TABLE jobs (id INTEGER PRIMARY KEY, queue VARCHAR(255), payload TEXT, attempts INTEGER,
                               reserved_at INTEGER, available_at INTEGER, created_at INTEGER);
            CREATE TABLE failed_jobs (id INTEGER PRIMARY KEY, uuid VARCHAR(255), payload TEXT, failed_at DATETIME);
            -- Django's
            CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app VARCHAR(255), name VARCHAR(255), applied DATETIME);
            CREATE TABLE auth_permission (id INTEGER PRIMARY KEY, name VARCHAR(255), codename VARCHAR(100));
            CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username VARCHAR(150), date_joined DATETIME);
            -- the application's own tables that happen to share a generic name
            CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER, started_at DATETIME, device VARCHAR(40));
            CREATE TABLE cache (id INTEGER PRIMARY KEY, card_id INTEGER, price NUMERIC);
        """)
    result = api.audit(f"sqlite:///{path}")
    tables = {f.location.table for f in result.findings if f.location.table}
    assert {"auth_user", "sessions", "cache"} <= tables  # audited: the application's data
    assert not tables & {"migrations", "jobs", "failed_jobs", "django_migrations", "auth_permission"}
    said = "\n".join(build_report(result).not_read)
    assert "Laravel: app.failed_jobs, app.jobs, app.migrations" in said
    assert "Django: app.auth_permission, app.django_migrations" in said


def test_exclude_and_include_framework_on_the_command_line(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, status VARCHAR(20), created_at DATETIME);
            CREATE TABLE tmp_orders_copy (id INTEGER, status VARCHAR(20));
        """)
    done = dayone("audit", str(path), "--format", "json", "--exclude", "tmp_*", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    targets = {f["target"] for f in json.loads(done.stdout)["findings"]}
    assert "shop.orders" in targets
    assert not any(t.startswith(("shop.tmp_orders_copy", "shop.schema_migrations")) for t in targets)
    done = dayone("audit", str(path), "--format", "json", "--include-framework", "--fail-on", "never")
    targets = {f["target"] for f in json.loads(done.stdout)["findings"]}
    assert "shop.schema_migrations" in {t.rsplit(".", 1)[0] if t.count(".") > 1 else t for t in targets}
    assert any(t.startswith("shop.tmp_orders_copy") for t in targets)
