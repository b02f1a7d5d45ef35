"""Adding and removing a project's sources and people: dayone.yml edited, every comment kept.

Each edit is checked before the file is touched, and the error names what the user typed rather
than a line of a file that does not hold it yet. A URL with a password is refused before anything
else looks at it: the folder goes to git.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from dayone.errors import DayoneError, mask_credentials
from dayone.project.model import ENVIRONMENTS, NAME, Database

if TYPE_CHECKING:
    from dayone.project import Project


def add_source(project: Project, name: str, url: str, env: str = "prod", ssh: str | None = None,
               schemas: tuple[str, ...] = (), replace: bool = False, cwd: Path | None = None) -> Database:  # fmt: skip
    """Add (or with `replace`, change) one environment of a source."""
    if not NAME.fullmatch(name):
        raise DayoneError(f"{name!r} cannot name a source: a letter, then letters, digits, - or _ (it is typed as a TARGET)")
    database = _database(name, _relative_to(project, url, cwd or Path.cwd()), ssh, schemas)
    existing = project.file.sources.get(name, {})
    if env in existing and not replace:
        raise DayoneError(f"source {name!r} has a {env} database already ({mask_credentials(existing[env].url)}): "
                          f"add --replace to change it, or --env {' or '.join(e for e in ENVIRONMENTS if e != env)} for another one")  # fmt: skip
    entry: dict[str, Any] = {"url": database.url}
    if database.ssh:
        entry["ssh"] = database.ssh
    if database.schemas:
        entry["schemas"] = list(database.schemas)
    project.config.set(["sources", name, env], entry)
    project.config.save()
    return database


def remove_source(project: Project, name: str, env: str | None = None) -> list[str]:
    """Remove a source, or one environment of it (the source with its last one); what still refers
    to it, as warnings. A metric on it keeps the source: remove the metric first."""
    environments = project.environments(name)  # an unknown name: one line listing the sources
    if env is not None and env not in environments:
        raise DayoneError(f"source {name!r} has no {env} database: it has {', '.join(environments)}")
    whole = env is None or set(environments) == {env}
    if whole:
        metrics = sorted(m for m, metric in project.file.metrics.items() if metric.source == name)
        if metrics:
            raise DayoneError(f"metric{'s' if len(metrics) > 1 else ''} {', '.join(metrics)} read{'' if len(metrics) > 1 else 's'} "
                              f"source {name!r}: remove {'them' if len(metrics) > 1 else 'it'} first, or give the metric another source")  # fmt: skip
        project.config.delete(["sources", name])
    else:
        project.config.delete(["sources", name, env])
    project.config.save()
    if not whole:
        return []
    return [f"{person} still owns {name!r} (dayone.yml, people)" for person, p in project.file.people.items() if name in p.owns]


@dataclass(frozen=True)
class SourceRow:
    name: str
    env: str
    url: str  # as written in dayone.yml (it holds no password), credentials masked all the same
    ssh: str | None
    schemas: tuple[str, ...]
    last_audit: datetime | None
    last_check: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "env": self.env, "url": self.url, "ssh": self.ssh, "schemas": list(self.schemas),
                "last_audit": _iso(self.last_audit), "last_check": _iso(self.last_check)}  # fmt: skip


def source_rows(project: Project) -> list[SourceRow]:
    rows = []
    for name, environments in project.file.sources.items():
        for env in ENVIRONMENTS:
            if env not in environments:
                continue
            database = environments[env]
            audit, check = (project.state.latest(name, env, kind) for kind in ("audit", "check"))
            rows.append(SourceRow(name, env, mask_credentials(database.url), database.ssh and mask_credentials(database.ssh),
                                  database.schemas, _taken(audit), _taken(check)))  # fmt: skip
    return rows


# -- people -------------------------------------------------------------------------------------


def add_person(project: Project, name: str, role: str, contact: str | None = None, owns: tuple[str, ...] = (),
               replace: bool = False) -> list[str]:  # fmt: skip
    """Add (or with `replace`, change) a person; what they own, as stored (sources by name, sections
    by their checklist title)."""
    name = name.strip()
    for what, text in (("name", name), ("role", role), ("contact", contact or "")):
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise DayoneError(f"the {what} {text!r} holds a control character (a line break?): give it on one line")
    if not name or not role.strip():
        raise DayoneError("a person needs a name and a --role")
    if name in project.file.people and not replace:
        raise DayoneError(f"{name!r} is in {project.config.path.name} already: add --replace to change them")
    owned = [owned_thing(project, thing) for thing in owns]
    entry: dict[str, Any] = {"role": role.strip()}
    if contact:
        entry["contact"] = contact.strip()
    if owned:
        entry["owns"] = list(dict.fromkeys(owned))
    project.config.set(["people", name], entry)
    project.config.save()
    return owned


def owned_thing(project: Project, thing: str) -> str:
    """A source name, or a checklist section (its title or its short name: access, model, flow,
    data, governance) as its title."""
    from dayone.rules.registry import FAMILIES

    thing = thing.strip()
    if thing in project.file.sources:
        return thing
    folded = thing.casefold()
    for key, title in FAMILIES.items():
        if folded in (key, title.casefold()):
            return title
    sources = ", ".join(sorted(project.file.sources)) or "none yet"
    sections = ", ".join(f"{title} ({key})" for key, title in FAMILIES.items())
    raise DayoneError(f"--owns {thing!r} is neither a source (sources: {sources}) nor a checklist section ({sections})")


# -- helpers ------------------------------------------------------------------------------------


def _database(name: str, url: str, ssh: str | None, schemas: tuple[str, ...]) -> Database:
    try:
        return Database(url=url, ssh=ssh, schemas=tuple(schemas))
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "url"
        said = error.get("msg", "").removeprefix("Value error, ").replace("DAYONE_PASSWORD_<SOURCE>", _variable(name))
        what = {"url": "the URL", "ssh": "--ssh", "schemas": "--schema"}.get(field, field)
        raise DayoneError(f"{what}{' ' if said.startswith('holds') else ': '}{said}") from None  # never the URL: it may hold the password


def _variable(name: str) -> str:
    from dayone.connect.secrets import source_variable

    return source_variable(name) or "DAYONE_PASSWORD_<SOURCE>"


def _relative_to(project: Project, url: str, cwd: Path) -> str:
    """A SQLite file typed on the command line is relative to where the user is; in dayone.yml it is
    relative to the project folder (dayone.yml goes to git and other machines)."""
    if "://" in url:
        scheme, sqlite, path = url.partition(":///")
        if not sqlite or scheme.lower() not in ("sqlite", "sqlite+pysqlite") or not path or path.startswith("/"):
            return url
        return f"{scheme}:///{_in_project(project, cwd / path)}"
    return url if os.path.isabs(url) else _in_project(project, cwd / url)


def _in_project(project: Project, path: Path) -> str:
    absolute = Path(os.path.normpath(path))
    try:
        return str(absolute.relative_to(project.folder))
    except ValueError:
        return str(absolute)


def _taken(path: Path | None) -> datetime | None:
    """A kept result's time, from its name (state.stamp)."""
    if path is None:
        return None
    try:
        return datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
