"""Opening an SFTP session with verified host keys.

Paramiko is blocking: callers run these functions in a worker thread (``asyncio.to_thread``), never on the
event loop. Host keys are checked against a known_hosts file with paramiko's ``RejectPolicy``; an unknown
host is refused unless the route explicitly sets ``accept_unknown_host`` (for first contact only).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paramiko
from pydantic import Field, model_validator

from bus.durations import Duration
from bus.errors import PermanentError, TransientError
from legacy_adapters.base import AdapterSettings

logging.getLogger("paramiko").setLevel(logging.WARNING)  # it logs every session opened at INFO: one per poll


class SftpServer(AdapterSettings):
    host: str
    port: int = Field(default=22, ge=1, le=65535)
    username: str
    private_key_file: Path | None = None
    password_env: str | None = Field(default=None, description="Environment variable holding the password")
    known_hosts_file: Path = Field(description="known_hosts with the server's host key (pinned)")
    accept_unknown_host: bool = Field(default=False, description="Accept a host key not in known_hosts (unsafe)")
    timeout: Duration = 15.0

    @model_validator(mode="after")
    def _one_credential(self) -> SftpServer:
        if self.private_key_file is None and self.password_env is None:
            raise ValueError("set private_key_file or password_env")
        return self


def _password(server: SftpServer) -> str | None:
    if server.password_env is None:
        return None
    password = os.environ.get(server.password_env)
    if password is None:
        raise PermanentError(f"environment variable {server.password_env} (SFTP password) is not set")
    return password


@contextmanager
def sftp_session(server: SftpServer) -> Iterator[paramiko.SFTPClient]:
    """An authenticated SFTP session; connection problems are transient, trust and auth ones permanent."""
    client = paramiko.SSHClient()
    try:
        client.load_host_keys(str(server.known_hosts_file))
    except OSError as exc:
        raise PermanentError(f"cannot read known_hosts {server.known_hosts_file}: {exc}") from exc
    client.set_missing_host_key_policy(
        paramiko.WarningPolicy() if server.accept_unknown_host else paramiko.RejectPolicy()
    )
    try:
        client.connect(
            server.host,
            port=server.port,
            username=server.username,
            key_filename=str(server.private_key_file) if server.private_key_file else None,
            password=_password(server),
            timeout=server.timeout,
            banner_timeout=server.timeout,
            auth_timeout=server.timeout,
            allow_agent=False,
            look_for_keys=False,
        )
    except paramiko.BadHostKeyException as exc:
        client.close()
        raise PermanentError(f"host key of {server.host}:{server.port} does not match known_hosts: {exc}") from exc
    except paramiko.SSHException as exc:
        client.close()
        if "not found in known_hosts" in str(exc):
            raise PermanentError(f"{server.host}:{server.port} is not in {server.known_hosts_file}: {exc}") from exc
        if isinstance(exc, paramiko.AuthenticationException):
            raise PermanentError(f"SFTP login to {server.host} as {server.username} refused: {exc}") from exc
        raise TransientError(f"SSH to {server.host}:{server.port} failed: {exc}") from exc
    except OSError as exc:
        client.close()
        raise TransientError(f"cannot reach {server.host}:{server.port}: {exc}") from exc
    try:
        sftp = client.open_sftp()
        sftp.get_channel().settimeout(server.timeout)
        yield sftp
    finally:
        client.close()
