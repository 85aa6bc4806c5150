"""The inbound SOAP services a route can serve, by the name its settings use."""

from __future__ import annotations

from legacy_adapters.soap.services.base import Accepted, Handler, SoapService
from legacy_adapters.soap.services.idoc_receipt import IDOC_RECEIPT
from legacy_adapters.soap.services.production_confirmation import PRODUCTION_CONFIRMATION

SERVICES: dict[str, SoapService] = {service.name: service for service in (IDOC_RECEIPT, PRODUCTION_CONFIRMATION)}

__all__ = ["SERVICES", "Accepted", "Handler", "SoapService"]
