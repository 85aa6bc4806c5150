"""Error classes that decide a message's fate: retry later, or park it for a person."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """Base of the errors an adapter or transformer raises for one message."""

    transient: bool = False

    @property
    def error_class(self) -> str:
        return type(self).__name__


class TransientError(DeliveryFailed):
    """May succeed later unchanged (timeout, connection refused, HTTP 5xx/429): retry with backoff."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(DeliveryFailed):
    """Will fail again unchanged (validation, mapping, HTTP 4xx): dead-letter at once."""


class InvalidMessage(PermanentError):
    """The message on the queue is not a valid envelope of a known canonical type."""


class TransformFailed(PermanentError):
    """The route's transformer could not map the message."""


class ConfigurationError(Exception):
    """Route files, settings or adapters are wrong; nothing starts until they are fixed."""
