"""The esb command against the real broker: topology apply, send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bus.topology import UNROUTED_QUEUE
from tests.support.broker import queue_depth, take_messages
from tests.support.routes import write_route

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ROOT / "tests" / "data" / "payloads"


def esb(amqp_url: str, routes_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESB_AMQP_URL": amqp_url, "ESB_ROUTES_DIR": str(routes_dir)}
    return subprocess.run([sys.executable, "-m", "bus.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT)


async def test_topology_apply_is_idempotent_and_send_reaches_the_route_queue(amqp_url, routes_dir):
    write_route(routes_dir, "orders-cli", "http://127.0.0.1:9/unused")
    for _ in range(2):
        applied = esb(amqp_url, routes_dir, "topology", "apply")
        assert applied.returncode == 0, applied.stderr
        assert "topology applied for 1 route(s)" in applied.stdout
    sent = esb(
        amqp_url, routes_dir, "send", "production.order.released", str(PAYLOADS / "production.order.released.json")
    )
    assert sent.returncode == 0, sent.stderr
    answer = json.loads(sent.stdout)
    assert answer["outcome"] == "confirmed"
    (message,) = await take_messages(amqp_url, "esb.route.orders-cli", 1)
    assert message.message_id == answer["message_id"]
    assert message.headers["x-esb-source-system"] == "cli"
    assert message.routing_key == "production.order.released.1000"


async def test_send_of_a_type_no_route_wants_is_parked(amqp_url, routes_dir):
    write_route(routes_dir, "orders-cli2", "http://127.0.0.1:9/unused")
    assert esb(amqp_url, routes_dir, "topology", "apply").returncode == 0
    sent = esb(amqp_url, routes_dir, "send", "quality.hold.placed", str(PAYLOADS / "quality.hold.placed.json"))
    assert sent.returncode == 0, sent.stderr
    assert await queue_depth(amqp_url, UNROUTED_QUEUE) == 1


def test_send_refuses_an_invalid_payload_file(amqp_url, routes_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"plant": "1000"}')
    sent = esb(amqp_url, routes_dir, "send", "production.order.released", str(bad))
    assert sent.returncode == 2
    assert "is not a valid production.order.released payload" in sent.stderr
    assert "order_number" in sent.stderr


def test_topology_apply_refuses_to_change_a_queue_type(amqp_url, routes_dir):
    write_route(routes_dir, "orders-type", "http://127.0.0.1:9/unused")
    assert esb(amqp_url, routes_dir, "topology", "apply").returncode == 0
    write_route(routes_dir, "orders-type", "http://127.0.0.1:9/unused", queue_type="classic")
    changed = esb(amqp_url, routes_dir, "topology", "apply")
    assert changed.returncode == 1
    assert "queue esb.route.orders-type already exists with other arguments" in changed.stderr


def test_a_wrong_setting_is_named_with_the_reason_not_a_traceback(routes_dir):
    env = {**os.environ, "ESB_ROUTES_DIR": str(routes_dir), "ESB_JOURNAL_RETENTION": "two weeks", "ESB_PREFETCH": "0"}
    ran = subprocess.run(
        [sys.executable, "-m", "bus.cli", "routes", "list"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert ran.returncode == 2
    assert "Traceback" not in ran.stderr
    assert "esb: invalid settings: ESB_PREFETCH='0': Input should be greater than or equal to 1" in ran.stderr
    assert "ESB_JOURNAL_RETENTION='two weeks': Value error, not a duration: 'two weeks'" in ran.stderr
