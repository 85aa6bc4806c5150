"""Remote file names are untrusted input: they must stay one plain name inside the drop folder."""

from __future__ import annotations

import posixpath
import re

from bus.errors import PermanentError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
MAX_NAME = 255


class UnsafeFileName(PermanentError):
    """A file name that could leave its folder or confuse a legacy reader."""


def safe_name(name: str) -> str:
    """Return ``name`` if it is a plain file name; raise ``UnsafeFileName`` otherwise."""
    if not name or name in (".", "..") or len(name) > MAX_NAME or _UNSAFE.search(name) or name.startswith("."):
        raise UnsafeFileName(f"unsafe file name {name!r}: a plain name without '/', '..', control characters")
    return name


def join(directory: str, name: str) -> str:
    """``directory/name`` with ``name`` checked; the result never escapes ``directory``."""
    return posixpath.join(directory, safe_name(name))
