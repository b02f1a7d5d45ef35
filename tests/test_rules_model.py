"""Data model rules (DM1xx), each as a table of cases run on real PostgreSQL, MariaDB/MySQL and
SQLite: the failing and the passing variant side by side in one small schema."""

from __future__ import annotations

import pytest

from rule_harness import case, everywhere, params

MISSING_PK = "missing-primary-key"
NO_TZ = "timestamp-without-time-zone"
UNDOCUMENTED = "undocumented-table"
IMPLICIT_FK = "implicit-foreign-key"
VALUE_SET = "unexplained-value-set"
JSON = "json-without-schema"
CASCADE = "cascade-delete"
POLYMORPHIC = "polymorphic-reference"
ENUM_MEANING = "enum-meaning"
MIXED_TIMESTAMPS = "mixed-timestamp-conventions"

CASES = [
    # --- missing-primary-key ---------------------------------------------------------------------
    case(
        "primary-key",
        everywhere("""
            CREATE TABLE page_views (viewed_on date, url varchar(200));
            CREATE TABLE accounts (id integer PRIMARY KEY, email varchar(200) NOT NULL);
            CREATE TABLE devices (serial_no varchar(40) NOT NULL, label varchar(40), UNIQUE (serial_no));
            CREATE TABLE pairs (a integer NOT NULL, b integer NOT NULL, PRIMARY KEY (a, b));
            CREATE VIEW recent_views AS SELECT url FROM page_views;
        """),
        present=[(MISSING_PK, "page_views"), (MISSING_PK, "devices")],
        absent=[(MISSING_PK, "accounts"), (MISSING_PK, "pairs"), (MISSING_PK, "recent_views")],
        # a unique NOT NULL key identifies rows: the key is only not declared, a question and not a blocker
        expect={(MISSING_PK, "devices"): {"unique_not_null_columns": ["serial_no"], "severity": "warning"},
                (MISSING_PK, "page_views"): {"unique_not_null_columns": None, "severity": "error"}},  # fmt: skip
    ),
    case(
        # Rails creates unique indexes, not constraints (a fragment of Lago's structure.sql); a partial
        # unique index identifies only some rows, and a nullable column none for sure
        "primary-key-unique-index",
        {engine: """
            CREATE TABLE api_keys (organization_id varchar(36) NOT NULL, value varchar(255) NOT NULL);
            CREATE UNIQUE INDEX index_api_keys_on_value ON api_keys (value);
            CREATE TABLE invites (email varchar(255), token varchar(255) NOT NULL, status integer NOT NULL);
            CREATE UNIQUE INDEX index_invites_on_email ON invites (email);
        """ + ("CREATE UNIQUE INDEX index_invites_on_token ON invites (token) WHERE status = 0;" if engine != "mysql" else "")
         for engine in ("postgresql", "mysql", "sqlite")},
        present=[(MISSING_PK, "api_keys"), (MISSING_PK, "invites")],
        expect={(MISSING_PK, "api_keys"): {"unique_not_null_columns": ["value"], "severity": "warning"},
                (MISSING_PK, "invites"): {"unique_not_null_columns": None, "severity": "error"}},  # fmt: skip
    ),
    case(
        "primary-key-partitioned",
        {"postgresql": """
            CREATE TABLE readings (taken_on date NOT NULL, value numeric) PARTITION BY RANGE (taken_on);
            CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE samples (taken_on date NOT NULL, id integer, PRIMARY KEY (taken_on, id)) PARTITION BY RANGE (taken_on);
            CREATE TABLE samples_2024 PARTITION OF samples FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        """},
        present=[(MISSING_PK, "readings")],  # once, for the parent: not once per partition
        absent=[(MISSING_PK, "readings_2024"), (MISSING_PK, "samples"), (MISSING_PK, "samples_2024")],
    ),
    case(
        "primary-key-sqlite-rowid",
        {"sqlite": """
            CREATE TABLE page_views (viewed_on DATE, url TEXT);  -- only the hidden rowid
            CREATE TABLE tags (name TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
        """},
        present=[(MISSING_PK, "page_views")],
        absent=[(MISSING_PK, "tags"), (MISSING_PK, "notes")],
    ),
    # --- timestamp-without-time-zone -------------------------------------------------------------
    case(
        "timestamp-zone",
        {
            "postgresql": """CREATE TABLE shifts (id integer PRIMARY KEY, starts_at timestamp, ends_at timestamptz,
                             day date, clocked_at timestamp(3) without time zone, length interval);""",
            "mysql": """CREATE TABLE shifts (id integer PRIMARY KEY, starts_at DATETIME, ends_at TIMESTAMP NULL,
                        day DATE, clocked_at DATETIME(3), length TIME);""",
            "sqlite": """CREATE TABLE shifts (id INTEGER PRIMARY KEY, starts_at DATETIME, ends_at TEXT,
                         day DATE, clocked_at TIMESTAMP, length TEXT);""",
        },
        present=[(NO_TZ, "shifts.starts_at"), (NO_TZ, "shifts.clocked_at")],
        absent=[(NO_TZ, "shifts.ends_at"), (NO_TZ, "shifts.day"), (NO_TZ, "shifts.length")],
    ),
    # --- undocumented-table ----------------------------------------------------------------------
    case(
        "table-comments",
        {
            "postgresql": """
                CREATE TABLE riders (id integer PRIMARY KEY, name text, email text);
                COMMENT ON COLUMN riders.email IS 'login address';
                CREATE TABLE bikes (id integer PRIMARY KEY, model text);
                COMMENT ON TABLE bikes IS 'one row per bike in the fleet';
                CREATE TABLE docks (id integer PRIMARY KEY);
            """,
            "mysql": """
                CREATE TABLE riders (id integer PRIMARY KEY, name text, email text COMMENT 'login address');
                CREATE TABLE bikes (id integer PRIMARY KEY, model text) COMMENT = 'one row per bike in the fleet';
                CREATE TABLE docks (id integer PRIMARY KEY);
            """,
            "sqlite": """
                CREATE TABLE riders (
                    id INTEGER PRIMARY KEY,
                    name TEXT,
                    email TEXT -- login address
                );
                CREATE TABLE bikes ( -- one row per bike in the fleet
                    id INTEGER PRIMARY KEY,
                    model TEXT
                );
                CREATE TABLE docks (id INTEGER PRIMARY KEY);
            """,
        },
        present=[(UNDOCUMENTED, "riders"), (UNDOCUMENTED, "docks")],
        absent=[(UNDOCUMENTED, "bikes")],
        expect={
            (UNDOCUMENTED, "riders"): {"columns": 3, "commented_columns": 1, "column_comment_coverage": 0.33},
            (UNDOCUMENTED, "docks"): {"columns": 1, "commented_columns": 0, "column_comment_coverage": 0.0},
        },
    ),
    # --- implicit-foreign-key --------------------------------------------------------------------
    case(
        "implicit-foreign-key",
        everywhere("""
            CREATE TABLE bikes (id integer PRIMARY KEY, model varchar(40));
            CREATE TABLE stations (station_id integer PRIMARY KEY, name varchar(40));
            CREATE TABLE categories (id integer PRIMARY KEY, name varchar(40), parent_category_id integer);
            CREATE TABLE riders (id integer PRIMARY KEY, name varchar(40));
            CREATE TABLE rides (
                id integer PRIMARY KEY,
                bike_id integer,
                rider_id integer,
                start_station_id integer,
                end_station_id integer,
                category_id integer,
                bike_code varchar(10),
                coupon_id integer,
                FOREIGN KEY (rider_id) REFERENCES riders (id),
                FOREIGN KEY (start_station_id) REFERENCES stations (station_id)
            );
            CREATE TABLE bike_specs (bike_id integer PRIMARY KEY, weight_kg integer);
        """),
        present=[
            (IMPLICIT_FK, "rides.bike_id"),
            (IMPLICIT_FK, "rides.category_id"),  # categories -> category
            (IMPLICIT_FK, "rides.end_station_id"),  # a role before the name: stations.station_id
            (IMPLICIT_FK, "categories.parent_category_id"),  # a tree: the table refers to itself
            (IMPLICIT_FK, "bike_specs.bike_id"),  # one-to-one: the key is a reference too
        ],
        absent=[
            (IMPLICIT_FK, "rides.rider_id"),  # declared
            (IMPLICIT_FK, "rides.start_station_id"),  # declared
            (IMPLICIT_FK, "rides.bike_code"),  # text, bikes.id is an integer
            (IMPLICIT_FK, "rides.coupon_id"),  # no coupons table
            (IMPLICIT_FK, "rides.id"),
            (IMPLICIT_FK, "stations.station_id"),  # a table's own key
        ],
        expect={
            (IMPLICIT_FK, "rides.bike_id"): {"referred_table": "{schema}.bikes", "referred_column": "id"},
            (IMPLICIT_FK, "rides.category_id"): {"referred_table": "{schema}.categories", "referred_column": "id"},
            (IMPLICIT_FK, "rides.end_station_id"): {"referred_table": "{schema}.stations", "referred_column": "station_id"},
            (IMPLICIT_FK, "categories.parent_category_id"): {"referred_table": "{schema}.categories"},
            (IMPLICIT_FK, "bike_specs.bike_id"): {"referred_table": "{schema}.bikes"},
        },
    ),
    case(
        "implicit-foreign-key-partitions",
        {"postgresql": """
            CREATE TABLE customers (customer_id integer PRIMARY KEY);
            CREATE TABLE stores (store_id integer PRIMARY KEY);
            CREATE TABLE sales (sold_on date NOT NULL, id integer, customer_id integer, store_id integer,
                                PRIMARY KEY (sold_on, id),
                                FOREIGN KEY (store_id) REFERENCES stores (store_id)) PARTITION BY RANGE (sold_on);
            CREATE TABLE sales_h1 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            CREATE TABLE sales_h2 PARTITION OF sales FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
            ALTER TABLE sales_h1 ADD FOREIGN KEY (customer_id) REFERENCES customers (customer_id);
        """},
        present=[(IMPLICIT_FK, "sales.customer_id")],  # declared on sales_h1 only
        absent=[(IMPLICIT_FK, "sales.store_id"), (IMPLICIT_FK, "sales_h1.customer_id"), (IMPLICIT_FK, "sales_h2.customer_id")],
        expect={(IMPLICIT_FK, "sales.customer_id"): {"referred_table": "{schema}.customers",
                                                      "partitions_without_foreign_key": ["sales_h2"]}},  # fmt: skip
    ),
    case(
        # Lago (uuid keys): another system's ids, codes and numbers are no references; a varchar
        # cannot hold a uuid key, text as long as a uuid's can (MySQL keeps uuids in char(36))
        "implicit-foreign-key-lago",
        {"postgresql": """
            CREATE TABLE subscriptions (id uuid PRIMARY KEY, external_id varchar NOT NULL, previous_subscription_id uuid);
            CREATE TABLE customers (id uuid PRIMARY KEY, external_id varchar NOT NULL);
            CREATE TABLE taxes (id uuid PRIMARY KEY, code varchar NOT NULL);
            CREATE TABLE orders (id uuid PRIMARY KEY, number varchar);
            CREATE TABLE invoices (id uuid PRIMARY KEY, voided_invoice_id uuid, purchase_order_number varchar);
            CREATE TABLE fees_taxes (id uuid PRIMARY KEY, tax_code varchar NOT NULL);
            CREATE TABLE payments (id uuid PRIMARY KEY, provider_payment_id varchar, customer_id char(36));
            CREATE TABLE events (id uuid PRIMARY KEY, subscription_id uuid, external_subscription_id varchar,
                                 external_customer_id varchar, customer_id varchar);
        """, "mysql": """
            CREATE TABLE subscriptions (id char(36) PRIMARY KEY, external_id varchar(255) NOT NULL, previous_subscription_id char(36));
            CREATE TABLE customers (id char(36) PRIMARY KEY, external_id varchar(255) NOT NULL);
            CREATE TABLE taxes (id char(36) PRIMARY KEY, code varchar(255) NOT NULL);
            CREATE TABLE orders (id char(36) PRIMARY KEY, number varchar(255));
            CREATE TABLE invoices (id char(36) PRIMARY KEY, voided_invoice_id char(36), purchase_order_number varchar(255));
            CREATE TABLE fees_taxes (id char(36) PRIMARY KEY, tax_code varchar(255) NOT NULL);
            CREATE TABLE payments (id char(36) PRIMARY KEY, provider_payment_id varchar(255), customer_id char(36));
            CREATE TABLE events (id char(36) PRIMARY KEY, subscription_id char(36), external_subscription_id varchar(255),
                                 external_customer_id varchar(255), customer_id int);
        """},
        present=[
            (IMPLICIT_FK, "events.subscription_id"),
            (IMPLICIT_FK, "payments.customer_id"),  # char(36) for a uuid key
            (IMPLICIT_FK, "subscriptions.previous_subscription_id"),  # a role before its own table's name
            (IMPLICIT_FK, "invoices.voided_invoice_id"),
        ],
        absent=[
            (IMPLICIT_FK, "events.external_subscription_id"),  # another system's id
            (IMPLICIT_FK, "events.external_customer_id"),
            (IMPLICIT_FK, "payments.provider_payment_id"),
            (IMPLICIT_FK, "events.customer_id"),  # varchar / int for a uuid key
            (IMPLICIT_FK, "fees_taxes.tax_code"),  # a code, not an id
            (IMPLICIT_FK, "invoices.purchase_order_number"),  # a number, not an id
        ],
        expect={(IMPLICIT_FK, "subscriptions.previous_subscription_id"): {"referred_table": "{schema}.subscriptions",
                                                                           "found_by": "name"}},  # fmt: skip
    ),
    case(
        # a GitLab-like app: the ci_ tables leave their prefix out of their references
        "implicit-foreign-key-prefixed-family",
        everywhere("""
            CREATE TABLE projects (id bigint PRIMARY KEY, name varchar(255));
            CREATE TABLE ci_pipelines (id bigint PRIMARY KEY, project_id bigint);
            CREATE TABLE ci_stages (id bigint PRIMARY KEY, pipeline_id bigint, name varchar(255));
            CREATE TABLE ci_builds (id bigint PRIMARY KEY, stage_id bigint, upstream_pipeline_id bigint, commit_id bigint);
            CREATE TABLE ci_sources_pipelines (id bigint PRIMARY KEY, source_pipeline_id bigint, source_project_id bigint);
            CREATE TABLE merge_requests (id bigint PRIMARY KEY, head_pipeline_id bigint, target_project_id bigint);
        """),
        present=[
            (IMPLICIT_FK, "ci_builds.stage_id"),  # the table's own prefix
            (IMPLICIT_FK, "ci_builds.upstream_pipeline_id"),  # ... after a role
            (IMPLICIT_FK, "ci_stages.pipeline_id"),
            (IMPLICIT_FK, "ci_sources_pipelines.source_pipeline_id"),  # not its own table: ci_pipelines
            (IMPLICIT_FK, "merge_requests.head_pipeline_id"),  # the one ci_ table it fits
            (IMPLICIT_FK, "merge_requests.target_project_id"),
        ],
        absent=[(IMPLICIT_FK, "ci_builds.commit_id")],  # no commits table
        expect={
            (IMPLICIT_FK, "ci_builds.stage_id"): {"referred_table": "{schema}.ci_stages", "found_by": "prefix"},
            (IMPLICIT_FK, "ci_sources_pipelines.source_pipeline_id"): {"referred_table": "{schema}.ci_pipelines"},
            (IMPLICIT_FK, "merge_requests.head_pipeline_id"): {"referred_table": "{schema}.ci_pipelines",
                                                               "found_by": "family"},  # fmt: skip
        },
    ),
    case(
        # roles name a person: the one table with logins, whatever it is called
        "implicit-foreign-key-person-roles",
        everywhere("""
            CREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(255) NOT NULL, encrypted_password varchar(255));
            CREATE TABLE merge_requests (id bigint PRIMARY KEY, author_id bigint, merge_user_id bigint, title varchar(255));
            CREATE TABLE merge_request_metrics (id bigint PRIMARY KEY, merged_by_id bigint, latest_closed_by_id bigint);
            CREATE TABLE ci_pipelines (id bigint PRIMARY KEY, auto_canceled_by_id bigint);
            CREATE TABLE merge_request_diff_commits (id bigint PRIMARY KEY, commit_author_id bigint);
            CREATE TABLE post_versions (id bigint PRIMARY KEY, updater_id bigint, updated_by varchar(40));
            CREATE TABLE actor (actor_id bigint PRIMARY KEY, first_name varchar(45));
        """),
        present=[
            (IMPLICIT_FK, "merge_requests.author_id"),
            (IMPLICIT_FK, "merge_request_metrics.merged_by_id"),
            (IMPLICIT_FK, "merge_request_metrics.latest_closed_by_id"),
            (IMPLICIT_FK, "post_versions.updater_id"),
        ],
        absent=[
            (IMPLICIT_FK, "merge_requests.merge_user_id"),  # names a users table, and there is none
            (IMPLICIT_FK, "ci_pipelines.auto_canceled_by_id"),  # no person cancels automatically
            (IMPLICIT_FK, "merge_request_diff_commits.commit_author_id"),  # a commit's author: a git identity
            (IMPLICIT_FK, "post_versions.updated_by"),  # text cannot hold the key
            (IMPLICIT_FK, "actor.actor_id"),  # pagila: the table's own key, not a person's role
        ],
        expect={(IMPLICIT_FK, "merge_requests.author_id"): {"referred_table": "{schema}.accounts", "found_by": "role"}},
    ),
    case(
        # Bagisto: admins and customers both log in; which one a role means cannot be told
        "implicit-foreign-key-two-tables-of-people",
        everywhere("""
            CREATE TABLE admins (id integer PRIMARY KEY, name varchar(255), email varchar(255), password varchar(255));
            CREATE TABLE customers (id integer PRIMARY KEY, email varchar(255), password varchar(255));
            CREATE TABLE product_reviews (id integer PRIMARY KEY, customer_id integer, author_id integer, created_by integer);
        """),
        present=[(IMPLICIT_FK, "product_reviews.customer_id")],
        absent=[(IMPLICIT_FK, "product_reviews.author_id"), (IMPLICIT_FK, "product_reviews.created_by")],
    ),
    case(
        # Danbooru's reactions.reaction_id names a kind of reaction, not another reaction; irregular plurals
        "implicit-foreign-key-own-table-and-plurals",
        everywhere("""
            CREATE TABLE reactions (id integer PRIMARY KEY, model_type varchar(255), model_id integer, reaction_id integer);
            CREATE TABLE people (id integer PRIMARY KEY, name varchar(80));
            CREATE TABLE children (id integer PRIMARY KEY, person_id integer, parent_id integer);
            CREATE TABLE addresses (id integer PRIMARY KEY, person_id integer);
            CREATE TABLE criteria (id integer PRIMARY KEY, label varchar(80));
            CREATE TABLE media (id integer PRIMARY KEY, url varchar(255));
            CREATE TABLE analyses (id integer PRIMARY KEY, criterion_id integer, medium_id integer);
            CREATE TABLE visits (id integer PRIMARY KEY, child_id integer, address_id integer, analysis_id integer);
            CREATE TABLE posts (id integer PRIMARY KEY, parent_id integer);
            CREATE TABLE post_versions (id integer PRIMARY KEY, post_id integer, parent_id integer);
        """),
        present=[
            (IMPLICIT_FK, "children.person_id"),
            (IMPLICIT_FK, "children.parent_id"),  # a tree
            (IMPLICIT_FK, "addresses.person_id"),
            (IMPLICIT_FK, "analyses.criterion_id"),
            (IMPLICIT_FK, "analyses.medium_id"),
            (IMPLICIT_FK, "visits.child_id"),
            (IMPLICIT_FK, "visits.address_id"),
            (IMPLICIT_FK, "visits.analysis_id"),
            (IMPLICIT_FK, "posts.parent_id"),
            (IMPLICIT_FK, "post_versions.parent_id"),  # the tracked post's parent
        ],
        absent=[(IMPLICIT_FK, "reactions.reaction_id"), (IMPLICIT_FK, "reactions.model_id")],
        expect={
            (IMPLICIT_FK, "children.person_id"): {"referred_table": "{schema}.people"},
            (IMPLICIT_FK, "visits.child_id"): {"referred_table": "{schema}.children"},
            (IMPLICIT_FK, "visits.address_id"): {"referred_table": "{schema}.addresses"},
            (IMPLICIT_FK, "visits.analysis_id"): {"referred_table": "{schema}.analyses"},
            (IMPLICIT_FK, "analyses.criterion_id"): {"referred_table": "{schema}.criteria"},
            (IMPLICIT_FK, "analyses.medium_id"): {"referred_table": "{schema}.media"},
            (IMPLICIT_FK, "children.parent_id"): {"referred_table": "{schema}.children", "found_by": "self"},
            (IMPLICIT_FK, "post_versions.parent_id"): {"referred_table": "{schema}.posts", "found_by": "self"},
        },
    ),
    case(
        # a Rails integer reference to a bigint key (gisia namespaces.creator_id): still a reference, and
        # the key may outgrow it; SQLite keeps every integer in up to 64 bits
        "implicit-foreign-key-narrower-integer",
        {engine: """
            CREATE TABLE users (id bigint PRIMARY KEY, username varchar(255), encrypted_password varchar(255));
            CREATE TABLE namespaces (id bigint PRIMARY KEY, creator_id integer, owner_id bigint);
        """ for engine in ("postgresql", "mysql", "sqlite")},
        present=[(IMPLICIT_FK, "namespaces.creator_id"), (IMPLICIT_FK, "namespaces.owner_id")],
    ),
    # --- polymorphic-reference -------------------------------------------------------------------
    case(
        # Lago's fees.invoiceable_*, GitLab's integer runner_type (a kind of runner, beside runner_id),
        # a payment provider's own ids, a typed reference with a foreign key, Django's GenericForeignKey
        "polymorphic-reference",
        everywhere("""
            CREATE TABLE invoices (id integer PRIMARY KEY);
            CREATE TABLE payment_methods (id integer PRIMARY KEY);
            CREATE TABLE fees (id integer PRIMARY KEY, invoiceable_type varchar(255), invoiceable_id integer,
                               payment_method_type varchar(255), payment_method_id integer,
                               provider_method_type varchar(255), provider_method_id varchar(255),
                               FOREIGN KEY (payment_method_id) REFERENCES payment_methods (id));
            CREATE TABLE ci_runners (id bigint PRIMARY KEY);
            CREATE TABLE ci_runner_machines (id bigint PRIMARY KEY, runner_type smallint, runner_id bigint);
            CREATE TABLE django_content_type (id integer PRIMARY KEY, app_label varchar(100), model varchar(100));
            CREATE TABLE comments (id integer PRIMARY KEY, content_type_id integer, object_id varchar(255),
                                   FOREIGN KEY (content_type_id) REFERENCES django_content_type (id));
        """),
        present=[
            (POLYMORPHIC, "fees.invoiceable_id"),
            (POLYMORPHIC, "comments.object_id"),
            (IMPLICIT_FK, "ci_runner_machines.runner_id"),
        ],
        absent=[
            (POLYMORPHIC, "fees.payment_method_id"),  # its foreign key says which table
            (POLYMORPHIC, "fees.provider_method_id"),  # the payment provider's ids
            (POLYMORPHIC, "ci_runner_machines.runner_id"),  # an integer type is a kind, not a table
            (IMPLICIT_FK, "fees.invoiceable_id"),  # asked about once, as a polymorphic reference
            (VALUE_SET, "fees.invoiceable_type"),
        ],
        expect={(POLYMORPHIC, "fees.invoiceable_id"): {"type_column": "invoiceable_type", "id_column": "invoiceable_id",
                                                       "severity": "warning"},  # fmt: skip
                (POLYMORPHIC, "comments.object_id"): {"type_column": "content_type_id"}},  # fmt: skip
    ),
    # --- unexplained-value-set -------------------------------------------------------------------
    case(
        "value-sets",
        {
            "postgresql": """
                CREATE TYPE ticket_channel AS ENUM ('email', 'phone');
                CREATE TABLE ticket_states (code varchar(20) PRIMARY KEY, label varchar(80));
                CREATE TABLE tickets (
                    id integer PRIMARY KEY,
                    status varchar(20),
                    kind varchar(20) CHECK (kind IN ('bug', 'question')),
                    stage integer CHECK (stage = 1 OR stage = 2 OR stage = 3),
                    channel_type ticket_channel,
                    state varchar(20) REFERENCES ticket_states (code),
                    source_type text,
                    priority_level smallint CHECK (priority_level > 0),
                    postal_code varchar(10),
                    currency_code char(3),
                    is_urgent boolean
                );
            """,
            "mysql": """
                CREATE TABLE ticket_states (code varchar(20) PRIMARY KEY, label varchar(80));
                CREATE TABLE tickets (
                    id integer PRIMARY KEY,
                    status varchar(20),
                    kind varchar(20) CHECK (kind IN ('bug', 'question')),
                    stage integer CHECK (stage = 1 OR stage = 2 OR stage = 3),
                    channel_type ENUM('email', 'phone'),
                    state varchar(20),
                    source_type text,
                    priority_level smallint CHECK (priority_level > 0),
                    postal_code varchar(10),
                    currency_code char(3),
                    is_urgent boolean,
                    FOREIGN KEY (state) REFERENCES ticket_states (code)
                );
            """,
            "sqlite": """
                CREATE TABLE ticket_states (code TEXT PRIMARY KEY, label TEXT);
                CREATE TABLE tickets (
                    id INTEGER PRIMARY KEY,
                    status TEXT,
                    kind TEXT CHECK (kind IN ('bug', 'question')),
                    stage INTEGER CHECK (stage = 1 OR stage = 2 OR stage = 3),
                    channel_type TEXT CHECK (channel_type IN ('email', 'phone')),
                    state TEXT REFERENCES ticket_states (code),
                    source_type TEXT,
                    priority_level SMALLINT CHECK (priority_level > 0),
                    postal_code TEXT,
                    currency_code CHAR(3),
                    is_urgent BOOLEAN
                );
            """,
        },
        present=[(VALUE_SET, "tickets.status"), (VALUE_SET, "tickets.source_type"), (VALUE_SET, "tickets.priority_level")],
        absent=[
            (VALUE_SET, "tickets.kind"),  # CHECK list
            (VALUE_SET, "tickets.stage"),  # CHECK OR-chain
            (VALUE_SET, "tickets.channel_type"),  # enum type / ENUM / CHECK list
            (VALUE_SET, "tickets.state"),  # foreign key to its lookup table
            (VALUE_SET, "tickets.postal_code"),  # an identifier, not a list of values
            (VALUE_SET, "tickets.currency_code"),  # a standard code list
            (VALUE_SET, "tickets.is_urgent"),
            (VALUE_SET, "ticket_states.code"),  # the lookup table's key is the explanation
        ],
        expect={(VALUE_SET, "tickets.status"): {"candidate_lookup_table": None}},
    ),
    case(
        "value-set-unlinked-lookup",
        everywhere("""
            CREATE TABLE order_statuses (code varchar(20) PRIMARY KEY, label varchar(80));
            CREATE TABLE orders (id integer PRIMARY KEY, status varchar(20), total integer);
            CREATE TABLE refunds (id integer PRIMARY KEY, status varchar(20),
                                  FOREIGN KEY (status) REFERENCES order_statuses (code));
            CREATE TABLE addresses (id integer PRIMARY KEY, street varchar(80), city varchar(80),
                                    state varchar(2), postal_code varchar(10));
        """),
        present=[(VALUE_SET, "orders.status")],
        absent=[
            (VALUE_SET, "refunds.status"),
            (VALUE_SET, "order_statuses.code"),
            (VALUE_SET, "addresses.state"),  # a region of an address, not a lifecycle state
        ],
        expect={(VALUE_SET, "orders.status"): {"candidate_lookup_table": "{schema}.order_statuses"}},
    ),
    case(
        "value-set-domain",
        {"postgresql": """
            CREATE DOMAIN order_status AS varchar(20) CHECK (VALUE IN ('new', 'paid', 'shipped'));
            CREATE TABLE orders (id integer PRIMARY KEY, status order_status);
        """},
        absent=[(VALUE_SET, "orders.status")],  # the domain's CHECK list explains the values
    ),
    case(
        # Lago, Danbooru, Bagisto: codes that identify a row, name another table's row, follow a
        # standard or come from another system are no code lists; statuses and types are, even when
        # unique together with their parent
        "value-set-identifiers",
        {engine: f"""
            CREATE TABLE organizations (id integer PRIMARY KEY, name varchar(255));
            CREATE TABLE taxes (id integer PRIMARY KEY, organization_id integer, code varchar(255) NOT NULL);
            CREATE UNIQUE INDEX idx_unique_tax_code_per_organization ON taxes (code, organization_id);
            CREATE TABLE fees_taxes (id integer PRIMARY KEY, tax_code varchar(255) NOT NULL, fee_type varchar(40));
            CREATE TABLE webhooks (id integer PRIMARY KEY, http_status integer, status integer, webhook_type varchar(255),
                                   object_type varchar(255), object_id integer);
            CREATE TABLE payment_intents (id integer PRIMARY KEY, invoice_id integer, status integer NOT NULL);
            CREATE UNIQUE INDEX index_payment_intents_on_invoice_id_and_status ON payment_intents (invoice_id, status){
                " WHERE status = 0" if engine != "mysql" else ""};
            CREATE TABLE upgrade_codes (id integer PRIMARY KEY, code varchar(255) NOT NULL, status integer NOT NULL);
            CREATE UNIQUE INDEX index_upgrade_codes_on_code ON upgrade_codes (code);
            CREATE TABLE categories (id integer PRIMARY KEY, name varchar(80));
            CREATE TABLE forum_topics (id integer PRIMARY KEY, category_id integer, min_level integer);
            CREATE TABLE channels (id integer PRIMARY KEY, code varchar(255), hostname varchar(255));
            CREATE TABLE shipments (id integer PRIMARY KEY, carrier_code varchar(255), mime_type varchar(255));
            CREATE TABLE integration_items (id integer PRIMARY KEY, external_account_code varchar(255), item_type varchar(255));
        """ for engine in ("postgresql", "mysql", "sqlite")},
        present=[
            (VALUE_SET, "fees_taxes.fee_type"),
            (VALUE_SET, "webhooks.status"),
            (VALUE_SET, "webhooks.webhook_type"),
            (VALUE_SET, "payment_intents.status"),  # one pending intent per invoice: still a status
            (VALUE_SET, "upgrade_codes.status"),
            (VALUE_SET, "forum_topics.min_level"),
            (VALUE_SET, "shipments.carrier_code"),
            (VALUE_SET, "integration_items.item_type"),
        ],
        absent=[
            (VALUE_SET, "taxes.code"),  # unique per organization: an identifier someone chose
            (VALUE_SET, "upgrade_codes.code"),  # unique
            (VALUE_SET, "channels.code"),  # the row's own code
            (VALUE_SET, "fees_taxes.tax_code"),  # the code of a row of taxes
            (VALUE_SET, "webhooks.http_status"),  # a standard list
            (VALUE_SET, "shipments.mime_type"),
            (VALUE_SET, "webhooks.object_type"),  # asked about by polymorphic-reference
            (VALUE_SET, "forum_topics.category_id"),  # a reference to categories
            (VALUE_SET, "integration_items.external_account_code"),  # another system's code
        ],
        expect={(VALUE_SET, "webhooks.status"): {"severity": "info", "basis": "name"},
                (IMPLICIT_FK, "forum_topics.category_id"): {"referred_table": "{schema}.categories"}},  # fmt: skip
    ),
    # --- enum-meaning ------------------------------------------------------------------------------
    case(
        # Lago's payment_method_types serves four columns: asked once; OpenStreetMap's nwr_enum is the
        # type of a polymorphic reference
        "enum-meaning",
        {"postgresql": """
            CREATE TYPE payment_method_types AS ENUM ('provider', 'manual');
            CREATE TYPE subscription_cancelation_reasons AS ENUM ('payment_failed', 'timeout');
            CREATE TYPE nwr_enum AS ENUM ('Node', 'Way', 'Relation');
            CREATE TYPE tag_kind AS ENUM ('general', 'artist');
            CREATE TYPE left_over AS ENUM ('a', 'b');
            CREATE TABLE subscriptions (id bigint PRIMARY KEY, payment_method_type payment_method_types,
                                        cancelation_reason subscription_cancelation_reasons);
            CREATE TABLE wallets (id bigint PRIMARY KEY, payment_method_type payment_method_types NOT NULL);
            CREATE TABLE relation_members (id bigint PRIMARY KEY, member_type nwr_enum NOT NULL, member_id bigint NOT NULL);
            CREATE TABLE saved_searches (id bigint PRIMARY KEY, kinds tag_kind[]);
        """},
        present=[(ENUM_MEANING, "payment_method_types"), (ENUM_MEANING, "tag_kind")],
        absent=[
            (ENUM_MEANING, "nwr_enum"),  # polymorphic-reference asks which tables its values name
            (ENUM_MEANING, "left_over"),  # no column uses it
            (VALUE_SET, "subscriptions.payment_method_type"),
        ],
        expect={(POLYMORPHIC, "relation_members.member_id"): {"declared_types": ["Node", "Way", "Relation"]}},
    ),
    case(
        # the same on MySQL/MariaDB, one list of ENUM values at a time; Bagisto's locales.direction
        "enum-meaning-mysql",
        {"mysql": """
            CREATE TABLE subscriptions (id bigint PRIMARY KEY, payment_method_type ENUM('provider', 'manual'),
                                        cancelation_reason ENUM('payment_failed', 'timeout'));
            CREATE TABLE wallets (id bigint PRIMARY KEY, payment_method_type ENUM('provider', 'manual') NOT NULL);
            CREATE TABLE relation_members (id bigint PRIMARY KEY, member_type ENUM('Node', 'Way', 'Relation') NOT NULL,
                                           member_id bigint NOT NULL);
            CREATE TABLE locales (id int PRIMARY KEY, direction ENUM('ltr', 'rtl') NOT NULL DEFAULT 'ltr',
                                  special_features SET('Trailers', 'Commentaries'));
        """},
        present=[(ENUM_MEANING, "subscriptions.payment_method_type"), (ENUM_MEANING, "locales.direction")],
        absent=[
            (ENUM_MEANING, "wallets.payment_method_type"),  # the same list, asked once
            (ENUM_MEANING, "relation_members.member_type"),
            (VALUE_SET, "subscriptions.payment_method_type"),
        ],
        expect={(POLYMORPHIC, "relation_members.member_id"): {"declared_types": ["Node", "Way", "Relation"]}},
    ),
    # --- mixed-timestamp-conventions ---------------------------------------------------------------
    case(
        "mixed-timestamp-conventions",
        {"postgresql": """
            CREATE TABLE merge_requests (id bigint PRIMARY KEY, created_at timestamp NOT NULL, updated_at timestamp NOT NULL);
            CREATE TABLE merge_request_metrics (id bigint PRIMARY KEY, merged_at timestamptz, latest_closed_at timestamptz);
        """, "mysql": """
            CREATE TABLE cart_rules (id int PRIMARY KEY, starts_from DATETIME, ends_till DATETIME,
                                     created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL);
        """},
        present=[(MIXED_TIMESTAMPS, "")],  # the schema itself
        expect={(MIXED_TIMESTAMPS, ""): {"wall_clock_columns": 2, "instant_columns": 2, "severity": "warning"}},
    ),
    case(
        "one-timestamp-convention",
        {"postgresql": "CREATE TABLE a (id int PRIMARY KEY, created_at timestamp, day date, at time with time zone);",
         "mysql": "CREATE TABLE a (id int PRIMARY KEY, created_at DATETIME, updated_at DATETIME, day DATE);",
         # SQLite keeps text or numbers whatever the declared type
         "sqlite": "CREATE TABLE events (id INTEGER PRIMARY KEY, created_at TIMESTAMP, sent_at TIMESTAMPTZ);"},
        absent=[(MIXED_TIMESTAMPS, "")],
    ),
    # --- json-without-schema ---------------------------------------------------------------------
    case(
        "json",
        {
            "postgresql": """
                CREATE FUNCTION validate_json_schema(schema jsonb, doc jsonb) RETURNS boolean
                    LANGUAGE sql IMMUTABLE AS $$ SELECT jsonb_typeof(doc) = schema->>'type' $$;
                CREATE TABLE webhooks (
                    id integer PRIMARY KEY,
                    payload jsonb,
                    headers json,
                    raw_body text,
                    config jsonb CHECK (validate_json_schema('{"type": "object"}', config))
                );
            """,
            # MariaDB: JSON is LONGTEXT with CHECK (json_valid(...)); so is a LONGTEXT declared that way
            "mysql": """
                CREATE TABLE webhooks (id integer PRIMARY KEY, payload JSON,
                                       headers LONGTEXT CHECK (json_valid(headers)), raw_body TEXT);
            """,
            "sqlite": "CREATE TABLE webhooks (id INTEGER PRIMARY KEY, payload JSON, headers JSONB, raw_body TEXT);",
        },
        present=[(JSON, "webhooks.payload"), (JSON, "webhooks.headers")],
        absent=[(JSON, "webhooks.raw_body"), (JSON, "webhooks.config"), (JSON, "webhooks.id")],
    ),
    # --- cascade-delete --------------------------------------------------------------------------
    case(
        "cascade-delete",
        everywhere("""
            CREATE TABLE teams (id integer PRIMARY KEY, name varchar(40));
            CREATE TABLE members (id integer PRIMARY KEY, team_id integer,
                                  FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE);
            CREATE TABLE invites (id integer PRIMARY KEY, team_id integer,
                                  FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL);
            CREATE TABLE projects (id integer PRIMARY KEY, team_id integer,
                                   FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE RESTRICT);
            CREATE TABLE boards (id integer PRIMARY KEY, team_id integer, FOREIGN KEY (team_id) REFERENCES teams (id));
        """),
        present=[(CASCADE, "members.team_id")],
        absent=[(CASCADE, "invites.team_id"), (CASCADE, "projects.team_id"), (CASCADE, "boards.team_id")],
        expect={(CASCADE, "members.team_id"): {"columns": ["team_id"], "parent_table": "{schema}.teams"}},
    ),
]


