"""Pure transformers and codecs: no I/O, only data in and data out.

A route names its transformer (``transform: mes.production_order.v1``); the transformer maps the envelope
to the ``Document`` the route's outbound adapter delivers.
"""

from transformers.registry import Document, TransformerFn, get_transformer, transformer, transformer_names

__all__ = ["Document", "TransformerFn", "get_transformer", "transformer", "transformer_names"]
