"""Judging access facts item by item: pure functions, no connection, so a snapshot can be checked too.

Each item answers one question of the infrastructure checklist with a status (pass, warn, fail,
unknown), a one-line summary, the evidence it rests on and the questions a person still has to ask.
"Unknown" always says why: the login may not see the fact, or the facts come from an older snapshot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from dayone.catalog.access import AccessFacts, is_utc
from dayone.preflight.model import CheckItem, CheckReport, Connection, Status

SLOW_ROUND_TRIP_MS = 150.0  # a link slower than this makes copying large tables slow
SHORT_TIMEOUT_S = 600.0  # a server statement timeout below this can cancel a full-table copy
LARGE_SLOT_LAG = 1 << 30  # bytes of WAL an inactive slot may hold back before it is a risk
MIN_BINLOG_RETENTION_S = 7 * 86400  # what CDC tools recommend, to survive a week of sync outage
LIST_LIMIT = 100  # names in one item's evidence

Check = Callable[[AccessFacts], CheckItem]


def evaluate(connection: Connection, facts: AccessFacts | None) -> CheckReport:
    items = [_reachability(connection)]
    for check in CHECKS:
        if facts is None:
            items.append(_no_facts(check, connection))
        else:
            items.append(check(facts))
    return CheckReport(connection=connection, facts=facts, items=tuple(items))


def _no_facts(check: Check, connection: Connection) -> CheckItem:
    if connection.live:
        why = "not connected: the server could not be reached"
    else:
        why = "this snapshot holds no access facts (taken by an older dayone): check the database itself"
    item = check(_EMPTY)
    return CheckItem(item.id, item.title, "unknown", why, questions=item.questions)


def _item(id: str, title: str, questions: tuple[str, ...]):
    def make(status: Status, summary: str, **evidence) -> CheckItem:
        return CheckItem(id, title, status, summary, {k: v for k, v in evidence.items() if v is not None}, questions)

    return make


# -- reaching the server -----------------------------------------------------------------------------


def _reachability(connection: Connection) -> CheckItem:
    make = _item("reachability", "Reachability and round-trip time", (
        "From which host and network will extraction run, and is that path open (firewall, security group, VPN)?",
    ))  # fmt: skip
    if not connection.live:
        return make("unknown", f"read from the snapshot {connection.target}: nothing was connected to")
    if not connection.reached:
        return make("fail", connection.error or "the server could not be reached", target=connection.target)
    rtt = connection.round_trip_ms
    summary = f"connected in {connection.connect_ms:.0f} ms; round trip {rtt:.2f} ms"
    evidence = {"target": connection.target, "connect_ms": round(connection.connect_ms or 0, 1), "round_trip_ms": round(rtt or 0, 2)}
    if rtt is not None and rtt > SLOW_ROUND_TRIP_MS:
        return make("warn", summary + ": a slow link, copying large tables will take long", **evidence)
    return make("pass", summary, **evidence)


def _server(f: AccessFacts) -> CheckItem:
    make = _item("server", "Server product, version and flavour", (
        "Which major version will production run at launch, and is an upgrade planned in the next year?",
    ))  # fmt: skip
    if not f.version:
        return make("unknown", _why(f, "server"))
    flavour = _flavour(f)
    return make("pass", f"{flavour} {f.version}", product=f.product, version=f.version, flavour=flavour,
                version_text=f.version_text)  # fmt: skip


def _flavour(f: AccessFacts) -> str:
    text = (f.version_text or "").lower()
    for word, name in (("percona", "Percona Server"), ("aurora", "Aurora"), ("tidb", "TiDB"), ("cockroach", "CockroachDB"),
                       ("yugabyte", "YugabyteDB"), ("greenplum", "Greenplum"), ("redshift", "Redshift")):  # fmt: skip
        if word in text:
            return name
    base = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}.get(f.product, f.product)
    if f.hosting and f.hosting.managed and f.hosting.provider.startswith("AWS Aurora"):
        return f"Aurora {base}"
    return base


def _hosting(f: AccessFacts) -> CheckItem:
    if f.hosting is None:
        return _item("hosting", "Hosting", ())("unknown", _why(f, "server"))
    managed = bool(f.hosting.managed)
    make = _item("hosting", "Hosting", (
        f"Who administers the {f.hosting.provider} instance, and who may change its parameters (to enable logical replication, TLS)?"
        if managed else
        "Who operates this server (backups, upgrades, failover), and who may change its configuration file?",
    ))  # fmt: skip
    return make("pass", f.hosting.provider,
                provider=f.hosting.provider, managed=f.hosting.managed, how_we_know=list(f.hosting.evidence))  # fmt: skip


def _replication_role(f: AccessFacts) -> CheckItem:
    make = _item("replication-role", "Primary or read replica", (
        "Is there a read replica analytics can use, and may long extraction queries run on it?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "not applicable: a database file has no replicas")
    evidence = {"signs": list(f.replica_evidence)}
    if f.replica is None:
        return make("unknown", "cannot tell: " + "; ".join(f.replica_evidence or (_why(f, "server"),)), **evidence)
    s = f.settings
    if f.replica:
        feedback, delay = s.get("hot_standby_feedback"), s.get("max_standby_streaming_delay")
        evidence.update(hot_standby_feedback=feedback, max_standby_streaming_delay=delay,
                        max_standby_archive_delay=s.get("max_standby_archive_delay"))  # fmt: skip
        seconds = _seconds(delay)
        if feedback == "off" and seconds is not None and math.isfinite(seconds):
            return make("warn", f"a read replica; queries that conflict with replayed changes are cancelled after {delay} "
                        "(hot_standby_feedback is off)", **evidence)  # fmt: skip
        return make("pass", "a read replica" + (" (hot_standby_feedback is on: long queries are not cancelled, "
                                                 "the primary keeps old rows for them)" if feedback == "on" else ""), **evidence)  # fmt: skip
    if f.standbys:
        summary = f"the primary, which streams to {f.standbys} standby server(s): could analytics read from one?"
    else:
        summary = "the primary: extraction queries add load to production"
    return make("warn", summary, standbys=f.standbys, **evidence)


def _tls(f: AccessFacts) -> CheckItem:
    make = _item("tls", "Encryption in transit (TLS)", (
        "Can the server require TLS for the analytics login, and which CA certificate should clients verify?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "not applicable: a local file, no network")
    if f.tls is None or f.tls.in_use is None:
        return make("unknown", _why(f, "tls", "server"))
    evidence = dict(transport=f.transport, tls_version=f.tls.version, cipher=f.tls.cipher,
                    server_offers_tls=f.tls.server_offers, server_requires_tls=f.tls.server_requires)  # fmt: skip
    if f.tls.in_use:
        return make("pass", f"encrypted: {f.tls.version or 'TLS'}" + (f" ({f.tls.cipher})" if f.tls.cipher else ""), **evidence)
    offered = {True: "the server offers TLS but this session did not use it (ask for it in the URL: sslmode=require)",
               False: "the server does not offer TLS"}.get(f.tls.server_offers, "")  # fmt: skip
    if f.transport == "network":
        return make("fail", "not encrypted, over the network" + (f": {offered}" if offered else ""), **evidence)
    return make("warn", "not encrypted; the connection stays on this machine (socket, 127.0.0.1 or an SSH tunnel)"
                + (f": {offered}" if offered else ""), **evidence)  # fmt: skip


# -- what the login may do ----------------------------------------------------------------------------


def _read_only(f: AccessFacts) -> CheckItem:
    make = _item("read-only", "Login is read-only", (
        "Can analytics get a dedicated login that may only SELECT, and who owns its credentials?",
    ))  # fmt: skip
    if f.product == "sqlite":
        make = _item("read-only", "Login is read-only", (
            "Who else can write this file, and should analytics read a copy of it instead?",
        ))  # fmt: skip
        if f.file_writable:
            return make("warn", "dayone opened the file read-only, but the operating-system user running it could "
                        "write the file", file_writable=True)  # fmt: skip
        return make("pass", "opened read-only; the file is not writable by this user", file_writable=f.file_writable)
    reasons = f.write_reasons()
    if reasons is None:
        return make("unknown", _why(f, "privileges", "server"))
    privileges = f.privileges
    evidence = dict(login=f.login, superuser=privileges.superuser, roles=list(privileges.roles) or None)
    if not reasons:
        return make("pass", f"{f.login} can neither write nor change the schema", **evidence)
    summary = "a superuser: it may write, change the schema and the server" if privileges.superuser else \
        f"{f.login} can write or change the schema: " + "; ".join(reasons[:3]) + (f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else "")
    return make("fail", summary, reasons=reasons, **evidence)


def _readable(f: AccessFacts) -> CheckItem:
    make = _item("readable-tables", "Tables and views the login can read", (
        "Are the tables the login cannot read excluded on purpose (sensitive data), and is that written down?",
        "Does this login see every schema and table the application uses?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "a database file: whoever can open it reads every table")
    if f.schemas is None:
        return make("unknown", _why(f, "privileges", "tables"))
    total = sum(s.tables for s in f.schemas)
    unreadable = [f"{schema}.{table} ({why})" for schema, table, why in f.unreadable_tables()]
    hidden_rows = [f"{s.name}.{t}" for s in f.schemas for t in s.row_security]
    no_usage = [s.name for s in f.schemas if s.usage is False]
    caveat = ("; MySQL hides tables a login holds no privilege on, so those are not counted here"
              if f.hidden_tables_possible else "")  # fmt: skip
    evidence = dict(tables=total, schemas=len(f.schemas), unreadable=_cap(unreadable) or None,
                    row_level_security=_cap(hidden_rows) or None, schemas_without_usage=no_usage or None,
                    hidden_tables_possible=f.hidden_tables_possible or None)  # fmt: skip
    if unreadable or hidden_rows:
        parts = []
        if unreadable:
            parts.append(f"cannot read {len(unreadable)} of {total} tables and views: " + ", ".join(u.split(" (")[0] for u in unreadable[:10])
                         + (" ..." if len(unreadable) > 10 else ""))  # fmt: skip
        if hidden_rows:
            parts.append(f"row-level security hides rows of {len(hidden_rows)} table(s) from it: {', '.join(hidden_rows[:10])}")
        return make("warn", "; ".join(parts) + caveat, **evidence)
    # A login with table-by-table grants (no SELECT on the whole database) may miss tables it cannot even see.
    if f.hidden_tables_possible and any(schema.future_select is not True for schema in f.schemas):
        return make("warn", f"reads the {total} tables and views it can see in {len(f.schemas)} schema(s){caveat}: "
                    "compare with the application's table list", **evidence)  # fmt: skip
    return make("pass", f"reads all {total} tables and views in {len(f.schemas)} schema(s)", **evidence)


def _temporary_objects(f: AccessFacts) -> CheckItem:
    make = _item("temporary-objects", "Temporary tables and views", (
        "Does the extraction or BI tool need temporary tables, views or a schema of its own (some CDC tools keep state in one)?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "not applicable: dayone opened the file read-only")
    p = f.privileges
    if p is None:
        return make("unknown", _why(f, "privileges", "server"))

    def can(value: bool | None) -> str:
        return {True: "can", False: "cannot"}.get(value, "may or may not")

    summary = f"{can(p.temporary_tables)} create temporary tables; {can(p.create_views)} create views"
    # Some ELT tools stage data in temporary tables: a login without the right is worth a question.
    status = "warn" if p.temporary_tables is False else "pass"
    return make(status, summary, temporary_tables=p.temporary_tables, create_views=p.create_views)


def _future_tables(f: AccessFacts) -> CheckItem:
    make = _item("future-tables", "Tables created later", (
        "Which role creates tables in production (migrations), and can it grant SELECT on future tables to the analytics login?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "a database file: new tables are readable like the others")
    missing = f.future_tables_unreadable()
    if missing is None:
        return make("unknown", _why(f, "privileges", "server"))
    grants = [f"from {g.creator} in {g.schema or 'every schema'}" for g in f.default_grants]
    p = f.privileges
    if not missing:
        how = ("a superuser reads everything" if p.superuser else "it may read every table (pg_read_all_data or SELECT ON *.*)"
               if p.read_all else "default privileges or database-wide SELECT cover every schema with tables")  # fmt: skip
        return make("pass", f"tables created later will be readable: {how}", default_privileges=grants or None)
    return make("warn", "tables created later will not be readable in " + ", ".join(missing),
                schemas=missing, default_privileges=grants or None)  # fmt: skip


# -- change data capture --------------------------------------------------------------------------------


def _cdc(f: AccessFacts) -> CheckItem:
    if f.product == "postgresql":
        return _cdc_postgres(f)
    if f.product in ("mysql", "mariadb"):
        return _cdc_mysql(f)
    make = _item("cdc", "Change data capture readiness", ("Is a full or key-based incremental copy of this file enough?",))
    return make("warn", "SQLite has no change log a CDC tool can read: only full or key-based incremental copies")


def _cdc_postgres(f: AccessFacts) -> CheckItem:
    make = _item("cdc", "Change data capture readiness", (
        "Can logical replication be enabled (a restart), and who will own the replication slot and watch its lag?",
        "Can CDC use a login of its own with the REPLICATION attribute (not this one)?",
    ))  # fmt: skip
    problems = f.cdc_problems()
    if problems is None:
        return make("unknown", _why(f, "server"))
    s = f.settings
    slots = list(f.slots or ())
    evidence = {
        "wal_level": s.get("wal_level"),
        "max_replication_slots": s.get("max_replication_slots"),
        "replication_slots_in_use": len(slots) if f.slots is not None else None,
        "max_wal_senders": s.get("max_wal_senders"),
        "max_slot_wal_keep_size": s.get("max_slot_wal_keep_size"),
        "login_may_replicate": f.privileges.replication if f.privileges else None,
        "publications": [f"{p.name} ({'all tables' if p.all_tables else f'{p.tables} tables'}; {', '.join(p.operations)})"
                         for p in f.publications or ()] if f.publications is not None else None,  # fmt: skip
        "slots": [f"{x.name} ({x.kind}{', ' + x.plugin if x.plugin else ''}, {'active' if x.active else 'inactive'}"
                  + (f", {_bytes(x.lag_bytes)} behind" if x.lag_bytes is not None else "") + ")" for x in slots] or None,  # fmt: skip
        "not_visible": {k: v for k, v in f.unknown.items() if k == "replication"} or None,
    }
    for name in ("rds.logical_replication", "cloudsql.logical_decoding"):
        if name in s:
            evidence[name] = s[name]
    notes = []
    if f.replica and _major(f.version) < 16:
        notes.append(f"this is a replica: logical decoding needs the primary before PostgreSQL 16 (this is {f.version})")
    if problems:
        hint = ""
        if "rds.logical_replication" in s:
            hint = " (on RDS/Aurora: set rds.logical_replication = 1 in the parameter group, then reboot)"
        elif any(k.startswith("cloudsql") for k in s):
            hint = " (on Cloud SQL: set the cloudsql.logical_decoding flag)"
        return make("fail", "; ".join(problems) + hint, notes=notes or None, **evidence)
    risks = []
    maximum = _int(s.get("max_replication_slots"))
    if f.slots is not None and maximum is not None and len(slots) >= maximum:
        risks.append(f"every replication slot is taken ({len(slots)} of {maximum})")
    for slot in slots:
        if not slot.active and (slot.lag_bytes or 0) > LARGE_SLOT_LAG:
            risks.append(f"slot {slot.name} is inactive and holds back {_bytes(slot.lag_bytes)} of WAL (disk fills up)")
    if risks:
        return make("warn", "logical replication is on, but " + "; ".join(risks), notes=notes or None, **evidence)
    return make("pass", "logical replication is possible: wal_level is logical"
                + (f"; {len(f.publications)} publication(s)" if f.publications else ""), notes=notes or None, **evidence)  # fmt: skip


def _cdc_mysql(f: AccessFacts) -> CheckItem:
    make = _item("cdc", "Change data capture readiness", (
        "Can the binlog stay in ROW format with FULL row images for at least seven days?",
        "Can CDC use a login of its own with REPLICATION SLAVE and REPLICATION CLIENT (BINLOG MONITOR on MariaDB)?",
    ))  # fmt: skip
    problems = f.cdc_problems()
    if problems is None:
        return make("unknown", _why(f, "settings", "server"))
    s = f.settings
    retention = _binlog_retention(s)
    evidence = {
        "log_bin": s.get("log_bin"),
        "binlog_format": s.get("binlog_format"),
        "binlog_row_image": s.get("binlog_row_image"),
        "binlog_expire_logs_seconds": s.get("binlog_expire_logs_seconds"),
        "expire_logs_days": s.get("expire_logs_days"),
        "gtid_mode": s.get("gtid_mode"),
        "gtid_strict_mode": s.get("gtid_strict_mode"),
        "server_id": s.get("server_id"),
        "login_may_replicate": f.privileges.replication if f.privileges else None,
    }
    if problems:
        return make("fail", "; ".join(problems), **evidence)
    risks = []
    if s.get("binlog_row_image", "FULL").upper() != "FULL":
        risks.append(f"binlog_row_image is {s['binlog_row_image']}: changed rows are not logged in full")
    managed_rds = f.hosting is not None and (f.hosting.provider or "").startswith("AWS")
    if managed_rds:
        risks.append("on RDS/Aurora the binlog is kept as long as 'binlog retention hours' says "
                     "(CALL mysql.rds_show_configuration; not visible to a read)")  # fmt: skip
    elif retention is not None and 0 < retention < MIN_BINLOG_RETENTION_S:
        risks.append(f"the binlog is kept {retention / 86400:g} day(s): a sync down longer than that must start over")
    if f.product == "mysql" and s.get("gtid_mode", "ON").upper() != "ON":
        risks.append(f"gtid_mode is {s['gtid_mode']}: failing over to a replica loses the CDC position")
    evidence["binlog_retention"] = "forever (never purged)" if retention == 0 else (
        f"{retention / 86400:g} day(s)" if retention else None)  # fmt: skip
    if risks:
        return make("warn", "the binlog is row-based, but " + "; ".join(risks), **evidence)
    return make("pass", "the binlog is on and row-based with full row images", **evidence)


def _replica_identity(f: AccessFacts) -> CheckItem:
    make = _item("replica-identity", "Tables logical replication can carry", (
        "Can the tables without a primary key get one, or is REPLICA IDENTITY FULL acceptable for them?",
    ))  # fmt: skip
    if f.product != "postgresql":
        return make("pass", "not applicable: " + ("the binlog logs the changed row itself" if f.product != "sqlite"
                                                  else "SQLite has no replication"))  # fmt: skip
    if f.replica_identity is None:
        return make("unknown", _why(f, "privileges", "server"))
    if not f.replica_identity:
        return make("pass", "every table has a primary key or a replica identity")
    names = [f"{r.schema}.{r.table}" for r in f.replica_identity]
    return make("warn", f"{len(names)} table(s) without a replica identity: a publication cannot carry their updates "
                f"and deletes: {', '.join(names[:10])}" + (" ..." if len(names) > 10 else ""),
                tables=_cap([f"{r.schema}.{r.table} (replica identity {r.identity}, "
                             f"{'primary key' if r.primary_key else 'no primary key'})" for r in f.replica_identity]))  # fmt: skip


# -- time and limits -----------------------------------------------------------------------------------


def _time_zone(f: AccessFacts) -> CheckItem:
    make = _item("time-zone", "Server and session time zone", (
        "Does the application write timestamps in UTC, whatever the server's zone, in every environment?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "not applicable: SQLite has no time zone setting; times are what the application writes")
    if not f.server_timezone:
        return make("unknown", _why(f, "server", "settings"))
    evidence = dict(server_timezone=f.server_timezone, session_timezone=f.session_timezone)
    differs = f"; sessions start in {f.session_timezone}" if f.session_timezone and f.session_timezone != f.server_timezone else ""
    if is_utc(f.server_timezone):
        return make("pass", f"the server runs in {f.server_timezone}{differs}", **evidence)
    return make("warn", f"the server runs in {f.server_timezone}, not UTC{differs}", **evidence)


def _statement_timeout(f: AccessFacts) -> CheckItem:
    make = _item("statement-timeout", "The server's own statement timeout", (
        "Should the analytics login get a statement timeout of its own, long enough for full-table copies?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "not applicable: SQLite has no server; dayone limits its own statements")
    if f.statement_timeout is None:
        return make("unknown", "not visible to this login (PostgreSQL keeps it in postgresql.conf, which only a "
                    "superuser may read), and not set on the login or the database" if f.product == "postgresql"
                    else _why(f, "settings"))  # fmt: skip
    evidence = dict(statement_timeout=f.statement_timeout, set_by=f.statement_timeout_source)
    seconds = _seconds(f.statement_timeout)
    if not seconds:
        return make("pass", "no server-side limit on statements for this login (dayone sets its own)", **evidence)
    if seconds < SHORT_TIMEOUT_S:
        return make("warn", f"statements are cancelled after {f.statement_timeout} ({f.statement_timeout_source}): "
                    "a full copy of a large table may not finish", **evidence)  # fmt: skip
    return make("pass", f"statements are cancelled after {f.statement_timeout} ({f.statement_timeout_source})", **evidence)


def _connection_limits(f: AccessFacts) -> CheckItem:
    make = _item("connection-limits", "Connection limits", (
        "How many connections may extraction and BI tools open at once without crowding out the application?",
    ))  # fmt: skip
    if f.product == "sqlite":
        return make("pass", "not applicable: a database file has no connection limit")
    s = f.settings
    if "max_connections" not in s:
        return make("unknown", _why(f, "settings", "server"))
    own = f.privileges.connection_limit if f.privileges else None
    evidence = dict(max_connections=s.get("max_connections"),
                    superuser_reserved_connections=s.get("superuser_reserved_connections"),
                    login_connection_limit=own, database_connection_limit=s.get("database connection limit"),
                    max_user_connections=s.get("max_user_connections"))  # fmt: skip
    summary = f"the server accepts {s['max_connections']} connections" + (f"; this login at most {own}" if own is not None else "")
    if own is not None and own < 3:
        return make("warn", summary + ": dayone needs up to two, extraction tools often several", **evidence)
    return make("pass", summary, **evidence)


CHECKS: tuple[Check, ...] = (
    _server, _hosting, _replication_role, _tls, _read_only, _readable, _temporary_objects, _future_tables,
    _cdc, _replica_identity, _time_zone, _statement_timeout, _connection_limits,
)  # fmt: skip
_EMPTY = AccessFacts(product="", version="")


# -- helpers ---------------------------------------------------------------------------------------------


def _why(f: AccessFacts, *groups: str) -> str:
    for group in groups:
        if group in f.unknown:
            return f"not visible to this login: {f.unknown[group]}"
    return "the server did not say"


def _cap(names: list[str]) -> list[str]:
    return names if len(names) <= LIST_LIMIT else names[:LIST_LIMIT] + [f"... and {len(names) - LIST_LIMIT} more"]


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def _seconds(value: str | None) -> float | None:
    """'30s', '5min', '300ms', '-1' (no limit: infinity), '0' -> seconds; None when unreadable."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(-?[\d.]+)\s*([a-z]*)\s*", str(value).lower())
    if not match:
        return None
    number = float(match.group(1))
    if number < 0:
        return math.inf
    unit = match.group(2) or "s"
    return number * _UNITS[unit] if unit in _UNITS else None


def _binlog_retention(s: dict[str, str]) -> float | None:
    """Seconds the binlog is kept: 0 = never purged; None when not said."""
    seconds = s.get("binlog_expire_logs_seconds")
    days = s.get("expire_logs_days")
    try:
        if seconds is not None and float(seconds) > 0:
            return float(seconds)
        if days is not None:
            return float(days) * 86400
        return float(seconds) if seconds is not None else None
    except ValueError:
        return None


def _bytes(count: int | None) -> str:
    size = float(count or 0)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def _int(value: str | None) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _major(version: str) -> int:
    match = re.match(r"\d+", version or "")
    return int(match.group(0)) if match else 0
