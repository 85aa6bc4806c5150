"""Operations on an open SFTP session that legacy partners rely on: atomic writes and safe moves.

All functions are blocking (paramiko); call them from a worker thread.
"""

from __future__ import annotations

import posixpath
import stat
from datetime import UTC, datetime

import paramiko

from bus.errors import PermanentError, TransientError
from legacy_adapters.sftp.names import join

TEMP_SUFFIX = ".tmp"


def exists(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        sftp.stat(path)
        return True
    except FileNotFoundError:
        return False


def ensure_directory(sftp: paramiko.SFTPClient, path: str) -> None:
    """Create ``path`` (one level) if it is missing."""
    try:
        if not stat.S_ISDIR(sftp.stat(path).st_mode or 0):
            raise PermanentError(f"{path} exists and is not a folder")
    except FileNotFoundError:
        sftp.mkdir(path)


def write_atomically(sftp: paramiko.SFTPClient, directory: str, name: str, body: bytes, *, overwrite: bool) -> str:
    """Write ``name.tmp``, check the server's size, rename to ``name``; return the final path.

    A file already there with the same content counts as written (a retry after an interrupted
    acknowledgement); other content is refused unless ``overwrite``.
    """
    final = join(directory, name)
    temporary = final + TEMP_SUFFIX
    try:
        if not overwrite and exists(sftp, final):
            with sftp.open(final, "rb") as existing:
                if existing.read(len(body) + 1) == body:
                    return final
            raise PermanentError(f"{final} already exists with other content; not overwritten")
        with sftp.open(temporary, "wb") as handle:
            handle.set_pipelined(True)
            handle.write(body)
        written = sftp.stat(temporary).st_size
        if written != len(body):
            raise TransientError(f"{temporary}: wrote {len(body)} bytes, the server has {written}")
        sftp.posix_rename(temporary, final)
        return final
    except PermissionError as exc:
        raise PermanentError(f"permission denied writing {final}: {exc}") from exc
    except FileNotFoundError as exc:
        raise PermanentError(f"remote folder {directory} does not exist: {exc}") from exc
    except (OSError, paramiko.SSHException) as exc:
        raise TransientError(f"writing {final} failed: {exc}") from exc


def move_into(sftp: paramiko.SFTPClient, source_directory: str, name: str, target_directory: str) -> str:
    """Move ``source_directory/name`` into ``target_directory`` without replacing anything there.

    If the target name is taken (the same file name dropped again), a UTC timestamp is appended.
    Returns the new path.
    """
    ensure_directory(sftp, target_directory)
    source = join(source_directory, name)
    target = join(target_directory, name)
    if exists(sftp, target):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = join(target_directory, f"{name}.{stamp}")
    sftp.posix_rename(source, target)
    return target


def resolve(directory: str, folder: str) -> str:
    """``folder`` as given if absolute, else relative to ``directory``."""
    return folder if folder.startswith("/") else posixpath.join(directory, folder)
