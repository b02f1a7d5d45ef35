"""Passwords: every source works against servers that check them, in the documented order, and a
canary password never shows up in what dayone prints or writes, whatever goes wrong.

PostgreSQL: a throwaway pgserver whose pg_hba asks for scram-sha-256 (the machine's server trusts
127.0.0.1, which would let any password through). MariaDB: the machine's server, with a user made
for the test and dropped after it."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from conftest import IN_CI, _mysql_admin, _mysql_params, unique_name



def _need(module: str):
    try:
        return __import__(module)
    except ImportError as exc:
        if IN_CI:
            pytest.fail(f"{module} is needed in CI (pip install -e '.[test]'): {exc}")
        pytest.skip(f"{module} is not installed: {exc}")


def make_canary() -> str:
    # Characters that a URL must percent-encode and a driver must pass through untouched, so a leak
    # in encoded form is caught too; no quote or backslash, which .pgpass and .my.cnf would escape.
    return "Cy" + secrets.token_urlsafe(18) + "-@:/%?&=+$!~"


def leak_forms(password: str) -> set[str]:
    """The password as is, percent-encoded, and the two halves of its random part: a truncated or
    re-encoded leak is a leak too."""
    forms = {password, quote(password, safe=""), quote(password), quote_plus(password)}
    if password.startswith("Cy"):
        forms |= {password[2:14], password[14:26]}
    return forms


# --- servers with a canary user ---------------------------------------------------------------


@dataclass
class Source:
    """One database whose user logs in with `password`; `url(password=None)` is what a user types."""

    engine: str
    user: str
    password: str
    database: str
    netloc: str  # host:port, or "" for a socket
    query: str = ""
    wrong: str = field(default_factory=make_canary)  # another canary, given where it must fail

    def url(self, password: str | None = None) -> str:
        credentials = self.user + (f":{quote(password, safe='')}" if password else "")
        return f"{self.engine}://{credentials}@{self.netloc}/{self.database}" + (f"?{self.query}" if self.query else "")

    @property
    def variable(self) -> str:
        """As the README says: DAYONE_PASSWORD_ and the database name, upper-cased."""
        return "DAYONE_PASSWORD_" + self.database.upper()

    @property
    def keyring_user(self) -> str:
        """As the README says: user@host:port/database, localhost and the default port filled in."""
        default = "localhost:5432" if self.engine == "postgresql" else "localhost:3306"
        return f"{self.user}@{self.netloc or default}/{self.database}"

    def canaries(self) -> set[str]:
        return leak_forms(self.password) | leak_forms(self.wrong)


@pytest.fixture(scope="module")
def pg_source(pgserver_dir):
    pgserver = _need("pgserver")
    server = pgserver.get_server(pgserver_dir, cleanup_mode="stop")
    user, database = unique_name("dayone_canary"), unique_name("dayone_sec")
    password = make_canary()
    server.psql(
        f"CREATE ROLE {user} LOGIN PASSWORD '{password}';\n"
        f"CREATE DATABASE {database} OWNER {user};\n"
        f"\\c {database}\n"
        "CREATE TABLE customers (id serial PRIMARY KEY, email text, created_at timestamp);\n"
        f"ALTER TABLE customers OWNER TO {user};\n"
    )
    (server.pgdata / "pg_hba.conf").write_text("local all postgres trust\nlocal all all scram-sha-256\n")
    server.psql("SELECT pg_reload_conf();")
    socket_dir = parse_qs(urlsplit(server.get_uri()).query).get("host", [str(server.pgdata)])[0]
    yield Source("postgresql", user, password, database, netloc="", query=f"host={quote(socket_dir, safe='/')}")
    server.psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE);\nDROP ROLE IF EXISTS {user};\n")
    server.cleanup()


@pytest.fixture(scope="module")
def mysql_source(mysql_server):
    user, database = unique_name("dayone_canary"), unique_name("dayone_sec")
    password = make_canary()
    with _mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{database}`")
        cur.execute(f"CREATE TABLE `{database}`.customers (id INT PRIMARY KEY, email TEXT, created_at DATETIME)")
        cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, password))
        cur.execute(f"GRANT SELECT, SHOW VIEW ON `{database}`.* TO %s@'%%'", (user,))
    params = _mysql_params()
    try:
        yield Source("mysql", user, password, database, netloc=f"{params['host']}:{params['port']}")
    finally:
        with _mysql_admin() as conn, conn.cursor() as cur:
            cur.execute("DROP USER IF EXISTS %s@'%%'", (user,))
            cur.execute(f"DROP DATABASE IF EXISTS `{database}`")


@pytest.fixture(params=["postgresql", "mysql"])
def source(request) -> Source:
    return request.getfixturevalue("pg_source" if request.param == "postgresql" else "mysql_source")


# --- running dayone as a user would -----------------------------------------------------------

KEYRING_BACKEND = '''
import json, os
from keyring.backend import KeyringBackend

class FileKeyring(KeyringBackend):
    """A keyring backend for the test: entries in a JSON file, service/username -> password."""
    priority = 1

    def get_password(self, service, username):
        with open(os.environ["CANARY_KEYRING_FILE"], encoding="utf-8") as handle:
            return json.load(handle).get(f"{service}/{username}")

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
'''


class World:
    """A clean environment for `python -m dayone`: a home of its own (no real ~/.pgpass or
    ~/.my.cnf), no password variables from the outside, and a keyring that holds what the test puts
    in it. Every output is kept, to be searched for canaries."""

    def __init__(self, tmp_path: Path):
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.tmp = tmp_path
        self.outputs: list[str] = []
        self.keyring_file = tmp_path / "keyring.json"
        self.keyring_file.write_text("{}")
        (tmp_path / "canary_keyring.py").write_text(KEYRING_BACKEND)
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DAYONE_PASSWORD", "PGPASS", "PYTHON_KEYRING", "MYSQL_PWD"))
        }
        self.env.update(
            HOME=str(self.home),
            PGPASSFILE=str(self.home / ".pgpass"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
            PYTHON_KEYRING_BACKEND="canary_keyring.FileKeyring",
            CANARY_KEYRING_FILE=str(self.keyring_file),
        )

    def keyring(self, username: str, password: str) -> None:
        self.keyring_file.write_text(json.dumps({f"dayone/{username}": password}))

    def pgpass(self, password: str) -> None:
        escaped = password.replace("\\", "\\\\").replace(":", "\\:")
        path = self.home / ".pgpass"
        path.write_text(f"*:*:*:*:{escaped}\n")
        path.chmod(0o600)  # libpq ignores a .pgpass others can read

    def my_cnf(self, password: str) -> None:
        path = self.home / ".my.cnf"
        path.write_text(f"[client]\npassword={password}\n")
        path.chmod(0o600)

    def command_printing(self, password: str, *, exit_code: int = 0, sleep: float = 0) -> str:
        """A DAYONE_PASSWORD_COMMAND that prints `password` (from a file: never on a command line)."""
        secret = self.tmp / f"secret-{secrets.token_hex(4)}.txt"
        secret.write_text(password)
        script = self.tmp / f"password-manager-{secrets.token_hex(4)}.py"
        script.write_text(
            "import sys, time\n"
            f"text = open({str(secret)!r}).read()\n"
            "print(text, flush=True)\n"
            "print('vault says: ' + text, file=sys.stderr, flush=True)\n"
            f"time.sleep({sleep})\n"
            f"sys.exit({exit_code})\n"
        )
        return shlex.join([sys.executable, str(script)])

    def run(self, *args: str, env: dict | None = None, timeout: float = 120, prefix: list[str] | None = None):
        result = subprocess.run(
            [sys.executable, *(prefix or ["-m", "dayone"]), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**self.env, **(env or {})},
            cwd=self.tmp,
        )
        self.outputs += [result.stdout, result.stderr]
        return result

    def assert_no_leak(self, *canaries: str) -> None:
        """No canary, plain or percent-encoded, in any output or in any file but those the test
        planted (the password files, the keyring, the password command's secret)."""
        planted = {self.home / ".pgpass", self.home / ".my.cnf", self.keyring_file}
        files = [p for p in self.tmp.rglob("*") if p.is_file() and p not in planted and not p.name.startswith("secret-")]
        texts = self.outputs + [p.read_text(errors="replace") for p in files]
        assert files or self.outputs
        forms = set().union(*(leak_forms(c) for c in canaries))
        for text in texts:
            for form in forms:
                assert form not in text, f"a password leaked: {text[:400]}"


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path)


