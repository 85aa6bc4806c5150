"""SFTP outbound: write ``name.tmp``, check its size, then rename, so a legacy reader never sees half a file."""

from __future__ import annotations

import asyncio
import string

from pydantic import Field

from bus.envelope import Envelope
from bus.errors import PermanentError
from legacy_adapters.base import AdapterSettings, OutboundAdapter
from legacy_adapters.sftp.connection import SftpServer, sftp_session
from legacy_adapters.sftp.names import safe_name
from legacy_adapters.sftp.remote import write_atomically
from transformers import Document


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
        with sftp_session(self.settings.server) as sftp:
            write_atomically(sftp, self.settings.directory, file_name, body, overwrite=self.settings.overwrite)
