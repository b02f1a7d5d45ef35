"""What an audit question is about, spelled the same in every environment and every run.

A group's id is stable from run to run, but it is made of the names the audit saw: on MySQL and
MariaDB a schema is the database, so `app` in prod and `app_dev` in dev give two ids for the same
pattern; on SQLite a target starts with the file's name. The questionnaire asks once per source,
so it identifies a group by its rule and its rollup key with the database's own name left out:
the same key groups.py makes, over the targets' names rather than the audit's objects, so that it
can be worked out again from a kept JSON report.
"""

from __future__ import annotations

from typing import Any

from dayone.findings import Finding, Location, quoted_name, split_target


def local_target(target: str, database: str) -> tuple[str, bool]:
    """The target without the database's own name in front (the SQLite file's label, the MySQL
    database), and whether it had it."""
    for spelled in dict.fromkeys((database, quoted_name(database))):
        if target == spelled:
            return "", True
        if spelled and target.startswith(spelled + "."):
            return target[len(spelled) + 1 :], True
    return target, False


def subject_key(rule_name: str, target: str, evidence: dict[str, Any], database: str) -> str:
    """The identity of the group a finding of `rule_name` on `target` belongs to, with the database's
    name left out: equal for the same pattern in prod and dev, and from run to run."""
    from dayone.rules import REGISTRY

    local, stripped = local_target(target, database)
    rule = REGISTRY.get(rule_name)
    if rule is None or rule.rollup is None:  # a group of one finding: its target says what it is about
        return f"finding\0{local}"
    names = split_target(local) if local else []
    if stripped:  # the database's own name was the schema (MySQL) or the file (SQLite)
        names = ["", *names]
    names += [None] * (3 - len(names))  # type: ignore[list-item]
    location = Location(names[0], names[1], names[2])
    finding = Finding(rule_name, rule.code, rule.severity, target, "", "", "", evidence or {}, location)
    try:
        return f"group\0{rule.rollup.key(finding)}"
    except (KeyError, TypeError, AttributeError):  # a rollup that needs what an old report lacks
        return f"finding\0{local}"
