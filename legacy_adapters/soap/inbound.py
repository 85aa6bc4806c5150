"""SOAP inbound: a SOAP 1.1 document/literal endpoint on the bus's HTTP server (``adapter: soap``).

``POST <path>`` takes a call, ``GET <path>?wsdl`` returns the service's WSDL with its address set to the URL it
was fetched from (or to ``address``). A call is answered only after the broker confirmed every message it
produced. A call the bus refuses gets a SOAP Fault (HTTP 500): ``soap:Client`` when the call itself is wrong
(not XML, a DTD or entity declaration, an unknown operation, a payload that fails validation, an IDoc that
cannot be decoded; nothing of it is published), ``soap:Server`` when the broker did not confirm in time
(the sender should repeat the call). ``SOAPAction`` may be empty or absent; when given it must be the action
of the operation in the Body.

With ``basic_auth`` set, callers must send those credentials (HTTP Basic, as SAP and most legacy SOAP stacks
do) and the bus's bearer token does not apply to this endpoint; without it the endpoint is under the bus's
bearer token like every other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from lxml import etree
from pydantic import AnyHttpUrl, Field, field_validator

from bus.http import OWN_AUTH
from bus.metrics import InboundMetrics
from bus.publisher import PublishFailed
from legacy_adapters.base import AdapterSettings, InboundAdapter, InboundContext
from legacy_adapters.soap.auth import Credentials, basic_auth_matches
from legacy_adapters.soap.envelope import (
    CONTENT_TYPE,
    FAULT_STATUS,
    FaultCode,
    SoapFault,
    answer,
    client_fault,
    fault_message,
    read_request,
)
from legacy_adapters.soap.services import SERVICES, Accepted, Handler
from legacy_adapters.soap.wsdl import WsdlTemplate
from transformers.decoding import get_decoder

log = logging.getLogger(__name__)

_READ_CHUNK = 64 * 1024
SOAP11_MEDIA_TYPE = "text/xml"
SOAP12_MEDIA_TYPE = "application/soap+xml"

Endpoint = Callable[[web.Request], Awaitable[web.Response]]


class SoapEndpointSettings(AdapterSettings):
    service: str = Field(description="The service to serve: idoc-receipt or production-confirmation")
    path: str | None = Field(
        default=None, pattern=r"^/[A-Za-z0-9._~/-]*$", description="HTTP path of the endpoint; default /soap/<service>"
    )
    basic_auth: Credentials | None = Field(default=None, description="Credentials callers must send (HTTP Basic)")
    address: AnyHttpUrl | None = Field(
        default=None,
        description="Endpoint address written into the WSDL; default the URL the WSDL was fetched from "
        "(set it when the bus is behind a reverse proxy)",
    )
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1 << 30, description="Largest call taken")

    @field_validator("service")
    @classmethod
    def _known_service(cls, name: str) -> str:
        service = SERVICES.get(name)
        if service is None:
            raise ValueError(f"unknown SOAP service {name!r}; known: {', '.join(sorted(SERVICES))}")
        for decoder in service.decoders:
            try:
                get_decoder(decoder)
            except KeyError as exc:
                raise ValueError(f"service {name!r} needs {exc.args[0]}") from None
        return name

    @property
    def endpoint_path(self) -> str:
        return self.path or f"/soap/{self.service}"


@dataclass(frozen=True)
class _Operation:
    name: str
    soap_action: str
    handler: Handler


def _own_auth(endpoint: Endpoint) -> Endpoint:
    """Mark an endpoint as checking its callers itself, so the bus's bearer token does not apply."""

    async def checked_here(request: web.Request) -> web.Response:
        return await endpoint(request)

    setattr(checked_here, OWN_AUTH, True)
    return checked_here


def _fault_response(fault: SoapFault) -> web.Response:
    return web.Response(status=FAULT_STATUS, body=fault_message(fault), headers={"Content-Type": CONTENT_TYPE})


