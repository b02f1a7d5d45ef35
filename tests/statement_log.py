"""Checking a server's statement log: everything dayone sent must be a read."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

READ_KEYWORDS = {"SELECT", "SHOW", "SET", "EXPLAIN", "WITH"}
# Transaction control changes no data; dayone opens short read-only transactions.
TRANSACTION_KEYWORDS = {"BEGIN", "START", "COMMIT", "ROLLBACK"}
WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


def non_reads(statements: list[str], dialect: str) -> list[str]:
    """The statements that are not plain reads (empty when all is well)."""
    bad = []
    for statement in statements:
        words = statement.strip().split(None, 1)
        keyword = words[0].upper().rstrip(";") if words else ""
        if keyword in TRANSACTION_KEYWORDS:
            if "READ WRITE" in statement.upper():
                bad.append(statement)
            continue
        if keyword not in READ_KEYWORDS:
            bad.append(statement)
            continue
        if keyword in ("SELECT", "WITH"):
            if re.search(r"\b(INTO|FOR\s+UPDATE|FOR\s+SHARE)\b", statement, re.IGNORECASE) and "INTO" in statement.upper():
                bad.append(statement)
                continue
            try:
                tree = sqlglot.parse_one(statement, read=dialect)
            except Exception:  # sqlglot cannot read every catalog query; the keyword check stands
                continue
            if any(tree.find_all(*WRITES)):
                bad.append(statement)
    return bad
