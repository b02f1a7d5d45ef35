"""Errors a user can hit. Each carries one line that names the cause and what to do.

Passwords: a message is built from parts that cannot hold one (a target's masked `display`, its host,
user and database, a driver's text after `mask_credentials`), so no message carries a password in the
first place. `redact` is the last line of defence, and it must never reveal a password by mangling the
words around it: replacing every "wrong" in "wrong user or password" with *** tells the reader that the
password is `wrong`. So it masks only where a password can be without being anything else:

1. where it sits, whatever it is: the userinfo of a URL (`scheme://user:***@`), the value of a
   `password=` / `passwd=` / `pwd=` / `passphrase=` pair (a URL query, a libpq conninfo, a keyword
   argument, quoted or not) and of a `'password': ...` mapping entry. Prose never has these shapes.
2. a password dayone resolved (`register_secret`), wherever it appears, but only when it cannot be
   ordinary text: at least 8 characters from at least 3 of the classes lower case, upper case, digit,
   other (`Canary-4f0c...`, `Summer2024!`). A word, a phrase or a path (`wrong`, `read-only`,
   `~/.pgpass`) is left alone: dayone's own words may contain it.

Text dayone did not write (an internal error's message, the messages in a `DAYONE_DEBUG=1` traceback)
goes through `redact` too, and is then withheld entirely if a resolved password of 3 or more
characters is still in it as a whole token: withholding cannot point at the password the way a *** in
the middle of a sentence does.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

_secrets: set[str] = set()

_KEY = r"(?:pass(?:word|wd|phrase)|(?<![a-z])pwd)"
SECRET_KEY = re.compile(rf"(?i){_KEY}")  # a parameter name whose value is a secret: password, sslpassword...
_QUOTED = r"""b?'(?:[^'\\]|\\.)*'|b?"(?:[^"\\]|\\.)*\""""
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:]*):\S*@")
# an unquoted value runs to a space or &, as in a URL query (a password may hold any other character);
# a value masked already, followed by its sentence's punctuation, is left as it is
_PAIR = re.compile(rf"(?i)({_KEY}=)(?!\*\*\*(?:[\s&'\":;,.)]|$))(?:{_QUOTED}|[^\s&]+)")
_ENTRY = re.compile(rf"(?i)(['\"]{_KEY}['\"]\s*:\s*)(?:{_QUOTED})")
WITHHELD = "(message not shown: it may hold a password)"


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
    """Remember a password dayone resolved, for `redact` and `redact_untrusted`."""
    if secret:
        _secrets.add(secret)


def mask_credentials(text: str) -> str:
    """Rule 1: mask whatever stands where a password goes (URL userinfo, password= pairs, mapping
    entries). Safe on any text: these shapes are never prose. Use it on a driver's message before
    putting it in one of dayone's."""
    text = _USERINFO.sub(r"\1:***@", text)
    text = _PAIR.sub(r"\1***", text)
    return _ENTRY.sub(r"\1'***'", text)


def redact(text: str) -> str:
    """The last line of defence for any text dayone prints or writes: rules 1 and 2 (module doc)."""
    text = mask_credentials(text)
    for form in sorted({f for s in _secrets if _distinctive(s) for f in _forms(s)}, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def redact_untrusted(text: str) -> str:
    """Text dayone did not write: `redact`, then withheld whole if a resolved password is still in it."""
    text = redact(text)
    for secret in _secrets:
        if len(secret) >= 3 and any(_token(form).search(text) for form in _forms(secret)):
            return WITHHELD
    return text


def redact_traceback(exc: BaseException) -> str:
    """The traceback DAYONE_DEBUG=1 prints: frames and source lines as Python shows them (code, not
    data), every message of the chain through `redact_untrusted`."""
    import traceback

    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "During handling of the above exception, another exception occurred:"
        else:
            current = None
    lines: list[str] = []
    for error, following in reversed(chain):  # the root cause first, as Python prints it
        if error.__traceback__ is not None:
            lines += ["Traceback (most recent call last):\n", *traceback.format_tb(error.__traceback__)]
        name = type(error).__qualname__
        module = type(error).__module__
        if module not in ("builtins", "__main__"):
            name = f"{module}.{name}"
        message = redact_untrusted(_text(error))
        lines.append(f"{name}: {message}\n" if message else f"{name}\n")
        lines += [f"{redact_untrusted(str(note))}\n" for note in getattr(error, "__notes__", None) or ()]
        if following:
            lines.append(f"\n{following}\n\n")
    return "".join(lines)


def _text(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # a broken __str__ must not hide the error itself
        return "<exception str() failed>"


def _distinctive(secret: str) -> bool:
    classes = (str.islower, str.isupper, str.isdigit)
    kinds = sum(any(test(c) for c in secret) for test in classes) + any(not c.isalnum() for c in secret)
    return len(secret) >= 8 and kinds >= 3


def _forms(secret: str) -> set[str]:
    """The password as written, percent-encoded as in a URL, and escaped as in a repr."""
    return {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), repr(secret)[1:-1]}


def _token(form: str) -> re.Pattern[str]:
    """`form` where it is not part of a longer word: "user" in "user 'x'" but not in "username"."""
    before = r"(?<![A-Za-z0-9])" if form[:1].isalnum() else ""
    after = r"(?![A-Za-z0-9])" if form[-1:].isalnum() else ""
    return re.compile(before + re.escape(form) + after)
