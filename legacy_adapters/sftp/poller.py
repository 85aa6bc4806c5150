"""SFTP inbound: poll a partner's drop folder, ingest complete files, archive them only once confirmed.

For each complete file (see ``completeness``): copy it to a local spool file while hashing it (SHA-256),
skip it if the same content was ingested before (whatever its name), check it whole, publish its messages
with confirms, write any replies (acknowledgements), record it as ingested, and only then move it to the
archive folder (or delete it, if the route says so). A file that cannot be read goes to the error folder with
``NAME.reason.txt`` beside it. Nothing is deleted on a failure; a file whose publishing failed stays where it
is and is taken again on the next poll, with the same message ids.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import logging
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, BinaryIO, Literal

import paramiko
from pydantic import Field, model_validator

from bus.durations import Duration
from bus.envelope import Envelope
from bus.errors import PermanentError, TransientError
from bus.metrics import InboundMetrics
from bus.publisher import PublishFailed
from legacy_adapters.base import AdapterSettings, InboundAdapter, InboundContext
from legacy_adapters.file_handlers import FileVerdict, IncomingFile, Reply, check_handler, file_handler
from legacy_adapters.ingest_log import IngestLog
from legacy_adapters.sftp.completeness import Observation, StabilityTracker, completed_by_marker
from legacy_adapters.sftp.connection import SftpServer, sftp_session
from legacy_adapters.sftp.names import UnsafeFileName, join, safe_name
from legacy_adapters.sftp.remote import move_into, resolve, write_atomically
from transformers.decoding import Decoded, message_id_for

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
PROGRESS_EVERY = 10_000


class SftpPollerSettings(AdapterSettings):
    server: SftpServer
    directory: str = Field(description="Remote drop folder the partner writes into")
    glob: str = Field(default="*", description="Which file names to take, e.g. *.idoc")
    poll_interval: Duration = 30.0
    completion: Literal["stable", "done-marker"] = "stable"
    stable_polls: int = Field(default=2, ge=2, le=100, description="Polls a file must look unchanged (stable)")
    done_marker_suffix: str = Field(default=".done", min_length=1, description="Marker suffix (done-marker)")
    decoder: str = Field(description="A registered decoder (idoc.flat, idoc.xml) or file handler (edi)")
    decoder_settings: dict[str, Any] = Field(default_factory=dict)
    after_ingest: Literal["archive", "delete"] = "archive"
    archive_directory: str = Field(default="archive", description="Relative to directory unless absolute")
    error_directory: str = Field(default="error", description="Relative to directory unless absolute")
    reply_directory: str | None = Field(default=None, description="Where acknowledgements are written back")
    max_file_bytes: int = Field(default=1 << 30, ge=1)
    publish_batch: int = Field(default=500, ge=1, le=10_000, description="Messages confirmed together")

    @model_validator(mode="after")
    def _decoder_fits(self) -> SftpPollerSettings:
        if check_handler(self.decoder, self.decoder_settings) and self.reply_directory is None:
            raise ValueError(f"decoder {self.decoder!r} sends acknowledgements: set reply_directory")
        return self


@dataclass
class PollReport:
    """What one poll did, file by file (name -> outcome)."""

    outcomes: dict[str, str] = field(default_factory=dict)


class _Rejected(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _take(messages: Iterator[Decoded], count: int) -> list[Decoded]:
    return list(islice(messages, count))


class SftpPollerAdapter(InboundAdapter):
    name = "sftp"
    Settings = SftpPollerSettings
    settings: SftpPollerSettings

    def __init__(self, settings: SftpPollerSettings, context: InboundContext) -> None:
        super().__init__(settings, context)
        base = str(context.config_dir) if context.config_dir else None
        self._handler = file_handler(settings.decoder, settings.decoder_settings, base_directory=base)
        self._log = IngestLog(context.store, context.route)
        self._tracker = StabilityTracker(settings.stable_polls)
        self._archive = resolve(settings.directory, settings.archive_directory)
        self._errors = resolve(settings.directory, settings.error_directory)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warned_names: set[str] = set()
        self._metrics = InboundMetrics(context.route, self.name)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"sftp-poller:{self.context.route}")

    async def close(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        where = f"{self.settings.server.host}:{self.settings.directory}"
        log.info("route %s: polling %s every %gs", self.context.route, where, self.settings.poll_interval)
        while not self._stopping.is_set():
            try:
                await self.poll_once()
            except TransientError as exc:
                log.warning("route %s: poll of %s failed, trying again: %s", self.context.route, where, exc)
            except PermanentError as exc:
                log.error("route %s: poll of %s failed, fix and it resumes: %s", self.context.route, where, exc)
            except Exception:
                log.exception("route %s: poll of %s failed unexpectedly", self.context.route, where)
            try:
                await asyncio.wait_for(self._stopping.wait(), self.settings.poll_interval)
            except TimeoutError:
                pass

    async def poll_once(self) -> PollReport:
        """One poll: list the folder, then ingest each file that is complete."""
        report = PollReport()
        with ExitStack() as session:
            sftp = await asyncio.to_thread(session.enter_context, sftp_session(self.settings.server))
            try:
                for name in await asyncio.to_thread(self._complete_files, sftp):
                    if self._stopping.is_set():
                        break
                    report.outcomes[name] = await self._ingest(sftp, name)
                    self._metrics.file(report.outcomes[name])
            finally:
                await asyncio.to_thread(session.pop_all().close)
        return report

    # -- listing --------------------------------------------------------------------------------------------------

    def _complete_files(self, sftp: paramiko.SFTPClient) -> list[str]:
        try:
            entries = sftp.listdir_attr(self.settings.directory)
        except FileNotFoundError as exc:
            raise PermanentError(f"drop folder {self.settings.directory} does not exist") from exc
        files: dict[str, Observation] = {}
        for entry in entries:
            if not stat.S_ISREG(entry.st_mode or 0) or not self._plain(entry.filename):
                continue
            files[entry.filename] = Observation(entry.st_size or 0, entry.st_mtime or 0)
        if self.settings.completion == "done-marker":
            suffix = self.settings.done_marker_suffix
            return [n for n in completed_by_marker(set(files), suffix) if fnmatch.fnmatchcase(n, self.settings.glob)]
        wanted = {n: o for n, o in files.items() if fnmatch.fnmatchcase(n, self.settings.glob)}
        return self._tracker.observe(wanted)

    def _plain(self, name: str) -> bool:
        """Hidden files (uploads in progress) are skipped; names that could escape the folder are refused."""
        try:
            safe_name(name)
            return True
        except UnsafeFileName as exc:
            if name not in self._warned_names and not name.startswith("."):
                self._warned_names.add(name)
                log.error("route %s: not taking %r: %s", self.context.route, name, exc)
            return False

    # -- one file -------------------------------------------------------------------------------------------------

    async def _ingest(self, sftp: paramiko.SFTPClient, name: str) -> str:
        started = time.monotonic()
        with tempfile.TemporaryFile(prefix="esb-spool-") as spool:
            try:
                file = await asyncio.to_thread(self._download, sftp, name, spool)
            except _Rejected as rejected:
                await asyncio.to_thread(self._reject, sftp, name, rejected.reasons, 0)
                return "rejected"
            except TransientError as exc:
                self._tracker.forget(name)
                log.warning("route %s: %s not taken yet: %s", self.context.route, name, exc)
                return "deferred"
            self._metrics.received_bytes(file.size)
            earlier = await asyncio.to_thread(self._log.find, file.digest)
            if earlier is not None:
                log.warning(
                    "route %s: %s has the content of %s, ingested %s (%d messages); not published again",
                    self.context.route, name, earlier.name, earlier.ingested_at.isoformat(), earlier.messages,
                )  # fmt: skip
                await asyncio.to_thread(self._done, sftp, name)
                return "duplicate"
            reading = self._handler.read(spool, file, self._log)
            try:
                verdict = await asyncio.to_thread(reading.verdict)
            except PermanentError as exc:
                await asyncio.to_thread(self._reject, sftp, name, [str(exc)], 0)
                return "rejected"
            except Exception as exc:  # a decoder bug must not make the file come back on every poll
                log.exception("route %s: reading %s failed", self.context.route, name)
                await asyncio.to_thread(self._reject, sftp, name, [f"could not be read: {exc!r}"], 0)
                return "rejected"
            published = 0
            try:
                published = await self._publish(reading.messages(), file)
            except PublishFailed as exc:
                log.warning("route %s: %s stays for the next poll: %s", self.context.route, name, exc)
                return "deferred"
            except PermanentError as exc:
                await asyncio.to_thread(self._reject, sftp, name, [str(exc)], published)
                return "rejected"
            await asyncio.to_thread(self._commit, sftp, file, verdict, published)
        log.info(
            "route %s: ingested %s (%d bytes, %d messages%s) in %.2fs",
            self.context.route, name, file.size, published,
            f", {len(verdict.rejections)} rejection(s)" if verdict.rejections else "", time.monotonic() - started,
        )  # fmt: skip
        return "partly rejected" if verdict.rejections else "ingested"

    def _download(self, sftp: paramiko.SFTPClient, name: str, spool: BinaryIO) -> IncomingFile:
        path = join(self.settings.directory, name)
        before = sftp.stat(path)
        size = before.st_size or 0
        if size > self.settings.max_file_bytes:
            raise _Rejected([f"the file has {size} bytes, more than max_file_bytes={self.settings.max_file_bytes}"])
        digest = hashlib.sha256()
        try:
            with sftp.open(path, "rb") as remote:
                remote.prefetch(size)
                while chunk := remote.read(_CHUNK):
                    digest.update(chunk)
                    spool.write(chunk)
        except (OSError, paramiko.SSHException) as exc:
            raise TransientError(f"reading {path} failed: {exc}") from exc
        after = sftp.stat(path)
        if (after.st_size, after.st_mtime) != (before.st_size, before.st_mtime) or spool.tell() != size:
            raise TransientError(f"{path} changed while it was read: still being written?")
        spool.flush()
        return IncomingFile(name=name, size=size, digest=digest.hexdigest())

    async def _publish(self, messages: Iterator[Decoded], file: IncomingFile) -> int:
        count = 0
        while batch := await asyncio.to_thread(_take, messages, self.settings.publish_batch):
            await self.context.publish([self._envelope(decoded, file) for decoded in batch])
            count += len(batch)
            self._metrics.published(len(batch))
            if count // PROGRESS_EVERY != (count - len(batch)) // PROGRESS_EVERY:
                log.info("route %s: %s: %d messages confirmed so far", self.context.route, file.name, count)
        return count

    def _envelope(self, decoded: Decoded, file: IncomingFile) -> Envelope:
        return Envelope.wrap(
            decoded.payload,
            self.context.source,
            message_id=message_id_for(file.digest, decoded.reference),
            correlation_id=decoded.correlation_id,
            occurred_at=decoded.occurred_at,
        )

    def _commit(self, sftp: paramiko.SFTPClient, file: IncomingFile, verdict: FileVerdict, published: int) -> None:
        self._write_replies(sftp, verdict.replies)
        self._log.record(file.digest, file.name, file.size, published, verdict.claims)
        if verdict.rejections:
            self._reject(sftp, file.name, verdict.rejections, published)
        else:
            self._done(sftp, file.name)

    def _write_replies(self, sftp: paramiko.SFTPClient, replies: list[Reply]) -> None:
        for reply in replies:
            assert self.settings.reply_directory is not None  # settings require it for handlers that reply
            path = write_atomically(sftp, self.settings.reply_directory, reply.name, reply.body, overwrite=False)
            log.info("route %s: wrote %s", self.context.route, path)

    def _done(self, sftp: paramiko.SFTPClient, name: str) -> None:
        if self.settings.after_ingest == "delete":
            sftp.remove(join(self.settings.directory, name))
        else:
            move_into(sftp, self.settings.directory, name, self._archive)
        self._remove_marker(sftp, name)
        self._tracker.forget(name)

    def _reject(self, sftp: paramiko.SFTPClient, name: str, reasons: list[str], published: int) -> None:
        moved = move_into(sftp, self.settings.directory, name, self._errors)
        moved_name = moved.rsplit("/", 1)[-1]
        text = "\n".join(
            [
                f"file: {name}",
                f"route: {self.context.route}",
                f"from: {self.context.source.system} ({self.context.source.interface})",
                f"refused at: {datetime.now(UTC).isoformat()}",
                f"messages published from it: {published}",
                "reasons:",
                *(f"  - {reason}" for reason in reasons),
                "",
            ]
        )
        write_atomically(sftp, self._errors, f"{moved_name}.reason.txt", text.encode(), overwrite=True)
        self._remove_marker(sftp, name)
        self._tracker.forget(name)
        log.error("route %s: %s moved to %s: %s", self.context.route, name, moved, "; ".join(reasons))

    def _remove_marker(self, sftp: paramiko.SFTPClient, name: str) -> None:
        if self.settings.completion == "done-marker":
            try:
                sftp.remove(join(self.settings.directory, name + self.settings.done_marker_suffix))
            except FileNotFoundError:
                pass
