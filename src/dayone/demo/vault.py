"""vault.db: graded items customers store in the physical vault instead of at home."""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import timedelta

from dayone.demo.vocabulary import BETA_START, CARD_GRADES, CARDS, COIN_GRADES, COINS, GO_LIVE, utc_text as t
from dayone.demo.world import World

DDL = """
CREATE TABLE vault_item_statuses ( -- Where a vault item is in its life, from arrival to withdrawal.
    code TEXT PRIMARY KEY,
    description TEXT NOT NULL
);

CREATE TABLE storage_locations ( -- A box on a shelf in a vault facility.
    id INTEGER PRIMARY KEY,
    facility TEXT NOT NULL, -- SNA-1: Santa Ana
    aisle TEXT NOT NULL,
    shelf INTEGER NOT NULL,
    box INTEGER NOT NULL,
    capacity INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (facility, aisle, shelf, box)
);

CREATE TABLE vault_items ( -- A graded item held in the vault for a customer; withdrawn items are removed.
    vault_item_id TEXT NOT NULL,
    account_id INTEGER NOT NULL, -- Collectors ID account
    submission_id INTEGER, -- grading submission the item came from; NULL for items sent in already graded
    cert_number TEXT NOT NULL,
    description TEXT NOT NULL,
    grade NUMERIC,
    declared_value_cents INTEGER NOT NULL,
    status TEXT NOT NULL REFERENCES vault_item_statuses (code),
    storage_location_id INTEGER,
    received_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL -- maintained by trigger vault_items_touch_updated_at
);
CREATE INDEX vault_items_account ON vault_items (account_id);
CREATE INDEX vault_items_cert_number ON vault_items (cert_number);
"""

TRIGGERS = """
CREATE TRIGGER vault_items_touch_updated_at AFTER UPDATE ON vault_items FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE vault_items SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE rowid = NEW.rowid;
END;
"""

STATUSES = (
    ("in_transit", "On its way to the vault"),
    ("received", "Arrived at the vault, not yet shelved"),
    ("stored", "On a shelf in the vault"),
    ("withdrawal_requested", "The customer asked to have it shipped home"),
    ("shipped_out", "Shipped to the customer; leaves the vault"),
)


def load(conn: sqlite3.Connection, world: World) -> None:
    rng = random.Random("vault")
    conn.executemany("INSERT INTO vault_item_statuses VALUES (?,?)", STATUSES)
    opened = t(BETA_START - timedelta(days=40))
    places = [(aisle, shelf, box) for aisle in "ABCDEF" for shelf in range(1, 9) for box in range(1, 6)]
    locations = [(n, "SNA-1", aisle, shelf, box, 50, opened) for n, (aisle, shelf, box) in enumerate(places, start=1)]
    conn.executemany("INSERT INTO storage_locations VALUES (?,?,?,?,?,?,?)", locations)

    rows = []  # (created, row)
    for sub in world.submissions:
        if sub.status not in ("graded", "shipped") or rng.random() > 0.35:
            continue
        graded = sub.reached("graded")
        for item in sub.items:
            if item.cert_number is None:
                continue
            arrived = graded + timedelta(hours=rng.uniform(2, 20))
            status = "in_transit" if arrived > GO_LIVE else rng.choice(("received",) + ("stored",) * 6 + ("withdrawal_requested", "shipped_out"))
            rows.append((graded, [sub.account_id, item.submission_id, item.cert_number,
                                  item.description, item.grade, item.declared_value_cents, status, arrived]))
    customers = [a for a in world.customers if a.legacy_source is None]
    for _ in range(360):  # slabs beta customers sent in already graded
        account = rng.choice(customers)
        start = max(account.created_at, BETA_START)
        created = start + timedelta(seconds=rng.randrange(int((GO_LIVE - start).total_seconds()) or 1))
        if rng.random() < 0.3:
            description, value = rng.choice(COINS)
            grade = rng.choice(COIN_GRADES)
        else:
            description, _, value = rng.choice(CARDS)
            grade = rng.choice(CARD_GRADES)
        arrived = created + timedelta(days=rng.uniform(1, 3))
        status = "in_transit" if arrived > GO_LIVE else rng.choice(("received", "stored", "stored", "stored", "stored", "withdrawal_requested", "shipped_out"))
        rows.append((created, [account.id, None, str(rng.randrange(10**7, 10**8)), description, grade,
                               int(value * rng.uniform(0.5, 2.5) * 100), status, arrived]))

    rows.sort(key=lambda r: (r[0], r[1][2]))
    items = []
    for created, (account_id, submission_id, cert, description, grade, value, status, arrived) in rows:
        received = arrived if status != "in_transit" else None
        location = rng.randrange(1, len(locations) + 1) if status in ("stored", "withdrawal_requested") else None
        updated = min(GO_LIVE, (received or created) + timedelta(hours=rng.uniform(0, 30)))
        items.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), account_id, submission_id, cert, description,
                      grade, value, status, location, t(received) if received else None, t(created), t(updated)))
    conn.executemany("INSERT INTO vault_items VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", items)
    # Items shipped home are deleted outright: the vault keeps no record of them.
    conn.execute("DELETE FROM vault_items WHERE status = 'shipped_out'")
