"""Where a database server runs, from what it shows about itself and the name we reached it by.

Managed services leave marks: their own settings (rds.*, cloudsql.*, azure.*), roles (rds_superuser,
cloudsqlsuperuser, azure_pg_admin), functions (aurora_version()), install paths (/rdsdbbin/) and
host names (*.rds.amazonaws.com). Every conclusion carries the marks it was drawn from.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from dayone.catalog.access import Hosting

# (pattern on the host name, provider)
HOST_NAMES = (
    (r"\.cluster-(ro-)?[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com$", "AWS Aurora"),
    (r"\.proxy-[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com$", "AWS RDS (through RDS Proxy)"),
    (r"\.rds\.amazonaws\.com(\.cn)?$", "AWS RDS"),
    (r"\.compute(-\d)?\.amazonaws\.com$", "AWS EC2 (self-managed or Heroku)"),
    (r"\.(postgres|mysql|mariadb)\.database\.azure\.com$", "Azure Database"),
    (r"\.database\.windows\.net$", "Azure"),
    (r"\.sql\.goog$|^/cloudsql/", "Google Cloud SQL"),
    (r"\.alloydb\.goog$", "Google AlloyDB"),
    (r"\.supabase\.(co|com)$", "Supabase"),
    (r"\.neon\.tech$", "Neon"),
    (r"\.db\.ondigitalocean\.com$", "DigitalOcean Managed Databases"),
    (r"\.aivencloud\.com$", "Aiven"),
    (r"\.tsdb\.cloud\.timescale\.com$", "Timescale Cloud"),
    (r"\.psdb\.cloud$", "PlanetScale"),
    (r"\.render\.com$", "Render"),
)
# Settings (name prefixes) only a managed service has.
SETTING_PREFIXES = (
    ("aurora", "AWS Aurora"),
    ("apg_", "AWS Aurora"),
    ("rds.", "AWS RDS"),
    ("rds_", "AWS RDS"),
    ("cloudsql", "Google Cloud SQL"),
    ("alloydb", "Google AlloyDB"),
    ("azure", "Azure Database"),
    ("neon.", "Neon"),
)
ROLES = {
    "rds_superuser": "AWS RDS",
    "rdsadmin": "AWS RDS",
    "cloudsqlsuperuser": "Google Cloud SQL",
    "alloydbsuperuser": "Google AlloyDB",
    "azure_pg_admin": "Azure Database",
    "azuresu": "Azure Database",
}
# More specific providers win over the generic one they build on.
PRECEDENCE = ("AWS Aurora", "Google AlloyDB", "AWS RDS (through RDS Proxy)")


def transport(host: str | None) -> str:
    """"socket", "loopback" or "network": whether the session's traffic leaves this machine."""
    if not host or host.startswith("/") or host.startswith("@"):
        return "socket"
    if host.lower() == "localhost":
        return "loopback"
    try:
        return "loopback" if ipaddress.ip_address(host.strip("[]")).is_loopback else "network"
    except ValueError:
        return "network"


def infer_hosting(
    host: str | None,
    settings: Iterable[str] = (),
    roles: Iterable[str] = (),
    functions: Iterable[str] = (),
    marks: Iterable[tuple[str, str]] = (),
) -> Hosting:
    """`settings`: names of the server's settings; `roles`, `functions`: names that exist on the
    server; `marks`: (provider, evidence) pairs the dialect found itself (an install path...)."""
    found: dict[str, list[str]] = {}

    def add(provider: str, evidence: str) -> None:
        found.setdefault(provider, []).append(evidence)

    for provider, evidence in marks:
        add(provider, evidence)
    for name in sorted(set(settings)):
        for prefix, provider in SETTING_PREFIXES:
            if name.lower().startswith(prefix):
                add(provider, f"server setting {name}")
                break
    for name in sorted(set(roles)):
        if name in ROLES:
            add(ROLES[name], f"role {name} exists")
    for name in sorted(set(functions)):
        if name == "aurora_version":
            add("AWS Aurora", "function aurora_version() exists")
    if host:
        for pattern, provider in HOST_NAMES:
            if re.search(pattern, host, re.IGNORECASE):
                add(provider, f"host name matches {pattern.strip('$^').replace(chr(92), '')}")
                break
    if found:
        # Aurora also carries RDS marks: report the most specific provider, with every mark.
        provider = next((p for p in PRECEDENCE if p in found), max(found, key=lambda p: len(found[p])))
        evidence = [e for p in [provider, *sorted(set(found) - {provider})] for e in found[p]]
        return Hosting(provider=provider, evidence=tuple(dict.fromkeys(evidence)), managed=True)
    where = transport(host)
    if where in ("socket", "loopback"):
        evidence = ("reached on this machine" + (" through a local socket" if where == "socket" else f" at {host}"),
                    "no managed-service settings, roles or functions")  # fmt: skip
        return Hosting(provider="self-hosted (this machine, or an SSH tunnel to the server)", evidence=evidence)
    return Hosting(
        provider="self-hosted or unrecognized",
        evidence=("no managed-service settings, roles or functions", "host name matches no known managed service"),
    )