class SoapEndpointAdapter(InboundAdapter):
    name = "soap"
    Settings = SoapEndpointSettings
    settings: SoapEndpointSettings

    def __init__(self, settings: SoapEndpointSettings, context: InboundContext) -> None:
        super().__init__(settings, context)
        self._service = SERVICES[settings.service]
        self._wsdl = WsdlTemplate(self._service.wsdl_file)
        self._metrics = InboundMetrics(context.route, self.name)
        self._operations = {
            operation.request.text: _Operation(
                operation.name, operation.soap_action, self._service.handlers[operation.name]
            )
            for operation in self._wsdl.operations()
        }

    def http_routes(self) -> list[web.RouteDef]:
        call: Endpoint = self._call
        describe: Endpoint = self._describe
        if self.settings.basic_auth is not None:
            call, describe = _own_auth(call), _own_auth(describe)
        path = self.settings.endpoint_path
        return [web.post(path, call), web.get(path, describe)]

    # -- HTTP -----------------------------------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        expected = self.settings.basic_auth
        return expected is None or basic_auth_matches(request.headers.get("Authorization"), expected)

    def _unauthorized(self) -> web.Response:
        return web.Response(
            status=401,
            text=f"send the credentials of the {self._service.name} service with HTTP Basic authentication\n",
            headers={"WWW-Authenticate": f'Basic realm="esb {self._service.name}", charset="UTF-8"'},
        )

    async def _describe(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        if not any(key.lower() == "wsdl" for key in request.query):
            return web.Response(
                text=f"SOAP 1.1 endpoint of the {self._service.name} service: POST calls here, "
                f"the WSDL is at {self.settings.endpoint_path}?wsdl\n"
            )
        address = str(self.settings.address) if self.settings.address else str(request.url.with_query(None))
        return web.Response(body=self._wsdl.render(address), headers={"Content-Type": CONTENT_TYPE})

    async def _call(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            self._metrics.call("unauthorized")
            return self._unauthorized()
        try:
            return await self._take(request)
        except SoapFault as fault:
            self._metrics.call("failed" if fault.code is FaultCode.SERVER else "rejected")
            log.warning(
                "route %s: %s call from %s refused (%s): %s",
                self.context.route, self._service.name, request.remote, fault.code, fault.reason,
            )  # fmt: skip
            return _fault_response(fault)
        except Exception:
            log.exception("route %s: %s call failed", self.context.route, self._service.name)
            self._metrics.call("failed")
            return _fault_response(
                SoapFault(FaultCode.SERVER, "the bus failed to process the call; send it again later")
            )

    async def _take(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._metrics.received_bytes(len(body))
        operation, accepted = await asyncio.to_thread(self._accept, body, request.headers.get("SOAPAction"))
        try:
            outcomes = await self.context.publish(accepted.envelopes)
        except PublishFailed as exc:
            log.error("route %s: %s call not confirmed by the broker: %s", self.context.route, operation.name, exc)
            raise SoapFault(
                FaultCode.SERVER,
                "the bus could not accept the messages just now (no confirmation from its broker); "
                "send the call again later",
            ) from None
        log.info(
            "route %s: %s from %s accepted %d message(s)",
            self.context.route, operation.name, self.context.source.system, len(accepted.envelopes),
        )  # fmt: skip
        self._metrics.published(len(accepted.envelopes))
        self._metrics.call("accepted")
        return web.Response(body=answer(accepted.answer(outcomes)), headers={"Content-Type": CONTENT_TYPE})

    async def _body(self, request: web.Request) -> bytes:
        """The request body, refused by media type and beyond ``max_request_bytes`` before it is all read."""
        if request.content_type == SOAP12_MEDIA_TYPE:
            raise SoapFault(FaultCode.VERSION_MISMATCH, "this is a SOAP 1.1 endpoint: send text/xml, not SOAP 1.2")
        if request.content_type != SOAP11_MEDIA_TYPE:
            raise client_fault(f"Content-Type {request.content_type} is not SOAP 1.1: send {CONTENT_TYPE}")
        limit = self.settings.max_request_bytes
        too_large = f"the call is larger than the limit of {limit} bytes"
        if request.content_length is not None and request.content_length > limit:
            raise client_fault(too_large)
        body = bytearray()
        while chunk := await request.content.read(_READ_CHUNK):
            body += chunk
            if len(body) > limit:
                raise client_fault(too_large)
        return bytes(body)

    def _accept(self, body: bytes, soap_action: str | None) -> tuple[_Operation, Accepted]:
        """Parse the call and run its operation's handler (in a worker thread: parsing and decoding take CPU)."""
        soap = read_request(body, max_bytes=self.settings.max_request_bytes)
        operation = self._operation(soap.operation, soap_action)
        return operation, operation.handler(soap.operation, self.context.source)

    def _operation(self, element: etree._Element, soap_action: str | None) -> _Operation:
        operation = self._operations.get(etree.QName(element).text)
        if operation is None and self._service.other_body is not None:
            return _Operation(etree.QName(element).localname, "", self._service.other_body)
        if operation is None:
            offered = ", ".join(self._operations)
            raise client_fault(
                f"{element.tag} is not an operation of the {self._service.name} service; it offers {offered}"
            )
        given = (soap_action or "").strip().strip('"')
        if given and given != operation.soap_action:
            raise client_fault(
                f"SOAPAction {given!r} does not match the operation {operation.name} in the Body "
                f"(its SOAPAction is {operation.soap_action!r})"
            )
        return operation
