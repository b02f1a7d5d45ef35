"""Data flow rules (DF2xx), each as a table of cases run on real PostgreSQL, MariaDB/MySQL and
SQLite: the failing and the passing variant side by side in one small schema."""

from __future__ import annotations

import pytest

from rule_harness import ENGINES, MARKS, case, everywhere, local, params

CREATED = "missing-created-at"
UPDATED = "missing-updated-at"
NOT_MAINTAINED = "updated-at-not-maintained"
UNTRACKED = "untracked-status-changes"
SOFT_DELETE = "soft-delete-column"
HARD_DELETES = "hard-deletes"
POLICY_UNKNOWN = "deletion-policy-unknown"
EXTRACTION = "extraction-method"
CHANGELOG = "changelog-found"
RETENTION = "partition-retention"

# The usual date-time type of each engine; SQLite applications mostly store ISO-8601 text.
TS = {"postgresql": "timestamptz", "mysql": "DATETIME", "sqlite": "DATETIME"}
TEXT_TS = {**TS, "sqlite": "TEXT"}


def with_types(template: str, ts: dict[str, str] = TS, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The template on every engine with {ts} spelled as the engine's, plus any engine-specific tail."""
    return {engine: template.replace("{ts}", ts[engine]) + (extra or {}).get(engine, "") for engine in ENGINES}


MAINTAINED = case(
    "updated-at-maintained",
    {
        "postgresql": """
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
            CREATE FUNCTION log_profile() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO profile_log (profile_id, seen_updated_at) VALUES (NEW.id, NEW.updated_at); RETURN NEW; END $$;
            CREATE EXTENSION moddatetime;
            CREATE TABLE carts (id integer PRIMARY KEY, updated_at timestamptz DEFAULT now());
            CREATE TABLE wishlists (id integer PRIMARY KEY, updated_at timestamptz DEFAULT now());
            CREATE TRIGGER wishlists_touch BEFORE UPDATE ON wishlists FOR EACH ROW EXECUTE FUNCTION touch();
            CREATE TABLE lamps (id integer PRIMARY KEY, updated_at timestamptz);
            CREATE TRIGGER lamps_touch BEFORE UPDATE ON lamps FOR EACH ROW EXECUTE FUNCTION moddatetime(updated_at);
            CREATE TABLE rooms (id integer PRIMARY KEY, updated_at timestamptz);
            CREATE TRIGGER rooms_touch BEFORE INSERT ON rooms FOR EACH ROW EXECUTE FUNCTION touch();
            CREATE TABLE profiles (id integer PRIMARY KEY, bio text, updated_at timestamptz);
            CREATE TABLE profile_log (id integer PRIMARY KEY, profile_id integer, seen_updated_at timestamptz);
            CREATE TRIGGER profiles_log AFTER UPDATE ON profiles FOR EACH ROW EXECUTE FUNCTION log_profile();
            CREATE TABLE visit_log (id integer PRIMARY KEY, changed_at timestamptz);
            CREATE TABLE page_views (url text, viewed_at timestamptz);
            CREATE TABLE click_events (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, url text);
        """,
        "mysql": """
            CREATE TABLE carts (id integer PRIMARY KEY, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
            CREATE TABLE wishlists (id integer PRIMARY KEY, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
            CREATE TRIGGER wishlists_touch BEFORE UPDATE ON wishlists FOR EACH ROW SET NEW.updated_at = NOW();
            CREATE TABLE lamps (id integer PRIMARY KEY,
                                updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);
            CREATE TABLE baskets (id integer PRIMARY KEY,
                                  updated_at DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3));
            CREATE TABLE rooms (id integer PRIMARY KEY, updated_at DATETIME);
            CREATE TRIGGER rooms_touch BEFORE INSERT ON rooms FOR EACH ROW SET NEW.updated_at = NOW();
            CREATE TABLE profiles (id integer PRIMARY KEY, bio text, updated_at DATETIME);
            CREATE TABLE profile_log (id integer PRIMARY KEY AUTO_INCREMENT, profile_id integer, seen_updated_at DATETIME);
            CREATE TRIGGER profiles_log AFTER UPDATE ON profiles FOR EACH ROW
                INSERT INTO profile_log (profile_id, seen_updated_at) VALUES (NEW.id, NEW.updated_at);
            CREATE TABLE visit_log (id integer PRIMARY KEY, changed_at DATETIME);
            CREATE TABLE page_views (url text, viewed_at DATETIME);
            CREATE TABLE click_events (id integer AUTO_INCREMENT PRIMARY KEY, url text);
        """,
        "sqlite": """
            CREATE TABLE carts (id INTEGER PRIMARY KEY, updated_at TEXT DEFAULT CURRENT_TIMESTAMP);
            CREATE TABLE wishlists (id INTEGER PRIMARY KEY, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
            CREATE TRIGGER wishlists_touch AFTER UPDATE ON wishlists FOR EACH ROW
            BEGIN UPDATE wishlists SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
            CREATE TABLE lamps (id INTEGER PRIMARY KEY, updated_at TEXT);
            CREATE TRIGGER lamps_touch AFTER UPDATE ON lamps WHEN NEW.updated_at IS OLD.updated_at
            BEGIN UPDATE lamps SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE id = NEW.id; END;
            CREATE TABLE rooms (id INTEGER PRIMARY KEY, updated_at DATETIME);
            CREATE TRIGGER rooms_touch AFTER INSERT ON rooms
            BEGIN UPDATE rooms SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
            CREATE TABLE profiles (id INTEGER PRIMARY KEY, bio TEXT, updated_at DATETIME);
            CREATE TABLE profile_log (id INTEGER PRIMARY KEY, profile_id INTEGER, seen_updated_at DATETIME);
            CREATE TRIGGER profiles_log AFTER UPDATE ON profiles
            BEGIN INSERT INTO profile_log (profile_id, seen_updated_at) VALUES (NEW.id, NEW.updated_at); END;
            CREATE TABLE visit_log (id INT PRIMARY KEY, changed_at DATETIME);  -- INT: not the rowid
            CREATE TABLE page_views (url TEXT, viewed_at DATETIME);
            CREATE TABLE click_events (id INTEGER PRIMARY KEY, url TEXT);
        """,
    },
    present=[
        (NOT_MAINTAINED, "carts.updated_at"),  # a DEFAULT sets it on insert only
        (NOT_MAINTAINED, "rooms.updated_at"),  # the trigger fires on INSERT, not UPDATE
        (NOT_MAINTAINED, "profiles.updated_at"),  # the UPDATE trigger reads it, never sets it
    ],
    absent=[
        (NOT_MAINTAINED, "wishlists.updated_at"),  # BEFORE UPDATE trigger (AFTER UPDATE in SQLite)
        (NOT_MAINTAINED, "lamps.updated_at"),  # moddatetime / ON UPDATE CURRENT_TIMESTAMP / trigger
        (NOT_MAINTAINED, "baskets.updated_at"),  # DATETIME(3) ON UPDATE CURRENT_TIMESTAMP(3)
        (NOT_MAINTAINED, "visit_log.changed_at"),  # a log's rows are written once
        (UPDATED, "carts"), (UPDATED, "profiles"), (UPDATED, "visit_log"),
    ],  # fmt: skip
    expect={(NOT_MAINTAINED, "profiles.updated_at"): {"triggers": ["profiles_log"]},
            (NOT_MAINTAINED, "carts.updated_at"): {"triggers": None}},  # fmt: skip
)

CASES = [
    # --- missing-created-at, missing-updated-at --------------------------------------------------
    case(
        "created-updated",
        with_types("""
            CREATE TABLE notes (id integer PRIMARY KEY, body text);
            CREATE TABLE posts (id integer PRIMARY KEY, created_at {ts}, updated_at {ts});
            CREATE TABLE signups (id integer PRIMARY KEY, date_created {ts}, modified_on {ts});
            CREATE TABLE trips (id integer PRIMARY KEY, started_at {ts}, last_update {ts});
            CREATE TABLE login_events (id integer PRIMARY KEY, occurred_at {ts});
            CREATE TABLE countries (code varchar(2) PRIMARY KEY, name varchar(80));
            CREATE TABLE offices (id integer PRIMARY KEY, country_code varchar(2), created_at {ts}, updated_at {ts},
                                  FOREIGN KEY (country_code) REFERENCES countries (code));
        """),
        present=[(CREATED, "notes"), (UPDATED, "notes"), (CREATED, "trips"), (CREATED, "countries"), (UPDATED, "countries")],
        absent=[
            (CREATED, "posts"), (UPDATED, "posts"),
            (CREATED, "signups"), (UPDATED, "signups"),  # date_created, modified_on
            (UPDATED, "trips"),  # last_update
            (CREATED, "login_events"), (UPDATED, "login_events"),  # append-only: occurred_at is when the row was written
            (CREATED, "offices"), (UPDATED, "offices"),
        ],  # fmt: skip
        expect={
            (CREATED, "notes"): {"severity": "warning"},
            (CREATED, "trips"): {"other_time_columns": ["started_at"]},
            (CREATED, "countries"): {"severity": "info"},  # a small lookup table
            (UPDATED, "countries"): {"severity": "info"},
        },
    ),
    case(
        "created-updated-stored-as-text-or-epoch",
        {
            "postgresql": "CREATE TABLE posts (id integer PRIMARY KEY, created_at bigint, updated_at bigint, created_by text);",
            "mysql": "CREATE TABLE posts (id integer PRIMARY KEY, created_at INT UNSIGNED, updated_at INT UNSIGNED, created_by text);",
            "sqlite": """CREATE TABLE posts (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
                         updated_at TEXT, created_by TEXT);""",
        },
        present=[(NOT_MAINTAINED, "posts.updated_at")],
        absent=[(CREATED, "posts"), (UPDATED, "posts")],
    ),
    # --- updated-at-not-maintained ---------------------------------------------------------------
    case(
        "updated-at-generic-trigger-function",
        {"postgresql": """
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], now()));
                RETURN NEW;
            END $$;
            CREATE TABLE carts (id integer PRIMARY KEY, updated_at timestamptz, modified_at timestamptz);
            CREATE TRIGGER carts_touch BEFORE UPDATE ON carts FOR EACH ROW EXECUTE FUNCTION touch('updated_at');
        """},
        present=[(NOT_MAINTAINED, "carts.modified_at")],  # the trigger is told to set updated_at only
        absent=[(NOT_MAINTAINED, "carts.updated_at")],
    ),
    MAINTAINED,
    case(
        "awkward-names",  # camelCase, spaces, capitals: quoted everywhere, matched by their words ("Order Items" quoted in targets)
        {
            "postgresql": """
                CREATE FUNCTION "touch updated"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN NEW."updatedAt" := now(); RETURN NEW; END $$;
                CREATE TABLE "Orders" (id integer PRIMARY KEY, "Status" varchar(20), "createdAt" timestamptz,
                                       "updatedAt" timestamptz);
                CREATE TRIGGER "Orders touch" BEFORE UPDATE ON "Orders" FOR EACH ROW EXECUTE FUNCTION "touch updated"();
                CREATE TABLE "Order Items" (id integer PRIMARY KEY, "orderId" integer, "createdAt" timestamptz,
                                            "updatedAt" timestamptz, "deletedAt" timestamptz);
            """,
            "mysql": """
                CREATE TABLE `Orders` (id integer PRIMARY KEY, `Status` varchar(20), `createdAt` DATETIME,
                                       `updatedAt` DATETIME);
                CREATE TRIGGER `Orders touch` BEFORE UPDATE ON `Orders` FOR EACH ROW SET NEW.`updatedAt` = NOW();
                CREATE TABLE `Order Items` (id integer PRIMARY KEY, `orderId` integer, `createdAt` DATETIME,
                                            `updatedAt` DATETIME, `deletedAt` DATETIME);
            """,
            "sqlite": """
                CREATE TABLE "Orders" (id INTEGER PRIMARY KEY, "Status" TEXT, "createdAt" TEXT, "updatedAt" TEXT);
                CREATE TRIGGER "Orders touch" AFTER UPDATE ON "Orders"
                BEGIN UPDATE "Orders" SET "updatedAt" = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
                CREATE TABLE "Order Items" (id INTEGER PRIMARY KEY, "orderId" INTEGER, "createdAt" TEXT,
                                            "updatedAt" TEXT, "deletedAt" TEXT);
            """,
        },
        present=[
            (NOT_MAINTAINED, '"Order Items".updatedAt'), (SOFT_DELETE, '"Order Items".deletedAt'),
            ("implicit-foreign-key", '"Order Items".orderId'),
            (UNTRACKED, "Orders.Status"), ("unexplained-value-set", "Orders.Status"),
        ],
        absent=[(NOT_MAINTAINED, "Orders.updatedAt"), (CREATED, "Orders"), (UPDATED, "Orders"),
                (CREATED, '"Order Items"'), (UPDATED, '"Order Items"')],
        expect={("implicit-foreign-key", '"Order Items".orderId'): {"referred_table": "{schema}.Orders"}},
    ),  # fmt: skip
    # --- untracked-status-changes ----------------------------------------------------------------
    case(
        "status-history",
        with_types("""
            CREATE TABLE shipments (id integer PRIMARY KEY, status varchar(20));
            CREATE TABLE orders (id integer PRIMARY KEY, status varchar(20));
            CREATE TABLE order_status_history (id integer PRIMARY KEY, order_id integer, status varchar(20),
                                               changed_at {ts}, FOREIGN KEY (order_id) REFERENCES orders (id));
            CREATE TABLE parcels (id integer PRIMARY KEY, state varchar(20), picked_at {ts}, delivered_at {ts});
            CREATE TABLE tasks (id integer PRIMARY KEY, stage varchar(20), created_at {ts}, updated_at {ts},
                                deleted_at {ts});
            CREATE TABLE addresses (id integer PRIMARY KEY, street varchar(80), city varchar(80),
                                    state varchar(2), postal_code varchar(10));
            CREATE TABLE invoices (id integer PRIMARY KEY, status varchar(20));
            CREATE TABLE audit_entries (id integer PRIMARY KEY, entity varchar(40), entity_id integer,
                                        old_value varchar(20), new_value varchar(20));
            CREATE TABLE refunds (id integer PRIMARY KEY, status varchar(20), amount integer);
            CREATE TABLE refund_snapshots (refund_id integer, status varchar(20), amount integer, taken_at {ts});
            CREATE TABLE payouts (id integer PRIMARY KEY, status varchar(20));
            CREATE TABLE payout_graveyard (payout_id integer, status varchar(20));
        """, extra={
            "postgresql": """
                CREATE FUNCTION keep_refund() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                INSERT INTO refund_snapshots VALUES (OLD.id, OLD.status, OLD.amount, now()); RETURN OLD; END $$;
                CREATE TRIGGER refunds_keep BEFORE UPDATE OR DELETE ON refunds FOR EACH ROW EXECUTE FUNCTION keep_refund();
                CREATE FUNCTION bury_payout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                INSERT INTO payout_graveyard VALUES (OLD.id, OLD.status); RETURN OLD; END $$;
                CREATE TRIGGER payouts_bury BEFORE DELETE ON payouts FOR EACH ROW EXECUTE FUNCTION bury_payout();
                CREATE FUNCTION audit_invoice() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                INSERT INTO audit_entries (entity, entity_id, old_value, new_value)
                VALUES ('invoice', NEW.id, OLD.status, NEW.status); RETURN NEW; END $$;
                CREATE TRIGGER invoices_audit AFTER UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION audit_invoice();
            """,
            "mysql": """
                CREATE TRIGGER refunds_keep BEFORE UPDATE ON refunds FOR EACH ROW
                INSERT INTO refund_snapshots VALUES (OLD.id, OLD.status, OLD.amount, NOW());
                CREATE TRIGGER payouts_bury BEFORE DELETE ON payouts FOR EACH ROW
                INSERT INTO payout_graveyard VALUES (OLD.id, OLD.status);
                CREATE TRIGGER invoices_audit AFTER UPDATE ON invoices FOR EACH ROW
                INSERT INTO audit_entries (entity, entity_id, old_value, new_value)
                VALUES ('invoice', NEW.id, OLD.status, NEW.status);
            """,
            "sqlite": """
                CREATE TRIGGER refunds_keep BEFORE UPDATE ON refunds BEGIN
                INSERT INTO refund_snapshots VALUES (OLD.id, OLD.status, OLD.amount, CURRENT_TIMESTAMP); END;
                CREATE TRIGGER payouts_bury BEFORE DELETE ON payouts BEGIN
                INSERT INTO payout_graveyard VALUES (OLD.id, OLD.status); END;
                CREATE TRIGGER invoices_audit AFTER UPDATE OF status ON invoices BEGIN
                INSERT INTO audit_entries (entity, entity_id, old_value, new_value)
                VALUES ('invoice', NEW.id, OLD.status, NEW.status); END;
            """,
        }),
        present=[
            (UNTRACKED, "shipments.status"), (UNTRACKED, "tasks.stage"),  # created/updated/deleted are not statuses
            (CHANGELOG, "order_status_history"), (CHANGELOG, "audit_entries"),
            (CHANGELOG, "refund_snapshots"),  # whatever its name, a trigger on refunds writes it
            (UNTRACKED, "payouts.status"),  # a trigger on DELETE keeps the last status, not its changes
        ],  # fmt: skip
        absent=[
            (UNTRACKED, "orders.status"),  # order_status_history refers to orders
            (UNTRACKED, "order_status_history.status"),
            (UNTRACKED, "parcels.state"),  # picked_at, delivered_at
            (UNTRACKED, "invoices.status"),  # an UPDATE trigger writes an audit row
            (UNTRACKED, "addresses.state"),  # a region of an address, not a lifecycle state
            (UPDATED, "order_status_history"), (UPDATED, "audit_entries"), (UPDATED, "refund_snapshots"),  # written once
            (UNTRACKED, "refunds.status"),
            (CHANGELOG, "shipments"), (CHANGELOG, "orders"),
        ],  # fmt: skip
        expect={
            (CHANGELOG, "order_status_history"): {"covers": ["{schema}.orders"], "covered_by": ["its name"],
                                                  "status_columns": ["orders.status"], "has_status_column": True},
            (CHANGELOG, "audit_entries"): {"kind": "history table", "covers": ["{schema}.invoices"],
                                           "covered_by": ["trigger invoices_audit"]},
            (CHANGELOG, "refund_snapshots"): {"kind": "audit table", "covers": ["{schema}.refunds"],
                                              "covered_by": ["trigger refunds_keep"]},
        },  # fmt: skip
    ),
    # --- history tables (changelog-found), fragments of Danbooru, Lago, gisia, OpenStreetMap, Bagisto --
    case(
        "history-tables",
        with_types("""
            CREATE TABLE posts (id integer PRIMARY KEY, status varchar(20), created_at {ts}, updated_at {ts});
            CREATE TABLE post_versions (id integer PRIMARY KEY, updated_at {ts} NOT NULL, post_id integer NOT NULL,
                                        updater_id integer, version integer NOT NULL, tags text NOT NULL,
                                        is_deleted boolean NOT NULL);
            CREATE TABLE quotes (id integer PRIMARY KEY, created_at {ts}, updated_at {ts});
            CREATE TABLE quote_versions (id integer PRIMARY KEY, quote_id integer NOT NULL, status varchar(20) NOT NULL,
                                         approved_at {ts}, voided_at {ts}, created_at {ts} NOT NULL,
                                         updated_at {ts} NOT NULL);
            CREATE TABLE ci_runner_versions (version varchar(40) NOT NULL, status integer);
            CREATE TABLE nodes (node_id bigint NOT NULL, version bigint NOT NULL, latitude integer NOT NULL,
                                visible boolean NOT NULL, timestamp {ts} NOT NULL, PRIMARY KEY (node_id, version));
            CREATE TABLE node_tags (node_id bigint NOT NULL, version bigint NOT NULL, k varchar(255) NOT NULL,
                                    v varchar(255) NOT NULL, PRIMARY KEY (node_id, version, k));
            CREATE TABLE marketing_events (id integer PRIMARY KEY, name varchar(255) NOT NULL, description text,
                                           date date, created_at {ts}, updated_at {ts});
            CREATE TABLE login_sessions (id integer PRIMARY KEY, user_id integer, status varchar(20),
                                         created_at {ts}, updated_at {ts});
            CREATE TABLE catalog_rules (id integer PRIMARY KEY, name varchar(40), status varchar(20),
                                        created_at {ts}, updated_at {ts});
        """, TEXT_TS),
        present=[
            (CHANGELOG, "post_versions"), (CHANGELOG, "nodes"), (CHANGELOG, "node_tags"),
            (NOT_MAINTAINED, "quote_versions.updated_at"),  # approved_at, voided_at: it changes after it is written
            (NOT_MAINTAINED, "marketing_events.updated_at"),  # a calendar of events, not a log
            (UNTRACKED, "ci_runner_versions.status"),  # versions of a program, not of a row
            (UNTRACKED, "login_sessions.status"), (UNTRACKED, "catalog_rules.status"),  # not a log, whatever "log" says
        ],
        absent=[
            (UPDATED, "post_versions"), (NOT_MAINTAINED, "post_versions.updated_at"), (CREATED, "post_versions"),
            (SOFT_DELETE, "post_versions.is_deleted"),  # the state of the post it records
            (UNTRACKED, "posts.status"), (POLICY_UNKNOWN, "post_versions"),
            (CHANGELOG, "quote_versions"), (CHANGELOG, "ci_runner_versions"), (CHANGELOG, "marketing_events"),
            (UPDATED, "nodes"), (CREATED, "nodes"), (SOFT_DELETE, "nodes.visible"), (POLICY_UNKNOWN, "nodes"),
            (UPDATED, "node_tags"),
        ],  # fmt: skip
        expect={
            (CHANGELOG, "post_versions"): {"kind": "versions table", "covers": ["{schema}.posts"],
                                           "status_columns": ["posts.status"]},
            (CHANGELOG, "nodes"): {"kind": "version history", "covers": None},
        },  # fmt: skip
    ),
    case(
        "paper-trail",  # Lago: paper_trail's versions may hold any model's changes
        with_types("""
            CREATE TABLE versions (id bigint PRIMARY KEY, item_type varchar(255) NOT NULL, item_id varchar(255) NOT NULL,
                                   event varchar(255) NOT NULL, whodunnit varchar(255), object text,
                                   object_changes text, created_at {ts});
            CREATE TABLE payments (id integer PRIMARY KEY, status varchar(20) NOT NULL, created_at {ts} NOT NULL,
                                   updated_at {ts} NOT NULL);
            CREATE TABLE webhooks (id integer PRIMARY KEY, status integer NOT NULL, http_status integer,
                                   created_at {ts} NOT NULL, updated_at {ts} NOT NULL);
            CREATE TABLE app_versions (id integer PRIMARY KEY, version varchar(20), released_on date);
        """),
        present=[(CHANGELOG, "versions"), (UPDATED, "app_versions")],
        absent=[
            (UPDATED, "versions"), (POLICY_UNKNOWN, "versions"),
            (UNTRACKED, "payments.status"), (UNTRACKED, "webhooks.status"),  # asked once, on versions
            (UNTRACKED, "webhooks.http_status"),  # a response code, not a lifecycle
            (CHANGELOG, "app_versions"),
        ],  # fmt: skip
        expect={(CHANGELOG, "versions"): {"kind": "paper_trail versions table", "covers_any_table": True,
                                          "type_column": "item_type", "type_values": None,
                                          "status_columns": ["payments.status", "webhooks.status"]}},  # fmt: skip
    ),
    case(
        "status-columns-that-are-not-lifecycles",  # Bagisto, Lago; and a status kept in a lookup table
        everywhere("""
            CREATE TABLE country_states (id integer PRIMARY KEY, country_code varchar(2), code varchar(10),
                                         default_name varchar(255));
            CREATE TABLE country_state_translations (id integer PRIMARY KEY, country_state_id integer,
                                                     locale varchar(10), default_name text,
                                                     FOREIGN KEY (country_state_id) REFERENCES country_states (id));
            CREATE TABLE webhooks (id integer PRIMARY KEY, status integer NOT NULL, http_status integer, endpoint text);
            CREATE TABLE item_statuses (code varchar(20) PRIMARY KEY, description text NOT NULL);
            CREATE TABLE items (id integer PRIMARY KEY, status varchar(20) NOT NULL,
                                FOREIGN KEY (status) REFERENCES item_statuses (code));
        """),
        present=[(UNTRACKED, "webhooks.status"), (UNTRACKED, "items.status")],
        absent=[(UNTRACKED, "webhooks.http_status"), (UNTRACKED, "country_state_translations.country_state_id")],
    ),
    case(
        "times-as-text-or-numbers",  # SQLite keeps ISO-8601 text; a name says whether text is a time
        everywhere("""
            CREATE TABLE audit_log (id integer PRIMARY KEY, entity_id integer, action varchar(20),
                                    logged_at varchar(32) NOT NULL);
            CREATE TABLE parcels (id integer PRIMARY KEY, state varchar(20), picked_at varchar(32),
                                  delivered_at varchar(32));
            CREATE TABLE slots (id integer PRIMARY KEY, break_time integer, auto_cancel_on_new_commit smallint);
        """),
        present=[(CREATED, "slots")],
        absent=[(CREATED, "audit_log"), (UPDATED, "audit_log"), (UNTRACKED, "parcels.state")],
        expect={(CREATED, "slots"): {"other_time_columns": None}},  # a duration and a setting are no times
    ),
    case(
        "link-tables",  # Danbooru favorites, OpenStreetMap changesets_subscribers, Bagisto attribute_group_mappings
        everywhere("""
            CREATE TABLE favorites (id integer PRIMARY KEY, user_id integer NOT NULL, post_id integer NOT NULL);
            CREATE TABLE changesets_subscribers (subscriber_id bigint NOT NULL, changeset_id bigint NOT NULL,
                                                 PRIMARY KEY (subscriber_id, changeset_id));
            CREATE TABLE attribute_group_mappings (attribute_id integer NOT NULL, attribute_group_id integer NOT NULL,
                                                   position integer, PRIMARY KEY (attribute_id, attribute_group_id));
        """),
        present=[(UPDATED, "attribute_group_mappings")],  # a position can be changed
        absent=[(UPDATED, "favorites"), (UPDATED, "changesets_subscribers")],  # a link is inserted or deleted
    ),
    # --- soft-delete-column ----------------------------------------------------------------------
    case(
        "soft-delete",
        with_types("""
            CREATE TABLE docs (id integer PRIMARY KEY, deleted_at {ts}, is_archived boolean, discarded_at {ts},
                               is_active boolean, deleted_by integer);
            CREATE TABLE folders (id integer PRIMARY KEY, is_deleted boolean);
            CREATE TABLE users (id integer PRIMARY KEY, enabled boolean, name varchar(40));
        """, TEXT_TS),
        present=[(SOFT_DELETE, "docs.deleted_at"), (SOFT_DELETE, "docs.is_archived"), (SOFT_DELETE, "docs.discarded_at"),
                 (SOFT_DELETE, "folders.is_deleted"), (POLICY_UNKNOWN, "users")],  # fmt: skip
        absent=[
            (SOFT_DELETE, "docs.is_active"), (SOFT_DELETE, "users.enabled"),  # business state, not deletion
            (SOFT_DELETE, "docs.deleted_by"),  # who, not whether
            (POLICY_UNKNOWN, "docs"), (POLICY_UNKNOWN, "folders"), (HARD_DELETES, "docs"),
        ],  # fmt: skip
    ),
    case(
        "soft-delete-kinds",  # Lago, OpenStreetMap, Danbooru, Bagisto, gisia
        with_types("""
            CREATE TABLE memberships (id integer PRIMARY KEY, user_id integer, role varchar(20), revoked_at {ts});
            CREATE TABLE billing_entities (id integer PRIMARY KEY, name varchar(80), archived_at {ts}, deleted_at {ts});
            CREATE TABLE quantified_events (id integer PRIMARY KEY, external_id varchar(40), added_at {ts} NOT NULL,
                                            removed_at {ts}, deleted_at {ts});
            CREATE TABLE current_nodes (id bigint PRIMARY KEY, latitude integer NOT NULL, visible boolean NOT NULL,
                                        timestamp {ts} NOT NULL);
            CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, is_active boolean NOT NULL);
            CREATE TABLE pools (id integer PRIMARY KEY, name varchar(80), is_active boolean NOT NULL,
                                is_deleted boolean NOT NULL);
            CREATE TABLE cart (id integer PRIMARY KEY, customer_email varchar(255), is_active boolean);
            CREATE TABLE attributes (id integer PRIMARY KEY, code varchar(255), is_visible_on_front boolean NOT NULL);
            CREATE TABLE ci_variables (id integer PRIMARY KEY, var_key varchar(255), hidden boolean NOT NULL);
            CREATE TABLE accounts (id integer PRIMARY KEY, deactivated_at {ts}, disabled boolean);
            CREATE TABLE users (id integer PRIMARY KEY,
                                status varchar(20) CHECK (status IN ('pending', 'active', 'suspended', 'deleted')));
        """, TEXT_TS, extra={
            "postgresql": """
                CREATE TYPE item_state AS ENUM ('draft', 'live', 'archived');
                CREATE TABLE items (id integer PRIMARY KEY, status item_state NOT NULL);
            """,
            "mysql": "CREATE TABLE items (id integer PRIMARY KEY, status ENUM('draft', 'live', 'archived') NOT NULL);",
            "sqlite": "CREATE TABLE items (id integer PRIMARY KEY, status TEXT NOT NULL CHECK (status IN ('draft', 'live', 'archived')));",
        }),
        present=[
            (SOFT_DELETE, "memberships.revoked_at"), (SOFT_DELETE, "billing_entities.archived_at"),
            (SOFT_DELETE, "billing_entities.deleted_at"), (SOFT_DELETE, "current_nodes.visible"),
            (SOFT_DELETE, "notes.is_active"), (SOFT_DELETE, "pools.is_deleted"), (SOFT_DELETE, "accounts.deactivated_at"),
            (SOFT_DELETE, "users.status"), (SOFT_DELETE, "items.status"), (SOFT_DELETE, "quantified_events.deleted_at"),
            (POLICY_UNKNOWN, "cart"), (POLICY_UNKNOWN, "attributes"), (POLICY_UNKNOWN, "ci_variables"),
        ],
        absent=[
            (SOFT_DELETE, "pools.is_active"),  # beside is_deleted: being active is business state
            (SOFT_DELETE, "cart.is_active"),  # a cart is active until it is ordered
            (SOFT_DELETE, "attributes.is_visible_on_front"), (SOFT_DELETE, "ci_variables.hidden"),  # display choices
            (SOFT_DELETE, "accounts.disabled"),  # a setting without a time
            (SOFT_DELETE, "quantified_events.removed_at"),  # the end of the period added_at starts (Lago)
            (POLICY_UNKNOWN, "memberships"), (POLICY_UNKNOWN, "current_nodes"), (POLICY_UNKNOWN, "notes"),
            (POLICY_UNKNOWN, "users"), (POLICY_UNKNOWN, "items"),  # soft-delete-column asks whether marked rows go
        ],  # fmt: skip
        expect={
            (SOFT_DELETE, "memberships.revoked_at"): {"marker_kind": "revocation"},
            (SOFT_DELETE, "billing_entities.archived_at"): {"marker_kind": "archive"},
            (SOFT_DELETE, "current_nodes.visible"): {"marker_kind": "visibility"},
            (UPDATED, "current_nodes"): {"other_time_columns": ["timestamp"]},  # the last edit's time? asked
            (SOFT_DELETE, "notes.is_active"): {"marker_kind": "activity flag"},
            (SOFT_DELETE, "accounts.deactivated_at"): {"marker_kind": "deactivation"},
            (SOFT_DELETE, "users.status"): {"marker_kind": "status value", "deleted_values": ["deleted"]},
            (SOFT_DELETE, "items.status"): {"marker_kind": "status value", "deleted_values": ["archived"]},
        },
    ),
    # --- hard-deletes, deletion-policy-unknown ---------------------------------------------------
    case(
        "hard-deletes-counted",
        {"postgresql": """
            CREATE TABLE sessions (id integer PRIMARY KEY, token text);
            INSERT INTO sessions SELECT g, 't' || g FROM generate_series(1, 5) g;
            CREATE TABLE drafts (id integer PRIMARY KEY, body text, deleted_at timestamptz);
            INSERT INTO drafts SELECT g, 'd', NULL FROM generate_series(1, 3) g;
            CREATE TABLE tags (id integer PRIMARY KEY, name text);
            INSERT INTO tags VALUES (1, 'a'), (2, 'b');
            CREATE TABLE readings (taken_on date NOT NULL, id integer, PRIMARY KEY (taken_on, id)) PARTITION BY RANGE (taken_on);
            CREATE TABLE readings_h1 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            CREATE TABLE readings_h2 PARTITION OF readings FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
            INSERT INTO readings VALUES ('2024-02-01', 1), ('2024-03-01', 2), ('2024-08-01', 3);
        """},
        changes={"postgresql": (
            "DELETE FROM sessions WHERE id <= 2",
            "DELETE FROM drafts WHERE id = 1",  # drafts has a marker: deleting outright is its own policy
            "UPDATE tags SET name = 'c' WHERE id = 1",
            "DELETE FROM readings WHERE taken_on < '2024-07-01'",  # counted on the partition
        )},
        present=[(HARD_DELETES, "sessions"), (HARD_DELETES, "readings"), (POLICY_UNKNOWN, "tags")],
        absent=[
            (POLICY_UNKNOWN, "sessions"), (POLICY_UNKNOWN, "readings"),
            (HARD_DELETES, "drafts"), (POLICY_UNKNOWN, "drafts"),
            (HARD_DELETES, "tags"),
            (HARD_DELETES, "readings_h1"), (POLICY_UNKNOWN, "readings_h2"),  # partitions: their parent speaks for them
        ],  # fmt: skip
        expect={
            (HARD_DELETES, "sessions"): {"deletes_counted_by_server": 2, "severity": "warning"},
            (HARD_DELETES, "readings"): {"deletes_counted_by_server": 2},
            (POLICY_UNKNOWN, "tags"): {"deletes_counted_by_server": 0, "severity": "info"},
        },
    ),
    # --- partition-retention ---------------------------------------------------------------------
    case(
        "partitions",  # pagila's monthly payments, gisia's activities (LIST by type), a range of ids
        {"postgresql": """
            CREATE TABLE readings (taken_on date NOT NULL, id integer, PRIMARY KEY (taken_on, id)) PARTITION BY RANGE (taken_on);
            CREATE TABLE readings_2024h1 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            CREATE TABLE readings_2024h2 PARTITION OF readings FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
            CREATE TABLE readings_other PARTITION OF readings DEFAULT;
            CREATE TABLE activities (id bigint NOT NULL, trackable_type varchar NOT NULL, trackable_id bigint NOT NULL,
                                     action_type smallint NOT NULL, details jsonb, created_at timestamp NOT NULL)
                PARTITION BY LIST (trackable_type);
            CREATE TABLE issue_activities PARTITION OF activities FOR VALUES IN ('Issue');
            CREATE TABLE merge_request_activities PARTITION OF activities FOR VALUES IN ('MergeRequest');
            CREATE TABLE merge_requests (id bigint PRIMARY KEY, status varchar(20));
            CREATE TABLE ci_stages (id bigint PRIMARY KEY, status integer);
            CREATE TABLE shards (id integer NOT NULL) PARTITION BY RANGE (id);
            CREATE TABLE shards_1 PARTITION OF shards FOR VALUES FROM (1) TO (1000);
            CREATE TABLE spans (started_at timestamptz NOT NULL, id bigint) PARTITION BY RANGE (started_at);
        """},
        present=[(RETENTION, "readings"), (CHANGELOG, "activities"), (UNTRACKED, "ci_stages.status"),
                 (RETENTION, "spans")],  # no partition yet, but its key is a timestamp
        absent=[
            (RETENTION, "activities"), (RETENTION, "shards"),  # by type, by id: nothing ages out
            (RETENTION, "readings_2024h1"), (POLICY_UNKNOWN, "readings"),  # retention is asked once, by partition-retention
            (UNTRACKED, "merge_requests.status"),  # activities holds MergeRequest rows
        ],  # fmt: skip
        expect={
            (RETENTION, "readings"): {"partitions": 2, "oldest_bound": "2024-01-01", "newest_bound": "2025-01-01",
                                      "default_partition": True, "template": None, "severity": "warning",
                                      "partition_key": "RANGE (taken_on)"},
            (RETENTION, "spans"): {"partitions": 0, "oldest_bound": None, "default_partition": False},
            (CHANGELOG, "activities"): {"type_values": ["Issue", "MergeRequest"], "type_values_from": "partitions",
                                        "status_columns": ["merge_requests.status"]},
        },  # fmt: skip
    ),
    case(
        "partitions-by-key",  # the key decides, before any partition but the default exists (Lago's enriched_events)
        {"postgresql": """
            CREATE TABLE events (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
            CREATE TABLE events_default PARTITION OF events DEFAULT;
            CREATE TABLE ledger (id bigint NOT NULL, amount numeric, created_at timestamptz) PARTITION BY RANGE (id);
            CREATE TABLE ledger_default PARTITION OF ledger DEFAULT;
            CREATE TABLE monthly (at timestamp NOT NULL) PARTITION BY RANGE (date_trunc('month', at));
            CREATE TABLE monthly_2024_01 PARTITION OF monthly FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
            CREATE TABLE tenants (tenant_id integer NOT NULL, at timestamp NOT NULL) PARTITION BY HASH (tenant_id);
            CREATE TABLE tenants_0 PARTITION OF tenants FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        """},
        present=[(RETENTION, "events"), (RETENTION, "monthly")],  # an expression key: its bounds are dates
        absent=[(RETENTION, "ledger"), (RETENTION, "tenants"), (POLICY_UNKNOWN, "events")],
        expect={
            (RETENTION, "events"): {"partitions": 0, "default_partition": True, "partition_key": "RANGE (created_at)",
                                    "oldest_bound": None, "template": None},
            (RETENTION, "monthly"): {"partitions": 1, "oldest_bound": "2024-01-01 00:00:00",
                                     "newest_bound": "2024-02-01 00:00:00"},
        },  # fmt: skip
    ),
    case(
        "partitions-mysql",
        {"mysql": """
            CREATE TABLE readings (taken_on date NOT NULL, id integer NOT NULL, PRIMARY KEY (taken_on, id))
                PARTITION BY RANGE COLUMNS (taken_on) (
                    PARTITION p2024h1 VALUES LESS THAN ('2024-07-01'),
                    PARTITION p2024h2 VALUES LESS THAN ('2025-01-01'));
            CREATE TABLE visits (visited_at DATETIME NOT NULL, id integer NOT NULL)
                PARTITION BY RANGE (TO_DAYS(visited_at)) (
                    PARTITION p202401 VALUES LESS THAN (TO_DAYS('2024-02-01')),
                    PARTITION p202402 VALUES LESS THAN (TO_DAYS('2024-03-01')),
                    PARTITION pfuture VALUES LESS THAN MAXVALUE);
            CREATE TABLE yearly (on_day DATE NOT NULL) PARTITION BY RANGE (YEAR(on_day)) (
                PARTITION y2024 VALUES LESS THAN (2025));
            CREATE TABLE stamps (at TIMESTAMP NOT NULL) PARTITION BY RANGE (UNIX_TIMESTAMP(at)) (
                PARTITION p2023 VALUES LESS THAN (1704067200));
        """},
        present=[(RETENTION, "readings"), (RETENTION, "visits"), (RETENTION, "yearly"), (RETENTION, "stamps")],
        absent=[(POLICY_UNKNOWN, "readings"), (POLICY_UNKNOWN, "visits")],
        expect={
            (RETENTION, "readings"): {"partitions": 2, "oldest_bound": "MINVALUE", "newest_bound": "2025-01-01",
                                      "oldest_date": "2024-07-01", "newest_date": "2025-01-01",
                                      "default_partition": False, "partition_key": "RANGE COLUMNS (`taken_on`)"},
            (RETENTION, "visits"): {"partitions": 3, "oldest_bound": "MINVALUE", "newest_bound": "MAXVALUE",
                                    "oldest_date": "2024-02-01", "newest_date": "2024-03-01",
                                    "partition_key": "RANGE (to_days(`visited_at`))"},
            (RETENTION, "yearly"): {"partitions": 1, "newest_bound": "2025-01-01"},
            (RETENTION, "stamps"): {"partitions": 1, "newest_bound": "2024-01-01 00:00:00+00"},
        },  # fmt: skip
    ),
    case(
        "partitions-mysql-not-by-time",  # nothing ages out of these, or the key does not say it is a time
        {"mysql": """
            CREATE TABLE kinds (kind integer NOT NULL, created_at DATETIME) PARTITION BY LIST (kind) (
                PARTITION a VALUES IN (1, 2), PARTITION b VALUES IN (3));
            CREATE TABLE shards (id integer NOT NULL, created_at DATETIME) PARTITION BY HASH (id) PARTITIONS 4;
            CREATE TABLE days (on_day DATE NOT NULL) PARTITION BY HASH (TO_DAYS(on_day)) PARTITIONS 4;
            CREATE TABLE keyed (id integer PRIMARY KEY, created_at DATETIME) PARTITION BY KEY () PARTITIONS 2;
            CREATE TABLE ids (id integer NOT NULL) PARTITION BY RANGE (id) (
                PARTITION p0 VALUES LESS THAN (1000), PARTITION p1 VALUES LESS THAN MAXVALUE);
            CREATE TABLE months (on_day DATE NOT NULL) PARTITION BY RANGE (YEAR(on_day) * 100 + MONTH(on_day)) (
                PARTITION p202401 VALUES LESS THAN (202402));
        """},
        absent=[(RETENTION, name) for name in ("kinds", "shards", "days", "keyed", "ids", "months")],
    ),
    case(
        "hard-deletes-cascade",
        with_types("""
            CREATE TABLE teams (id integer PRIMARY KEY, name varchar(40));
            CREATE TABLE members (id integer PRIMARY KEY, team_id integer,
                                  FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE);
            CREATE TABLE comments (id integer PRIMARY KEY, team_id integer, deleted_at {ts},
                                   FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE);
            CREATE TABLE projects (id integer PRIMARY KEY, team_id integer,
                                   FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL);
        """),
        # a cascade is asked about once, as cascade-delete: not again as hard-deletes
        present=[("cascade-delete", "members.team_id"), (POLICY_UNKNOWN, "teams"), (POLICY_UNKNOWN, "projects")],
        absent=[(HARD_DELETES, "members"), (POLICY_UNKNOWN, "members"), (HARD_DELETES, "teams"),
                (HARD_DELETES, "comments"), (POLICY_UNKNOWN, "comments"), (HARD_DELETES, "projects")],  # fmt: skip
    ),
]


@pytest.mark.parametrize(("engine", "case"), params(CASES))
def test_flow_rule_case(engines, engine, case):
    engines.run(case, engine)


# --- extraction-method: what the server's change log allows, per table ----------------------------

CDC_ON = {"postgresql": {"wal_level": "logical"}, "mysql": {"log_bin": "ON", "binlog_format": "ROW"}}


@pytest.mark.parametrize("engine", [pytest.param(e, marks=MARKS[e]) for e in ENGINES])
def test_extraction_method_names_the_cursor_or_says_why_not(engines, engine):
    audited = engines.run(MAINTAINED, engine)

    def methods(result) -> dict[str, str]:
        return {local(f.target): f.evidence["method"] for f in result.findings if f.rule == EXTRACTION}

    without_log = methods(audited.rerun(cdc_settings={}))
    assert without_log["wishlists"] == "key-based incremental on updated_at"
    assert without_log["lamps"] == "key-based incremental on updated_at"
    for table in ("carts", "rooms", "profiles", "page_views"):  # no cursor the database keeps current
        assert without_log[table] == "full table", table
    assert without_log["visit_log"] == "incremental append on changed_at"  # its key is no identity
    assert without_log["click_events"] == "incremental append on id"
    full = audited.rerun(cdc_settings={}).finding(EXTRACTION, "carts")
    assert "no maintained last-modified column" in full.evidence["reason"] and full.severity == "info"

    if engine in CDC_ON:
        with_log = audited.rerun(cdc_settings=CDC_ON[engine])
        assert {t: m for t, m in methods(with_log).items() if m != "log-based CDC"} == {"page_views": "full table"}
        assert with_log.finding(EXTRACTION, "page_views").evidence["reason"] == "no primary key for CDC"
        assert with_log.finding(EXTRACTION, "carts").evidence["primary_key"] == ["id"]


# A log with a last-modified column, events with a soft-delete column, an events table whose only
# time is the event's own, a nullable write time, and tables only ever inserted into (Lago, Danbooru).
APPEND_ONLY = case(
    "extraction-append-only",
    with_types("""
        CREATE TABLE webhook_log (id integer PRIMARY KEY, webhook_id integer, created_at {ts} NOT NULL, updated_at {ts});
        CREATE TABLE fixed_charge_events (id integer PRIMARY KEY, subscription_id integer NOT NULL, units decimal(30, 10),
                                          timestamp {ts}, deleted_at {ts}, created_at {ts} NOT NULL);
        CREATE TABLE users (id bigint PRIMARY KEY, name varchar(40));
        CREATE TABLE user_events (id bigint PRIMARY KEY, user_id integer NOT NULL, category integer NOT NULL,
                                  created_at {ts} NOT NULL);
        CREATE TABLE enriched_events (id varchar(36) PRIMARY KEY, subscription_id integer, timestamp {ts} NOT NULL,
                                      enriched_at {ts} NOT NULL);
        CREATE TABLE audit_trail (id bigint PRIMARY KEY, entity_id integer, logged_at {ts});  -- bigint: no rowid in SQLite
    """, extra={
        "postgresql": "CREATE TABLE click_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, url text);",
        "mysql": "CREATE TABLE click_events (id bigint AUTO_INCREMENT PRIMARY KEY, url text);",
        "sqlite": "CREATE TABLE click_events (id INTEGER PRIMARY KEY, url TEXT);",
    }),
    present=[(CHANGELOG, "user_events")],
)


@pytest.mark.parametrize("engine", [pytest.param(e, marks=MARKS[e]) for e in ENGINES])
def test_extraction_advice_is_never_unsafe(engines, engine):
    audited = engines.run(APPEND_ONLY, engine).rerun(cdc_settings={})
    plans = {local(f.target): f for f in audited.findings if f.rule == EXTRACTION}

    def plan(table: str) -> tuple[str, str, list[str]]:
        found = plans[table]
        assert "increases with every insert" not in found.message  # no claim about values never read
        return found.evidence["method"], found.evidence["reason"], found.evidence.get("cautions") or []

    method, reason, _ = plan("webhook_log")  # a log, but its rows carry a last-modified column
    assert method == "full table" and "updated_at exists, but nothing in the database maintains it" in reason
    method, reason, _ = plan("fixed_charge_events")  # events, but rows are marked deleted by updates
    assert method == "full table" and "marked deleted" in reason
    method, reason, cautions = plan("user_events")
    assert method == "incremental append on created_at"
    assert "looks append-only by its name" in reason and "if the application sets it at insert" in reason
    assert any("confirm rows are only ever inserted" in c for c in cautions)
    assert any("not when it is committed" in c for c in cautions)
    method, reason, _ = plan("enriched_events")  # the event's own time arrives late: no cursor
    assert method == "full table" and "no insert-time cursor" in reason
    method, _, cautions = plan("audit_trail")
    assert method == "incremental append on logged_at"
    assert "logged_at is nullable: rows where it is NULL are never extracted" in cautions
    method, reason, cautions = plan("click_events")
    assert method == "incremental append on id" and "assigned in increasing order at insert" in reason
    assert any("assigned at insert, not at commit" in c for c in cautions)
    empty = {"postgresql": "the server counted no write since its counters were reset", "mysql": "the server estimates no rows"}
    if engine in empty:  # SQLite keeps no counter and no estimate: nothing is said either way
        assert f"{empty[engine]}: nothing shows yet how its values increase" in cautions

    in_paris = audited.rerun(cdc_settings={}, server_timezone="Europe/Paris", access=None)
    _, _, cautions = (lambda f: (None, None, f.evidence.get("cautions") or []))(in_paris.finding(EXTRACTION, "user_events"))
    naive = audited.catalog.schemas[0].table("user_events").column("created_at").normalized_type == "timestamp"
    assert any("the server's zone is Europe/Paris" in c for c in cautions) == naive


COUNTED = """
    CREATE TABLE page_hits (id integer PRIMARY KEY, url text, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE carts (id integer PRIMARY KEY, note text);
    INSERT INTO carts VALUES (1, 'a');
"""


@pytest.mark.parametrize(("engine", "case"), params([
    case("append-only-by-counters", {"postgresql": COUNTED},
         changes={"postgresql": ("INSERT INTO page_hits (id, url) SELECT g, '/' || g FROM generate_series(1, 150) g",
                                 "UPDATE carts SET note = 'b'")},
         absent=[(UPDATED, "page_hits"), (POLICY_UNKNOWN, "page_hits"), (CHANGELOG, "page_hits")],
         present=[(UPDATED, "carts")],
         expect={(EXTRACTION, "page_hits"): {"method": "incremental append on created_at"}}),
    # a database just loaded counts inserts only, everywhere: its counters say nothing of how it is written
    case("inserts-only-everywhere", {"postgresql": COUNTED},
         changes={"postgresql": ("INSERT INTO page_hits (id, url) SELECT g, '/' || g FROM generate_series(1, 150) g",)},
         present=[(UPDATED, "page_hits"), (POLICY_UNKNOWN, "page_hits")],
         expect={(EXTRACTION, "page_hits"): {"method": "full table"}}),
]))  # fmt: skip
def test_the_servers_counters_show_append_only_tables(engines, engine, case):
    engines.run(case, engine)


@pytest.mark.postgres
def test_pg_partman_table_prompts_the_retention_question(pg_db):
    from dayone import api

    pg_db.execute("""
        CREATE SCHEMA partman;
        CREATE TABLE public.enriched_events (id uuid NOT NULL, code varchar NOT NULL, "timestamp" timestamp NOT NULL,
                                             enriched_at timestamp NOT NULL) PARTITION BY RANGE ("timestamp");
        CREATE TABLE public.enriched_events_default PARTITION OF public.enriched_events DEFAULT;
        CREATE TABLE partman.template_public_enriched_events (id uuid NOT NULL, "timestamp" timestamp NOT NULL);
        CREATE TABLE public.ledger_entries (id bigint NOT NULL, amount numeric) PARTITION BY RANGE (id);
        CREATE TABLE public.ledger_entries_default PARTITION OF public.ledger_entries DEFAULT;
        CREATE TABLE partman.template_public_ledger_entries (id bigint NOT NULL);
    """)
    findings = api.audit(pg_db.url, profile=None).findings
    [found] = [f for f in findings if f.rule == RETENTION]  # not ledger_entries: pg_partman splits it by id
    assert found.target == "public.enriched_events"
    assert (found.evidence["template"], found.evidence["partitions"], found.evidence["default_partition"]) == (
        "partman.template_public_enriched_events", 0, True)
    assert found.evidence["partition_key"] == 'RANGE ("timestamp")'
    assert "pg_partman's retention setting" in found.question
    assert not [f for f in findings if f.rule == POLICY_UNKNOWN and f.target == "public.enriched_events"]


@pytest.mark.postgres
def test_a_snapshot_without_partition_keys_still_finds_time_partitions_by_their_bounds(pg_db):
    """Snapshots taken before dayone read partition keys have none: the partitions' bounds decide."""
    import json

    from dayone import api
    from dayone.catalog import snapshot
    from dayone.rules import run_rules, select_rules

    pg_db.execute("""
        CREATE TABLE readings (taken_on date NOT NULL) PARTITION BY RANGE (taken_on);
        CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE spans (started_at timestamptz NOT NULL) PARTITION BY RANGE (started_at);
    """)
    document = json.loads(snapshot.to_json(api.read_catalog(pg_db.url)))
    tables = document["catalog"]["schemas"][0]["tables"]
    assert all(t.pop("partitioning", None) for t in tables if t["name"] in ("readings", "spans"))
    old = snapshot.from_json(json.dumps(document))
    assert old.schema("public").table("readings").partitioning is None
    found = {f.target: f for f in run_rules(old, select_rules(["flow"])).findings if f.rule == RETENTION}
    assert list(found) == ["public.readings"]  # spans: no key and no partition say it is split by time
    assert (found["public.readings"].evidence.get("partition_key"), found["public.readings"].evidence["partitions"]) == (None, 1)


def test_paper_trail_covers_the_tables_its_item_types_name(tmp_path):
    import sqlite3

    from dayone import api

    path = tmp_path / "billing.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE versions (id INTEGER PRIMARY KEY, item_type TEXT NOT NULL, item_id TEXT NOT NULL,
                                   event TEXT NOT NULL, object TEXT, object_changes TEXT, created_at TEXT);
            CREATE TABLE invoices (id INTEGER PRIMARY KEY, status TEXT NOT NULL);
            CREATE TABLE payments (id INTEGER PRIMARY KEY, status TEXT NOT NULL);
        """)
        conn.executemany("INSERT INTO versions (item_type, item_id, event, created_at) VALUES (?, ?, 'update', ?)",
                         [("Invoice", str(i), f"2026-01-01T00:00:{i:02d}Z") for i in range(30)])  # fmt: skip
    result = api.audit(f"sqlite:///{path}")
    untracked = {local(f.target) for f in result.findings if f.rule == UNTRACKED}
    assert untracked == {"payments.status"}  # every row of versions records an invoice
    versions = next(f for f in result.findings if f.rule == CHANGELOG)
    assert (versions.evidence["type_values"], versions.evidence["type_values_from"]) == (["Invoice"], "rows read")
    assert versions.evidence["status_columns"] == ["invoices.status"] and "covers_any_table" not in versions.evidence

    # a sample may miss a rare type: the values read are reported, the coverage stays open
    from dataclasses import replace

    from dayone.rules import run_rules, select_rules

    sampled = replace(result.profile, tables=tuple(replace(t, method="sample") for t in result.profile.tables))
    findings = run_rules(result.catalog, select_rules(["flow"]), sampled).findings
    assert not [f for f in findings if f.rule == UNTRACKED]
    versions = next(f for f in findings if f.rule == CHANGELOG)
    assert versions.evidence["type_values_from"] == "rows sampled" and versions.evidence["covers_any_table"] is True
    assert "other types may exist" in versions.message


# --- hard-deletes: ids missing from an increasing key, on every engine -------------------------

KEYED = {
    "postgresql": "CREATE TABLE notes (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body text NOT NULL)",
    "mysql": "CREATE TABLE notes (id int AUTO_INCREMENT PRIMARY KEY, body text NOT NULL)",
    "sqlite": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
}
KEY_KIND = {"postgresql": "by default", "mysql": "auto_increment", "sqlite": "rowid alias"}


def _notes_with_gaps(engine: str, request, tmp_path, rows: int) -> str:
    """`rows` notes inserted, four in five deleted; the URL of the database."""
    from conftest import _create_mysql_database, _drop_mysql_database, unique_name

    statements = [KEYED[engine], *(f"INSERT INTO notes (body) VALUES {', '.join(['(' + repr('n') + ')'] * 500)}"
                                    for _ in range(rows // 500)), "DELETE FROM notes WHERE id % 5 <> 0"]  # fmt: skip
    if engine == "sqlite":
        import sqlite3

        path = tmp_path / "notes.db"
        with sqlite3.connect(path) as conn:
            for statement in statements:
                conn.execute(statement)
        return f"sqlite:///{path}"
    if engine == "postgresql":
        db = request.getfixturevalue("pg_db")
        with db.connect() as conn:
            for statement in statements:
                conn.execute(statement)
            conn.execute("ANALYZE notes")
        return db.url
    request.getfixturevalue("mysql_server")
    db = _create_mysql_database(unique_name("dayone_gaps"))
    request.addfinalizer(lambda: _drop_mysql_database(db.name))
    with db.connect() as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        cur.execute("ANALYZE TABLE notes")
    return db.url


@pytest.mark.parametrize("engine", [pytest.param(e, marks=MARKS[e]) for e in ENGINES])
def test_key_gaps_of_a_table_read_whole(engine, request, tmp_path):
    from dayone import api

    url = _notes_with_gaps(engine, request, tmp_path, rows=1000)
    found = [f for f in api.audit(url).findings if f.rule == HARD_DELETES and local(f.target) == "notes"]
    assert len(found) == 1, engine
    gaps = found[0].evidence["key_gaps"]
    assert (gaps["lowest"], gaps["highest"], gaps["rows"], gaps["missing_ids"], gaps["exact"]) == (5, 1000, 200, 796, True)
    assert gaps["key_kind"] == KEY_KIND[engine]



@pytest.mark.parametrize("engine", [
    pytest.param(e, marks=MARKS[e])
    for e in ENGINES
])  # fmt: skip
def test_key_gaps_of_a_sampled_table(engine, request, tmp_path):
    from dayone import api
    from dayone.profile.options import ProfileOptions

    url = _notes_with_gaps(engine, request, tmp_path, rows=10_000)
    result = api.audit(url, profile=ProfileOptions(sample_rows=200, page_budget=4))
    assert result.profile.table(result.profile.tables[0].schema, "notes").method == "sample"
    found = [f for f in result.findings if f.rule == HARD_DELETES and local(f.target) == "notes"]
    assert len(found) == 1, engine
    gaps = found[0].evidence["key_gaps"]
    assert gaps["exact"] is False and gaps["missing_ids"] > 4_000
