"""dayone.yml: what a person writes about an integration project, validated.

The file is for people: sources (each with one database per environment), the people who own
them, and the metrics the business wants. It holds no password: a source's URL keeps the user and
the host, and the password comes from dayone's usual sources (variables, a password command, the
keyring, .pgpass / .my.cnf). Errors name the file, the line and the field:
"dayone.yml line 12: sources.grading.prod.url: unknown scheme 'postgress'".
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dayone.errors import SECRET_KEY, register_secret
from dayone.source_names import NAME  # a source or metric name: also a word on the command line

ENVIRONMENTS = ("prod", "staging", "dev")
PRIORITIES = ("day-1", "later")
PASSWORD_PLACES = ("holds a password: remove it (this folder goes to git) and give it through DAYONE_PASSWORD_<SOURCE>, "
                   "DAYONE_PASSWORD_COMMAND, the keyring or .pgpass / .my.cnf")  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Database(_Strict):
    """One environment of a source: where its database is and how to reach it."""

    url: str
    ssh: str | None = None  # ssh://user@bastion[:port]
    schemas: tuple[str, ...] = ()

    @field_validator("url")
    @classmethod
    def _url_without_password(cls, url: str) -> str:
        from dayone.connect.target import SCHEMES

        if "://" not in url:
            return url  # a SQLite file or a snapshot path
        try:
            parts = urlsplit(url)
        except ValueError:
            raise ValueError("not a database URL: expected scheme://user@host:port/database") from None
        secrets = [value for key, value in parse_qsl(parts.query, keep_blank_values=True) if SECRET_KEY.search(key)]
        if parts.password is not None or secrets:  # never: the project folder goes to git
            for secret in (parts.password and unquote(parts.password), *secrets):
                register_secret(secret)  # masked wherever it might be printed after all
            raise ValueError(PASSWORD_PLACES)
        scheme = url.split("://", 1)[0].lower()
        if scheme not in SCHEMES:
            known = ", ".join(sorted({s.split("+")[0] for s in SCHEMES}))
            raise ValueError(f"unknown scheme {scheme!r}: dayone reads {known}")
        return url

    @field_validator("ssh")
    @classmethod
    def _ssh_without_password(cls, ssh: str | None) -> str | None:
        if ssh is None:
            return None
        try:
            parts = urlsplit(ssh if "://" in ssh else f"ssh://{ssh}")
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError("expected ssh://user@bastion[:port]") from None
        if parts.scheme.lower() != "ssh" or not parts.hostname:
            raise ValueError("expected ssh://user@bastion[:port]")
        if parts.password is not None:
            register_secret(unquote(parts.password))
            raise ValueError("holds a password: dayone logs in to a bastion with keys only (the ssh-agent, ~/.ssh/id_* or --ssh-key)")
        return ssh


class Person(_Strict):
    role: str
    contact: str | None = None
    owns: tuple[str, ...] = ()  # source names, or checklist sections ("Data model", "access"...)


class Metric(_Strict):
    source: str
    sql: str
    priority: Literal["day-1", "later"] = "day-1"
    due: date | None = None
    owner: str | None = None
    question: str | None = None  # the business question it answers


class ProjectFile(_Strict):
    project: str = "dayone project"
    go_live: date | None = None
    sources: dict[str, dict[Literal["prod", "staging", "dev"], Database]] = Field(default_factory=dict)
    people: dict[str, Person] = Field(default_factory=dict)
    metrics: dict[str, Metric] = Field(default_factory=dict)

    @field_validator("sources", "metrics")
    @classmethod
    def _names(cls, named: dict) -> dict:
        for name in named:
            if not NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a name dayone can take on the command line: a letter, then letters, "
                                 "digits, - or _")  # fmt: skip
        return named

    def check_references(self) -> list[tuple[tuple[str, ...], str]]:
        """(path, problem) for what refers to something the file does not define."""
        problems = []
        for name, metric in self.metrics.items():
            if metric.source not in self.sources:
                problems.append((("metrics", name, "source"), f"no source named {metric.source!r}"))
            if metric.owner is not None and metric.owner not in self.people:
                problems.append((("metrics", name, "owner"), f"no person named {metric.owner!r}"))
        for name, env in self.sources.items():
            if not env:
                problems.append((("sources", name), "names no environment (prod, staging or dev) with a url"))
        return problems
