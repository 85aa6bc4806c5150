"""SFTP outbound against a real OpenSSH sshd: atomic writes, host key pinning, safe names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope, Source
from bus.errors import PermanentError, TransientError
from legacy_adapters.base import AdapterContext
from legacy_adapters.sftp.names import UnsafeFileName, join, safe_name
from legacy_adapters.sftp.writer import SftpWriterAdapter, SftpWriterSettings
from tests.support.payloads import production_order
from tests.support.sshd import SshServer, running_sshd
from transformers import Document


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def envelope() -> Envelope:
    order = ProductionOrderReleased.model_validate(production_order())
    return Envelope.wrap(order, Source(system="MES", interface="test"))


def writer(sshd: SshServer, outbox: Path, **settings: object) -> SftpWriterAdapter:
    outbox.mkdir(exist_ok=True)
    config = SftpWriterSettings.model_validate(
        {"server": sshd.settings(**settings.pop("server", {})), "directory": str(outbox), **settings}
    )
    return SftpWriterAdapter(config, AdapterContext(route="test"))


async def test_file_is_written_whole_under_its_final_name(sshd):
    outbox = sshd.root / "outbox"
    body = b"EDI_DC40" + b"x" * 200_000
    await writer(sshd, outbox).deliver(envelope(), Document(body=body, name="CONF_0001.txt"))
    assert (outbox / "CONF_0001.txt").read_bytes() == body
    assert sorted(p.name for p in outbox.iterdir()) == ["CONF_0001.txt"]  # no .tmp left behind


async def test_redelivery_of_the_same_file_is_harmless_but_other_content_is_refused(sshd):
    outbox = sshd.root / "outbox2"
    adapter = writer(sshd, outbox)
    await adapter.deliver(envelope(), Document(body=b"one", name="a.txt"))
    await adapter.deliver(envelope(), Document(body=b"one", name="a.txt"))
    with pytest.raises(PermanentError, match="already exists with other content"):
        await adapter.deliver(envelope(), Document(body=b"two", name="a.txt"))
    assert (outbox / "a.txt").read_bytes() == b"one"


async def test_unknown_host_key_is_refused(sshd, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    adapter = writer(sshd, sshd.root / "outbox3", server={"known_hosts_file": str(empty)})
    with pytest.raises(PermanentError, match="not in"):
        await adapter.deliver(envelope(), Document(body=b"x", name="b.txt"))
    assert not (sshd.root / "outbox3" / "b.txt").exists()


async def test_unreachable_server_is_transient(sshd, tmp_path):
    adapter = writer(sshd, sshd.root / "outbox4", server={"port": 1, "timeout": "2s"})
    with pytest.raises(TransientError, match="cannot reach"):
        await adapter.deliver(envelope(), Document(body=b"x", name="c.txt"))


async def test_names_from_messages_cannot_escape_the_folder(sshd):
    adapter = writer(sshd, sshd.root / "outbox5")
    for name in ("../evil.txt", "/etc/passwd", "a/b.txt", "..", "x\x00y", ".hidden"):
        with pytest.raises(UnsafeFileName):
            await adapter.deliver(envelope(), Document(body=b"x", name=name))
    assert not (sshd.root / "evil.txt").exists()
    assert list((sshd.root / "outbox5").iterdir()) == []


def test_safe_name_helpers():
    assert safe_name("ORDERS_20261124.edi") == "ORDERS_20261124.edi"
    assert join("/drop/in", "a.edi") == "/drop/in/a.edi"
    with pytest.raises(UnsafeFileName):
        join("/drop/in", "../../etc/shadow")
