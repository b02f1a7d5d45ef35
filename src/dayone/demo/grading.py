"""grading.db: grading submissions, the items inside them, and each submission's status changes.

The grading system stores wall-clock time in Santa Ana, California, without a zone.
"""

from __future__ import annotations

import sqlite3

from dayone.demo.vocabulary import pacific_text as t
from dayone.demo.world import World

DDL = """
CREATE TABLE service_levels ( -- Grading service levels a customer can choose, with price and turnaround.
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    max_declared_value_cents INTEGER, -- NULL: no limit
    turnaround_days INTEGER NOT NULL
);

CREATE TABLE submissions ( -- A customer's grading order: one shipment of items sent in to be graded.
    id INTEGER PRIMARY KEY,
    submission_number TEXT NOT NULL UNIQUE, -- shown to the customer
    account_id INTEGER NOT NULL, -- Collectors ID account
    service_level TEXT NOT NULL REFERENCES service_levels (code),
    status TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    declared_value_cents INTEGER NOT NULL,
    submitted_at DATETIME,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL
);
CREATE INDEX submissions_account ON submissions (account_id);
CREATE INDEX submissions_status ON submissions (status);

CREATE TABLE items ( -- One card, ticket, autograph or pack inside a submission.
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    description TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('card', 'ticket', 'autograph', 'pack')),
    declared_value_cents INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CONSTRAINT items_status CHECK (status IN ('pending', 'in_grading', 'graded', 'returned', 'rejected')),
    cert_number TEXT UNIQUE, -- PSA certificate number, once graded
    grade NUMERIC CHECK (grade BETWEEN 1 AND 10),
    grading_details TEXT, -- grader, subgrades, qualifiers
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX items_submission ON items (submission_id);

CREATE TABLE submission_status_history ( -- Every status change of a submission, in order.
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    changed_at DATETIME NOT NULL,
    changed_by TEXT NOT NULL -- customer, ops:<user> or a grader id
);
CREATE INDEX submission_status_history_submission ON submission_status_history (submission_id, changed_at);
"""

TRIGGERS = ""

SERVICE_LEVELS = (
    ("value", "Value", 2500, 49900, 65),
    ("regular", "Regular", 7500, 149900, 20),
    ("express", "Express", 15000, 249900, 10),
    ("super_express", "Super Express", 30000, 499900, 5),
    ("walk_through", "Walk-Through", 60000, None, 2),
)


def load(conn: sqlite3.Connection, world: World) -> None:
    conn.executemany("INSERT INTO service_levels VALUES (?,?,?,?,?)", SERVICE_LEVELS)
    submissions, items, history = [], [], []
    for s in world.submissions:
        submitted = s.reached("submitted")
        submissions.append((s.id, f"SUB-2026-{s.id:06d}", s.account_id, s.service_level, s.status, len(s.items),
                            sum(i.declared_value_cents for i in s.items), t(submitted) if submitted else None,
                            t(s.created_at), t(s.history[-1][2])))
        items += [(i.id, i.submission_id, i.description, i.category, i.declared_value_cents, i.status, i.cert_number,
                   i.grade, i.grading_details, t(i.created_at), t(i.updated_at)) for i in s.items]
        history += [(at, s.id, old, new, by) for old, new, at, by in s.history]
    conn.executemany("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?)", submissions)
    conn.executemany("INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?)", items)
    history.sort(key=lambda h: (h[0], h[1]))  # in the order the changes happened (in UTC)
    conn.executemany(
        "INSERT INTO submission_status_history (submission_id, from_status, to_status, changed_at, changed_by) VALUES (?,?,?,?,?)",
        [(sid, old, new, t(at), by) for at, sid, old, new, by in history],
    )
