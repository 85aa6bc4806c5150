"""How a failed SOAP call decides its message's fate: retry later (``TransientError``) or park (``PermanentError``).

* SOAP Fault: permanent, with faultcode and faultstring in the reason. The one exception is a Server
  (SOAP 1.2: Receiver) fault whose faultstring contains one of the target's ``transient_faults`` phrases
  (by default "temporarily unavailable" and "try again later"): the service said itself to come back.
* HTTP 408, 425, 429, 502, 503, 504: transient whatever the body holds (Retry-After is kept).
* Another 5xx without a SOAP Fault, timeouts, refused or reset connections: transient.
* Another 3xx or 4xx without a SOAP Fault: permanent.
* Arguments that do not fit the operation, or an answer that does not fit the WSDL: permanent. An answer
  that does not fit may mean the call was applied, so check the target before replaying such a message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import requests
from lxml import etree
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import (
    Fault,
    TransportError,
    UnexpectedElementError,
    ValidationError,
    XMLParseError,
    XMLSyntaxError,
)

from bus.errors import DeliveryFailed, PermanentError, TransientError
from legacy_adapters.soap.envelope import SOAP12_ENV, SOAP_ENV
from transformers.safexml import XmlRejected, parse_xml

RETRY_STATUS = frozenset({408, 425, 429, 502, 503, 504})
SERVER_FAULTS = frozenset({"Server", "Receiver"})
_EXCERPT = 300
_FAULT_PATHS = tuple(f"{{{ns}}}Body/{{{ns}}}Fault" for ns in (SOAP_ENV, SOAP12_ENV))


def _excerpt(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:_EXCERPT]


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _carries_fault(response: requests.Response) -> bool:
    try:
        root = parse_xml(response.content)
    except XmlRejected:
        return False
    return any(root.find(path) is not None for path in _FAULT_PATHS)


def http_failure(address: str, response: requests.Response) -> DeliveryFailed | None:
    """The fate an HTTP answer decides on its own, or None when zeep should read it (a 2xx or a Fault)."""
    status = response.status_code
    if status < 300:
        return None
    reason = f"{address} answered HTTP {status} {response.reason}"
    if status in RETRY_STATUS:
        return TransientError(reason, retry_after=_retry_after(response.headers.get("Retry-After")))
    if _carries_fault(response):
        return None
    reason = f"{reason} without a SOAP Fault: {_excerpt(response.text)}"
    return TransientError(reason) if status >= 500 else PermanentError(reason)


def fault_failure(fault: Fault, address: str, transient_faults: Sequence[str]) -> DeliveryFailed:
    code = fault.code or "(no faultcode)"
    kind = code.rpartition(":")[2].split(".")[0]
    text = fault.message or ""
    reason = f"{address} answered SOAP Fault {code}: {text}"
    if isinstance(fault.detail, etree._Element) and (detail := _excerpt(" ".join(fault.detail.itertext()))):
        reason = f"{reason} (detail: {detail})"
    if kind in SERVER_FAULTS and any(phrase.lower() in text.lower() for phrase in transient_faults):
        return TransientError(reason)
    return PermanentError(reason)


def call_failure(
    exc: BaseException, *, operation: str, address: str, transient_faults: Sequence[str]
) -> DeliveryFailed | None:
    """The fate of a call that raised ``exc``, or None when ``exc`` is not a known way for a call to fail."""
    what = f"{operation} at {address}"
    if isinstance(exc, DeliveryFailed):
        return exc
    if isinstance(exc, Fault):
        return fault_failure(exc, address, transient_faults)
    if isinstance(exc, requests.Timeout):
        return TransientError(f"{what} timed out: {exc}")
    if isinstance(exc, requests.RequestException):
        return TransientError(f"{what} failed: {type(exc).__name__}: {exc}")
    if isinstance(exc, TransportError):
        failure = TransientError if exc.status_code == 0 or exc.status_code >= 500 else PermanentError
        return failure(f"{what} failed: HTTP {exc.status_code}: {exc}")
    if isinstance(exc, ValidationError | TypeError):
        return PermanentError(f"the arguments do not fit {operation}: {exc}")
    if isinstance(exc, XMLParseError | XMLSyntaxError | UnexpectedElementError):
        return PermanentError(
            f"{what} answered, but the answer does not fit its WSDL (the call may have been applied): {exc}"
        )
    if isinstance(exc, ZeepError):
        return PermanentError(f"{what} failed: {type(exc).__name__}: {exc}")
    return None
