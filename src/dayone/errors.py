"""Errors a user can hit. Each carries one line that names the cause and what to do."""

from __future__ import annotations

_secrets: set[str] = set()


class DayoneError(Exception):
    """A problem the user can fix; the CLI prints its message on one line and exits 2."""


class ConnectError(DayoneError):
    """The database could not be reached or refused the login."""


class ConnectionSilent(ConnectError):
    """The server stopped answering in the middle of a session: dayone gave up on the connection."""


def connection_silent(where: str, statement_timeout: float, grace: float) -> ConnectionSilent:
    return ConnectionSilent(
        f"no answer from {where} for {statement_timeout + grace:g} s after the statement was sent: the connection "
        "went silent (network, proxy or failover), so dayone gave up; --statement-timeout sets the limit "
        f"({statement_timeout:g} s, plus {grace:g} s for the answer to arrive)"
    )


def register_secret(secret: str | None) -> None:
    """Remember a password so that `redact` can keep it out of anything dayone prints, as it is and
    as it would look percent-encoded in a URL or quoted in a repr."""
    if secret and len(secret) >= 3:  # masking 1-2 characters would mangle ordinary text
        from urllib.parse import quote, quote_plus

        _secrets.update({secret, quote(secret, safe=""), quote(secret), quote_plus(secret), repr(secret)[1:-1]})


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
