"""SOAP outbound: call an operation of a legacy SOAP service with zeep (``target: {adapter: soap}``).

The route's transformer gives the operation's arguments as ``Document.fields`` (and may name the operation
as ``Document.name``). Every call carries the message id as the HTTP header ``Idempotency-Key`` (with
``X-Correlation-ID``, ``X-ESB-Message-Type`` and ``X-ESB-Route``), so a target that sees a message again after
a retry can apply it once. The WSDL is loaded when the route starts; a WSDL URL that cannot be reached then is
loaded again at the first delivery. How failures are classified is described in ``classify``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pydantic import AnyHttpUrl, Field, model_validator

from bus.durations import Duration
from bus.envelope import Envelope
from bus.errors import ConfigurationError, PermanentError, TransientError
from legacy_adapters.base import AdapterContext, AdapterSettings, OutboundAdapter
from legacy_adapters.soap.auth import Credentials
from legacy_adapters.soap.classify import call_failure
from legacy_adapters.soap.client import SoapEndpoint, open_endpoint
from transformers import Document

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_TIMEOUT = 240.0
"""Calls end well within the route engine's delivery deadline (300 s)."""


class CallTimeouts(AdapterSettings):
    """``timeout: 30s`` sets both; ``timeout: {connect: 5s, read: 30s}`` each."""

    connect: Duration = Field(default=5.0, le=MAX_TIMEOUT, description="To open the connection")
    read: Duration = Field(default=30.0, le=MAX_TIMEOUT, description="Between bytes of the answer")

    @model_validator(mode="before")
    @classmethod
    def _one_for_both(cls, value: Any) -> Any:
        return {"connect": value, "read": value} if isinstance(value, str | int | float) else value


class UsernameTokenSettings(Credentials):
    """A WS-Security UsernameToken in the SOAP header."""

    digest: bool = Field(default=False, description="Send a PasswordDigest with nonce and creation time")


class SoapCallSettings(AdapterSettings):
    wsdl: str = Field(min_length=1, description="WSDL file path or http(s) URL of the legacy service")
    service: str | None = Field(default=None, description="Service name in the WSDL; default its first")
    port: str | None = Field(default=None, description="Port name in the service; default its first")
    operation: str | None = Field(
        default=None, description="Operation to call; default the operation the transformer names"
    )
    address: AnyHttpUrl | None = Field(default=None, description="Endpoint URL instead of the WSDL's address")
    timeout: CallTimeouts = Field(default_factory=CallTimeouts)
    wsse: UsernameTokenSettings | None = None
    basic_auth: Credentials | None = None
    verify_tls: bool = True
    headers: dict[str, str] = Field(default_factory=dict, description="Further HTTP headers sent with every call")
    transient_faults: list[str] = Field(
        default_factory=lambda: ["temporarily unavailable", "try again later"],
        description="Phrases in a Server fault's faultstring that mean 'retry later'; other faults are permanent",
    )
    max_concurrent_calls: int = Field(default=4, ge=1, le=64, description="Calls in flight at once")


class SoapCallAdapter(OutboundAdapter):
    name = "soap"
    Settings = SoapCallSettings
    settings: SoapCallSettings

    def __init__(self, settings: SoapCallSettings, context: AdapterContext) -> None:
        wsdl = settings.wsdl
        if "://" not in wsdl and not wsdl.startswith("/") and context.config_dir is not None:
            settings = settings.model_copy(update={"wsdl": str(context.config_dir / wsdl)})
        super().__init__(settings, context)
        self._endpoint: SoapEndpoint | None = None
        self._loading = asyncio.Lock()
        self._pool = ThreadPoolExecutor(settings.max_concurrent_calls, thread_name_prefix=f"soap-{context.route}")

    async def _in_pool(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(fn, *args))

    async def _connected(self) -> SoapEndpoint:
        async with self._loading:
            if self._endpoint is None:
                self._endpoint = await self._in_pool(open_endpoint, self.settings)
                log.info("route %s: SOAP target %s bound", self.context.route, self._endpoint.address)
            return self._endpoint

    async def start(self) -> None:
        """Load the WSDL; a wrong WSDL stops the start, an unreachable WSDL URL is tried again later."""
        try:
            await self._connected()
        except TransientError as exc:
            log.warning("route %s: %s; loading it again at the first delivery", self.context.route, exc)

    def _headers(self, envelope: Envelope) -> dict[str, str]:
        return {
            "Idempotency-Key": str(envelope.message_id),
            "X-Correlation-ID": envelope.correlation_id,
            "X-ESB-Message-Type": envelope.type,
            "X-ESB-Route": self.context.route,
            **self.settings.headers,
        }

    async def deliver(self, envelope: Envelope, document: Document) -> None:
        try:
            endpoint = await self._connected()
        except ConfigurationError as exc:
            raise PermanentError(str(exc)) from exc
        operation = self.settings.operation or document.name
        if not operation:
            raise PermanentError("no operation to call: set operation in the target's settings")
        if operation not in endpoint.operations:
            offered = ", ".join(sorted(endpoint.operations))
            raise PermanentError(f"{operation} is not an operation of {endpoint.address}; it offers {offered}")
        try:
            await self._in_pool(endpoint.call, operation, document.fields, self._headers(envelope))
        except Exception as exc:
            failure = call_failure(
                exc, operation=operation, address=endpoint.address, transient_faults=self.settings.transient_faults
            )
            if failure is None:
                raise
            raise failure from exc

    async def close(self) -> None:
        if self._endpoint is not None:
            self._endpoint.close()
            self._endpoint = None
        self._pool.shutdown(wait=False, cancel_futures=True)
