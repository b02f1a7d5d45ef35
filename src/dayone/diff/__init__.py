"""Drift: a pure function of two catalogs (and, when both sides were read live, their profiles)
to the changes between them, each classified by what it breaks downstream.

    breaking  extraction, models or metrics stop working: a table or column dropped or renamed, an
              incompatible type change, a primary key changed or dropped, a value removed from an
              enum or CHECK list, a table the analytics login could read and now cannot;
    action    someone has to do something: a new table or column, a widened type, a new enum or
              CHECK value, NOT NULL added or dropped, a foreign key added or dropped, a trigger
              keeping updated_at current added or dropped, a soft-delete column added, new status
              values or JSON keys in the rows;
    info      comments, indexes, defaults and the like.

Metrics of the project that read a changed object are named on the change (blocked when the
change leaves their SQL unable to run)."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import replace

from dayone.catalog.model import Catalog
from dayone.diff.compare import Names, compare
from dayone.diff.facts import access_changes, profile_changes
from dayone.diff.model import IMPACT_RANK, IMPACTS, AffectedMetric, Change, DiffResult, Impact, MetricUse
from dayone.errors import DayoneError

__all__ = ["IMPACTS", "AffectedMetric", "Change", "DiffResult", "Impact", "MetricUse", "diff_catalogs", "ensure_comparable"]

_FAMILY = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
_BLOCKING = ("table-dropped", "table-renamed", "table-unreadable", "column-dropped", "column-renamed")


def ensure_comparable(old: Catalog, new: Catalog, old_label: str = "OLD", new_label: str = "NEW") -> None:
    """Two catalogs of different engines cannot be compared type by type: one clear line. (MySQL and
    MariaDB share their catalog and types: a MySQL dev against a MariaDB prod compares.)"""
    a, b = _FAMILY.get(old.product, old.product), _FAMILY.get(new.product, new.product)
    if a != b:
        raise DayoneError(f"{old_label} is a {old.product} catalog and {new_label} a {new.product} one: dayone diff "
                          "compares two catalogs of the same engine")  # fmt: skip


def diff_catalogs(old: Catalog, new: Catalog, old_profile=None, new_profile=None, metrics: Sequence[MetricUse] = (),
                  old_label: str = "OLD", new_label: str = "NEW") -> DiffResult:  # fmt: skip
    """Every change from `old` to `new`, the most severe first, then by target."""
    ensure_comparable(old, new, old_label, new_label)
    # Nothing built here outlives the call, and nothing of it forms cycles: the cycle collector would
    # only walk the two catalogs again and again (a third of the time for 5,000 tables).
    enabled = gc.isenabled()
    gc.disable()
    try:
        old = _aligned(old, new)
        names = Names(old, new)
        changes = list(compare(old, new, names))
        changes = access_changes(old, new, names, changes)
        changes += list(profile_changes(old_profile, new_profile, names, new))
        if metrics:
            changes = [_with_metrics(change, metrics, names) for change in changes]
    finally:
        if enabled:
            gc.enable()
    changes.sort(key=lambda c: (-IMPACT_RANK[c.impact], c.target, c.kind))
    return DiffResult(tuple(changes), old_label, new_label, new.product)


def _with_metrics(change: Change, metrics: Sequence[MetricUse], names: Names) -> Change:
    if change.schema is None or change.table is None:
        return change
    spelled = {change.target, *change.old_names}
    if change.column is None:
        if change.impact == "info":
            return change  # a table's comment or index: no metric needs to hear of it
        # a renamed table's columns were read under the old table name
        affected = [m for m in metrics if spelled & m.tables]
    else:
        affected = [m for m in metrics if spelled & m.columns]
    if not affected:
        return change
    found = []
    for metric in sorted(affected, key=lambda m: m.name):
        blocked = change.kind in _BLOCKING and (metric.blocked or change.kind == "table-unreadable")
        reason = (metric.blocked_reason if metric.blocked else "the login cannot read a table it reads") if blocked else None
        found.append(AffectedMetric(metric.name, blocked, reason))
    return replace(change, metrics=tuple(found))


def _aligned(old: Catalog, new: Catalog) -> Catalog:
    """On MySQL and MariaDB a schema is a database: dev's `shop_dev` against prod's `shop` is one
    schema under two names. When each side holds one schema and their names differ, the old one is
    compared as the new one (foreign keys and access facts too)."""
    if _FAMILY.get(new.product) != "mysql" or len(old.schemas) != 1 or len(new.schemas) != 1 or old.schemas[0].name == new.schemas[0].name:
        return old  # on PostgreSQL a schema renamed is a change: its tables are dropped and added
    was, now = old.schemas[0].name, new.schemas[0].name
    tables = tuple(replace(t, foreign_keys=tuple(replace(fk, referred_schema=now) if fk.referred_schema == was else fk
                                                 for fk in t.foreign_keys)) if t.foreign_keys else t
                   for t in old.schemas[0].tables)  # fmt: skip
    access = old.access
    if access is not None and access.schemas is not None:
        access = replace(access, schemas=tuple(replace(s, name=now) if s.name == was else s for s in access.schemas))
    return replace(old, schemas=(replace(old.schemas[0], name=now, tables=tables),), access=access)
