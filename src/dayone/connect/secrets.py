"""Where a database password comes from, so that it never has to be on a command line or in a file
dayone writes.

The first source that has a password wins:

1. the URL (``postgresql://alice:secret@db/shop``): works, but lands in shell history; masked
   wherever dayone shows the URL;
2. ``DAYONE_PASSWORD_<NAME>``, the source's own variable. NAME is the source's name when the caller
   has one (a named source of a project file), otherwise the URL's database name, otherwise its host:
   ASCII letters and digits upper-cased, every other run of characters one ``_``
   (``mysql://app@db/shop-prod`` -> ``DAYONE_PASSWORD_SHOP_PROD``). A more specific variable comes
   before the general one, so one shell can hold the passwords of several databases;
3. ``DAYONE_PASSWORD``;
4. ``DAYONE_PASSWORD_COMMAND``: a password manager's command line (``op read op://vault/db/password``),
   split like a shell would (shlex) but run without a shell, with no standard input and a time limit
   (``DAYONE_PASSWORD_COMMAND_TIMEOUT``, seconds, default 30); the first line it prints is the password.
   When it fails, dayone says so in one line and never shows what it printed;
5. the system keyring (optional: ``pip install 'dayone[keyring]'``), service ``dayone``, user
   ``user@host:port/database`` with the engine's default port filled in and ``localhost`` for a URL
   without a host (``keyring set dayone alice@db.example.com:5432/shop``). Without the package or a
   usable backend this step is skipped silently; ``PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring``
   turns it off. On Linux without a D-Bus session, a keyringrc.cfg, PYTHON_KEYRING_BACKEND or a
   third-party backend (``keyrings.*``) no backend could answer, and keyring is not even imported;
6. the driver's own file: libpq reads ``~/.pgpass`` (or ``PGPASSFILE``) and PyMySQL is handed
   ``~/.my.cnf`` (its ``[client]`` section). dayone passes no password at all then, never an empty one,
   so these files keep working.

An empty value counts as unset everywhere. Every password found is registered with
`dayone.errors.register_secret`, for the last line of defence that `dayone.errors` describes.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dayone.errors import DayoneError, register_secret

PASSWORD_ENV = "DAYONE_PASSWORD"
COMMAND_ENV = "DAYONE_PASSWORD_COMMAND"
COMMAND_TIMEOUT_ENV = "DAYONE_PASSWORD_COMMAND_TIMEOUT"
COMMAND_TIMEOUT = 30.0  # a password manager may wait for an unlock (a fingerprint, a master password)
KEYRING_SERVICE = "dayone"
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


@dataclass(frozen=True)
class Password:
    """A resolved password and where it came from. `origin` and `variable` are safe to print."""

    value: str | None
    origin: str | None  # "the URL", "DAYONE_PASSWORD", "keyring", "~/.my.cnf"... None: nothing found
    variable: str | None  # the source's own variable, DAYONE_PASSWORD_<NAME>, named in hints


def source_variable(name: str | None) -> str | None:
    """DAYONE_PASSWORD_<NAME> for a source name, database name or host; None when nothing is left."""
    cleaned = re.sub(r"[^0-9A-Za-z]+", "_", name or "").strip("_").upper()
    return f"{PASSWORD_ENV}_{cleaned}" if cleaned else None


def missing_hint(variable: str | None, driver_file: str) -> str:
    """Where a password can go, for an error that found none: the sources, most specific first."""
    return f"set {variable or PASSWORD_ENV + '_<NAME>'} or {PASSWORD_ENV}, or use {COMMAND_ENV}, the keyring or {driver_file}"


def keyring_username(engine: str, username: str | None, host: str | None, port: int | None, database: str | None) -> str:
    """The keyring entry's user name: user@host:port/database."""
    user = f"{username}@" if username else ""
    return f"{user}{host or 'localhost'}:{port or DEFAULT_PORTS.get(engine, '')}/{database or ''}"