def one_line(result, *needles: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dayone: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def assert_logged_in(result, output: Path, source: Source) -> None:
    assert result.returncode == 0, result.stderr
    catalog = json.loads(output.read_text())["catalog"]
    assert catalog["current_user"].split("@")[0] == source.user
    assert any(t["name"] == "customers" for s in catalog["schemas"] for t in s["tables"])


# --- every source works, and wins over the ones after it --------------------------------------

SOURCES = ["url", "per-source variable", "DAYONE_PASSWORD", "command", "keyring", "driver file"]


def arrange(world: World, source: Source, winner: str) -> tuple[str, dict]:
    """Put the right password in `winner` and a wrong one in every source after it."""
    env: dict[str, str] = {}
    url = source.url()
    later = SOURCES[SOURCES.index(winner) :]
    for place in later:
        password = source.password if place == winner else source.wrong
        if place == "url":
            url = source.url(password)
        elif place == "per-source variable":
            env[source.variable] = password
        elif place == "DAYONE_PASSWORD":
            env["DAYONE_PASSWORD"] = password
        elif place == "command":
            env["DAYONE_PASSWORD_COMMAND"] = world.command_printing(password)
        elif place == "keyring":
            world.keyring(source.keyring_user, password)
        elif source.engine == "postgresql":
            world.pgpass(password)
        else:
            world.my_cnf(password)
    return url, env


@pytest.mark.parametrize("winner", SOURCES)
def test_each_source_logs_in_and_wins_over_later_ones(world, source, winner):
    url, env = arrange(world, source, winner)
    output = world.tmp / "snapshot.json"
    result = world.run("snapshot", url, "-o", str(output), env=env)
    assert_logged_in(result, output, source)
    assert source.password not in output.read_text()
    world.assert_no_leak(source.password, source.wrong)


def test_named_source_picks_its_own_variable(monkeypatch):
    from dayone.connect.target import parse_target

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("DAYONE_PASSWORD_SHOP_PROD", "from-db-name")
    monkeypatch.setenv("DAYONE_PASSWORD_BILLING", "from-source-name")
    assert parse_target("mysql://app@db.example.com/shop-prod").password == "from-db-name"
    assert parse_target("mysql://app@db.example.com/shop-prod", source="billing").password == "from-source-name"
    no_database = parse_target("postgresql://app@shop-prod.internal:5433")
    assert no_database.password_variable == "DAYONE_PASSWORD_SHOP_PROD_INTERNAL" and no_database.password is None


def test_no_source_names_where_a_password_can_go(world, source):
    result = world.run("snapshot", source.url())
    line = one_line(result, f"user '{source.user}'", source.variable, "DAYONE_PASSWORD_COMMAND", "keyring")
    assert ("~/.pgpass" if source.engine == "postgresql" else "~/.my.cnf") in line


def test_keyring_without_backend_or_package_is_skipped_silently(world, pg_source):
    world.pgpass(pg_source.password)
    output = world.tmp / "snapshot.json"
    no_backend = world.run("snapshot", pg_source.url(), "-o", str(output), env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert_logged_in(no_backend, output, pg_source)
    assert no_backend.stderr.strip().splitlines() == [no_backend.stderr.strip()] and "wrote" in no_backend.stderr
    output.unlink()
    no_package = world.run(
        "snapshot", pg_source.url(), "-o", str(output),
        prefix=["-c", "import sys; sys.modules['keyring'] = None; sys.argv[0] = 'dayone'; from dayone.cli import main; main()"],
    )  # fmt: skip
    assert_logged_in(no_package, output, pg_source)
    assert no_package.stderr.strip().splitlines() == [no_package.stderr.strip()] and "wrote" in no_package.stderr


def test_empty_variables_count_as_unset(world, pg_source):
    world.pgpass(pg_source.password)  # an empty password passed on would hide .pgpass from libpq
    output = world.tmp / "snapshot.json"
    result = world.run("snapshot", pg_source.url(), "-o", str(output), env={"DAYONE_PASSWORD": "", pg_source.variable: ""})
    assert_logged_in(result, output, pg_source)


# --- forced failures: one clear line, never the password --------------------------------------


@pytest.mark.parametrize("place", ["url", "DAYONE_PASSWORD", "per-source variable", "command", "keyring", "driver file"])
def test_wrong_password_says_where_it_came_from(world, source, place):
    url, env = source.url(), {}
    origin = {"url": "the URL", "DAYONE_PASSWORD": "DAYONE_PASSWORD", "per-source variable": source.variable,
              "command": "DAYONE_PASSWORD_COMMAND", "keyring": "the keyring",
              "driver file": "the .pgpass file" if source.engine == "postgresql" else "~/.my.cnf"}[place]  # fmt: skip
    if place == "url":
        url = source.url(source.wrong)
    elif place == "command":
        env["DAYONE_PASSWORD_COMMAND"] = world.command_printing(source.wrong)
    elif place == "keyring":
        world.keyring(source.keyring_user, source.wrong)
    elif place == "driver file":
        world.pgpass(source.wrong) if source.engine == "postgresql" else world.my_cnf(source.wrong)
    else:
        env["DAYONE_PASSWORD" if place == "DAYONE_PASSWORD" else source.variable] = source.wrong
    result = world.run("snapshot", url, env=env)
    one_line(result, f"login failed for user '{source.user}'", "password", origin)
    world.assert_no_leak(source.password, source.wrong)


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_network_failures_never_show_the_password(world, engine):
    canary = make_canary()
    silent = socket.socket()  # accepts TCP, never speaks: a firewall that swallows packets
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        cases = [
            ("nonexistent.invalid:5432", ["nonexistent.invalid"]),
            ("127.0.0.1:1", ["127.0.0.1:1", "refused"]),
            (f"127.0.0.1:{port}", [f"127.0.0.1:{port}"]),
        ]
        for netloc, needles in cases:
            for how in ("url", "env"):
                url = f"{engine}://bob" + (f":{quote(canary, safe='')}" if how == "url" else "") + f"@{netloc}/shop"
                started = time.monotonic()
                result = world.run("audit", url, "--connect-timeout", "1", "--format", "json", env={"DAYONE_PASSWORD": canary} if how == "env" else {})
                one_line(result, *needles)
                assert time.monotonic() - started < 15
                assert result.stdout == ""
    finally:
        silent.close()
    world.assert_no_leak(canary)


def test_failing_password_command_is_one_line_without_its_output(world, pg_source):
    canary = make_canary()
    failing = world.run("snapshot", pg_source.url(), env={"DAYONE_PASSWORD_COMMAND": world.command_printing(canary, exit_code=3)})
    one_line(failing, "password command", "DAYONE_PASSWORD_COMMAND", "exit code 3")
    started = time.monotonic()
    hanging = world.run(
        "snapshot", pg_source.url(),
        env={"DAYONE_PASSWORD_COMMAND": world.command_printing(canary, sleep=60), "DAYONE_PASSWORD_COMMAND_TIMEOUT": "1"},
    )  # fmt: skip
    one_line(hanging, "within 1 s", "DAYONE_PASSWORD_COMMAND_TIMEOUT")
    assert time.monotonic() - started < 15
    missing = world.run("snapshot", pg_source.url(), env={"DAYONE_PASSWORD_COMMAND": "no-such-password-manager read x"})
    one_line(missing, "'no-such-password-manager'", "not found")
    empty = world.run("snapshot", pg_source.url(), env={"DAYONE_PASSWORD_COMMAND": world.command_printing("")})
    one_line(empty, "printed no password")
    unbalanced = world.run("snapshot", pg_source.url(), env={"DAYONE_PASSWORD_COMMAND": "op read 'op://vault"})
    one_line(unbalanced, "DAYONE_PASSWORD_COMMAND", "quotation")
    world.assert_no_leak(canary)


def test_password_command_runs_without_a_shell(world, pg_source):
    marker = world.tmp / "shell-ran"
    command = world.command_printing(pg_source.password) + f" ; touch {marker}"
    output = world.tmp / "snapshot.json"
    result = world.run("snapshot", pg_source.url(), "-o", str(output), env={"DAYONE_PASSWORD_COMMAND": command})
    assert_logged_in(result, output, pg_source)  # "; touch ..." went to the script as arguments
    assert not marker.exists()


# --- a successful run writes no password anywhere ---------------------------------------------


@pytest.mark.parametrize("how", ["url", "env"])
def test_reports_and_snapshots_hold_no_password(world, source, how):
    url = source.url(source.password) if how == "url" else source.url()
    env = {} if how == "url" else {"DAYONE_PASSWORD": source.password}
    written = []
    for fmt in ("json", "markdown", "sarif", "text"):
        path = world.tmp / f"report-{fmt}.out"
        result = world.run("audit", url, "--format", fmt, "-o", str(path), "--fail-on", "never", env=env)
        assert result.returncode == 0, result.stderr
        written.append(path.read_text())
    assert "customers" in written[0] and "customers" in written[1]  # real reports, not empty ones
    stdout = world.run("audit", url, "--format", "json", "--fail-on", "never", env=env)
    assert stdout.returncode == 0 and "customers" in stdout.stdout, stdout.stderr
    snap = world.tmp / "snapshot.json"
    assert world.run("snapshot", url, "-o", str(snap), env=env).returncode == 0
    assert world.run("catalog", url, env=env).returncode == 0
    assert world.run("audit", str(snap), "--format", "markdown", "--fail-on", "never").returncode == 0
    assert_logged_in(subprocess.CompletedProcess([], 0, "", ""), snap, source)
    world.assert_no_leak(source.password, source.wrong)


def test_keyring_is_not_imported_where_no_backend_could_answer(tmp_path):
    """A headless Linux box (no D-Bus session, no keyring configuration): importing keyring would only
    cost start-up time, so it is skipped; with PYTHON_KEYRING_BACKEND set it is asked as before."""
    if sys.platform in ("darwin", "win32"):
        pytest.skip("keyring's own backends need no configuration here")
    probe = (
        "import sys; from dayone.connect.target import parse_target; "
        "t = parse_target('postgresql://app@db.example.com/shop'); "
        "print(t.password, 'keyring' in sys.modules)"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "XDG_CONFIG_HOME")}
    base["HOME"] = str(tmp_path)
    headless = subprocess.run([sys.executable, "-c", probe], env=base, capture_output=True, text=True, check=True)
    assert headless.stdout.split() == ["None", "False"]
    configured = subprocess.run(
        [sys.executable, "-c", probe], env={**base, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert configured.stdout.split() == ["None", "True"]
