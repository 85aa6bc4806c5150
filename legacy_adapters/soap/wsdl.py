"""The packaged WSDL of an inbound SOAP service: served at ``<path>?wsdl`` and read for dispatching.

The WSDL is the contract: which element in the Body means which operation, and which SOAPAction goes with
it, are read from it, so the endpoint and the document it publishes cannot disagree.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib.resources import files

from lxml import etree

from transformers.safexml import parse_xml

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"


@dataclass(frozen=True)
class WsdlOperation:
    name: str
    request: etree.QName
    """The element the operation's request carries in the SOAP Body."""
    soap_action: str


def _qname(element: etree._Element, attribute: str) -> etree.QName:
    """Resolve a ``prefix:name`` attribute value against the element's namespace declarations."""
    value = element.get(attribute) or ""
    prefix, _, local = value.rpartition(":")
    return etree.QName(element.nsmap.get(prefix or None), local)


class WsdlTemplate:
    """One WSDL file of this package, parsed once."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._root = parse_xml((files(__package__) / "wsdl" / file_name).read_bytes())

    def render(self, address: str) -> bytes:
        """The WSDL with every ``soap:address`` pointing at ``address``."""
        root = copy.deepcopy(self._root)
        for element in root.iter(f"{{{WSDL_SOAP_NS}}}address"):
            element.set("location", address)
        return etree.tostring(root, xml_declaration=True, encoding="utf-8")

    def operations(self) -> list[WsdlOperation]:
        """Each operation of the binding with its request element and SOAPAction."""
        ns = {"wsdl": WSDL_NS, "soap": WSDL_SOAP_NS}
        parts = {
            message.get("name"): _qname(part, "element")
            for message in self._root.iterfind("wsdl:message", ns)
            for part in message.iterfind("wsdl:part", ns)
        }
        inputs = {
            operation.get("name"): parts[_qname(input_, "message").localname]
            for operation in self._root.iterfind("wsdl:portType/wsdl:operation", ns)
            for input_ in operation.iterfind("wsdl:input", ns)
        }
        found = []
        for operation in self._root.iterfind("wsdl:binding/wsdl:operation", ns):
            name = operation.get("name", "")
            soap_operation = operation.find("soap:operation", ns)
            action = soap_operation.get("soapAction", "") if soap_operation is not None else ""
            found.append(WsdlOperation(name=name, request=inputs[name], soap_action=action))
        return found
