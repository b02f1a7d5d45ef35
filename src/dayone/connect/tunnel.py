"""SSH tunnels through a bastion (`--ssh ssh://user@bastion[:port]`).

A tunnel logs in to the bastion with keys only (the ssh-agent and ~/.ssh/id_* as ssh does, or
`--ssh-key`, whose passphrase comes from DAYONE_SSH_KEY_PASSPHRASE), and refuses a host key that the
known_hosts file does not vouch for, unless the user names the fingerprint they checked. It listens on
127.0.0.1 on a port the kernel picks, never on another address, and forwards each connection made
there to the database host and port as the bastion sees them. Every `keepalive` seconds it asks the
bastion for an answer, as ssh's ServerAliveInterval does; a bastion that answers none of three (hung,
or gone without a FIN or RST) ends the tunnel, so the run fails instead of hanging. Every thread the
tunnel starts is joined when it closes, on every exit path.

paramiko is imported only when a tunnel opens: importing it costs a quarter of a second.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import logging
import os
import re
import select
import shlex
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dayone.connect.options import TunnelOptions
from dayone.errors import ConnectError, DayoneError, register_secret

PASSPHRASE_ENV = "DAYONE_SSH_KEY_PASSPHRASE"
DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"
TRUST_OPTION = "--ssh-trust-host-key"
LOCAL_HOST = "127.0.0.1"  # the only address a tunnel listens on
JOIN_TIMEOUT = 5.0  # seconds to wait for each thread when closing; they stop within milliseconds
KEEPALIVES_MISSED = 3  # unanswered keepalives before the bastion is given up, as ssh's ServerAliveCountMax
_FINGERPRINT = re.compile(r"(?:SHA256:)?([A-Za-z0-9+/]{43})=?")
# known_hosts stores an RSA key as "ssh-rsa"; servers today sign with SHA-2 under these names
_HOST_KEY_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


def parse_ssh_url(
    text: str,
    *,
    key_file: str | None = None,
    known_hosts: str | None = None,
    trusted_fingerprint: str | None = None,
) -> TunnelOptions:
    """`--ssh ssh://user@bastion[:port]` and its companion options, or a one-line reason why not."""
    usage = "expected ssh://user@bastion[:port]"
    if "://" not in text:
        text = f"ssh://{text}"  # user@bastion, as ssh itself takes it
    try:
        url = urlsplit(text)
        port = url.port
    except ValueError as exc:
        what = "the port in --ssh is not a number" if "port" in str(exc).lower() else "cannot parse --ssh"
        raise DayoneError(f"{what}: {usage}") from None
    if url.scheme.lower() != "ssh":
        raise DayoneError(f"--ssh takes an ssh:// URL, not {url.scheme}://: {usage}")
    if url.password is not None:
        register_secret(unquote(url.password))
        raise DayoneError(
            "dayone logs in to a bastion with keys only: take the password out of --ssh "
            "(the ssh-agent, ~/.ssh/id_* or --ssh-key are used)"
        )
    if not url.hostname:
        raise DayoneError(f"--ssh names no bastion host: {usage}")
    if url.path not in ("", "/") or url.query:
        raise DayoneError(f"--ssh names the bastion only ({usage}); the database host and port go in the TARGET URL")
    fingerprint = None
    if trusted_fingerprint is not None:
        match = _FINGERPRINT.fullmatch(trusted_fingerprint.strip())
        if not match:
            raise DayoneError(
                f"{TRUST_OPTION} takes a SHA256 fingerprint as `ssh-keygen -lf` prints it "
                f"(SHA256: and 43 characters), not {trusted_fingerprint!r}"
            )
        fingerprint = f"SHA256:{match.group(1)}"
    return TunnelOptions(
        host=unquote(url.hostname),
        port=port or 22,
        username=unquote(url.username) if url.username else None,
        key_file=key_file,
        known_hosts=known_hosts,
        trusted_fingerprint=fingerprint,
    )


def fingerprint(key: Any) -> str:
    """The SHA256 fingerprint of a public key, as `ssh-keygen -lf` and ssh print it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@contextmanager
def open_tunnel(
    options: TunnelOptions, remote_host: str, remote_port: int, connect_timeout: float = 10.0
) -> Iterator[Tunnel]:
    """A tunnel from 127.0.0.1:<tunnel.local_port> to remote_host:remote_port as the bastion sees
    them, closed (threads joined) on every exit path."""
    tunnel = Tunnel(options, remote_host, remote_port, connect_timeout)
    tunnel.open()
    try:
        yield tunnel
    finally:
        tunnel.close()


