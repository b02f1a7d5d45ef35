"""Options shared by every command that reads a TARGET."""

from __future__ import annotations

import functools

import click

from dayone.connect.options import SessionOptions

_DEFAULTS = SessionOptions()


def target_options(command):
    """TARGET argument, --schema, the session guard timeouts, and the SSH bastion to go through."""

    @click.argument("target")
    @click.option("--schema", "schemas", multiple=True, metavar="NAME", help="Read only this schema (repeatable). Default: every non-system schema.")
    @click.option("--connect-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.connect_timeout, show_default=True, help="Seconds to reach the server and log in.")
    @click.option("--statement-timeout", type=click.FloatRange(min=1), default=_DEFAULTS.statement_timeout, show_default=True, help="Seconds any one statement may run on the server.")
    @click.option("--lock-timeout", type=click.FloatRange(min=0.1), default=_DEFAULTS.lock_timeout, show_default=True, help="Seconds to wait for a lock before skipping a table.")
    @click.option("--ssh", "ssh_url", metavar="ssh://USER@HOST[:PORT]", help="Reach the database through this SSH bastion (key login). The host and port in TARGET are then as the bastion sees them.")
    @click.option("--ssh-key", metavar="FILE", help="Private key for the bastion (default: the ssh-agent and ~/.ssh/id_*). Its passphrase, if any, comes from DAYONE_SSH_KEY_PASSPHRASE.")
    @click.option("--ssh-known-hosts", metavar="FILE", help="known_hosts file that must hold the bastion's host key.  [default: ~/.ssh/known_hosts]")
    @click.option("--ssh-trust-host-key", metavar="SHA256:...", help="Accept the bastion's host key with this fingerprint although known_hosts lacks it (or holds another): only after checking it with whoever runs the bastion.")
    @functools.wraps(command)
    def wrapper(*args, connect_timeout, statement_timeout, lock_timeout, ssh_url, ssh_key, ssh_known_hosts, ssh_trust_host_key, **kwargs):
        ssh = None
        if ssh_url:
            from dayone.connect.tunnel import parse_ssh_url

            ssh = parse_ssh_url(ssh_url, key_file=ssh_key, known_hosts=ssh_known_hosts, trusted_fingerprint=ssh_trust_host_key)
        else:
            stray = [name for name, value in (("--ssh-key", ssh_key), ("--ssh-known-hosts", ssh_known_hosts), ("--ssh-trust-host-key", ssh_trust_host_key)) if value]
            if stray:
                raise click.UsageError(f"{stray[0]} goes with --ssh ssh://user@bastion[:port]")
        options = SessionOptions(
            connect_timeout=connect_timeout, statement_timeout=statement_timeout, lock_timeout=lock_timeout, ssh=ssh
        )
        return command(*args, options=options, **kwargs)

    return wrapper