def resolve(
    engine: str,
    *,
    url_password: str | None,
    username: str | None,
    host: str | None,
    port: int | None,
    database: str | None,
    source: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Password:
    """The password for a database URL, from the first source that has one (see the module doc)."""
    env = os.environ if env is None else env
    variable = source_variable(source or database or host)
    found = _first(engine, url_password, username, host, port, database, variable, env)
    register_secret(found.value)
    return found


def _first(engine, url_password, username, host, port, database, variable, env) -> Password:
    if url_password:
        return Password(url_password, "the URL", variable)
    for name in (variable, PASSWORD_ENV):
        if name and env.get(name):
            return Password(env[name], name, variable)
    if env.get(COMMAND_ENV):
        return Password(run_password_command(env[COMMAND_ENV], _timeout(env)), COMMAND_ENV, variable)
    from_keyring = _keyring(keyring_username(engine, username, host, port, database), env)
    if from_keyring:
        return Password(from_keyring, "the keyring", variable)
    if engine == "mysql":
        # PyMySQL reads ~/.my.cnf itself (mysql.py hands it over); we only learn its password so
        # that it is masked like any other, and so that an error can say where it came from.
        peeked = _my_cnf_password()
        if peeked:
            register_secret(peeked)
            return Password(None, "~/.my.cnf", variable)
    return Password(None, None, variable)


# -- the password command ----------------------------------------------------------------------


def run_password_command(command: str, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run a password manager's command line and return the first line it prints.

    No shell, no standard input, a time limit; its whole process group is killed on timeout. A
    failure is one line that names the program and never what it printed."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise DayoneError(f"{COMMAND_ENV} cannot be split into a command line ({exc})") from None
    if not argv:
        raise DayoneError(f"{COMMAND_ENV} is blank: give a command that prints the password")
    what = f"the password command {Path(argv[0]).name!r} ({COMMAND_ENV})"
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a group of its own: a timeout kills its children too
        )
    except FileNotFoundError:
        raise DayoneError(f"{what} was not found: check the program name and PATH") from None
    except OSError as exc:
        raise DayoneError(f"{what} could not be started: {(exc.strerror or type(exc).__name__).lower()}") from None
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise DayoneError(
            f"{what} gave no password within {timeout:g} s: is it waiting for an unlock? "
            f"{COMMAND_TIMEOUT_ENV} sets the limit"
        ) from None
    hidden = "run it yourself to see why (dayone never shows its output, which may hold the password)"
    if process.returncode < 0:
        raise DayoneError(f"{what} was killed by signal {-process.returncode}: {hidden}")
    if process.returncode:
        raise DayoneError(f"{what} failed with exit code {process.returncode}: {hidden}")
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise DayoneError(f"{what} printed something that is not UTF-8 text: {hidden}") from None
    password = text.split("\n", 1)[0].rstrip("\r")
    register_secret(password)
    if not password:
        raise DayoneError(f"{what} printed no password: the first line of its output is the password")
    return password


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):  # gone already, or Windows (no process groups to kill)
        process.kill()
    try:
        process.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # a grandchild that left the group still holds the pipes
        pass


def _timeout(env: Mapping[str, str]) -> float:
    text = env.get(COMMAND_TIMEOUT_ENV)
    if not text:
        return COMMAND_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise DayoneError(f"{COMMAND_TIMEOUT_ENV} must be a number of seconds above 0, not {text!r}")
    return value


# -- the keyring and ~/.my.cnf ------------------------------------------------------------------


def _keyring_may_answer(env: Mapping[str, str]) -> bool:
    """Whether a keyring backend could be reachable here, told without importing keyring.

    Importing keyring costs 0.05-0.1 s on Linux (its macOS backend probes for libraries with ldconfig
    and gcc), a third of a small `dayone snapshot`. On Linux its own backends all need a D-Bus session
    (Secret Service, KWallet); without one, a backend set by PYTHON_KEYRING_BACKEND, a keyringrc.cfg or a
    third-party backend package (keyrings.alt...), keyring would find no backend anyway: a headless
    server or CI job skips it for free."""
    if sys.platform in ("darwin", "win32") or env.get("PYTHON_KEYRING_BACKEND") or env.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    if os.path.isfile(os.path.join(config_home, "python_keyring", "keyringrc.cfg")):
        return True
    try:
        return importlib.util.find_spec("keyrings") is not None  # the namespace third-party backends use
    except (ImportError, ValueError):
        return False


def _keyring(username: str, env: Mapping[str, str] | None = None) -> str | None:
    """The keyring's password for this database; None without the package, a backend or an entry."""
    if not _keyring_may_answer(os.environ if env is None else env):
        return None
    try:
        import keyring
    except Exception:  # not installed (an optional extra), or broken: this source is skipped
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, username) or None
    except Exception:  # no backend (keyring.errors.NoKeyringError), a locked or unreachable one
        return None


def _my_cnf_password() -> str | None:
    """The [client] password of ~/.my.cnf, read as PyMySQL reads it (quotes stripped)."""
    path = Path(os.path.expanduser("~/.my.cnf"))
    parser = configparser.RawConfigParser(allow_no_value=True, strict=False)
    try:
        parser.read(path, encoding="utf-8")
        value = parser.get("client", "password", fallback=None)
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None  # PyMySQL will say what is wrong with the file
    if value and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value or None
