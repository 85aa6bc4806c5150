"""The shipped route catalogue, run as delivered: only addresses come from the environment.

Legacy peers are real: an OpenSSH sshd for the ERP's and the suppliers' SFTP drops, a zeep client as the MES
and the SAP SOAP sender, a local HTTP server as the MES and WMS APIs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sshd import SshServer, running_sshd
from tests.support.target import wait_for
from tests.test_soap_idoc_receipt import packet, send_idoc
from tests.test_soap_inbound import CONFIRMATION, call, client_for
from transformers.idoc import read_flat

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def folders(sshd: SshServer, tmp_path: Path) -> dict[str, Path]:
    base = sshd.root / tmp_path.name
    named = {
        "erp_orders": base / "erp" / "outbound" / "loipro",
        "erp_confirmations": base / "erp" / "inbound" / "conf",
        "edi_inbound": base / "edi" / "inbound",
        "edi_outbound": base / "edi" / "outbound",
    }
    for folder in named.values():
        folder.mkdir(parents=True)
    return named


@pytest.fixture
def shipped_routes(routes_dir: Path, monkeypatch, sshd, folders, target) -> Path:  # type: ignore[no-untyped-def]
    shutil.copytree(ROOT / "routes", routes_dir, dirs_exist_ok=True)
    for system in ("ERP", "EDI"):
        monkeypatch.setenv(f"{system}_SFTP_HOST", sshd.host)
        monkeypatch.setenv(f"{system}_SFTP_PORT", str(sshd.port))
        monkeypatch.setenv(f"{system}_SFTP_USER", sshd.username)
        monkeypatch.setenv(f"{system}_SFTP_KEY", str(sshd.private_key_file))
        monkeypatch.setenv(f"{system}_POLL_INTERVAL", "200ms")
    monkeypatch.setenv("ESB_KNOWN_HOSTS", str(sshd.known_hosts_file))
    monkeypatch.setenv("ERP_ORDERS_DIR", str(folders["erp_orders"]))
    monkeypatch.setenv("ERP_CONFIRMATIONS_DIR", str(folders["erp_confirmations"]))
    monkeypatch.setenv("EDI_ASN_DIR", str(folders["edi_inbound"]))
    monkeypatch.setenv("EDI_ACK_DIR", str(folders["edi_outbound"]))
    for variable, path in [
        ("ESB_MES_ORDERS_URL", "/mes/orders"),
        ("ESB_WMS_HOLDS_URL", "/wms/stock-blocks"),
        ("ESB_WMS_ASN_URL", "/wms/inbound-deliveries"),
    ]:
        monkeypatch.setenv(variable, f"http://{target.host}:{target.port}{path}")
    return routes_dir


def arrived(target, path: str) -> list:  # type: ignore[no-untyped-def]
    return [r for r in target.received if r.path == path]


async def test_erp_order_idocs_over_sftp_reach_the_mes(bus, shipped_routes, folders, target, sqlite_url):
    drop = folders["erp_orders"]
    (drop / "LOIPRO_20261124.idoc").write_bytes((DATA / "idoc" / "loipro01.txt").read_bytes())
    async with bus(sqlite_url):
        await wait_for(lambda: len(arrived(target, "/mes/orders")) >= 2, timeout=30, what="two work orders")
        await wait_for(lambda: (drop / "archive" / "LOIPRO_20261124.idoc").exists(), what="the IDoc file archived")
    orders = {r.json()["workOrder"]: r.json() for r in arrived(target, "/mes/orders")}
    assert len(orders) == 2
    first = orders[min(orders)]
    assert first["site"] == "1000" and first["steps"] and first["trace"]["messageId"]


async def test_erp_order_idoc_over_soap_reaches_the_mes(bus, shipped_routes, target, sqlite_url):
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime, "/soap/erp/idoc")
        answer = await send_idoc(client, packet())
        await wait_for(lambda: len(arrived(target, "/mes/orders")) >= 2, timeout=30, what="two work orders")
    assert len(answer.Message) == 2
    assert {r.key for r in arrived(target, "/mes/orders")} == {m.MessageId for m in answer.Message}


async def test_mes_confirmation_over_soap_becomes_an_erp_idoc_file(bus, shipped_routes, folders, sqlite_url):
    outbox = folders["erp_confirmations"]
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime, "/soap/mes/confirmations")
        answer = await call(client.service.ConfirmOperation, **CONFIRMATION)
        await wait_for(lambda: any(outbox.iterdir()), timeout=30, what="the IDoc file in the ERP's inbound folder")
    [written] = list(outbox.iterdir())
    assert not written.name.endswith(".tmp")
    [idoc] = list(read_flat(written.open("rb")))
    assert idoc.control.MESTYP == "PPCC2PRETTICKET"
    [ticket] = list(idoc.iter("E1BP_PP_TIMETICKET"))
    assert ticket.get("ORDERID").lstrip("0") == CONFIRMATION["OrderNumber"].lstrip("0")
    assert ticket.get("OPERATION") == CONFIRMATION["Operation"]
    assert ticket.get("CONF_TEXT") == CONFIRMATION["ScrapReason"]  # free text, not a 4-character reason code
    assert answer.MessageId


def x12_asn(control_number: str = "000004711", *, sender: str = "ACMESUPPLY") -> bytes:
    """The sample 856 with another interchange control number (ISA13 = IEA02) or sender."""
    text = (DATA / "x12" / "asn_856.x12").read_text()
    text = text.replace("000004711", control_number).replace("ACMESUPPLY     ", f"{sender:<15}")
    return text.encode()


def replies(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


async def test_x12_asn_over_sftp_reaches_the_wms_and_is_acknowledged(bus, shipped_routes, folders, target, sqlite_url):
    inbound, outbound = folders["edi_inbound"], folders["edi_outbound"]
    (inbound / "ASN_4711.x12").write_bytes(x12_asn())
    async with bus(sqlite_url):
        await wait_for(lambda: arrived(target, "/wms/inbound-deliveries"), timeout=30, what="the ASN at the WMS")
        await wait_for(lambda: (inbound / "archive" / "ASN_4711.x12").exists(), what="the file archived")
    [asn] = arrived(target, "/wms/inbound-deliveries")
    assert asn.json()["asn_number"] == "ASN-2024-0042"
    [ack] = replies(outbound)
    text = ack.read_text()
    segments = [segment.split("*") for segment in text.strip().split("~") if segment.strip()]
    by_tag = {segment[0].strip(): segment for segment in segments}
    assert by_tag["ISA"][6].strip() == "PLANT1000" and by_tag["ISA"][8].strip() == "ACMESUPPLY"  # ids swapped
    assert by_tag["GS"][1] == "FA" and by_tag["GS"][2:4] == ["PLANT1000", "ACMESUPPLY"]  # GS ids swapped
    assert by_tag["GS"][8] == "004010"  # the inbound GS08 version echoed
    assert by_tag["AK1"][1:3] == ["SH", "4711"]
    assert by_tag["AK9"][1] == "A"


async def test_repeated_interchange_control_number_is_rejected_as_a_duplicate(
    bus, shipped_routes, folders, target, sqlite_url
):
    inbound, outbound = folders["edi_inbound"], folders["edi_outbound"]
    (inbound / "first.x12").write_bytes(x12_asn("000000901"))
    async with bus(sqlite_url):
        await wait_for(lambda: (inbound / "archive" / "first.x12").exists(), timeout=30, what="the first archived")
        second = x12_asn("000000901").replace(b"ASN-2024-0042", b"ASN-2024-0043")  # new content, same ISA13
        (inbound / "second.x12").write_bytes(second)
        await wait_for(lambda: (inbound / "error" / "second.x12.reason.txt").exists(), timeout=30, what="refusal")
    assert [r.json()["asn_number"] for r in arrived(target, "/wms/inbound-deliveries")] == ["ASN-2024-0042"]
    assert "duplicate" in (inbound / "error" / "second.x12.reason.txt").read_text().lower()
    ta1 = [p.read_text() for p in replies(outbound) if "TA1*000000901" in p.read_text()]
    assert len(ta1) == 1 and "TA1*000000901*" in ta1[0] and "*R*025~" in ta1[0]


async def test_broken_x12_gets_a_negative_ack_and_goes_to_error(bus, shipped_routes, folders, target, sqlite_url):
    inbound, outbound = folders["edi_inbound"], folders["edi_outbound"]
    (inbound / "wrong-iea.x12").write_bytes(x12_asn("000000902").replace(b"IEA*1*000000902", b"IEA*1*000000999"))
    (inbound / "stranger.x12").write_bytes(x12_asn("000000903", sender="STRANGER"))
    async with bus(sqlite_url):
        await wait_for(lambda: len(list((inbound / "error").glob("*.reason.txt"))) == 2, timeout=30, what="refusals")
    assert not arrived(target, "/wms/inbound-deliveries")
    wrong = (inbound / "error" / "wrong-iea.x12.reason.txt").read_text()
    assert "IEA02" in wrong and "000000999" in wrong
    stranger = (inbound / "error" / "stranger.x12.reason.txt").read_text()
    assert "not a configured x12 partner" in stranger
    [ack] = replies(outbound)  # the stranger gets no answer; the known partner a TA1 rejection
    assert "TA1*000000902*" in ack.read_text() and "*R*001~" in ack.read_text()


async def test_edifact_desadv_over_sftp_reaches_the_wms_with_a_contrl(bus, shipped_routes, folders, target, sqlite_url):
    inbound, outbound = folders["edi_inbound"], folders["edi_outbound"]
    (inbound / "DESADV.edi").write_bytes((DATA / "edifact" / "desadv_two_messages.edi").read_bytes())
    async with bus(sqlite_url):
        await wait_for(lambda: len(arrived(target, "/wms/inbound-deliveries")) >= 2, timeout=30, what="two ASNs")
        await wait_for(lambda: (inbound / "archive" / "DESADV.edi").exists(), what="the file archived")
    [ack] = replies(outbound)
    text = ack.read_text()
    assert "UNH+1+CONTRL:D:3:UN" in text or "CONTRL:" in text
    uci = next(segment for segment in text.split("'") if segment.strip().startswith("UCI"))
    assert uci.strip().startswith("UCI+SUP00000471+4012345000009:14+4098765000002:14+7")


@pytest.mark.parametrize(
    ("name", "damage", "reason"),
    [
        ("short-isa.x12", lambda data: data.replace(b"*240301*", b"*2403*", 1), "ISA"),
        ("truncated.x12", lambda data: data[: data.rindex(b"SE*")] + b"SE*38", "truncated"),
        ("wrong-se.x12", lambda data: data.replace(b"SE*38*0001", b"SE*12*0001"), "SE01"),
    ],
)
async def test_damaged_x12_is_refused_with_a_negative_acknowledgement(
    bus, shipped_routes, folders, target, sqlite_url, name, damage, reason
):
    inbound, outbound = folders["edi_inbound"], folders["edi_outbound"]
    (inbound / name).write_bytes(damage(x12_asn("000000904")))
    async with bus(sqlite_url):
        await wait_for(lambda: (inbound / "error" / f"{name}.reason.txt").exists(), timeout=30, what="refusal")
        await wait_for(lambda: any(outbound.iterdir()), what="the negative acknowledgement")
    assert not arrived(target, "/wms/inbound-deliveries")
    assert reason.lower() in (inbound / "error" / f"{name}.reason.txt").read_text().lower()
    [ack] = replies(outbound)
    text = ack.read_text()
    rejected = ("TA1*000000904*" in text and "*R*" in text) or "AK9*R" in text or "AK5*R" in text
    assert rejected, text
