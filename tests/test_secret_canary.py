"""The canary suite: unique passwords, given through every source dayone reads, appear in nothing it
prints or writes (stdout, stderr, snapshots, -o reports in every format, errors of every kind, parse
errors, DAYONE_DEBUG=1 tracebacks), on PostgreSQL and MariaDB, with the right password and a wrong one.
And the opposite: a password that is an ordinary word (`wrong`, `user`) leaves dayone's messages as
they are, since a *** where a word should be tells the reader what the password is.

Three kinds of canary: canary() (long and mixed: dayone.errors masks it wherever it appears, the last
line of defence), special() (characters a URL must percent-encode, no upper case or digit: nothing
masks it by value, so only messages built without it keep it out) and non_latin() (MariaDB: PyMySQL
cannot send it as Latin-1). Servers as in test_secrets.py: a throwaway pgserver that checks passwords, users made on
the machine's MariaDB; both dropped afterwards."""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from conftest import _mysql_admin, _mysql_params, unique_name
from test_secrets import World, _need

from dayone import cli as dayone_cli
from dayone.connect.options import SessionOptions, TunnelOptions
from dayone.connect.session import Session
from dayone.connect.target import parse_target


def _letters(n: int = 6) -> str:
    return "".join(random.choices(string.ascii_lowercase, k=n))


def canary() -> str:
    return "Canary-" + uuid.uuid4().hex


def special() -> str:
    return "p@ss:w/rd%?&=+" + _letters()  # lower case and punctuation only: not masked by value


def non_latin() -> str:
    return "pässwört€-" + _letters()


WORDS = ("wrong", "user", "password")


def leak_forms(password: str) -> set[str]:
    """As it is, percent-encoded, base64 and reversed: a re-encoded password is a leak too."""
    raw = password.encode()
    return {
        password, quote(password, safe=""), quote(password), quote_plus(password), password[::-1],
        base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }  # fmt: skip


def assert_absent(texts: list[str], *passwords: str) -> None:
    for password in passwords:
        for form in leak_forms(password):
            for text in texts:
                assert form not in text, f"the password leaked as {form!r}: {text[:600]}"


def world_texts(world: World) -> list[str]:
    """Every output of the world's runs, and every file in it but those the test planted."""
    planted = {world.home / ".pgpass", world.home / ".my.cnf", world.keyring_file}
    files = [p for p in world.tmp.rglob("*") if p.is_file() and p not in planted and not p.name.startswith("secret-")]
    return world.outputs + [p.read_text(errors="replace") for p in files]


# --- logins with canary passwords --------------------------------------------------------------


@dataclass
class Login:
    engine: str
    user: str
    password: str
    database: str
    netloc: str  # host:port, "" for PostgreSQL's socket (given as ?host=)
    query: str = ""

    def url(self, password: str | None = None, *, in_query: bool = False) -> str:
        credentials = self.user + (f":{quote(password, safe='')}" if password and not in_query else "")
        params = [p for p in (self.query, f"password={quote(password, safe='')}" if password and in_query else "") if p]
        return f"{self.engine}://{credentials}@{self.netloc}/{self.database}" + (f"?{'&'.join(params)}" if params else "")

    @property
    def variable(self) -> str:
        return "DAYONE_PASSWORD_" + self.database.upper()

    @property
    def keyring_user(self) -> str:
        default = "localhost:5432" if self.engine == "postgresql" else "localhost:3306"
        return f"{self.user}@{self.netloc or default}/{self.database}"

    @property
    def where(self) -> str:
        return self.netloc or "localhost:5432"


@pytest.fixture(scope="module")
def pg_logins(pgserver_dir):
    pgserver = _need("pgserver")
    server = pgserver.get_server(pgserver_dir, cleanup_mode="stop")
    database = unique_name("dayone_canary")
    passwords = {"canary": canary(), "special": special()}
    users = {kind: unique_name(f"dayone_{kind}") for kind in passwords}
    server.psql(
        f"CREATE DATABASE {database};\n\\c {database}\n"
        "CREATE TABLE customers (id serial PRIMARY KEY, email text, created_at timestamp);\n"
        + "".join(f"CREATE ROLE {users[k]} LOGIN PASSWORD '{p}';\nGRANT SELECT ON customers TO {users[k]};\n" for k, p in passwords.items())
    )  # fmt: skip
    (server.pgdata / "pg_hba.conf").write_text("local all postgres trust\nlocal all all scram-sha-256\n")
    server.psql("SELECT pg_reload_conf();")
    socket_dir = parse_qs(urlsplit(server.get_uri()).query).get("host", [str(server.pgdata)])[0]
    query = f"host={quote(socket_dir, safe='/')}"
    yield {k: Login("postgresql", users[k], p, database, "", query) for k, p in passwords.items()}
    server.psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE);\n" + "".join(f"DROP ROLE IF EXISTS {u};\n" for u in users.values()))
    server.cleanup()


