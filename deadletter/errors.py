"""Why an operation on a dead letter was refused; the CLI and the admin API turn these into answers."""

from __future__ import annotations

from typing import Any


class DeadLetterError(Exception):
    """Base: the message says what is wrong and what to do."""


class NotFound(DeadLetterError):
    pass


class Conflict(DeadLetterError):
    """The dead letter is not in a state that allows this (e.g. it was replayed or discarded already)."""


class Refused(DeadLetterError):
    """The request itself is wrong: a missing reason, a patch that does not apply or makes the payload invalid."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
