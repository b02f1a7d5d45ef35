"""collection.db: "My Collection" on collectors.com, items customers show off and track."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import timedelta

from dayone.demo.vocabulary import BETA_START, CARDS, COIN_GRADES, COINS, GO_LIVE, MIGRATION, utc_text as t
from dayone.demo.world import World

DDL = """
CREATE TABLE collection_items ( -- An item a customer added to My Collection on collectors.com.
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL, -- Collectors ID account
    cert_number TEXT, -- PSA or PCGS certificate number of a graded item
    title TEXT NOT NULL,
    grade NUMERIC,
    source TEXT NOT NULL,
    metadata JSON,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX collection_items_account ON collection_items (account_id) WHERE is_deleted = 0;
CREATE INDEX collection_items_cert_number ON collection_items (cert_number);

CREATE TABLE collection_item_images (
    id INTEGER PRIMARY KEY,
    collection_item_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    position INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    CONSTRAINT collection_item_images_item FOREIGN KEY (collection_item_id)
        REFERENCES collection_items (id) ON DELETE CASCADE
);
CREATE INDEX collection_item_images_item ON collection_item_images (collection_item_id);
"""

TRIGGERS = ""

_MINT = {"1909-S VDB Lincoln Cent": ("1C", "S"), "1916-D Mercury Dime": ("10C", "D"), "1893-S Morgan Dollar": ("$1", "S"),
         "1921 Peace Dollar": ("$1", None), "1955 Doubled Die Lincoln Cent": ("1C", None),
         "1907 Saint-Gaudens Double Eagle": ("$20", None), "1937-D Three-Legged Buffalo Nickel": ("5C", "D"),
         "1932-D Washington Quarter": ("25C", "D")}


def load(conn: sqlite3.Connection, world: World) -> None:
    rng = random.Random("collection")
    rows = []  # (created, account, cert, title, grade, source, metadata)
    for sub in world.submissions:
        graded = sub.reached("graded")
        for item in sub.items:
            if graded and item.cert_number and rng.random() < 0.7:  # added automatically once graded
                meta = {"set": item.description.split(" #")[0], "year": int(item.description[:4]) if item.description[:4].isdigit() else None, "population": rng.randrange(1, 5000)}
                rows.append((graded, sub.account_id, item.cert_number, item.description, item.grade, "psa", meta))
    pcgs = [a for a in world.customers if a.legacy_source == "pcgs"]
    for account in pcgs:
        if rng.random() > 0.3:
            continue
        for _ in range(rng.randrange(1, 9)):  # PCGS Set Registry import, the night after the login migration
            title, _ = rng.choice(COINS)
            denomination, mint = _MINT[title]
            meta = {"denomination": denomination, "mint_mark": mint, "pcgs_number": rng.randrange(1000, 9999)}
            if rng.random() < 0.3:
                meta["variety"] = rng.choice(("VDB", "DDO", "FB", "3-Legs"))
            created = MIGRATION + timedelta(hours=1, seconds=rng.randrange(1800))
            rows.append((created, account.id, str(rng.randrange(10**7, 10**8)), title, rng.choice(COIN_GRADES), "pcgs", meta))
    beta = [a for a in world.customers if a.legacy_source is None]
    for account in beta:
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5, 8))):  # raw cards typed in by hand
            title, _, value = rng.choice(CARDS)
            meta = {"condition": rng.choice(("NM", "EX", "VG", "mint", "played"))}
            if rng.random() < 0.5:
                meta["purchase_price"] = round(value * rng.uniform(0.05, 0.5), 2)
            if rng.random() < 0.2:
                meta["tags"] = rng.sample(["PC", "for trade", "rookie", "vintage", "grail"], 2)
            created = max(account.created_at, BETA_START) + timedelta(seconds=rng.randrange(int((GO_LIVE - max(account.created_at, BETA_START)).total_seconds()) or 1))
            rows.append((created, account.id, None, title, None, "manual", meta))

    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    items, images = [], []
    for number, (created, account, cert, title, grade, source, meta) in enumerate(rows, start=1):
        deleted = rng.random() < 0.04
        updated = min(GO_LIVE, created + timedelta(hours=rng.uniform(0, 48))) if deleted or rng.random() < 0.2 else created
        items.append((number, account, cert, title, grade, source, json.dumps(meta, sort_keys=True), int(deleted), t(created), t(updated)))
        if rng.random() < (0.7 if source == "manual" else 0.4):
            for position in range(1, rng.choice((1, 2, 2, 3)) + 1):
                images.append((len(images) + 1, number, f"https://images.collectors.com/collection/{number}/{position}.jpg",
                               position, 1200, rng.choice((1680, 1800, 2000))))
    conn.executemany("INSERT INTO collection_items VALUES (?,?,?,?,?,?,?,?,?,?)", items)
    conn.executemany("INSERT INTO collection_item_images VALUES (?,?,?,?,?,?)", images)