class Tunnel:
    def __init__(self, options: TunnelOptions, remote_host: str, remote_port: int, connect_timeout: float):
        self.options = options
        self.remote_host = remote_host
        self.remote_port = remote_port
        self.connect_timeout = connect_timeout
        self.local_host = LOCAL_HOST
        self.local_port = 0
        self.forward_error: str | None = None  # why the bastion could not reach the database, if it could not
        self._sock: socket.socket | None = None
        self._client: Any = None
        self._transport: Any = None
        self._listener: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._open_sockets: set[socket.socket] = set()
        self._probe_sent: float | None = None  # when the unanswered keepalive, if any, was sent
        self._drop_reason: str | None = None

    @property
    def bastion(self) -> str:
        host = f"[{self.options.host}]" if ":" in self.options.host else self.options.host
        return f"{host}:{self.options.port}"

    @property
    def remote(self) -> str:
        return f"{self.remote_host}:{self.remote_port}"

    @property
    def dropped(self) -> bool:
        """The SSH connection ended while the tunnel was in use (sshd gone, network cut)."""
        transport = self._transport
        return transport is not None and not self._stopping.is_set() and not transport.is_active()

    def lost(self, wait: float = 0.5) -> bool:
        """Whether a connection error of the database client comes from the tunnel dropping. paramiko
        closes the forwarded channels a moment before it marks the SSH connection inactive, so the
        client can see its connection end first: give the SSH connection that moment to settle."""
        if self.dropped or self._transport is None:
            return self.dropped
        self._transport.join(wait)  # returns at once when the SSH connection's thread has ended
        return self.dropped

    # -- opening ------------------------------------------------------------------------------

    def open(self) -> Tunnel:
        try:
            self._login()
            self._listen()
        except BaseException:
            self.close()
            raise
        return self

    def _login(self) -> None:
        import paramiko

        _quiet_paramiko()
        options = self.options
        known_hosts, host_keys = _known_hosts(options.known_hosts)
        pkey = _private_key(options.key_file) if options.key_file else None
        passphrase = os.environ.get(PASSPHRASE_ENV) or None  # for ~/.ssh/id_* when no --ssh-key
        register_secret(passphrase)
        name = options.host if options.port == 22 else f"[{options.host}]:{options.port}"
        known = dict(host_keys.lookup(name) or {})
        sock = self._sock = self._tcp_connect()

        def transport_factory(sock: socket.socket, **kwargs: Any) -> Any:
            transport = paramiko.Transport(sock, **kwargs)
            _prefer_known_key_types(transport, known)
            return transport

        client = self._client = paramiko.SSHClient()
        # The client's own host key store stays empty, so every key reaches this check.
        client.set_missing_host_key_policy(_HostKeyCheck(self, known_hosts, name, known))
        username = options.username or getpass.getuser()
        timeout = self.connect_timeout
        try:
            client.connect(
                options.host,
                options.port,
                username=username,
                pkey=pkey,
                passphrase=passphrase,
                sock=sock,
                timeout=timeout,
                banner_timeout=timeout,
                auth_timeout=timeout,
                channel_timeout=timeout,
                allow_agent=True,
                look_for_keys=pkey is None,
                transport_factory=transport_factory,
            )
        except DayoneError:
            raise
        except paramiko.BadAuthenticationType as exc:
            raise ConnectError(
                f"the bastion {self.bastion} accepts only {', '.join(exc.allowed_types) or 'other'} logins for "
                f"{username!r}; dayone logs in to a bastion with keys only"
            ) from None
        except paramiko.PasswordRequiredException:
            raise ConnectError(
                f"an SSH key in ~/.ssh is protected by a passphrase: set {PASSPHRASE_ENV}, load the key into "
                "ssh-agent, or pass another with --ssh-key"
            ) from None
        except paramiko.AuthenticationException:
            tried = f"the key {options.key_file}" if options.key_file else "the ssh-agent's keys and ~/.ssh/id_*"
            if options.key_file and os.environ.get("SSH_AUTH_SOCK"):
                tried += " and the ssh-agent's keys"
            raise ConnectError(
                f"the bastion {self.bastion} refused the SSH login of {username!r} with {tried}: check the user "
                "in --ssh, and that the public key is in that user's ~/.ssh/authorized_keys on the bastion"
            ) from None
        except paramiko.SSHException as exc:
            # no banner, or no key exchange before start_client's timeout ("No existing session")
            if any(word in str(exc).lower() for word in ("banner", "no existing session", "timeout", "timed out")):
                raise ConnectError(
                    f"{self.bastion} did not answer as an SSH server within {timeout:g} s: is that the bastion's "
                    "SSH port? --connect-timeout sets the limit"
                ) from None
            raise ConnectError(f"the SSH handshake with the bastion {self.bastion} failed: {_first_line(exc)}") from None
        except (EOFError, OSError) as exc:
            raise ConnectError(
                f"the bastion {self.bastion} closed the connection during the SSH login ({_first_line(exc)}): "
                "is it an SSH server that accepts this client?"
            ) from None
        self._transport = client.get_transport()

    def _tcp_connect(self) -> socket.socket:
        host, port, timeout = self.options.host, self.options.port, self.connect_timeout
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except socket.gaierror:
            raise ConnectError(f"unknown bastion host {host!r}: check the host name in --ssh (and your DNS or VPN)") from None
        except TimeoutError:
            raise ConnectError(
                f"no answer from the bastion {self.bastion} within {timeout:g} s: is it reachable from here "
                "(firewall, VPN)? --connect-timeout sets the limit"
            ) from None
        except ConnectionRefusedError:
            raise ConnectError(f"the bastion {self.bastion} refused the connection: is sshd listening on that port?") from None
        except OSError as exc:
            raise ConnectError(f"cannot reach the bastion {self.bastion}: {exc.strerror or exc}") from None
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if hasattr(socket, "TCP_USER_TIMEOUT"):  # Linux: give up once sent data stays unacknowledged this long
            limit = self.options.keepalive * KEEPALIVES_MISSED
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(limit * 1000))
        return sock

    def _listen(self) -> None:
        listener = self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((LOCAL_HOST, 0))
        listener.listen(8)
        self.local_port = listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()  # readable once closing: wakes every select
        self._start(self._keepalive_loop, "dayone-ssh-keepalive")
        self._start(self._accept_loop, "dayone-ssh-listen")

    # -- forwarding ---------------------------------------------------------------------------

    def _start(self, target: Any, name: str, *args: Any) -> bool:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:  # close() takes its list of threads to join under the same lock
            if self._stopping.is_set():
                return False
            self._threads.append(thread)
            thread.start()
        return True

    def _keepalive_loop(self) -> None:
        """Ask the bastion for an answer every `keepalive` seconds (OpenSSH refuses this request, which
        is an answer); the listener thread gives the bastion up when one goes unanswered too long."""
        import paramiko

        transport = self._transport
        while not self._stopping.wait(self.options.keepalive) and transport.is_active():
            self._probe_sent = time.monotonic()
            try:
                transport.global_request("keepalive@openssh.com", wait=True)  # returns when answered or closed
            except (EOFError, OSError, paramiko.SSHException):
                return  # the SSH connection ended as the request went out: the forwarders see it too
            self._probe_sent = None

    def _bastion_silent(self) -> bool:
        sent = self._probe_sent
        limit = self.options.keepalive * KEEPALIVES_MISSED
        if sent is None or time.monotonic() - sent < limit or not self._transport.is_active():
            return False
        self._drop_reason = f"no answer to keepalives for {limit:g} s"
        self._transport.close()  # the forwarders see it and close their connections
        return True

    def _accept_loop(self) -> None:
        count = 0
        tick = min(1.0, self.options.keepalive / 2)
        while not self._stopping.is_set():
            try:
                readable, _, _ = select.select([self._listener, self._wake_r], [], [], tick)
                if self._stopping.is_set():
                    return
                self._bastion_silent()
                if self._listener in readable:
                    conn, peer = self._listener.accept()
                    count += 1
                    if not self._start(self._forward, f"dayone-ssh-forward-{count}", conn, peer):
                        conn.close()
            except (OSError, ValueError):
                if self._stopping.is_set():
                    return

    def _forward(self, conn: socket.socket, peer: tuple) -> None:
        import paramiko

        channel = None
        with self._lock:
            self._open_sockets.add(conn)
        try:
            try:
                channel = self._transport.open_channel(
                    "direct-tcpip", (self.remote_host, self.remote_port), peer, timeout=self.connect_timeout
                )
            except paramiko.ChannelException as exc:
                self.forward_error = _channel_failure(exc)
                return
            except (paramiko.SSHException, EOFError, OSError) as exc:
                if not self._stopping.is_set():
                    self.forward_error = _first_line(exc)
                return
            self._pump(conn, channel)
        finally:
            if channel is not None:
                try:
                    channel.close()
                except (EOFError, OSError, paramiko.SSHException):
                    pass  # the SSH session closed first (dayone's own close, or the bastion): nothing to tell it
            with self._lock:
                self._open_sockets.discard(conn)
            _close(conn)

    def _pump(self, conn: socket.socket, channel: Any) -> None:
        import paramiko

        watched = [conn, channel, self._wake_r]
        while not self._stopping.is_set() and self._transport.is_active():
            try:
                readable, _, _ = select.select(watched, [], [], 1.0)
                if conn in readable:
                    data = conn.recv(65536)
                    if not data:
                        return
                    channel.sendall(data)
                if channel in readable:
                    data = channel.recv(65536)
                    if not data:
                        return
                    conn.sendall(data)
            except (OSError, EOFError, ValueError, paramiko.SSHException):
                return

    # -- closing ------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening, end every forwarded connection and the SSH session, join every thread."""
        with self._lock:
            self._stopping.set()
            threads = list(self._threads)
            open_sockets = list(self._open_sockets)
        if self._wake_w is not None:
            try:
                self._wake_w.send(b"x")
            except OSError:
                pass
        for conn in open_sockets:  # a forwarder blocked writing to a client that stopped reading
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        transport = self._client.get_transport() if self._client is not None else None
        if self._client is not None:
            self._client.close()  # unblocks channel waits in the forwarders
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        if transport is not None and transport.is_alive():
            transport.join(JOIN_TIMEOUT)
        for sock in (self._listener, self._wake_r, self._wake_w, self._sock):
            _close(sock)

    # -- explaining -----------------------------------------------------------------------------

    def dropped_error(self, display: str) -> ConnectError:
        reason = self._drop_reason or getattr(self._transport, "saved_exception", None)
        why = f" ({_first_line(reason)})" if reason and not isinstance(reason, EOFError) else ""
        return ConnectError(
            f"the SSH tunnel through {self.bastion} dropped while reading {display}{why}: the bastion closed the "
            "connection or stopped answering; check it and run again"
        )

    def explain(self, exc: DayoneError, display: str) -> DayoneError:
        """A connect error of the database client, said in terms of the tunnel: the user never
        typed 127.0.0.1:<local port>."""
        if self.dropped:
            return self.dropped_error(display)
        if self.forward_error:
            return ConnectError(
                f"the bastion {self.bastion} could not open a connection to {self.remote} ({self.forward_error}): "
                "are the database host and port in the URL right as seen from the bastion?"
            )
        if self.lost():
            return self.dropped_error(display)
        text = str(exc)
        for host in (self.local_host, self.remote_host):  # the driver was given one or the other
            text = text.replace(f"{host}:{self.local_port}", f"{self.remote} (through the SSH tunnel via {self.bastion})")
        return type(exc)(text)


