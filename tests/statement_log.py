"""Checking a server's statement log: everything dayone sent must be a read."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

READ_KEYWORDS = {"SELECT", "SHOW", "SET", "EXPLAIN", "WITH"}
# Transaction control changes no data; dayone opens short read-only transactions.
TRANSACTION_KEYWORDS = {"BEGIN", "START", "COMMIT", "ROLLBACK"}
# PostgreSQL server-side cursors (the profile streams rows through one): DECLARE must declare a read,
# FETCH and CLOSE then only move through it. MOVE and WITH HOLD (which outlives the transaction) are not used.
NAME = r'(?:"[^"]*"|\w+)'  # quoted names are blanked out (see _mask) before these match
DECLARE = re.compile(rf"^\s*DECLARE\s+{NAME}\s+(?:(?:BINARY|ASENSITIVE|INSENSITIVE|NO\s+SCROLL|SCROLL)\s+)*CURSOR\s+"
                     r"(?:WITHOUT\s+HOLD\s+)?FOR\s+", re.IGNORECASE)
CURSOR_MOVES = re.compile(rf"^\s*(FETCH\s+(FORWARD\s+)?\d+\s+FROM|CLOSE)\s+{NAME}\s*;?\s*$", re.IGNORECASE)
WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)

# Matched against the statement with its string literals and quoted names blanked out (see _mask).
# SET may change this session only: not the server, a password or a role, and never undo read-only.
SET_NOT_ALLOWED = re.compile(
    r"\b(GLOBAL|PERSIST|PERSIST_ONLY|PASSWORD|ROLE|AUTHORIZATION)\b|@@(GLOBAL|PERSIST)\b|\bREAD\s+WRITE\b"
    r"|\b(TX_READ_ONLY|TRANSACTION_READ_ONLY|DEFAULT_TRANSACTION_READ_ONLY)\s*(=|\bTO\b)\s*'?(0|OFF|FALSE)\b"
    r"|\bSQL_LOG_OFF\b",  # would hide the statements that follow from the very log this check reads
    re.IGNORECASE,
)
# MariaDB: SET STATEMENT var = value [, ...] FOR <statement>, session variables for one statement.
SET_STATEMENT = re.compile(r"^\s*SET\s+STATEMENT\b(.*?)\bFOR\b", re.IGNORECASE | re.DOTALL)
# A SELECT that writes a file or table, or locks rows.
SELECT_NOT_ALLOWED = re.compile(
    r"\bINTO\b|\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b", re.IGNORECASE
)
# Functions a SELECT can call that change state: sequences, locks, other sessions, the server.
SIDE_EFFECTS = re.compile(
    r"\b(NEXTVAL|SETVAL|GET_LOCK|RELEASE_LOCK|RELEASE_ALL_LOCKS|PG_(TRY_)?ADVISORY_\w+|PG_TERMINATE_BACKEND"
    r"|PG_CANCEL_BACKEND|PG_RELOAD_CONF|PG_ROTATE_LOGFILE|PG_SWITCH_WAL|SET_CONFIG|LO_(IMPORT|EXPORT|UNLINK|CREATE|FROM_BYTEA)"
    r"|DBLINK_EXEC|TXID_CURRENT|PG_CURRENT_XACT_ID)\s*\(|\bNEXT\s+VALUE\s+FOR\b",
    re.IGNORECASE,
)
EXPLAIN_ANALYZE = re.compile(r"^\s*EXPLAIN\s*(\([^)]*\bANALY[SZ]E\b|ANALY[SZ]E\b)", re.IGNORECASE)
QUOTED = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\$(\w*)\$.*?\$\1\$", re.DOTALL)


def non_reads(statements: list[str], dialect: str) -> list[str]:
    """The statements that are not plain reads (empty when all is well)."""
    return [statement for statement in statements if not _is_read(statement, dialect)]


def _is_read(statement: str, dialect: str) -> bool:
    masked = _mask(statement)
    if re.search(r";\s*\S", masked):  # more than one statement in one string
        return False
    declared = DECLARE.match(masked)
    if declared:
        return _is_read(statement[declared.end() :], dialect)
    if CURSOR_MOVES.match(masked):
        return True
    # a parenthesized query expression, `(SELECT ...) UNION ALL (SELECT ...)`, starts with its first SELECT
    words = masked.strip().lstrip("(").split(None, 1)
    keyword = words[0].upper().rstrip(";") if words else ""
    if keyword in TRANSACTION_KEYWORDS:
        return not re.search(r"\bREAD\s+WRITE\b", masked, re.IGNORECASE)
    if keyword not in READ_KEYWORDS:
        return False
    if keyword == "SET":
        prefix = SET_STATEMENT.match(masked)
        if prefix:  # the variables must be allowed, and the statement they apply to must be a read
            return not SET_NOT_ALLOWED.search(prefix.group(1)) and _is_read(statement[prefix.end() :], dialect)
        return not SET_NOT_ALLOWED.search(masked)
    if keyword == "EXPLAIN":
        return not EXPLAIN_ANALYZE.match(masked)  # EXPLAIN ANALYZE runs the statement
    if keyword in ("SELECT", "WITH"):
        if SELECT_NOT_ALLOWED.search(masked) or SIDE_EFFECTS.search(masked):
            return False
        try:
            tree = sqlglot.parse_one(statement, read=dialect)
        except Exception:  # sqlglot cannot read every catalog query; the checks above stand
            return True
        return not any(tree.find_all(*WRITES))
    return True  # SHOW


def _mask(statement: str) -> str:
    """The statement with string literals and quoted names blanked (same length), so that words
    inside them (a column named "into", a value 'FOR UPDATE') are not taken for keywords."""
    return QUOTED.sub(lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1], statement)
