"""A real OpenSSH server on a loopback port, with its own host key, user key and config, for SFTP tests."""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = Path("/usr/sbin/sshd")


@dataclass(frozen=True)
class SshServer:
    host: str
    port: int
    username: str
    private_key_file: Path
    known_hosts_file: Path
    root: Path
    """A local folder the tests use as the partner's drop area (the server sees the same files)."""

    def settings(self, **overrides: object) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "private_key_file": str(self.private_key_file),
            "known_hosts_file": str(self.known_hosts_file),
            **overrides,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


@contextmanager
def running_sshd(workdir: Path) -> Iterator[SshServer]:
    if not SSHD.exists():
        pytest.fail("OpenSSH server missing: run ops/test.sh, which installs openssh-server")
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)
    host_key, user_key = workdir / "host_key", workdir / "user_key"
    _keygen(host_key)
    _keygen(user_key)
    authorized = workdir / "authorized_keys"
    authorized.write_text((workdir / "user_key.pub").read_text())
    authorized.chmod(0o600)
    port = _free_port()
    config = workdir / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"AuthorizedKeysFile {authorized}",
                f"PidFile {workdir / 'sshd.pid'}",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    known_hosts = workdir / "known_hosts"
    host_public = (workdir / "host_key.pub").read_text().split()
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_public[0]} {host_public[1]}\n")
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
    process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(  # noqa: B904 - the OSError is only the polling signal
                        f"sshd did not start: {process.stderr.read().decode() if process.stderr else ''}"
                    )
                time.sleep(0.05)
        drop = workdir / "drop"
        drop.mkdir()
        yield SshServer("127.0.0.1", port, getpass.getuser(), user_key, known_hosts, drop)
    finally:
        process.terminate()
        process.wait(timeout=10)
