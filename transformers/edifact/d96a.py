"""Segment tables of the UN/EDIFACT D.96A directory for the messages this codec maps: DESADV and ORDERS.

Transcribed from the UNTDID D.96A message specifications (section 4.3.1), group numbers included, so partner
messages are checked against the standard's structure and generated messages follow it.
"""

from __future__ import annotations

from transformers.edifact.structure import G, GroupRule, MessageStructure, S

# fmt: off
DESADV = MessageStructure.of(
    "DESADV:D:96A:UN",
    S("BGM", "M", 1),
    S("DTM", "C", 10),
    S("ALI", "C", 5),
    S("MEA", "C", 5),
    S("MOA", "C", 5),
    G(1, "C", 10, S("RFF", "M", 1), S("DTM", "C", 1)),
    G(
        2, "C", 10,
        S("NAD", "M", 1),
        S("LOC", "C", 10),
        G(3, "C", 10, S("RFF", "M", 1), S("DTM", "C", 1)),
        G(4, "C", 10, S("CTA", "M", 1), S("COM", "C", 5)),
    ),
    G(5, "C", 10, S("TOD", "M", 1), S("LOC", "C", 5), S("FTX", "C", 5)),
    G(6, "C", 10, S("TDT", "M", 1), S("PCD", "C", 6), G(7, "C", 10, S("LOC", "M", 1), S("DTM", "C", 10))),
    G(
        8, "C", 10,
        S("EQD", "M", 1),
        S("MEA", "C", 5),
        S("SEL", "C", 25),
        S("EQA", "C", 5),
        G(9, "C", 10, S("HAN", "M", 1), S("FTX", "C", 10)),
    ),
    G(
        10, "C", 9999,
        S("CPS", "M", 1),
        S("FTX", "C", 5),
        G(
            11, "C", 9999,
            S("PAC", "M", 1),
            S("MEA", "C", 10),
            S("QTY", "C", 10),
            G(12, "C", 10, S("HAN", "M", 1), S("FTX", "C", 10)),
            G(
                13, "C", 1000,
                S("PCI", "M", 1),
                S("RFF", "C", 1),
                S("DTM", "C", 5),
                S("GIR", "C", 99),
                G(14, "C", 99, S("GIN", "M", 1), S("DLM", "C", 10)),
            ),
        ),
        G(
            15, "C", 9999,
            S("LIN", "M", 1),
            S("PIA", "C", 10),
            S("IMD", "C", 25),
            S("MEA", "C", 10),
            S("QTY", "C", 10),
            S("ALI", "C", 10),
            S("GIN", "C", 100),
            S("GIR", "C", 100),
            S("DLM", "C", 100),
            S("DTM", "C", 5),
            S("FTX", "C", 5),
            S("MOA", "C", 5),
            G(16, "C", 10, S("RFF", "M", 1), S("DTM", "C", 1)),
            G(17, "C", 10, S("DGS", "M", 1), S("QTY", "C", 1), S("FTX", "C", 5)),
            G(18, "C", 100, S("LOC", "M", 1), S("NAD", "C", 1), S("DTM", "C", 1), S("QTY", "C", 10)),
            G(19, "C", 1000, S("SGP", "M", 1), S("QTY", "C", 10)),
            G(
                20, "C", 9999,
                S("PCI", "M", 1),
                S("DTM", "C", 5),
                S("MEA", "C", 10),
                S("QTY", "C", 1),
                G(21, "C", 10, S("GIN", "M", 1), S("DLM", "C", 100)),
                G(22, "C", 10, S("HAN", "M", 1), S("FTX", "C", 5), S("GIN", "C", 1000)),
            ),
            G(23, "C", 10, S("QVR", "M", 1), S("DTM", "C", 5)),
        ),
    ),
    S("CNT", "C", 5),
)

_ALLOWANCE_DETAILS = (
    S("ALC", "M", 1),
    S("ALI", "C", 5),
    S("DTM", "C", 5),
)


def _allowances(first: int, repeat: int) -> GroupRule:
    """The ALC group with its five nested groups (QTY, PCD, MOA, RTE, TAX), numbered from ``first``."""
    return G(
        first, "C", repeat,
        *_ALLOWANCE_DETAILS,
        G(first + 1, "C", 1, S("QTY", "M", 1), S("RNG", "C", 1)),
        G(first + 2, "C", 1, S("PCD", "M", 1), S("RNG", "C", 1)),
        G(first + 3, "C", 2, S("MOA", "M", 1), S("RNG", "C", 1)),
        G(first + 4, "C", 1, S("RTE", "M", 1), S("RNG", "C", 1)),
        G(first + 5, "C", 5, S("TAX", "M", 1), S("MOA", "C", 1)),
    )


