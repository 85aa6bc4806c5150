"""Protocol adapters behind one small contract, registered by name so a route names its target."""

from legacy_adapters.base import AdapterContext, OutboundAdapter
from legacy_adapters.registry import adapter_class, adapter_names

__all__ = ["AdapterContext", "OutboundAdapter", "adapter_class", "adapter_names"]
