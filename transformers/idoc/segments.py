"""Segment layouts: how the 1000 characters of a segment's ``SDATA`` split into fields.

Flat IDoc files carry segment data by position, so reading and writing them needs each segment's layout.
The built-in layouts cover the segments of the IDoc types mapped to canonical messages:

========================  ==========================================================================
IDoc type (message type)  segments
========================  ==========================================================================
LOIPRO01 (LOIPRO)         E1AFKOL order header > E1AFFLL sequence > E1AFVOL operation > E1RESBL component
WMMBID02 (WMMBXY)         E1MBXYH header > E1MBXYI item
MBGMCR03 (MBGMCR)         E1MBGMCR > E1BP2017_GM_HEAD_01, E1BP2017_GM_CODE, E1BP2017_GM_ITEM_CREATE
PPCC2PRETTICKET01         E1BP_PP_TIMETICKET (PP-PDC time ticket upload)
(PPCC2PRETTICKET)
========================  ==========================================================================

Field names and lengths are those of the SAP data dictionary. The segments generated from BAPI structures
follow those structures field by field: E1BP2017_GM_HEAD_01 (BAPI2017_GM_HEAD_01), E1BP2017_GM_ITEM_CREATE
up to MOVE_REAS (BAPI2017_GM_ITEM_CREATE) and E1BP_PP_TIMETICKET up to NO_REMN_ACTI3 (BAPI_PP_TIMETICKET).
The other layouts are compact: they hold the fields the canonical maps use, one after the other. Files
written here read back here, and IDoc-XML (fields by name) does not depend on positions at all; to exchange
flat files with an SAP system whose segment definitions hold more fields, build a ``SegmentCatalog`` from
that system's definitions (transaction WE63, "parser" format, read by ``transformers.idoc.parser_layouts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from transformers.idoc.layout import SDATA_LENGTH, RecordLayout

QUANTITY = 14
"""External length of a 13.3 quantity in the classic application segments (e.g. E1AFKOL-GAMNG)."""
BAPI_QUANTITY = 15
"""External length of a 13.3 quantity in BAPI segments (sign and decimal point included)."""
STANDARD_VALUE = 11
"""External length of a 9.3 standard value (E1AFVOL-VGW01..VGW03)."""


class SegmentCatalog(Mapping[str, RecordLayout]):
    """Segment layouts by segment name."""

    def __init__(self, layouts: Iterable[RecordLayout] = ()) -> None:
        self._layouts: dict[str, RecordLayout] = {}
        for layout in layouts:
            if layout.size > SDATA_LENGTH:
                raise ValueError(f"segment {layout.name} is {layout.size} characters, SDATA holds {SDATA_LENGTH}")
            self._layouts[layout.name] = layout

    def __getitem__(self, name: str) -> RecordLayout:
        return self._layouts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._layouts)

    def __len__(self) -> int:
        return len(self._layouts)

    def with_layouts(self, layouts: Iterable[RecordLayout]) -> SegmentCatalog:
        """A catalog with ``layouts`` added, replacing layouts of the same name."""
        return SegmentCatalog([*self._layouts.values(), *layouts])


def _segment(name: str, *fields: tuple[str, int]) -> RecordLayout:
    return RecordLayout.sequential(name, fields)


def _activities(count: int) -> list[tuple[str, int]]:
    fields: list[tuple[str, int]] = []
    for n in range(1, count + 1):
        fields += [
            (f"CONF_ACTI_UNIT{n}", 3),
            (f"CONF_ACTI_UNIT{n}_ISO", 3),
            (f"CONF_ACTIVITY{n}", BAPI_QUANTITY),
            (f"NO_REMN_ACTI{n}", 1),
        ]
    return fields


PRODUCTION_ORDER = (
    _segment(
        "E1AFKOL",
        ("AUFNR", 12),
        ("AUTYP", 2),
        ("AUART", 4),
        ("WERKS", 4),
        ("MATNR", 18),
        ("KTEXT", 40),
        ("GAMNG", QUANTITY),
        ("GMEIN", 3),
        ("BMENGE", QUANTITY),
        ("BMEINS", 3),
        ("GSTRS", 8),
        ("GSUZS", 6),
        ("GLTRS", 8),
        ("GLUZS", 6),
        ("CHARG", 10),
        ("KDAUF", 10),
        ("KDPOS", 6),
        ("MATNR_LONG", 40),
    ),
    _segment("E1AFFLL", ("PLNFL", 6), ("FLGAT", 1), ("LTXA1", 40)),
    _segment(
        "E1AFVOL",
        ("VORNR", 4),
        ("LTXA1", 40),
        ("ARBPL", 8),
        ("WERKS", 4),
        ("STEUS", 4),
        ("RUECK", 10),
        ("VGE01", 3),
        ("VGW01", STANDARD_VALUE),
        ("VGE02", 3),
        ("VGW02", STANDARD_VALUE),
        ("VGE03", 3),
        ("VGW03", STANDARD_VALUE),
        ("FSAVD", 8),
        ("FSAVZ", 6),
        ("FSEDD", 8),
        ("FSEDZ", 6),
    ),
    _segment(
        "E1RESBL",
        ("POSNR", 4),
        ("MATNR", 18),
        ("WERKS", 4),
        ("LGORT", 4),
        ("BDMNG", QUANTITY),
        ("MEINS", 3),
        ("RGEKZ", 1),
        ("CHARG", 10),
        ("POTX1", 40),
        ("MATNR_LONG", 40),
    ),
)

WAREHOUSE_MOVEMENT = (
    _segment(
        "E1MBXYH",
        ("BLDAT", 8),
        ("BUDAT", 8),
        ("XBLNR", 16),
        ("BKTXT", 25),
        ("FRBNR", 16),
        ("XABLN", 10),
        ("TCODE", 20),
    ),
    _segment(
        "E1MBXYI",
        ("MATNR", 18),
        ("WERKS", 4),
        ("LGORT", 4),
        ("CHARG", 10),
        ("BWART", 3),
        ("INSMK", 1),
        ("SOBKZ", 1),
        ("LIFNR", 10),
        ("KUNNR", 10),
        ("KDAUF", 10),
        ("KDPOS", 6),
        ("ERFMG", QUANTITY),
        ("ERFME", 3),
        ("EBELN", 10),
        ("EBELP", 5),
        ("AUFNR", 12),
        ("GRUND", 4),
        ("SGTXT", 50),
        ("MATNR_LONG", 40),
    ),
)

GOODS_MOVEMENT_BAPI = (
    _segment("E1MBGMCR", ("TESTRUN", 1)),
    _segment(
        "E1BP2017_GM_HEAD_01",
        ("PSTNG_DATE", 8),
        ("DOC_DATE", 8),
        ("REF_DOC_NO", 16),
        ("BILL_OF_LADING", 16),
        ("GR_GI_SLIP_NO", 10),
        ("PR_UNAME", 12),
        ("HEADER_TXT", 25),
    ),
    _segment("E1BP2017_GM_CODE", ("GM_CODE", 2)),
    _segment(
        "E1BP2017_GM_ITEM_CREATE",
        ("MATERIAL", 18),
        ("PLANT", 4),
        ("STGE_LOC", 4),
        ("BATCH", 10),
        ("MOVE_TYPE", 3),
        ("STCK_TYPE", 1),
        ("SPEC_STOCK", 1),
        ("VENDOR", 10),
        ("CUSTOMER", 10),
        ("SALES_ORD", 10),
        ("S_ORD_ITEM", 6),
        ("SCHED_LINE", 4),
        ("VAL_TYPE", 10),
        ("ENTRY_QNT", BAPI_QUANTITY),
        ("ENTRY_UOM", 3),
        ("ENTRY_UOM_ISO", 3),
        ("PO_PR_QNT", BAPI_QUANTITY),
        ("ORDERPR_UN", 3),
        ("ORDERPR_UN_ISO", 3),
        ("PO_NUMBER", 10),
        ("PO_ITEM", 5),
        ("SHIPPING", 2),
        ("COMP_SHIP", 2),
        ("NO_MORE_GR", 1),
        ("ITEM_TEXT", 50),
        ("GR_RCPT", 12),
        ("UNLOAD_PT", 25),
        ("COSTCENTER", 10),
        ("ORDERID", 12),
        ("ORDER_ITNO", 4),
        ("CALC_MOTIVE", 2),
        ("ASSET_NO", 12),
        ("SUB_NUMBER", 4),
        ("RESERV_NO", 10),
        ("RES_ITEM", 4),
        ("RES_TYPE", 1),
        ("WITHDRAWN", 1),
        ("MOVE_MAT", 18),
        ("MOVE_PLANT", 4),
        ("MOVE_STLOC", 4),
        ("MOVE_BATCH", 10),
        ("MOVE_VAL_TYPE", 10),
        ("MVT_IND", 1),
        ("MOVE_REAS", 4),
    ),
)

TIME_TICKET = (
    _segment(
        "E1BP_PP_TIMETICKET",
        ("CONF_NO", 10),
        ("ORDERID", 12),
        ("SEQUENCE", 6),
        ("OPERATION", 4),
        ("SUB_OPER", 4),
        ("CAPA_CATEGORY", 3),
        ("SPLIT", 3),
        ("FIN_CONF", 1),
        ("CLEAR_RES", 1),
        ("POSTG_DATE", 8),
        ("DEV_REASON", 4),
        ("CONF_TEXT", 40),
        ("PLANT", 4),
        ("WORK_CNTR", 8),
        ("RECORDTYPE", 3),
        ("CONF_QUAN_UNIT", 3),
        ("CONF_QUAN_UNIT_ISO", 3),
        ("YIELD", BAPI_QUANTITY),
        ("SCRAP", BAPI_QUANTITY),
        ("REWORK", BAPI_QUANTITY),
        *_activities(3),
        ("EXEC_START_DATE", 8),
        ("EXEC_START_TIME", 6),
        ("EXEC_FIN_DATE", 8),
        ("EXEC_FIN_TIME", 6),
        ("PERS_NO", 8),
        ("EX_CREATED_BY", 12),
    ),
)

BUILTIN_SEGMENTS = SegmentCatalog((*PRODUCTION_ORDER, *WAREHOUSE_MOVEMENT, *GOODS_MOVEMENT_BAPI, *TIME_TICKET))
"""The layouts of every segment the canonical maps read and write."""
