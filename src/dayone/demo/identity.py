"""identity.db: "Collectors ID", the single login that replaces the PSA and PCGS logins."""

from __future__ import annotations

import random
import sqlite3

from dayone.demo.vocabulary import utc_text
from dayone.demo.world import World

DDL = """
CREATE TABLE accounts ( -- One Collectors ID login per customer, across PSA, PCGS and collectors.com.
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE, -- login name; lower case
    display_name TEXT,
    country_code CHAR(2), -- ISO 3166-1 alpha-2
    legacy_source TEXT CHECK (legacy_source IN ('psa', 'pcgs')), -- system a migrated login came from
    legacy_user_id TEXT, -- the user id in the legacy system
    email_verified_at TIMESTAMPTZ,
    last_login_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL, -- maintained by trigger accounts_touch_updated_at
    deleted_at TIMESTAMPTZ -- set when the customer closes the account
);
CREATE UNIQUE INDEX accounts_legacy ON accounts (legacy_source, legacy_user_id) WHERE legacy_source IS NOT NULL;
CREATE INDEX accounts_created_at ON accounts (created_at);

CREATE TABLE account_identities ( -- Ways to sign in to an account: a password or an external provider.
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    provider TEXT NOT NULL CHECK (provider IN ('password', 'google', 'apple')),
    provider_subject TEXT, -- the provider's user id; NULL for password logins
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    CONSTRAINT account_identities_provider_subject UNIQUE (provider, provider_subject)
);
CREATE INDEX account_identities_account ON account_identities (account_id);
"""

TRIGGERS = """
CREATE TRIGGER accounts_touch_updated_at AFTER UPDATE ON accounts FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE accounts SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = NEW.id;
END;
"""


def load(conn: sqlite3.Connection, world: World) -> None:
    rng = random.Random("identity")
    t = lambda moment: utc_text(moment) if moment else None  # noqa: E731
    conn.executemany(
        "INSERT INTO accounts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(a.id, a.email, a.display_name, a.country_code, a.legacy_source, a.legacy_user_id, t(a.email_verified_at),
          t(a.last_login_at), t(a.created_at), t(a.updated_at), t(a.deleted_at)) for a in world.accounts],
    )
    identities = []
    for a in world.accounts:
        providers = ["password"] if a.legacy_source or rng.random() < 0.55 else []
        providers += [p for p in ("google", "apple") if rng.random() < (0.35 if p == "google" else 0.15)] or ([] if providers else ["google"])
        for provider in providers:
            subject = None if provider == "password" else f"{provider[0]}-{rng.getrandbits(64):016x}"
            used = t(a.last_login_at) if a.last_login_at and rng.random() < 0.7 else None
            identities.append((len(identities) + 1, a.id, provider, subject, t(a.created_at), used))
    conn.executemany("INSERT INTO account_identities VALUES (?,?,?,?,?,?)", identities)