@pytest.mark.parametrize(("engine", "case"), params(CASES))
def test_model_rule_case(engines, engine, case):
    engines.run(case, engine)


@pytest.mark.parametrize(("engine", "narrower"), [pytest.param("postgresql", True, marks=pytest.mark.postgres),
                                                  pytest.param("mysql", True, marks=pytest.mark.mysql),
                                                  ("sqlite", None)])  # fmt: skip
def test_implicit_foreign_key_says_when_an_integer_column_is_narrower_than_its_key(engines, engine, narrower):
    case = next(c for c in CASES if c.id == "implicit-foreign-key-narrower-integer")
    audited = engines.run(case, engine)
    creator = audited.finding(IMPLICIT_FK, "namespaces.creator_id")
    assert creator.evidence.get("narrower_than_key") is narrower
    assert ("narrower than the key's" in creator.message) is bool(narrower)
    assert "narrower_than_key" not in audited.finding(IMPLICIT_FK, "namespaces.owner_id").evidence


# --- evidence the issue names ------------------------------------------------------------------


@pytest.mark.postgres
def test_timestamp_evidence_names_the_postgres_server_and_session_time_zone(engines, rules_pg_db):
    audited = engines("postgresql", "CREATE TABLE shifts (id integer PRIMARY KEY, starts_at timestamp);")
    evidence = audited.finding(NO_TZ, "shifts.starts_at").evidence
    (server_zone,) = rules_pg_db.execute("SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'")[0]
    (session_zone,) = rules_pg_db.execute("SHOW TimeZone")[0]  # a fresh session, as dayone's is
    assert evidence["server_timezone"] == server_zone and evidence["session_timezone"] == session_zone
    assert evidence["declared_type"] == "timestamp without time zone"