@pytest.fixture(scope="module")
def mysql_logins(mysql_server):
    database = unique_name("dayone_canary")
    passwords = {"canary": canary(), "special": special(), "non_latin": non_latin()}
    users = {kind: unique_name(f"dayone_{kind}") for kind in passwords}
    params = _mysql_params()
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{database}`")
        cur.execute(f"CREATE TABLE `{database}`.customers (id INT PRIMARY KEY, email TEXT, created_at DATETIME)")
        for kind, password in passwords.items():
            cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (users[kind], password))
            cur.execute(f"GRANT SELECT, SHOW VIEW ON `{database}`.* TO %s@'%%'", (users[kind],))
    try:
        yield {k: Login("mysql", users[k], p, database, f"{params['host']}:{params['port']}") for k, p in passwords.items()}
    finally:
        with _mysql_admin() as conn, conn.cursor() as cur:
            for user in users.values():
                cur.execute("DROP USER IF EXISTS %s@'%%'", (user,))
            cur.execute(f"DROP DATABASE IF EXISTS `{database}`")


@pytest.fixture(params=["postgresql", "mysql"])
def logins(request) -> dict[str, Login]:
    return request.getfixturevalue("pg_logins" if request.param == "postgresql" else "mysql_logins")


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path)


SOURCES = ["url", "?password=", "per-source variable", "DAYONE_PASSWORD", "command", "keyring", "driver file"]


def give(world: World, login: Login, place: str, password: str) -> tuple[str, dict[str, str]]:
    """The URL and environment that hand `password` to dayone through `place`."""
    env = {"DAYONE_DEBUG": "1"}  # tracebacks on: whatever goes wrong must still hold no password
    url = login.url()
    if place == "url":
        url = login.url(password)
    elif place == "?password=":
        url = login.url(password, in_query=True)
    elif place == "per-source variable":
        env[login.variable] = password
    elif place == "DAYONE_PASSWORD":
        env["DAYONE_PASSWORD"] = password
    elif place == "command":
        env["DAYONE_PASSWORD_COMMAND"] = world.command_printing(password)
    elif place == "keyring":
        world.keyring(login.keyring_user, password)
    elif login.engine == "postgresql":
        world.pgpass(password)
    else:
        world.my_cnf(password)
    return url, env


def origin(login: Login, place: str) -> str:
    """Where dayone says the password came from."""
    return {"url": "the URL", "?password=": "the URL", "per-source variable": login.variable, "DAYONE_PASSWORD": "DAYONE_PASSWORD",
            "command": "DAYONE_PASSWORD_COMMAND", "keyring": "the keyring",
            "driver file": "the .pgpass file" if login.engine == "postgresql" else "~/.my.cnf"}[place]  # fmt: skip


def reset(world: World) -> None:
    """Each source alone: take away what the previous run planted."""
    for planted in (world.home / ".pgpass", world.home / ".my.cnf"):
        planted.unlink(missing_ok=True)
    world.keyring_file.write_text("{}")


# Every command, every output format: (arguments after TARGET, what shows that it read the database)
COMMANDS = [
    (["snapshot", "-o", "{dir}/snapshot.json"], "customers"),
    (["audit", "--format", "json", "-o", "{dir}/audit.json", "--fail-on", "never"], "customers"),
    (["audit", "--format", "markdown", "-o", "{dir}/audit.md", "--fail-on", "never"], "customers"),
    (["audit", "--format", "sarif", "-o", "{dir}/audit.sarif", "--fail-on", "never"], "dayone"),
    (["audit", "--format", "text", "--fail-on", "never"], "customers"),
    (["catalog"], "customers"),
    (["catalog", "--format", "markdown", "-o", "{dir}/catalog.md"], "customers"),
    (["catalog", "--format", "json", "-o", "{dir}/catalog.json"], "customers"),
    (["catalog", "--format", "csv"], "customers"),
    (["check", "--format", "json", "-o", "{dir}/check.json", "--fail-on", "never"], '"reached": true'),
    (["check", "--format", "markdown", "-o", "{dir}/check.md", "--fail-on", "never"], "pass"),
    (["check", "--format", "text", "--fail-on", "never"], "pass"),
]


def run(world: World, command: list[str], url: str, env: dict[str, str], run_number: int) -> tuple[subprocess.CompletedProcess, str]:
    """dayone COMMAND URL ...; returns the result and what it wrote (the -o file, else stdout)."""
    folder = world.tmp / f"run{run_number}"
    folder.mkdir()
    args = [a.format(dir=folder) for a in command]
    result = world.run(args[0], url, *args[1:], env=env)
    written = [p.read_text() for p in folder.iterdir()]
    return result, "".join(written) or result.stdout


# --- the right password, through every source, on every command -------------------------------


def test_right_password_through_every_source_leaves_no_trace(world, logins):
    """Each command and output format once, the sources in turn (the URL's two forms with both kinds of
    canary): every run logs in, and no output or file holds a password."""
    plan = [(SOURCES[n % len(SOURCES)], ("canary", "special")[n % 2], command) for n, command in enumerate(COMMANDS)]
    if "non_latin" in logins:
        plan.append(("url", "non_latin", COMMANDS[0]))
    for number, (place, kind, (command, proof)) in enumerate(plan):
        login = logins[kind]
        reset(world)
        url, env = give(world, login, place, login.password)
        result, written = run(world, command, url, env, number)
        assert result.returncode == 0, (place, kind, command, result.stderr)
        assert proof in written, (place, kind, command, written[:300])
    if "non_latin" in logins:  # PyMySQL reads ~/.my.cnf itself and can send only Latin-1 from it
        reset(world)
        url, env = give(world, logins["non_latin"], "driver file", logins["non_latin"].password)
        result = world.run("catalog", url, env=env)
        assert result.returncode == 2 and "has characters PyMySQL cannot send" in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
    assert_absent(world_texts(world), *(login.password for login in logins.values()))


# --- a wrong password, through every source: one clean line -----------------------------------


def test_wrong_password_through_every_source_is_one_clean_line(world, logins):
    login = logins["canary"]
    wrongs = []
    for number, place in enumerate(SOURCES):
        wrong = special() if number % 2 else canary()
        wrongs.append(wrong)
        reset(world)
        url, env = give(world, login, place, wrong)
        command = ["snapshot", "audit", "catalog", "check"][number % 4]
        report = world.tmp / f"check{number}.json"
        extra = {"audit": ["--format", "json"], "check": ["--format", "json", "-o", str(report)]}.get(command, [])
        result = world.run(command, url, *extra, env=env)
        expected = f"login failed for user '{login.user}' on {login.where}"
        if command == "check":  # reachability is one of its items: a report, exit 1
            assert result.returncode == 1, result.stderr
            checked = json.loads(report.read_text())
            summaries = " | ".join(c["summary"] for c in checked["checks"])
            assert checked["reached"] is False and expected in summaries and origin(login, place) in summaries, summaries
        else:
            assert result.returncode == 2, (place, result.stdout + result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"dayone: error: {expected}"), result.stderr
            assert "password" in lines[0] and origin(login, place) in lines[0], lines[0]
    assert_absent(world_texts(world), login.password, *wrongs)


def test_password_words_leave_messages_readable(world, logins):
    """A wrong password that is a word the message uses: the message comes out exactly as written."""
    login = logins["canary"]
    wording = ("wrong password from {origin}" if login.engine == "postgresql"
               else "wrong user or password (the password came from {origin})")  # fmt: skip
    for word, place, command in zip(WORDS, ("url", "DAYONE_PASSWORD", "?password="), ("catalog", "check", "audit")):
        url, env = give(world, login, place, word)
        expected = f"login failed for user '{login.user}' on {login.where}: " + wording.format(origin=origin(login, place))
        if command == "check":  # the message is the reachability item's answer
            report = world.tmp / "check.json"
            result = world.run("check", url, "--format", "json", "-o", str(report), env=env)
            assert result.returncode == 1, result.stderr
            assert expected in {c["summary"] for c in json.loads(report.read_text())["checks"]}, (word, report.read_text())
        else:
            result = world.run(command, url, env=env)
            assert result.stderr == f"dayone: error: {expected}\n", (word, result.stderr)


# --- parse errors, click's errors, internal errors: in-process, no server ----------------------


def dayone(monkeypatch, capsys, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`dayone ARGS` in this process, as the CLI runs it: (exit status, stdout, stderr)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["dayone", *args])
    code, _ = dayone_cli._run()
    out = capsys.readouterr()
    return code, out.out, out.err


PARSE_ERRORS = [  # (URL, {pw} the password percent-encoded, what the one line must still say)
    ("{engine}://bob:{pw}@db.example.com:54x/shop", "is not a number"),
    ("{engine}://bob@db.example.com:54x/shop?password={pw}", "is not a number"),
    ("{engine}://bob@db.example.com:99999/shop?sslmode=require&password={pw}", "is not a number"),
    ("{engine}://bob:{pw}@[::1/shop", "cannot parse database URL"),
    ("{engine}://bob@[::1/shop?password={pw}", "cannot parse database URL"),
    ("{engine}://bob:{pw}/shop", "is not a number"),  # the @host forgotten: the password reads as a port
    ("{engine}://bob@db.example.com/shop/extra?password={pw}", "the database name is the path"),
    ("oracle://bob:{pw}@db.example.com/shop", "unknown database URL scheme"),
    ("oracle://bob@db.example.com/shop?password={pw}", "unknown database URL scheme"),
]
RAW_PARSE_ERRORS = [  # the special() password typed as it is, not percent-encoded
    ("{engine}://bob:{raw}@db.example.com/shop", "is not a number"),  # host ss, port w
    ("{engine}://bob:12/{raw}@db.example.com", "an @ after the host:port"),  # host bob, port 12, database p@ss...
    ("{engine}:/bob:{raw}@db.example.com/shop", "neither a database URL"),
    ("bob:{raw}", "neither a database URL"),
]


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
@pytest.mark.parametrize("case", PARSE_ERRORS + RAW_PARSE_ERRORS, ids=[c[0].split("://")[-1] for c in PARSE_ERRORS + RAW_PARSE_ERRORS])
def test_parse_errors_never_show_the_password(monkeypatch, capsys, engine, case):
    pattern, says = case
    for password in (special(),) if "{raw}" in pattern else (canary(), special(), "wrong"):
        url = pattern.format(engine=engine, pw=quote(password, safe=""), raw=password)
        for command in ("audit", "snapshot", "catalog", "check"):
            code, out, err = dayone(monkeypatch, capsys, command, url, env={"DAYONE_DEBUG": "1"})
            assert code == 2 and out == "", (url, out, err)
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("dayone: error: ") and says in lines[0], (url, err)
            if password != "wrong":
                assert_absent([err], password)


def test_click_errors_never_show_the_password(monkeypatch, capsys):
    password = special()
    url = f"postgresql://bob:{quote(password, safe='')}@db.example.com/shop?sslpassword={quote(password, safe='')}"
    for args in (["rules", url], ["audit", url, url], ["audit", "--format", url, "x"], ["catalog", url, "--connect-timeout", url]):
        code, out, err = dayone(monkeypatch, capsys, *args)
        assert code == 2 and "Error:" in err, (args, err)
        assert_absent([out, err], password)


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_driver_errors_never_show_the_password(monkeypatch, capsys, engine):
    """A driver error that quotes the connection parameters (a conninfo string, a dict's repr) or the
    password itself: one line that names the cause, never the password."""
    import psycopg
    import pymysql
    from psycopg.conninfo import make_conninfo

    password = special()
    url = f"{engine}://bob:{quote(password, safe='')}@127.0.0.1:1/shop"
    seen = []
    for shape in ("conninfo", "repr", "bare"):

        def failing(**params):
            quoted = {"conninfo": make_conninfo(**params) if engine == "postgresql" else "", "repr": repr(params), "bare": password}[shape]
            if engine == "postgresql":
                raise psycopg.OperationalError(f"connection is bad: {quoted}")
            raise pymysql.err.OperationalError(2000, f"cannot connect with {quoted}")

        # the dialects connect through their watched connection classes (a deadline on every read)
        if engine == "postgresql":
            from dayone.dialects.postgres_connection import WatchedConnection

            monkeypatch.setattr(WatchedConnection, "connect", staticmethod(failing))
        else:
            from dayone.dialects import mysql_connection

            monkeypatch.setattr(mysql_connection, "WatchedConnection", failing)
        code, out, err = dayone(monkeypatch, capsys, "catalog", url, env={"DAYONE_DEBUG": "1"})
        assert code == 2 and err.startswith("dayone: error: cannot connect") and len(err.splitlines()) == 1, err
        seen += [out, err]
    assert_absent(seen, password)


def test_internal_errors_and_debug_tracebacks_never_show_the_password(monkeypatch, capsys):
    """A bug in dayone whose message carries the password (in a dict's repr, as user:password, bare),
    raised while handling a driver error that quotes the conninfo: one line by default; with
    DAYONE_DEBUG=1 Python's traceback, frames and chain intact, its messages free of the password."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    from dayone import api

    password = special()
    url = f"postgresql://bob:{quote(password, safe='')}@db.example.com/shop"

    @contextmanager
    def buggy_session(target, options=None):
        try:
            raise psycopg.OperationalError("connection is bad: " + make_conninfo(host=target.host, password=target.password))
        except psycopg.Error as exc:
            raise RuntimeError(f"with {{'password': {target.password!r}}} as bob:{target.password} ({target.password})") from exc
        yield

    monkeypatch.setattr(api, "open_session", buggy_session)
    seen = []
    for debug in ("", "1"):
        code, out, err = dayone(monkeypatch, capsys, "snapshot", url, env={"DAYONE_DEBUG": debug})
        assert code == 2 and out == "", err
        if debug:
            assert err.startswith("Traceback (most recent call last):") and "psycopg.OperationalError: connection is bad:" in err, err
            assert "The above exception was the direct cause" in err and "RuntimeError" in err and "buggy_session" in err, err
        else:
            assert err.startswith("dayone: internal error: RuntimeError") and len(err.splitlines()) == 1, err
        seen += [out, err]
    assert_absent(seen, password)


def test_reprs_and_displays_hold_no_password():
    password = special()
    encoded = quote(password, safe="")
    for url in (f"postgresql://bob:{encoded}@db.example.com/shop", f"mysql://bob@db.example.com/shop?password={encoded}",
                f"postgresql://bob@db.example.com/shop?sslmode=require&pass%77ord={encoded}"):  # fmt: skip
        target = parse_target(url)
        assert target.password == password
        tunnel = TunnelOptions(host="bastion.example.com", username="bob", key_file="~/.ssh/id_ed25519")
        session = Session(target=target, options=SessionOptions(ssh=tunnel), connection=None)
        shown = [repr(target), str(target), target.display, repr(session), str(session), repr(session.options), repr(target.query)]
        assert_absent(shown, password)
        assert "***" in target.display


def test_ssh_key_passphrase_never_shows(monkeypatch, capsys, tmp_path):
    """DAYONE_SSH_KEY_PASSPHRASE, wrong (the key cannot be decrypted) and right (the bastion cannot
    be reached): neither error holds it."""
    import shutil

    if not shutil.which("ssh-keygen"):
        pytest.skip("ssh-keygen is not installed")
    passphrase = special()
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-a", "4", "-N", passphrase, "-f", str(key)], check=True)
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    wrong = special()
    for given, says in ((wrong, "cannot decrypt the SSH key"), (passphrase, "the bastion 127.0.0.1:1")):
        code, out, err = dayone(
            monkeypatch, capsys, "catalog", "postgresql://bob@db.internal/shop", "--ssh", "ssh://bob@127.0.0.1:1",
            "--ssh-key", str(key), "--ssh-known-hosts", str(known_hosts), "--connect-timeout", "1",
            env={"DAYONE_SSH_KEY_PASSPHRASE": given, "DAYONE_DEBUG": "1"},
        )  # fmt: skip
        assert code == 2 and says in err and len(err.splitlines()) == 1, err
        assert_absent([out, err], passphrase, wrong)


def test_redaction_does_not_mangle_words(monkeypatch):
    """The last line of defence (dayone.errors.redact) on its own: it masks where a password stands and
    a long mixed one anywhere, and leaves words alone even when they are a resolved password."""
    from dayone import errors
    from dayone.errors import redact, redact_untrusted, register_secret

    monkeypatch.setattr(errors, "_secrets", set())

    for word in WORDS + ("read-only", "~/.pgpass"):
        register_secret(word)
    strong = canary()
    register_secret(strong)
    message = "login failed for user 'bob' on db:5432: wrong user or password; read-only; ~/.pgpass"
    assert redact(message) == message
    assert redact(f"{message} {strong}") == f"{message} ***"
    assert redact("postgresql://bob:wrong@db/x?sslmode=require&password=user") == "postgresql://bob:***@db/x?sslmode=require&password=***"
    assert redact("host=db password='wrong' dbname=x") == "host=db password=*** dbname=x"
    assert redact("{'user': 'bob', 'password': 'wrong'}") == "{'user': 'bob', 'password': '***'}"
    assert redact_untrusted("something went wrong") == "(message not shown: it may hold a password)"
    assert redact_untrusted("usernames differ") == "usernames differ"

