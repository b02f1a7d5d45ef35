"""--ssh: dayone through a real OpenSSH bastion, started by these tests on loopback.

Each test gets its own sshd (host key, user key, authorized_keys, known_hosts and config in tmp_path),
so killing it mid-run or giving it another host key touches no other test.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import IN_CI

SSHD = "/usr/sbin/sshd"
PASSPHRASE = "Canary-pass-5e1f 7c"  # must never show in dayone's output


def run_dayone(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "DAYONE_SSH_KEY_PASSPHRASE")}
    return subprocess.run(
        [sys.executable, "-m", "dayone", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, **(env or {})},
    )


def one_error_line(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dayone: error: "), result.stderr
    assert PASSPHRASE not in result.stdout + result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path, passphrase: str = "") -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "", "-f", str(path)], check=True)
    return path


def fingerprint_of(public_key: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(public_key)], check=True, capture_output=True, text=True).stdout
    return out.split()[1]  # "256 SHA256:... comment (ED25519)"


class Bastion:
    """An sshd on 127.0.0.1 that lets the current user in with `user_key` and forwards TCP."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.host_key = keygen(folder / "host_ed25519")
        self.user_key = keygen(folder / "user_ed25519")
        (folder / "authorized_keys").write_text(Path(f"{self.user_key}.pub").read_text())
        self.known_hosts = folder / "known_hosts"
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {self.public_key()}\n")
        self.log = folder / "sshd.log"
        self.config = folder / "sshd_config"
        self.config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.host_key}",
                    f"PidFile {folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                    "UsePAM no",
                    "StrictModes no",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "AllowTcpForwarding yes",
                    "X11Forwarding no",
                    "LogLevel DEBUG1",  # logs each forwarded connection: the proof traffic went through it
                    "",
                ]
            )
        )
        self.process: subprocess.Popen | None = None

    def public_key(self) -> str:
        return " ".join(Path(f"{self.host_key}.pub").read_text().split()[:2])

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(Path(f"{self.host_key}.pub"))

    @property
    def url(self) -> str:
        return f"ssh://{getpass.getuser()}@127.0.0.1:{self.port}"

    def args(self, **overrides: str) -> list[str]:
        """The --ssh options of a dayone command line."""
        options = {"--ssh": self.url, "--ssh-key": str(self.user_key), "--ssh-known-hosts": str(self.known_hosts)}
        options.update(overrides)
        return [item for name, value in options.items() if value is not None for item in (name, value)]

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited at start: {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"sshd did not listen on {self.port}: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """sshd and every session process it forked (they outlive the listener otherwise)."""
        if self.process is None:
            return
        family = [self.process.pid, *_descendants(self.process.pid)]
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """SIGSTOP sshd and its sessions: the kernel still acknowledges packets, nothing answers."""
        for pid in [self.process.pid, *_descendants(self.process.pid)]:
            os.kill(pid, signal.SIGSTOP)

    def forwarded(self, port: int, host: str = "127.0.0.1") -> bool:
        return f"target {host} port {port}" in self.log.read_text(errors="replace")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.fixture
def bastion(tmp_path):
    if not os.access(SSHD, os.X_OK) or not shutil.which("ssh-keygen"):
        reason = f"{SSHD} or ssh-keygen is missing (apt-get install openssh-server)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    if not os.path.isdir("/run/sshd"):  # sshd's privilege separation directory
        try:
            os.makedirs("/run/sshd", mode=0o755)
        except OSError as exc:
            pytest.skip(f"cannot create /run/sshd for sshd: {exc}")
    folder = tmp_path / "bastion"
    folder.mkdir()
    server = Bastion(folder)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def no_leftover_threads(monkeypatch):
    """The library API, in this process: no thread of the tunnel may outlive it."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    before = set(threading.enumerate())
    yield
    leftover = [t.name for t in threading.enumerate() if t not in before]
    assert not leftover, f"threads left running: {leftover}"


def tunnel_options(bastion: Bastion, keepalive: float = 15.0):
    from dataclasses import replace

    from dayone.connect.options import SessionOptions
    from dayone.connect.tunnel import parse_ssh_url

    ssh = parse_ssh_url(bastion.url, key_file=str(bastion.user_key), known_hosts=str(bastion.known_hosts))
    return SessionOptions(ssh=replace(ssh, keepalive=keepalive))


def listening_addresses(port: int) -> set[str]:
    """Every local address with a socket in LISTEN state on `port` (Linux /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


# --- through the tunnel -------------------------------------------------------------------------


def test_catalog_of_postgresql_through_the_bastion(bastion, pg_db):
    pg_db.execute("CREATE TABLE seen_through_bastion (id int PRIMARY KEY, note text)")
    result = run_dayone("catalog", pg_db.url, *bastion.args())
    assert result.returncode == 0, result.stderr
    assert "seen_through_bastion" in result.stdout
    assert bastion.forwarded(5432), "the connection did not go through the bastion"


def test_snapshot_of_mariadb_through_the_bastion(bastion, mysql_db, tmp_path):
    import json

    mysql_db.execute("CREATE TABLE seen_through_bastion (id INT PRIMARY KEY, created_at DATETIME)")
    output = tmp_path / "snapshot.json"
    # No database in the URL: the catalog is named after the server, the one the user named.
    server_url = mysql_db.url.rsplit("/", 1)[0].replace("@127.0.0.1:", "@localhost:") + "/"
    result = run_dayone("snapshot", server_url, "--schema", mysql_db.name, "-o", str(output), *bastion.args())
    assert result.returncode == 0, result.stderr
    catalog = json.loads(output.read_text())["catalog"]
    assert catalog["database"] == "localhost"
    assert [t["name"] for s in catalog["schemas"] for t in s["tables"]] == ["seen_through_bastion"]
    assert bastion.forwarded(3306, host="localhost"), "the connection did not go through the bastion"


def test_local_end_listens_on_loopback_only_and_closes(bastion, pg_db, no_leftover_threads):
    from dayone import api
    from dayone.connect.target import parse_target

    url = pg_db.url.replace("@127.0.0.1:", "@localhost:")  # a name the bastion resolves
    target = parse_target(url)
    with api.open_session(target, tunnel_options(bastion)) as session:
        info = session.connection.info
        # libpq reaches the tunnel's end, and keeps the server's name for TLS checks and ~/.pgpass
        assert (info.hostaddr, info.host, info.port != 5432) == ("127.0.0.1", "localhost", True)
        assert listening_addresses(info.port) == {"0100007F"}  # 127.0.0.1, no 0.0.0.0 or ::
        assert session.query("SELECT current_database()") == [(pg_db.name,)]
        assert session.target.display == target.display == url
        local_port = info.port
    assert listening_addresses(local_port) == set()
    assert bastion.forwarded(5432, host="localhost")


def test_catalog_through_the_library_api(bastion, pg_db, no_leftover_threads):
    from dayone import api

    pg_db.execute("CREATE TABLE orders (id bigint PRIMARY KEY)")
    catalog = api.read_catalog(pg_db.url, options=tunnel_options(bastion))
    assert catalog.database == pg_db.name
    assert [t.name for s in catalog.schemas for t in s.tables] == ["orders"]


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_big_catalog_second_connection_goes_through_the_same_tunnel(bastion, pg_db, mysql_db, monkeypatch, engine, no_leftover_threads):
    """A big catalog is read on two connections: the second goes through the tunnel too, never
    around it, and the catalog is the one a single connection reads."""
    from dayone import api
    from dayone.catalog.snapshot import to_json
    from dayone.dialects import mysql, postgres

    db = pg_db if engine == "postgresql" else mysql_db
    db.execute("CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(9) CHECK (status IN ('new', 'paid')))")
    one = to_json(api.read_catalog(db.url, options=tunnel_options(bastion)))
    log_before = bastion.log.read_text(errors="replace").count("target 127.0.0.1 port")
    monkeypatch.setattr(postgres if engine == "postgresql" else mysql, "SECOND_SESSION_FROM", 0)
    monkeypatch.setattr("dayone.connect.session.BUSY_PACE", 0.0)  # two connections even if the server is busy
    two = to_json(api.read_catalog(db.url, options=tunnel_options(bastion)))
    assert two == one
    forwarded = bastion.log.read_text(errors="replace").count("target 127.0.0.1 port") - log_before
    assert forwarded == 2, f"{forwarded} connections through the bastion, expected the first and the second"


# --- host keys ----------------------------------------------------------------------------------


def test_unknown_host_key_is_refused_until_trusted(bastion, pg_db, tmp_path):
    known_hosts = tmp_path / "empty_known_hosts"
    line = one_error_line(
        run_dayone("catalog", pg_db.url, *bastion.args(**{"--ssh-known-hosts": str(known_hosts)})),
        "not in",
        bastion.fingerprint,
        f"ssh-keyscan -p {bastion.port} 127.0.0.1 >> {known_hosts}",
        "--ssh-trust-host-key",
    )
    assert not bastion.forwarded(5432)

    trusted = run_dayone(
        "catalog", pg_db.url, *bastion.args(**{"--ssh-known-hosts": str(known_hosts), "--ssh-trust-host-key": bastion.fingerprint})
    )
    assert trusted.returncode == 0, trusted.stderr

    # What the message says to do works: ssh-keyscan into the file, then no --ssh-trust-host-key.
    keyscan = re.search(r"`(ssh-keyscan [^`]*)`", line).group(1)
    subprocess.run(keyscan, shell=True, check=True, capture_output=True, timeout=30)
    assert run_dayone("catalog", pg_db.url, *bastion.args(**{"--ssh-known-hosts": str(known_hosts)})).returncode == 0


def test_changed_host_key_is_refused(bastion, pg_db, tmp_path):
    impostor = keygen(tmp_path / "old_host_key")
    old = " ".join(Path(f"{impostor}.pub").read_text().split()[:2])
    bastion.known_hosts.write_text(f"[127.0.0.1]:{bastion.port} {old}\n")
    one_error_line(
        run_dayone("catalog", pg_db.url, *bastion.args()),
        "CHANGED",
        bastion.fingerprint,
        "did not log in",
        f"ssh-keygen -R '[127.0.0.1]:{bastion.port}'",
    )
    # A fingerprint that is not the bastion's is refused too, and says so.
    one_error_line(
        run_dayone("catalog", pg_db.url, *bastion.args(**{"--ssh-trust-host-key": fingerprint_of(Path(f"{impostor}.pub"))})),
        "not the SHA256:",
    )
    assert not bastion.forwarded(5432)
    trusted = run_dayone("catalog", pg_db.url, *bastion.args(**{"--ssh-trust-host-key": bastion.fingerprint}))
    assert trusted.returncode == 0, trusted.stderr


# --- errors: one line, exit 2, bounded ------------------------------------------------------------


def test_refused_login_leaves_no_thread_behind(bastion, pg_db, tmp_path, no_leftover_threads):
    from dataclasses import replace

    from dayone import api
    from dayone.connect.target import parse_target
    from dayone.errors import ConnectError

    options = tunnel_options(bastion)
    for ssh, message in (
        (replace(options.ssh, known_hosts=str(tmp_path / "none")), "is not in"),
        (replace(options.ssh, key_file=str(keygen(tmp_path / "stranger"))), "refused the SSH login"),
    ):
        with pytest.raises(ConnectError, match=message):
            with api.open_session(parse_target(pg_db.url), replace(options, ssh=ssh)):
                pass


def test_login_refused(bastion, pg_db, tmp_path):
    stranger = keygen(tmp_path / "stranger")
    one_error_line(
        run_dayone("catalog", pg_db.url, *bastion.args(**{"--ssh-key": str(stranger)})),
        f"refused the SSH login of '{getpass.getuser()}'",
        str(stranger),
        "authorized_keys",
    )


def test_key_passphrase_from_the_environment(bastion, pg_db, tmp_path):
    locked = keygen(tmp_path / "locked", PASSPHRASE)
    (bastion.folder / "authorized_keys").write_text(Path(f"{locked}.pub").read_text())
    args = ["catalog", pg_db.url, *bastion.args(**{"--ssh-key": str(locked)})]
    one_error_line(run_dayone(*args), "protected by a passphrase", "DAYONE_SSH_KEY_PASSPHRASE")
    one_error_line(run_dayone(*args, env={"DAYONE_SSH_KEY_PASSPHRASE": PASSPHRASE + "x"}), "cannot decrypt")
    result = run_dayone(*args, env={"DAYONE_SSH_KEY_PASSPHRASE": PASSPHRASE})
    assert result.returncode == 0, result.stderr


def test_bastion_unreachable(pg_db, tmp_path):
    key = str(keygen(tmp_path / "key"))
    closed = free_port()
    one_error_line(
        run_dayone("catalog", pg_db.url, "--ssh", f"ssh://me@127.0.0.1:{closed}", "--ssh-key", key),
        f"the bastion 127.0.0.1:{closed} refused the connection",
    )
    one_error_line(
        run_dayone("catalog", pg_db.url, "--ssh", "ssh://me@bastion.invalid", "--ssh-key", key),
        "unknown bastion host 'bastion.invalid'",
    )


def test_silent_bastion_gives_up_after_the_connect_timeout(pg_db, tmp_path):
    key = str(keygen(tmp_path / "key"))
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts TCP, never says a word
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = run_dayone("catalog", pg_db.url, "--ssh", f"ssh://me@127.0.0.1:{port}", "--ssh-key", key, "--connect-timeout", "2")
        elapsed = time.monotonic() - started
    one_error_line(result, "did not answer as an SSH server within 2 s")
    assert elapsed < 10, elapsed


def test_database_unreachable_from_the_bastion(bastion, pg_db):
    closed = free_port()
    one_error_line(
        run_dayone("catalog", f"postgresql://postgres@127.0.0.1:{closed}/{pg_db.name}", *bastion.args()),
        f"could not open a connection to 127.0.0.1:{closed}",
        "as seen from the bastion",
    )


def test_login_error_names_the_real_server_not_the_tunnel(bastion, pg_server):
    line = one_error_line(
        run_dayone("catalog", "postgresql://postgres@127.0.0.1:5432/no_such_db_for_ssh", *bastion.args()),
        "does not exist on 127.0.0.1:5432 (through the SSH tunnel via",
    )
    assert "127.0.0.1:5432" in line


def test_sshd_killed_mid_session(bastion, pg_db, no_leftover_threads):
    from dayone import api
    from dayone.connect.target import parse_target
    from dayone.errors import DayoneError

    started = None
    with pytest.raises(DayoneError, match=r"SSH tunnel through 127\.0\.0\.1:\d+ dropped while reading postgresql://"):
        with api.open_session(parse_target(pg_db.url), tunnel_options(bastion)) as session:
            assert session.query("SELECT 1") == [(1,)]
            bastion.kill()
            started = time.monotonic()
            session.query("SELECT 2")
    assert time.monotonic() - started < 10


def test_hung_bastion_is_given_up_after_three_missed_keepalives(bastion, pg_db, no_leftover_threads):
    """sshd stopped, its kernel still acknowledging: only keepalives that expect an answer notice."""
    from dayone import api
    from dayone.connect.target import parse_target
    from dayone.errors import DayoneError

    with pytest.raises(DayoneError, match=r"dropped while reading .*no answer to keepalives for 1\.5 s"):
        with api.open_session(parse_target(pg_db.url), tunnel_options(bastion, keepalive=0.5)) as session:
            time.sleep(1.2)  # keepalives are answered: the tunnel stays up while idle
            assert session.query("SELECT 1") == [(1,)]
            bastion.freeze()
            frozen = time.monotonic()
            session.query("SELECT 2")  # would wait forever: PostgreSQL's client has no read timeout
    assert 1.5 <= time.monotonic() - frozen < 5


def test_sshd_killed_mid_run(bastion, pg_db):
    """The CLI is reading the catalog (slowed by a relay that delays the server's answers) when the
    bastion dies: one line, exit 2, within seconds."""
    for i in range(5):
        pg_db.execute(f"CREATE TABLE t{i} (id int PRIMARY KEY)")
    with SlowRelay(("127.0.0.1", 5432), delay=0.3) as relay:
        url = f"postgresql://postgres@127.0.0.1:{relay.port}/{pg_db.name}"
        env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
        process = subprocess.Popen(
            [sys.executable, "-m", "dayone", "catalog", url, *bastion.args()],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            deadline = time.monotonic() + 30
            while not relay.answered and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            assert relay.answered and process.poll() is None, "dayone never got through the bastion"
            bastion.kill()
            killed = time.monotonic()
            stdout, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert time.monotonic() - killed < 10
    one_error_line(
        subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr),
        "SSH tunnel through",
        "dropped while reading",
    )


class SlowRelay:
    """A TCP relay that holds each answer of the server for `delay` seconds: a slow, distant database."""

    def __init__(self, upstream: tuple[str, int], delay: float):
        self.upstream = upstream
        self.delay = delay
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.answered = False  # the server's first answer went back through the relay
        self.stopping = threading.Event()
        self.sockets: list[socket.socket] = []
        self.threads = [threading.Thread(target=self._serve)]

    def __enter__(self) -> SlowRelay:
        self.threads[0].start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for sock in [self.server, *self.sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in list(self.threads):
            thread.join(10)

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                client, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for source, sink, delay in ((client, server, 0.0), (server, client, self.delay)):
                thread = threading.Thread(target=self._pipe, args=(source, sink, delay))
                self.threads.append(thread)
                thread.start()

    def _pipe(self, source: socket.socket, sink: socket.socket, delay: float) -> None:
        try:
            while data := source.recv(65536):
                time.sleep(delay)
                sink.sendall(data)
                if delay:
                    self.answered = True
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# --- what --ssh does not apply to ----------------------------------------------------------------


def test_ssh_is_refused_for_local_files(tmp_path):
    import sqlite3

    db = tmp_path / "local.db"
    sqlite3.connect(db).executescript("CREATE TABLE t (id INTEGER PRIMARY KEY);")
    ssh = ["--ssh", "ssh://me@127.0.0.1:1"]
    one_error_line(run_dayone("catalog", f"sqlite:///{db}", *ssh), "is a local file: drop --ssh")
    snapshot = tmp_path / "local.json"
    assert run_dayone("snapshot", str(db), "-o", str(snapshot)).returncode == 0
    one_error_line(run_dayone("audit", str(snapshot), *ssh), "is a snapshot file, read here: drop --ssh")


def test_bad_ssh_options():
    one_error_line(
        run_dayone("catalog", "postgresql://db/x", "--ssh", f"ssh://me:{PASSPHRASE}@bastion"), "keys only"
    )
    one_error_line(run_dayone("catalog", "postgresql://db/x", "--ssh", "https://bastion"), "ssh:// URL")
    one_error_line(
        run_dayone("catalog", "postgresql://db/x", "--ssh", "ssh://bastion", "--ssh-trust-host-key", "MD5:ab:cd"),
        "SHA256 fingerprint",
    )
    result = run_dayone("catalog", "postgresql://db/x", "--ssh-key", "id")
    assert result.returncode == 2 and "--ssh-key goes with --ssh" in result.stderr