@pytest.mark.mysql
def test_timestamp_evidence_names_the_mysql_server_and_session_time_zone(engines, mysql_server):
    from conftest import _mysql_admin

    audited = engines("mysql", "CREATE TABLE shifts (id integer PRIMARY KEY, starts_at DATETIME, ends_at TIMESTAMP NULL);")
    evidence = audited.finding(NO_TZ, "shifts.starts_at").evidence
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute("SELECT @@global.time_zone, @@session.time_zone, @@system_time_zone")
        server_zone, session_zone, system_zone = cur.fetchone()
    # SYSTEM means the operating system's zone, which is what a reader needs to know
    assert evidence["server_timezone"] == (system_zone if server_zone == "SYSTEM" else server_zone)
    assert evidence["session_timezone"] == (system_zone if session_zone == "SYSTEM" else session_zone)
    assert evidence["declared_type"] == "datetime"


# --- what the rows show ----------------------------------------------------------------------------

POLYMORPHIC_ROWS = """
    CREATE TABLE posts (id integer PRIMARY KEY, title varchar(80));
    CREATE TABLE photos (id integer PRIMARY KEY, url varchar(200));
    CREATE TABLE comments (id integer PRIMARY KEY, commentable_type varchar(40) NOT NULL,
                           commentable_id integer NOT NULL, body varchar(200));
    INSERT INTO comments VALUES (1, 'Post', 1, 'a'), (2, 'Post', 2, 'b'), (3, 'Photo', 1, 'c'), (4, 'Legacy::Video', 7, 'd');
"""


