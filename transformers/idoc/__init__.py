"""SAP IDocs: flat files and IDoc-XML, read into a generic IDoc tree and mapped to canonical messages.

* ``read_flat`` / ``write_flat`` and ``read_xml`` / ``write_xml``: any IDoc type <-> ``Idoc`` (control record and
  segment tree), streamed one IDoc at a time;
* ``to_canonical`` / ``from_canonical``: ``Idoc`` <-> canonical message for LOIPRO01 (production order),
  WMMBXY and MBGMCR (goods movement) and PP-PDC time tickets (operation confirmation);
* decoders and transformers ``idoc.flat`` and ``idoc.xml``, registered when this package is imported
  (``transformers.idoc.codec``).
"""

from transformers.idoc.codec import decode_idocs, envelope_idoc, idoc_transformer
from transformers.idoc.convert import Partners, docnum_for, from_canonical, to_canonical
from transformers.idoc.flat import flat_bytes, read_flat, write_flat
from transformers.idoc.idocxml import read_xml, write_xml, xml_bytes
from transformers.idoc.layout import CONTROL_RECORD, DATA_RECORD_LENGTH, FieldSpec, RecordLayout
from transformers.idoc.model import ControlRecord, Idoc, Segment
from transformers.idoc.parser_layouts import parser_layouts
from transformers.idoc.segments import BUILTIN_SEGMENTS, SegmentCatalog

__all__ = [
    "BUILTIN_SEGMENTS",
    "CONTROL_RECORD",
    "DATA_RECORD_LENGTH",
    "ControlRecord",
    "FieldSpec",
    "Idoc",
    "Partners",
    "RecordLayout",
    "Segment",
    "SegmentCatalog",
    "decode_idocs",
    "docnum_for",
    "envelope_idoc",
    "flat_bytes",
    "from_canonical",
    "idoc_transformer",
    "parser_layouts",
    "read_flat",
    "read_xml",
    "to_canonical",
    "write_flat",
    "write_xml",
    "xml_bytes",
]