class _HostKeyCheck:
    """paramiko's missing-host-key policy, used for every key: the key must match the known_hosts
    entry for the bastion, or the fingerprint the user pinned with --ssh-trust-host-key."""

    def __init__(self, tunnel: Tunnel, known_hosts: Path, name: str, known: dict):
        self.tunnel = tunnel
        self.known_hosts = known_hosts
        self.name = name
        self.known = known

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        saved = self.known.get(key.get_name())
        if saved is not None and saved.asbytes() == key.asbytes():
            return
        found = fingerprint(key)
        trusted = self.tunnel.options.trusted_fingerprint
        if trusted == found:
            return
        bastion, kind = self.tunnel.bastion, key.get_name()
        if trusted:
            raise ConnectError(
                f"the bastion {bastion} offers the host key {kind} {found}, not the {trusted} given to {TRUST_OPTION}: "
                "dayone did not log in; check the fingerprint with whoever runs the bastion"
            )
        path = shlex.quote(str(self.known_hosts))
        port = self.tunnel.options.port
        keyscan = f"ssh-keyscan -p {port} {shlex.quote(self.tunnel.options.host)} >> {path}"
        if self.known:
            raise ConnectError(
                f"the host key of the bastion {bastion} has CHANGED since it was saved in {self.known_hosts}: it now "
                f"offers {kind} {found}, which may be someone intercepting the connection, so dayone did not log in; "
                "if the bastion was rebuilt, check that fingerprint with whoever runs it, then replace the old entry "
                f"(`ssh-keygen -R {shlex.quote(self.name)} -f {path}` and `{keyscan}`) or pass {TRUST_OPTION} {found}"
            )
        missing = "" if self.known_hosts.exists() else ", which does not exist yet"
        raise ConnectError(
            f"the host key of the bastion {bastion} is not in {self.known_hosts}{missing}: it offers {kind} {found}; "
            f"check that fingerprint with whoever runs the bastion, then add it with `{keyscan}`, "
            f"or pass {TRUST_OPTION} {found}"
        )