def _polymorphic_types_read(url: str, schema: str) -> None:
    from dayone import api

    finding = next(f for f in api.audit(url).findings if f.rule == POLYMORPHIC and f.target.endswith("comments.commentable_id"))
    assert finding.evidence["observed_types"] == {"Post": 2, "Photo": 1, "Legacy::Video": 1}
    assert finding.evidence["tables_named"] == {"Post": f"{schema}.posts", "Photo": f"{schema}.photos"}
    assert "Post (2)" in finding.message and "full scan of 4 rows" in finding.message


@pytest.mark.postgres
def test_polymorphic_reference_lists_the_types_read_on_postgres(pg_db):
    for statement in POLYMORPHIC_ROWS.split(";"):
        if statement.strip():
            pg_db.execute(statement)
    _polymorphic_types_read(pg_db.url, "public")


@pytest.mark.mysql
def test_polymorphic_reference_lists_the_types_read_on_mysql(mysql_db):
    for statement in POLYMORPHIC_ROWS.split(";"):
        if statement.strip():
            mysql_db.execute(statement)
    _polymorphic_types_read(mysql_db.url, mysql_db.name)


def test_polymorphic_reference_lists_the_types_read_on_sqlite(tmp_path):
    import sqlite3

    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(POLYMORPHIC_ROWS)
    _polymorphic_types_read(f"sqlite:///{path}", "shop")


