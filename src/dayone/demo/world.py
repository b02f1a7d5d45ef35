"""The demo's shared world: accounts and grading submissions, generated once from a fixed seed.

Vault and collection rows refer to these (account ids, graded items' cert numbers), so the four
databases tell one consistent story, as the real ones would.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dayone.demo.vocabulary import (
    BETA_START,
    CARD_GRADES,
    CARDS,
    COUNTRIES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    GO_LIVE,
    LAST_NAMES,
    MIGRATION,
    QA_START,
)

SEED = 20261102


@dataclass
class Account:
    id: int
    email: str
    display_name: str | None
    country_code: str | None
    legacy_source: str | None  # "psa" | "pcgs" for migrated logins
    legacy_user_id: str | None
    created_at: datetime
    updated_at: datetime
    email_verified_at: datetime | None
    last_login_at: datetime | None
    deleted_at: datetime | None
    is_test: bool = False


@dataclass
class Item:
    id: int
    submission_id: int
    description: str
    category: str
    declared_value_cents: int
    status: str
    cert_number: str | None
    grade: float | None
    grading_details: str | None
    created_at: datetime
    updated_at: datetime


@dataclass
class Submission:
    id: int
    account_id: int
    service_level: str
    created_at: datetime
    history: list[tuple[str | None, str, datetime, str]] = field(default_factory=list)  # from, to, at, by
    items: list[Item] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.history[-1][1]

    def reached(self, status: str) -> datetime | None:
        return next((at for _, to, at, _ in self.history if to == status), None)


@dataclass
class World:
    accounts: list[Account]
    submissions: list[Submission]

    @property
    def customers(self) -> list[Account]:
        return [a for a in self.accounts if not a.is_test and a.deleted_at is None]


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


def _accounts(rng: random.Random) -> list[Account]:
    drafts = []
    used: set[str] = set()

    def person(created: datetime, legacy: str | None = None, legacy_id: str | None = None) -> dict:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        while True:
            local = f"{first}.{last}".lower().replace("'", "") + (str(rng.randrange(1, 999)) if rng.random() < 0.6 else "")
            email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
            if email not in used:
                used.add(email)
                break
        return dict(email=email, display_name=f"{first} {last[0]}." if rng.random() < 0.8 else None,
                    country_code=rng.choice(COUNTRIES), legacy_source=legacy, legacy_user_id=legacy_id, created_at=created)

    # QA and load-test accounts, created in production before launch and never removed.
    for n in range(1, 26):
        drafts.append(dict(email=f"qa+{n}@example.com", display_name=f"QA Tester {n}", country_code="US",
                           legacy_source=None, legacy_user_id=None, created_at=_between(rng, QA_START, GO_LIVE - timedelta(days=3)), is_test=True))
    for n in range(1, 16):
        drafts.append(dict(email=f"loadtest_{n:04d}@collectors-loadtest.com", display_name=f"loadtest_{n:04d}", country_code=None,
                           legacy_source=None, legacy_user_id=None, created_at=datetime(2026, 10, 27, 22, 0, tzinfo=GO_LIVE.tzinfo) + timedelta(seconds=n), is_test=True))
    # The migration night: PSA then PCGS logins, imported in batches within 40 minutes.
    for n in range(1100):
        drafts.append(person(MIGRATION + timedelta(seconds=n * 1.3 + rng.random()), "psa", f"PSA-{rng.randrange(10**6, 10**7)}"))
    for n in range(450):
        drafts.append(person(MIGRATION + timedelta(minutes=25, seconds=n * 2 + rng.random()), "pcgs", str(rng.randrange(10**5, 10**6))))
    # New sign-ups during the beta.
    for _ in range(320):
        drafts.append(person(_between(rng, BETA_START, GO_LIVE)))

    drafts.sort(key=lambda d: (d["created_at"], d["email"]))
    accounts = []
    for number, d in enumerate(drafts, start=1):
        created = d["created_at"].replace(microsecond=0)
        test = d.pop("is_test", False)
        migrated = d["legacy_source"] is not None
        verified = created if migrated else (created + timedelta(minutes=rng.randrange(2, 600)) if rng.random() < 0.85 else None)
        if verified and verified > GO_LIVE:
            verified = None
        login = _between(rng, max(created, MIGRATION), GO_LIVE) if rng.random() < (0.35 if migrated else 0.9) else None
        deleted = _between(rng, created, GO_LIVE) if (test and rng.random() < 0.3) or rng.random() < 0.015 else None
        updated = max(t for t in (created, verified, login, deleted) if t is not None)
        accounts.append(Account(id=number, created_at=created, updated_at=updated, email_verified_at=verified,
                                last_login_at=login, deleted_at=deleted, is_test=test, **{k: v for k, v in d.items() if k != "created_at"}))
    return accounts


_LEVELS = (("value", 45, 25), ("regular", 25, 12), ("express", 15, 5), ("super_express", 8, 3), ("walk_through", 2, 1))
_STEPS = (  # next status, (min, max) hours after the previous one, who moves it
    ("submitted", (1, 48), "customer"),
    ("received", (36, 96), "ops"),
    ("grading", (12, 72), "ops"),
    ("graded", (24, 144), "grader"),
    ("shipped", (12, 48), "ops"),
)
_OPS = ("ops:jmartinez", "ops:kchen", "ops:dpatel", "ops:sokafor")
_GRADERS = tuple(f"G-{n}" for n in (104, 117, 122, 131, 140, 152))


def _submissions(rng: random.Random, accounts: list[Account]) -> list[Submission]:
    customers = [a for a in accounts if not a.is_test and a.deleted_at is None]
    beta = [a for a in customers if a.legacy_source is None]
    migrated = [a for a in customers if a.legacy_source == "psa"]
    testers = [a for a in accounts if a.is_test]
    submissions = []
    for number in range(1, 611):
        pool = rng.choices((beta, migrated, testers), weights=(70, 25, 5))[0]
        account = rng.choice(pool)
        start = max(account.created_at, BETA_START)
        created = _between(rng, start, GO_LIVE - timedelta(hours=1)).replace(microsecond=0)
        level, _, speed = rng.choices(_LEVELS, weights=[lvl[1] for lvl in _LEVELS])[0]
        sub = Submission(id=number, account_id=account.id, service_level=level, created_at=created)
        sub.history.append((None, "draft", created, "customer"))
        at = created
        for status, (low, high), who in _STEPS:
            if sub.status in ("draft", "submitted") and rng.random() < 0.04:
                cancelled = at + timedelta(hours=rng.uniform(1, 30))
                if cancelled < GO_LIVE:
                    sub.history.append((sub.status, "cancelled", cancelled.replace(microsecond=0), "customer"))
                break
            factor = 1 if status in ("submitted", "received") else min(speed / 12, 1.5)
            at = at + timedelta(hours=rng.uniform(low, high) * max(factor, 0.15))
            if at >= GO_LIVE:
                break
            by = rng.choice(_GRADERS) if who == "grader" else rng.choice(_OPS) if who == "ops" else who
            sub.history.append((sub.status, status, at.replace(microsecond=0), by))
        submissions.append(sub)
    return submissions


_ITEM_STATUS = {"draft": "pending", "submitted": "pending", "received": "pending", "cancelled": "pending",
                "grading": "in_grading", "graded": "graded", "shipped": "returned"}


def _grading_details(rng: random.Random, grade: float, category: str, level: str) -> str:
    details: dict = {"grader": rng.choice(_GRADERS)}
    if level in ("express", "super_express", "walk_through") or rng.random() < 0.2:
        details["subgrades"] = {k: min(10, max(1, grade + rng.choice((-1, -0.5, 0, 0, 0.5)))) for k in ("centering", "corners", "edges", "surface")}
    if category == "autograph" or rng.random() < 0.05:
        details["autograph"] = {"grade": rng.choice((8, 9, 10)), "authenticated": True}
    if rng.random() < 0.06:
        details["qualifier"] = rng.choice(("OC", "ST", "PD", "MK"))
    if rng.random() < 0.1:
        details["notes"] = rng.choice(("minor print line", "label reprint requested", "crossover from BGS 9.5", "light surface wear"))
    return json.dumps(details, sort_keys=True)


def _items(rng: random.Random, submissions: list[Submission]) -> None:
    number, cert = 0, 81_234_567
    for sub in submissions:
        count = rng.choices((1, 2, 3, 4, 5, 8, 12), weights=(30, 22, 15, 10, 10, 8, 5))[0]
        item_status = _ITEM_STATUS[sub.status]
        for _ in range(count):
            number += 1
            description, category, value = rng.choice(CARDS)
            declared = int(value * rng.uniform(0.2, 1.6) * 100)
            grade = cert_number = details = None
            status = item_status
            if status in ("graded", "returned"):
                cert += rng.randrange(1, 40)
                if rng.random() < 0.03:  # altered or trimmed: no grade, no certificate
                    status = "rejected"
                    details = json.dumps({"reason": rng.choice(("evidence of trimming", "altered stock", "questionable authenticity")), "code": rng.choice(("N1", "N2", "N3"))}, sort_keys=True)
                else:
                    grade = rng.choice(CARD_GRADES)
                    cert_number = str(cert)
                    details = _grading_details(rng, grade, category, sub.service_level)
            updated = sub.history[-1][2] if status != "pending" else sub.created_at
            sub.items.append(Item(id=number, submission_id=sub.id, description=description, category=category,
                                  declared_value_cents=declared, status=status, cert_number=cert_number, grade=grade,
                                  grading_details=details, created_at=sub.created_at, updated_at=updated))


def make_world() -> World:
    rng = random.Random(SEED)
    accounts = _accounts(rng)
    submissions = _submissions(rng, accounts)
    _items(rng, submissions)
    return World(accounts=accounts, submissions=submissions)