ORDERS = MessageStructure.of(
    "ORDERS:D:96A:UN",
    S("BGM", "M", 1),
    S("DTM", "M", 35),
    S("PAI", "C", 1),
    S("ALI", "C", 5),
    S("IMD", "C", 1),
    S("FTX", "C", 99),
    G(1, "C", 10, S("RFF", "M", 1), S("DTM", "C", 5)),
    G(
        2, "C", 99,
        S("NAD", "M", 1),
        S("LOC", "C", 25),
        S("FII", "C", 5),
        G(3, "C", 10, S("RFF", "M", 1), S("DTM", "C", 5)),
        G(4, "C", 5, S("DOC", "M", 1), S("DTM", "C", 5)),
        G(5, "C", 5, S("CTA", "M", 1), S("COM", "C", 5)),
    ),
    G(6, "C", 5, S("TAX", "M", 1), S("MOA", "C", 1), S("LOC", "C", 5)),
    G(7, "C", 5, S("CUX", "M", 1), S("PCD", "C", 5), S("DTM", "C", 5)),
    G(8, "C", 10, S("PAT", "M", 1), S("DTM", "C", 5), S("PCD", "C", 1), S("MOA", "C", 1)),
    G(9, "C", 10, S("TDT", "M", 1), G(10, "C", 10, S("LOC", "M", 1), S("DTM", "C", 5))),
    G(11, "C", 5, S("TOD", "M", 1), S("LOC", "C", 2)),
    G(
        12, "C", 10,
        S("PAC", "M", 1),
        S("MEA", "C", 5),
        G(13, "C", 5, S("PCI", "M", 1), S("RFF", "C", 1), S("DTM", "C", 5), S("GIN", "C", 10)),
    ),
    G(14, "C", 10, S("EQD", "M", 1), S("HAN", "C", 5), S("MEA", "C", 5), S("FTX", "C", 5)),
    G(
        15, "C", 10,
        S("SCC", "M", 1),
        S("FTX", "C", 5),
        S("RFF", "C", 5),
        G(16, "C", 10, S("QTY", "M", 1), S("DTM", "C", 5)),
    ),
    G(17, "C", 25, S("APR", "M", 1), S("DTM", "C", 5), S("RNG", "C", 1)),
    _allowances(18, 15),
    G(24, "C", 100, S("RCS", "M", 1), S("RFF", "C", 5), S("DTM", "C", 5), S("FTX", "C", 5)),
    G(
        25, "C", 200000,
        S("LIN", "M", 1),
        S("PIA", "C", 25),
        S("IMD", "C", 99),
        S("MEA", "C", 5),
        S("QTY", "C", 10),
        S("PCD", "C", 5),
        S("ALI", "C", 5),
        S("DTM", "C", 35),
        S("MOA", "C", 10),
        S("GIN", "C", 1000),
        S("GIR", "C", 1000),
        S("QVR", "C", 1),
        S("DOC", "C", 5),
        S("PAI", "C", 1),
        S("FTX", "C", 99),
        G(26, "C", 999, S("CCI", "M", 1), S("CAV", "C", 10), S("MEA", "C", 10)),
        G(27, "C", 10, S("PAT", "M", 1), S("DTM", "C", 5), S("PCD", "C", 1), S("MOA", "C", 1)),
        G(28, "C", 25, S("PRI", "M", 1), S("CUX", "C", 1), S("APR", "C", 1), S("RNG", "C", 1), S("DTM", "C", 5)),
        G(29, "C", 10, S("RFF", "M", 1), S("DTM", "C", 5)),
        G(
            30, "C", 10,
            S("PAC", "M", 1),
            S("MEA", "C", 5),
            S("QTY", "C", 5),
            S("DTM", "C", 5),
            G(31, "C", 1, S("RFF", "M", 1), S("DTM", "C", 5)),
            G(32, "C", 5, S("PCI", "M", 1), S("RFF", "C", 1), S("DTM", "C", 5), S("GIN", "C", 10)),
        ),
        G(33, "C", 9999, S("LOC", "M", 1), S("QTY", "C", 1), S("DTM", "C", 5)),
        G(34, "C", 10, S("TAX", "M", 1), S("MOA", "C", 1), S("LOC", "C", 5)),
        G(
            35, "C", 99,
            S("NAD", "M", 1),
            S("LOC", "C", 5),
            G(36, "C", 5, S("RFF", "M", 1), S("DTM", "C", 5)),
            G(37, "C", 5, S("DOC", "M", 1), S("DTM", "C", 5)),
            G(38, "C", 5, S("CTA", "M", 1), S("COM", "C", 5)),
        ),
        _allowances(39, 99),
        G(45, "C", 10, S("TDT", "M", 1), G(46, "C", 10, S("LOC", "M", 1), S("DTM", "C", 5))),
        G(47, "C", 5, S("TOD", "M", 1), S("LOC", "C", 2)),
        G(48, "C", 10, S("EQD", "M", 1), S("HAN", "C", 5), S("MEA", "C", 5), S("FTX", "C", 5)),
        G(
            49, "C", 100,
            S("SCC", "M", 1),
            S("FTX", "C", 5),
            S("RFF", "C", 5),
            G(50, "C", 10, S("QTY", "M", 1), S("DTM", "C", 5)),
        ),
        G(51, "C", 100, S("RCS", "M", 1), S("RFF", "C", 5), S("DTM", "C", 5), S("FTX", "C", 5)),
        G(52, "C", 10, S("STG", "M", 1), G(53, "C", 3, S("QTY", "M", 1), S("MOA", "C", 1))),
    ),
    S("UNS", "M", 1),
    S("MOA", "C", 12),
    S("CNT", "C", 10),
    G(54, "C", 10, S("ALC", "M", 1), S("ALI", "C", 1), S("MOA", "M", 2)),
)
# fmt: on