def test_polymorphic_reference_without_rows_says_so(tmp_path):
    import sqlite3

    from dayone import api

    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(POLYMORPHIC_ROWS.split("INSERT")[0])
    finding = next(f for f in api.audit(f"sqlite:///{path}").findings if f.rule == POLYMORPHIC)
    assert "no row was read" in finding.message and "observed_types" not in finding.evidence


VALUE_SET_ROWS = """
    CREATE TABLE tickets (id integer PRIMARY KEY, status varchar(20), source varchar(300), kind varchar(40),
                          state varchar(20), priority_level integer);
    CREATE TABLE refunds (id integer PRIMARY KEY, status varchar(20));
"""


def _value_set_rows(insert) -> None:
    statuses = ["open"] * 15 + ["closed"] * 10 + ["pending"] * 5
    for i, status in enumerate(statuses):
        url = f"https://example.com/tickets/source/with/a/rather/long/path/{i:04d}/and/more/path/to/be/long"
        insert(f"INSERT INTO tickets VALUES ({i}, '{status}', '{url}', 'kind-{i}', NULL, {i % 3})")


def _value_sets_read(url: str) -> None:
    from dayone import api
    from dayone.groups import build_report

    result = api.audit(url)
    found = {local(f.target): f for f in result.findings if f.rule == VALUE_SET}
    status = found["tickets.status"]
    assert status.severity == "warning" and status.evidence["basis"] == "values"
    assert status.evidence["observed_values"] == {"open": 15, "closed": 10, "pending": 5}
    assert "source" not in str(sorted(found)) and "tickets.kind" not in found  # URLs; values nearly all different
    empty = found["refunds.status"]
    assert empty.severity == "info" and "the table is empty" in empty.message
    assert empty.question.startswith("Is refunds.status a code list?")
    unread = found["tickets.state"]
    assert unread.severity == "info" and "every value read is NULL" in unread.message
    assert "As an integer" in found["tickets.priority_level"].question
    groups = [g for g in build_report(result).groups if g.rule == VALUE_SET]
    # what the rows back and what rests on names are asked apart
    assert sorted((g.severity, g.count) for g in groups) == [("info", 2), ("warning", 2)]


