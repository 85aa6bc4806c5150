"""A real legacy SOAP service for outbound tests: serves its WSDL, records calls, answers as scripted.

It serves ``tests/data/soap/qms-lotcontrol.wsdl`` (a QMS lot control service with ``BlockLot``) at
``<url>?wsdl`` with the address pointing at itself, and answers each call as the next entry of ``script``
says (then ``ok``). Like a careful legacy target it applies a call once per ``Idempotency-Key``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from lxml import etree
from lxml.builder import ElementMaker

from legacy_adapters.soap.auth import basic_credentials
from legacy_adapters.soap.envelope import SOAP_ENV, answer
from transformers.safexml import parse_xml

WSDL_FILE = Path(__file__).parent.parent / "data" / "soap" / "qms-lotcontrol.wsdl"
WSDL_PLACEHOLDER = "http://qms.invalid/lotcontrol"
QMS_NS = "http://qms.example.com/lotcontrol/2009/"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

OK = "ok"
CLIENT_FAULT = "client-fault"
BUSY_FAULT = "busy-fault"
"""A Server fault saying the service is temporarily unavailable."""
SLOW = "slow"
"""Answer after ``slow_seconds`` (longer than the caller's read timeout)."""

_SOAP = ElementMaker(namespace=SOAP_ENV, nsmap={"soap": SOAP_ENV})
_QMS = ElementMaker(namespace=QMS_NS, nsmap={"q": QMS_NS})
_PLAIN = ElementMaker()


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password_type: str
    """``PasswordText`` or ``PasswordDigest``."""
    password: str
    nonce: str | None
    created: str | None

    def proves(self, password: str) -> bool:
        """Whether the token carries ``password``: as text, or as Base64(SHA-1(nonce + created + password))."""
        if self.password_type == "PasswordText":
            return self.password == password
        if self.nonce is None or self.created is None:
            return False
        digest = hashlib.sha1(base64.b64decode(self.nonce) + self.created.encode() + password.encode()).digest()
        return base64.b64encode(digest).decode() == self.password


@dataclass(frozen=True)
class SoapCall:
    headers: dict[str, str]
    operation: str
    arguments: dict[str, str]
    token: UsernameToken | None

    @property
    def key(self) -> str:
        return self.headers.get("Idempotency-Key", "")


def _username_token(envelope: etree._Element) -> UsernameToken | None:
    token = envelope.find(f"{{{SOAP_ENV}}}Header/{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
    if token is None:
        return None
    password = token.find(f"{{{WSSE_NS}}}Password")
    return UsernameToken(
        username=token.findtext(f"{{{WSSE_NS}}}Username", ""),
        password_type=(password.get("Type", "") if password is not None else "").rpartition("#")[2],
        password=password.text if password is not None else "",
        nonce=token.findtext(f"{{{WSSE_NS}}}Nonce"),
        created=token.findtext(f"{{{WSU_NS}}}Created"),
    )


def _fault(code: str, text: str) -> web.Response:
    body = answer(_SOAP.Fault(_PLAIN.faultcode(f"soap:{code}"), _PLAIN.faultstring(text)))
    return web.Response(status=500, body=body, content_type="text/xml", charset="utf-8")


@dataclass
class LegacySoapService:
    script: list[str | int] = field(default_factory=list)
    """How to answer the next calls in order of arrival: an answer kind above or an HTTP status."""
    slow_seconds: float = 2.0
    basic_auth: tuple[str, str] | None = None
    path: str = "/qms/LotControl"
    calls: list[SoapCall] = field(default_factory=list)
    applied: dict[str, SoapCall] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    def _refused(self, request: web.Request) -> web.Response | None:
        if self.basic_auth is None or basic_credentials(request.headers.get("Authorization")) == self.basic_auth:
            return None
        return web.Response(status=401, text="authentication required", headers={"WWW-Authenticate": "Basic"})

    async def _wsdl(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        text = WSDL_FILE.read_text(encoding="utf-8").replace(WSDL_PLACEHOLDER, self.url)
        return web.Response(text=text, content_type="text/xml")

    async def _call(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        envelope = parse_xml(await request.read())
        operation = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        call = SoapCall(
            headers=dict(request.headers),
            operation=etree.QName(operation).localname,
            arguments={etree.QName(child).localname: child.text or "" for child in operation},
            token=_username_token(envelope),
        )
        self.calls.append(call)
        scripted = self.script.pop(0) if self.script else OK
        if isinstance(scripted, int):
            return web.Response(
                status=scripted, text=f"<html><body>HTTP {scripted}</body></html>", content_type="text/html"
            )
        if scripted == CLIENT_FAULT:
            return _fault("Client", f"Lot {call.arguments.get('LotNumber')} does not exist in plant")
        if scripted == BUSY_FAULT:
            return _fault("Server", "Service temporarily unavailable, try again later")
        if scripted == SLOW:
            await asyncio.sleep(self.slow_seconds)
        self.applied.setdefault(call.key, call)
        block_id = f"BLK-{list(self.applied).index(call.key) + 1:06d}"
        body = answer(_QMS.BlockLotResponse(_QMS.BlockId(block_id), _QMS.Status("BLOCKED")))
        return web.Response(body=body, content_type="text/xml", charset="utf-8")

    async def start(self) -> None:
        app = web.Application()
        app.add_routes([web.get(self.path, self._wsdl), web.post(self.path, self._call)])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
