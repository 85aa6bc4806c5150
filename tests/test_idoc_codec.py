"""The registered decoders and outbound transformers ``idoc.flat`` and ``idoc.xml``."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bus.canonical import GoodsMovementPosted, OperationConfirmed, ProductionOrderReleased, QualityHoldPlaced
from bus.envelope import Envelope, Source
from bus.errors import TransformFailed
from transformers.decoding import DecodeFailed, get_decoder, message_id_for
from transformers.idoc import Partners, docnum_for, idoc_transformer, read_flat, read_xml
from transformers.registry import get_transformer

DATA = Path(__file__).parent / "data" / "idoc"
PAYLOADS = Path(__file__).parent / "data" / "payloads"
SOURCE = Source(system="MES", interface="MES-ERP-007")
MESSAGE_ID = uuid.UUID("9a1f4c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
OCCURRED = datetime(2026, 12, 1, 10, 30, 5, tzinfo=UTC)


def order_envelope(message_id: uuid.UUID = MESSAGE_ID) -> Envelope:
    order = ProductionOrderReleased.model_validate(
        json.loads((PAYLOADS / "production.order.released.json").read_text())
    )
    return Envelope.wrap(order, SOURCE, message_id=message_id, occurred_at=OCCURRED)


def test_decoders_and_transformers_are_registered() -> None:
    for name in ("idoc.flat", "idoc.xml"):
        assert callable(get_decoder(name))
        assert callable(get_transformer(name))


@pytest.mark.parametrize(("sample", "decoder"), [("loipro01.txt", "idoc.flat"), ("loipro01.xml", "idoc.xml")])
def test_decoders_yield_one_message_per_idoc(sample: str, decoder: str) -> None:
    decoded = list(get_decoder(decoder)((DATA / sample).open("rb")))

    assert [d.reference for d in decoded] == ["IDoc 0000000000481516", "IDoc 0000000000481517"]
    assert [d.correlation_id for d in decoded] == ["1000123", "1000124"]
    assert all(isinstance(d.payload, ProductionOrderReleased) for d in decoded)


def test_a_document_read_twice_gives_the_same_message_ids() -> None:
    data = (DATA / "pptimeticket.xml").read_bytes()

    def ids() -> list[uuid.UUID]:
        return [message_id_for("digest", d.reference) for d in get_decoder("idoc.xml")(io.BytesIO(data))]

    first = ids()
    assert first == ids() and len(set(first)) == 2


def test_an_idoc_number_twice_in_one_file_is_refused() -> None:
    lines = (DATA / "wmmbxy.txt").read_text().splitlines()
    twice = "\n".join(lines + lines)

    with pytest.raises(DecodeFailed, match="holds this IDoc number twice") as failure:
        list(get_decoder("idoc.flat")(io.BytesIO(twice.encode())))
    assert failure.value.location == "line 5, IDoc 0000000000770001"


@pytest.mark.parametrize(("sample", "decoder"), [("matmas05.txt", "idoc.flat"), ("matmas05.xml", "idoc.xml")])
def test_an_unmapped_idoc_type_fails_the_decoder(sample: str, decoder: str) -> None:
    with pytest.raises(DecodeFailed, match=r"IDoc type MATMAS05 .* is not mapped to a canonical message"):
        list(get_decoder(decoder)((DATA / sample).open("rb")))


def test_the_flat_transformer_writes_one_idoc_named_after_message_type_and_number() -> None:
    envelope = order_envelope()

    document = get_transformer("idoc.flat")(envelope)
    docnum = docnum_for(MESSAGE_ID)
    assert len(docnum) == 16 and docnum.isdigit()
    assert document.name == f"LOIPRO_{docnum}.txt"
    assert document.media_type == "text/plain"
    assert document.fields == {"docnum": docnum, "idoc_type": "LOIPRO01", "message_type": "LOIPRO"}
    (idoc,) = read_flat(io.BytesIO(document.body))
    assert idoc.docnum == docnum


def test_the_xml_transformer_writes_idoc_xml() -> None:
    document = get_transformer("idoc.xml")(order_envelope())

    assert document.name == f"LOIPRO_{docnum_for(MESSAGE_ID)}.xml"
    assert document.media_type == "application/xml"
    assert document.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<LOIPRO01><IDOC BEGIN=\"1\">")
    (idoc,) = read_xml(io.BytesIO(document.body))
    assert idoc.first("E1AFKOL").get("AUFNR") == "000100012345"


@pytest.mark.parametrize("name", ["idoc.flat", "idoc.xml"])
def test_a_redelivered_message_writes_the_same_idoc(name: str) -> None:
    transform = get_transformer(name)

    assert transform(order_envelope()).body == transform(order_envelope()).body
    other = transform(order_envelope(uuid.UUID("11111111-2222-4333-8444-555555555555")))
    assert other.name != transform(order_envelope()).name


def test_the_control_record_names_sender_receiver_time_and_message() -> None:
    (idoc,) = read_flat(io.BytesIO(get_transformer("idoc.flat")(order_envelope()).body))

    control = idoc.control
    assert (control.TABNAM, control.DIRECT, control.IDOCTYP, control.MESTYP) == ("EDI_DC40", "2", "LOIPRO01", "LOIPRO")
    assert (control.SNDPOR, control.SNDPRT, control.SNDPRN) == ("ESB", "LS", "ESB")
    assert (control.RCVPOR, control.RCVPRT, control.RCVPRN) == ("SAP", "LS", "SAP")
    assert (control.CREDAT, control.CRETIM) == ("20261201", "103005")
    assert control.ARCKEY == str(MESSAGE_ID)


def test_each_mapped_message_type_has_its_idoc_type() -> None:
    confirmation = OperationConfirmed(
        plant="1000",
        order_number="100012345",
        operation="0010",
        work_center="LATHE-01",
        yield_quantity=10,
        unit="EA",
        confirmed_at=OCCURRED,
    )
    movement = GoodsMovementPosted(
        plant="1000",
        document_number="D-1",
        document_year=2026,
        movement_type="261",
        posting_date=OCCURRED.date(),
        items=[{"line": 1, "material": "M-1", "quantity": 1, "unit": "EA"}],
    )
    transform = get_transformer("idoc.flat")

    for payload, mestyp, idoctyp in (
        (confirmation, "PPCC2PRETTICKET", "PPCC2PRETTICKET01"),
        (movement, "WMMBXY", "WMMBID02"),
    ):
        document = transform(Envelope.wrap(payload, SOURCE, message_id=MESSAGE_ID, occurred_at=OCCURRED))
        assert document.fields["idoc_type"] == idoctyp
        assert document.name == f"{mestyp}_{docnum_for(MESSAGE_ID)}.txt"
        (decoded,) = get_decoder("idoc.flat")(io.BytesIO(document.body))
        assert decoded.payload == payload


def test_a_message_type_without_idoc_map_fails_the_transformer() -> None:
    hold = QualityHoldPlaced(
        plant="1000",
        hold_id="H1",
        material="M",
        lot="L",
        quantity=1,
        unit="EA",
        reason_code="R",
        placed_by="QA",
        placed_at=OCCURRED,
    )

    with pytest.raises(TransformFailed, match=r"IDoc maps exist for inventory\.goods_movement\.posted"):
        get_transformer("idoc.xml")(Envelope.wrap(hold, SOURCE))


def test_a_transformer_with_own_partners_zone_and_idoc_type() -> None:
    movement = GoodsMovementPosted(
        plant="1000",
        document_number="D-1",
        document_year=2026,
        movement_type="101",
        posting_date=OCCURRED.date(),
        items=[{"line": 1, "material": "M-1", "quantity": 1, "unit": "EA", "order_number": "100012345"}],
    )
    partners = Partners(sender_partner="ESBPRD", receiver_port="SAPP01", receiver_partner="P01CLNT100")
    transform = idoc_transformer("xml", partners=partners, timezone=ZoneInfo("Europe/Berlin"), idoc_type="MBGMCR03")

    document = transform(Envelope.wrap(movement, SOURCE, message_id=MESSAGE_ID, occurred_at=OCCURRED))
    (idoc,) = read_xml(io.BytesIO(document.body))
    assert (idoc.control.SNDPRN, idoc.control.RCVPOR, idoc.control.RCVPRN) == ("ESBPRD", "SAPP01", "P01CLNT100")
    assert (idoc.control.IDOCTYP, idoc.control.CRETIM) == ("MBGMCR03", "113005")
    assert idoc.first("E1BP2017_GM_CODE").get("GM_CODE") == "02"
    assert document.name == f"MBGMCR_{docnum_for(MESSAGE_ID)}.xml"
