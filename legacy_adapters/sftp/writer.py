"""SFTP outbound: write ``name.tmp``, check its size, then rename, so a legacy reader never sees half a file."""

from __future__ import annotations

import asyncio
import string

import paramiko
from pydantic import Field

from bus.envelope import Envelope
from bus.errors import PermanentError, TransientError
from legacy_adapters.base import AdapterSettings, OutboundAdapter
from legacy_adapters.sftp.connection import SftpServer, sftp_session
from legacy_adapters.sftp.names import join, safe_name
from transformers import Document

TEMP_SUFFIX = ".tmp"


class SftpWriterSettings(AdapterSettings):
    server: SftpServer
    directory: str = Field(description="Remote folder the partner reads")
    file_name: str = Field(
        default="{name}",
        description="Template: {name} (the transformer's name), {message_id}, {type}, {plant}, {correlation_id}",
    )
    overwrite: bool = Field(default=False, description="Replace an existing file of the same name")


def _render(template: str, envelope: Envelope, document: Document) -> str:
    values = {
        "name": document.name or f"{envelope.message_id}.dat",
        "message_id": str(envelope.message_id),
        "type": envelope.type,
        "plant": envelope.plant,
        "correlation_id": envelope.correlation_id,
    }
    try:
        return safe_name(string.Formatter().vformat(template, (), values))
    except KeyError as exc:
        raise PermanentError(f"file_name template {template!r} uses unknown field {exc}") from exc


class SftpWriterAdapter(OutboundAdapter):
    name = "sftp"
    Settings = SftpWriterSettings
    settings: SftpWriterSettings

    async def deliver(self, envelope: Envelope, document: Document) -> None:
        file_name = _render(self.settings.file_name, envelope, document)
        await asyncio.to_thread(self._write, file_name, document.body)

    def _write(self, file_name: str, body: bytes) -> None:
        final = join(self.settings.directory, file_name)
        temporary = final + TEMP_SUFFIX
        with sftp_session(self.settings.server) as sftp:
            try:
                if not self.settings.overwrite and _exists(sftp, final):
                    with sftp.open(final, "rb") as existing:
                        if existing.read(len(body) + 1) == body:
                            return  # written before an interrupted acknowledgement: same message, same file
                    raise PermanentError(f"{final} already exists with other content; not overwritten")
                with sftp.open(temporary, "wb") as handle:
                    handle.write(body)
                written = sftp.stat(temporary).st_size
                if written != len(body):
                    raise TransientError(f"{temporary}: wrote {len(body)} bytes, the server has {written}")
                sftp.posix_rename(temporary, final)
            except PermissionError as exc:
                raise PermanentError(f"permission denied writing {final}: {exc}") from exc
            except FileNotFoundError as exc:
                raise PermanentError(f"remote folder {self.settings.directory} does not exist: {exc}") from exc
            except (OSError, paramiko.SSHException) as exc:
                raise TransientError(f"writing {final} failed: {exc}") from exc


def _exists(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        sftp.stat(path)
        return True
    except FileNotFoundError:
        return False
