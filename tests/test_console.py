"""The operators' console in headless Chromium against the bus on the real RabbitMQ: routes, dead letters, trace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bus.journal import story
from tests.support.browser import Browser, headless_chromium
from tests.support.payloads import production_order
from tests.support.routes import write_route
from tests.support.target import wait_for
from tests.test_dlq_support import Store, parking_bus
from tests.test_flow import post

ROUTE = "orders-console"
ROW = f'tr[data-route="{ROUTE}"]'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as chromium:
        yield chromium


async def find_by_business_key(browser: Browser, deadletter_id: int, fingerprint: str) -> None:
    """Dead letters view: filter by order number, group by failure, and back."""
    await browser.click('nav a[data-view="deadletters"]')
    assert len(await browser.texts("#deadletters-table tbody tr", 2)) == 2
    await browser.fill("#filter-key", "no-such-order")
    await browser.click("#filter-apply")
    await browser.text("#deadletters-empty", "No dead letters match")
    await browser.fill("#filter-key", "C-4711")
    await browser.click("#filter-apply")
    (only,) = await browser.texts("#deadletters-table tbody tr", 1)
    assert "order number C-4711" in only and "PermanentError" in only
    assert await browser.text(f'tr[data-id="{deadletter_id}"] td.status') == "parked"
    await browser.click("#filter-group")
    assert await browser.text(f'tr[data-fingerprint="{fingerprint}"] td.count') == "1"
    await browser.click("#filter-group")


async def decide(browser: Browser, button: str, reason: str) -> None:
    """Click Replay or Discard on the open dead letter and answer the reason dialog as jane."""
    await browser.click(button)
    await browser.fill("#reason-input", reason)
    await browser.fill("#actor-input", "jane")
    await browser.click("#reason-ok")


async def test_operator_replays_a_parked_dead_letter_and_traces_it(browser, routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, ROUTE, target.url, description="Released production orders to the MES")
    target.default_script = [400, 200]  # per message: refused first, taken once the MES is fixed
    store = Store(sqlite_url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url) as runtime:
        order = production_order("C-4711")
        _, answer = await post(runtime, "production.order.released", order, {"X-Correlation-ID": "PO-C-4711"})
        _, other = await post(runtime, "production.order.released", production_order("C-4712"))
        message_id = answer["message_id"]
        await store.wait_for_count(2)
        parked, to_discard = sorted(store.rows(), key=lambda row: row.message_id != message_id)

        await browser.open(f"http://127.0.0.1:{runtime.http_port}/console")
        assert "Released production orders to the MES" in await browser.text(ROW)
        assert await browser.text(f"{ROW} td.state") == "active"
        assert await browser.text(f"{ROW} td.consuming") == "yes"
        assert await browser.text(f"{ROW} td.dead-lettered") == "2"
        assert await browser.text(f"{ROW} td.failures") == "2"
        assert await browser.text(f"{ROW} td.queue-depth") == "0"
        assert await browser.text(f"{ROW} td.consumers") == "1"

        await find_by_business_key(browser, parked.id, parked.fingerprint)
        await browser.click(f'tr[data-id="{parked.id}"] a.open')
        assert await browser.text("#deadletter-status") == "parked"
        assert '"order_number": "C-4711"' in await browser.text("#payload")
        assert ROUTE in await browser.text("#headers-table", "x-esb-route")
        assert "400" in await browser.text("#attempts-table", "PermanentError")
        before_replay = len(target.received)
        await decide(browser, "#replay", "MES master data fixed")
        assert f"queue esb.route.{ROUTE}" in await browser.text("#flash", f"Dead letter #{parked.id} replayed")
        await browser.text("#deadletter-status", "replayed")
        assert "MES master data fixed" in await browser.text("#audit-table", "api:jane")
        await wait_for(lambda: message_id in target.applied, what="the replayed delivery")

        await browser.open(f"http://127.0.0.1:{runtime.http_port}/console/#/deadletters/{to_discard.id}")
        await browser.click("#discard")
        await browser.click("#reason-ok")  # no reason: the dialog does not let it through
        assert await browser.script("return document.getElementById('reason-dialog').open") is True
        await browser.click("#reason-cancel")
        await decide(browser, "#discard", "order cancelled in the ERP")
        await browser.text("#flash", f"Dead letter #{to_discard.id} discarded")
        await browser.text("#deadletter-status", "discarded")

        await wait_for(lambda: len(story(store.engine, "PO-C-4711")) == 6, what="the journal written")
        await browser.click('nav a[data-view="trace"]')
        await browser.fill("#trace-key", "PO-C-4711")
        await browser.click("#trace-show")
        events = await browser.texts("#trace-table td.event", 6)
        assert events == ["published", "received", "dead-lettered", "replayed", "received", "delivered"]
        routes = await browser.texts("#trace-table td.route", 6)
        assert routes[1:] == [ROUTE] * 5
        assert await browser.text("#trace-summary") == "6 event(s), 1 message(s), 1 route(s)"

        await browser.click('nav a[data-view="routes"]')
        assert await browser.text(f"{ROW} td.delivered", "1") == "1"
        assert await browser.severe_logs() == []
    after_replay = target.received[before_replay:]
    assert [request.key for request in after_replay] == [message_id]  # once, with the same message id
    assert after_replay[0].json()["order_number"] == "C-4711"
    assert other["message_id"] not in target.applied
    assert {row.id: row.status for row in store.rows()} == {parked.id: "replayed", to_discard.id: "discarded"}
    assert store.audit(to_discard.id)[0].reason == "order cancelled in the ERP"
    store.close()


async def test_console_asks_for_the_api_token(browser, routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-guarded", target.url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url, api_token="console-s3cret") as runtime:
        await browser.open(f"http://127.0.0.1:{runtime.http_port}/console/")
        await browser.text("#token-dialog", "API token")  # the page itself came without a token
        await browser.fill("#token-input", "a-guess")
        await browser.click("#token-submit")
        await browser.text("#token-error", "refused this token")
        await browser.fill("#token-input", "console-s3cret")
        await browser.click("#token-submit")
        assert await browser.text('tr[data-route="orders-guarded"] td.state') == "active"
        assert await browser.script("return sessionStorage.getItem('esb-console-token')") == "console-s3cret"

        await browser.click('nav a[data-view="deadletters"]')
        await browser.text("#deadletters-empty", "No dead letters match")
        await browser.open(f"http://127.0.0.1:{runtime.http_port}/console/#/trace/PO-NONE")
        await browser.text("#trace-empty", "The journal has nothing for PO-NONE")  # no second prompt
        assert await browser.script("return document.getElementById('token-dialog').open") is False
