"""A zeep client bound to one legacy SOAP endpoint: hardened XML, timeouts, credentials, loaded once.

zeep blocks, so everything here runs in a worker thread. HTTP headers for one call are set through zeep's
per-thread settings, so concurrent calls in different threads do not mix their headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.proxy import ServiceProxy
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from bus.errors import ConfigurationError, TransientError
from legacy_adapters.soap.classify import http_failure

if TYPE_CHECKING:
    from legacy_adapters.soap.outbound import SoapCallSettings

T = TypeVar("T")


def zeep_settings() -> Settings:
    """Strict parsing, no DTDs, entities or external references, libxml2's size limits kept."""
    return Settings(strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True)


class CheckedTransport(Transport):
    """zeep's transport, deciding HTTP answers that carry no SOAP Fault (503, 429, an HTML 404) itself.

    Left to zeep, any non-200 answer with a body is reported as a Fault without a code.
    """

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        response = super().post(address, message, headers)
        failure = http_failure(address, response)
        if failure is not None:
            raise failure
        return response


@dataclass(frozen=True)
class SoapEndpoint:
    client: Client
    proxy: ServiceProxy
    address: str
    operations: frozenset[str]

    def call(self, operation: str, arguments: Mapping[str, Any], http_headers: Mapping[str, str]) -> Any:
        """Call ``operation`` (blocking) with extra HTTP headers for this call only."""
        with self.client.settings(extra_http_headers=dict(http_headers)):
            return self.proxy[operation](**arguments)

    def close(self) -> None:
        self.client.transport.session.close()


def _pick(found: Mapping[str, T], wanted: str | None, what: str, wsdl: str) -> T:
    if wanted is None:
        if not found:
            raise ConfigurationError(f"WSDL {wsdl} defines no {what}")
        return next(iter(found.values()))
    try:
        return found[wanted]
    except KeyError:
        raise ConfigurationError(f"WSDL {wsdl} has no {what} {wanted!r}; it has {', '.join(found)}") from None


def _load(settings: SoapCallSettings, transport: Transport) -> Client:
    wsse = None
    if settings.wsse is not None:
        token = settings.wsse
        wsse = UsernameToken(token.username, token.password.get_secret_value(), use_digest=token.digest)
    try:
        return Client(settings.wsdl, wsse=wsse, transport=transport, settings=zeep_settings())
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if status >= 500:
            raise TransientError(f"WSDL {settings.wsdl} could not be fetched: {exc}") from exc
        raise ConfigurationError(f"WSDL {settings.wsdl} could not be fetched: {exc}") from exc
    except requests.RequestException as exc:
        raise TransientError(f"WSDL {settings.wsdl} could not be fetched: {type(exc).__name__}: {exc}") from exc
    except (OSError, ZeepError, ValueError) as exc:
        raise ConfigurationError(f"WSDL {settings.wsdl} cannot be used: {type(exc).__name__}: {exc}") from exc


def open_endpoint(settings: SoapCallSettings) -> SoapEndpoint:
    """Load the WSDL and bind its service and port (blocking).

    Raises ``TransientError`` when a WSDL URL cannot be reached now, ``ConfigurationError`` when the WSDL,
    service, port or operation named in the settings is wrong.
    """
    session = requests.Session()
    session.verify = settings.verify_tls
    if settings.basic_auth is not None:
        session.auth = (settings.basic_auth.username, settings.basic_auth.password.get_secret_value())
    timeouts = (settings.timeout.connect, settings.timeout.read)
    transport = CheckedTransport(session=session, timeout=timeouts, operation_timeout=timeouts)
    try:
        client = _load(settings, transport)
        service = _pick(client.wsdl.services, settings.service, "service", settings.wsdl)
        port = _pick(service.ports, settings.port, "port", settings.wsdl)
        address = str(settings.address) if settings.address else port.binding_options.get("address")
        if not address:
            raise ConfigurationError(f"port {port.name} of WSDL {settings.wsdl} has no address: set address")
        operations = frozenset(port.binding.all())
        if settings.operation is not None and settings.operation not in operations:
            raise ConfigurationError(
                f"port {port.name} of WSDL {settings.wsdl} has no operation {settings.operation!r}; "
                f"it has {', '.join(sorted(operations))}"
            )
    except BaseException:
        session.close()
        raise
    return SoapEndpoint(client, ServiceProxy(client, port.binding, address=address), address, operations)