def local(target: str) -> str:
    return target.split(".", 1)[1]


@pytest.mark.postgres
def test_value_sets_read_from_rows_on_postgres(pg_db):
    pg_db.execute(VALUE_SET_ROWS)
    _value_set_rows(pg_db.execute)
    _value_sets_read(pg_db.url)


@pytest.mark.mysql
def test_value_sets_read_from_rows_on_mysql(mysql_db):
    for statement in VALUE_SET_ROWS.split(";"):
        if statement.strip():
            mysql_db.execute(statement)
    _value_set_rows(mysql_db.execute)
    _value_sets_read(mysql_db.url)


def test_value_sets_read_from_rows_on_sqlite(tmp_path):
    import sqlite3

    path = tmp_path / "desk.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(VALUE_SET_ROWS)
        _value_set_rows(conn.execute)
    _value_sets_read(f"sqlite:///{path}")


@pytest.mark.postgres
def test_integer_code_question_names_rails_enums_in_a_rails_schema(engines):
    ddl = "CREATE TABLE invites (id bigint PRIMARY KEY, status integer DEFAULT 0 NOT NULL, kind varchar(20));"
    plain = engines("postgresql", ddl).finding(VALUE_SET, "invites.status")
    assert "Rails" not in plain.question and "named only in the application's code" in plain.question
    rails = engines("postgresql", ddl + """
        CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar, created_at timestamp(6) NOT NULL,
                                           updated_at timestamp(6) NOT NULL);
    """)
    assert "probably a Rails enum" in rails.finding(VALUE_SET, "invites.status").question
    assert "enum" not in rails.finding(VALUE_SET, "invites.kind").question  # text: its values are its names


