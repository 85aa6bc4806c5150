"""SOAP 1.1 adapters: endpoints legacy systems call (inbound) and legacy services the bus calls (outbound).

Inbound (``adapter: soap`` under a route's ``inbound``) serves a document/literal SOAP 1.1 service with its
WSDL at ``<path>?wsdl``; outbound (``adapter: soap`` as a route's target) calls an operation of a legacy
service with zeep.
"""
