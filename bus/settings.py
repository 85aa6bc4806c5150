"""Runtime settings, read from ``ESB_*`` environment variables with defaults for a single-box install."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from bus.durations import DAY, Duration
from bus.eventloop import LoopChoice


class SettingsError(ValueError):
    """An ``ESB_*`` variable (or a command-line override) has a value the bus cannot use."""


class Settings(BaseModel):
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/?heartbeat=15"
    database_url: str = "sqlite:///var/esb.sqlite3"
    routes_dir: Path = Path("routes")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    prefetch: int = Field(default=64, ge=1, le=10_000)
    publish_timeout: float = Field(default=15.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    api_token: str | None = None
    journal: bool = Field(default=True, description="Journal each message's life for esb trace (ESB_JOURNAL=off)")
    journal_retention: Duration = Field(default=14 * DAY, description="Journal entries are deleted after this (14d)")
    idempotency_window: Duration = Field(
        default=7 * DAY,
        description="Delivery records are kept this long (7d): a copy of a delivered message arriving within it is "
        "skipped, a later one is delivered again",
    )
    event_loop: LoopChoice = Field(default="auto", description="uvloop where installed (auto), uvloop or asyncio")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``ESB_<FIELD>`` variables; explicit keyword overrides win.

        Raises ``SettingsError`` naming each variable whose value is wrong, and why."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = environ.get(f"ESB_{name.upper()}")
            if raw is not None and raw != "":
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = [
                f"ESB_{str(error['loc'][0]).upper()}={error['input']!r}: {error['msg']}" for error in exc.errors()
            ]
            raise SettingsError("invalid settings: " + "; ".join(problems)) from None