def _known_hosts(option: str | None) -> tuple[Path, Any]:
    import paramiko

    path = Path(os.path.expanduser(option or DEFAULT_KNOWN_HOSTS))
    keys = paramiko.HostKeys()
    if path.is_file():  # a missing file is an empty one: the host-key error says how to fill it
        try:
            keys.load(str(path))
        except Exception as exc:  # OSError, undecodable bytes, a malformed line paramiko rejects
            raise DayoneError(f"cannot read the known_hosts file {path}: {_first_line(exc)}") from None
    elif path.exists():
        raise DayoneError(f"the known_hosts file {path} is not a file")
    return path, keys


def _private_key(key_file: str) -> Any:
    import paramiko

    path = Path(os.path.expanduser(key_file))
    if not path.is_file():
        raise DayoneError(f"the SSH key file {key_file} does not exist")
    passphrase = os.environ.get(PASSPHRASE_ENV) or None
    register_secret(passphrase)
    try:
        # bytes: PKey.from_path hands the passphrase to cryptography as it is
        return paramiko.PKey.from_path(path, passphrase.encode() if passphrase else None)
    except OSError as exc:
        raise DayoneError(f"cannot read the SSH key file {key_file}: {exc.strerror or exc}") from None
    except (TypeError, ValueError, paramiko.SSHException) as exc:
        text = str(exc).lower()
        if passphrase is None and ("password" in text or "encrypted" in text):
            raise DayoneError(f"the SSH key {key_file} is protected by a passphrase: set {PASSPHRASE_ENV}") from None
        if passphrase is not None and ("password" in text or "decrypt" in text or "delimiters" in text):
            raise DayoneError(f"cannot decrypt the SSH key {key_file}: is {PASSPHRASE_ENV} its passphrase?") from None
        raise DayoneError(
            f"cannot load the SSH key {key_file} ({_first_line(exc)}): --ssh-key takes a private key "
            "(OpenSSH or PEM format), not the .pub file"
        ) from None


