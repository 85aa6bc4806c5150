"""REST outbound: POST (or PUT) the document to a webhook, with the message id as ``Idempotency-Key``."""

from __future__ import annotations

import os
from typing import Literal

import aiohttp
from pydantic import AnyHttpUrl, Field

from bus.durations import Duration
from bus.envelope import Envelope
from bus.errors import PermanentError, TransientError
from legacy_adapters.base import AdapterSettings, OutboundAdapter
from transformers import Document

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RestWebhookSettings(AdapterSettings):
    url: AnyHttpUrl
    method: Literal["POST", "PUT"] = "POST"
    timeout: Duration = Field(default=10.0, description="Whole request deadline, e.g. 10s")
    headers: dict[str, str] = Field(default_factory=dict)
    bearer_token_env: str | None = Field(default=None, description="Environment variable holding a bearer token")
    verify_tls: bool = True


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class RestWebhookAdapter(OutboundAdapter):
    name = "rest"
    Settings = RestWebhookSettings
    settings: RestWebhookSettings

    _session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(ssl=None if self.settings.verify_tls else False, limit=64)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.settings.timeout),
        )

    def _headers(self, envelope: Envelope, document: Document) -> dict[str, str]:
        headers = {
            "Content-Type": document.media_type,
            "Idempotency-Key": str(envelope.message_id),
            "X-Correlation-ID": envelope.correlation_id,
            "X-ESB-Message-Type": envelope.type,
            "X-ESB-Route": self.context.route,
            **self.settings.headers,
        }
        if self.settings.bearer_token_env:
            token = os.environ.get(self.settings.bearer_token_env)
            if not token:
                raise PermanentError(f"environment variable {self.settings.bearer_token_env} is not set")
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def deliver(self, envelope: Envelope, document: Document) -> None:
        if self._session is None:
            await self.start()
        assert self._session is not None
        url = str(self.settings.url)
        try:
            async with self._session.request(
                self.settings.method,
                url,
                data=document.body,
                headers=self._headers(envelope, document),
                allow_redirects=False,
            ) as response:
                if response.status < 300:
                    return
                detail = (await response.text(errors="replace"))[:500]
                reason = f"{self.settings.method} {url} answered {response.status} {response.reason}: {detail}"
                if response.status in TRANSIENT_STATUS:
                    raise TransientError(reason, retry_after=_retry_after(response.headers.get("Retry-After")))
                raise PermanentError(reason)
        except TimeoutError as exc:
            raise TransientError(f"{self.settings.method} {url} timed out after {self.settings.timeout:g}s") from exc
        except aiohttp.ClientError as exc:
            raise TransientError(f"{self.settings.method} {url} failed: {type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