@pytest.mark.postgres
def test_enum_meaning_lists_values_and_columns(engines):
    case = next(c for c in CASES if c.id == "enum-meaning")
    audited = engines.run(case, "postgresql")
    payment = audited.finding(ENUM_MEANING, "payment_method_types")
    assert payment.severity == "info" and payment.evidence["values"] == ["provider", "manual"]
    assert payment.evidence["columns"] == [f"{audited.schema}.subscriptions.payment_method_type",
                                           f"{audited.schema}.wallets.payment_method_type"]  # fmt: skip
    assert "used by 2 columns" in payment.message and "What does each value of payment_method_types mean" in payment.question
    assert audited.finding(ENUM_MEANING, "tag_kind").evidence["columns"] == [f"{audited.schema}.saved_searches.kinds"]


@pytest.mark.mysql
def test_enum_meaning_asks_once_per_mysql_list(engines):
    case = next(c for c in CASES if c.id == "enum-meaning-mysql")
    audited = engines.run(case, "mysql")
    payment = audited.finding(ENUM_MEANING, "subscriptions.payment_method_type").evidence
    assert payment["kind"] == "enum" and payment["columns"] == [f"{audited.schema}.subscriptions.payment_method_type",
                                                                f"{audited.schema}.wallets.payment_method_type"]  # fmt: skip
    assert audited.finding(ENUM_MEANING, "locales.special_features").evidence["kind"] == "set"
    assert audited.finding(ENUM_MEANING, "locales.direction").evidence["values"] == ["ltr", "rtl"]