def _prefer_known_key_types(transport: Any, known: dict) -> None:
    """Ask the bastion first for the kind of host key known_hosts holds for it, as ssh does: a
    bastion with several host keys would otherwise present one that known_hosts lacks."""
    if not known:
        return
    options = transport.get_security_options()
    available = list(options.key_types)
    wanted: list[str] = []
    for kind in known:
        for algorithm in _HOST_KEY_ALGORITHMS.get(kind, (kind,)):
            if algorithm in available and algorithm not in wanted:
                wanted.append(algorithm)
    options.key_types = wanted + [k for k in available if k not in wanted]


def _channel_failure(exc: Any) -> str:
    """sshd's reason for refusing a forwarded connection, in words."""
    code = getattr(exc, "code", None)
    text = getattr(exc, "text", "") or str(exc)
    if code == 1:
        return "the bastion forbids TCP forwarding for this login (AllowTcpForwarding / PermitOpen)"
    if code == 2:
        return "connection failed from the bastion: refused, unreachable or unknown host"
    return text


_paramiko_quiet = False


def _quiet_paramiko() -> None:
    """paramiko logs its failures with tracebacks; without a handler Python prints them to stderr.
    dayone reports every failure itself, on one line."""
    global _paramiko_quiet
    if not _paramiko_quiet:
        logging.getLogger("paramiko").addHandler(logging.NullHandler())
        _paramiko_quiet = True


def _first_line(exc: object) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _close(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            sock.close()
        except OSError:
            pass