@pytest.mark.mysql
def test_mixed_timestamps_on_mysql_say_how_timestamp_is_stored(engines):
    case = next(c for c in CASES if c.id == "mixed-timestamp-conventions")
    finding = engines.run(case, "mysql").finding(MIXED_TIMESTAMPS, "")
    assert "TIMESTAMP is stored in UTC" in finding.message and "same session time zone" in finding.question
    assert finding.evidence["wall_clock_examples"] == ["cart_rules.starts_from", "cart_rules.ends_till"]


def test_model_rules_say_what_they_leave_out():
    from dayone.rules import REGISTRY

    for rule in REGISTRY.values():
        if rule.family == "model":
            assert len(rule.docs.get("What it leaves out", "")) > 80, rule.name


def test_value_sets_all_explained_are_said_so(engines):
    from dayone.groups import build_report
    from dayone.rules.engine import AuditResult
    from dayone.rules import select_rules

    audited = engines("sqlite", """
        CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT CHECK (status IN ('open', 'closed')),
                              kind TEXT REFERENCES kinds (code), created_at TIMESTAMP);
        CREATE TABLE kinds (code TEXT PRIMARY KEY, label TEXT);
    """)
    report = build_report(AuditResult(audited.catalog, tuple(select_rules()), audited.findings))
    model = next(s for s in report.sections if s.section == "Data model")
    assert "every status, type and code column is explained by an enum, a CHECK list or a lookup table" in model.good
