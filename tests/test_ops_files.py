"""The operations files: alert rules and dashboard queries name real metrics, broker users fit the topology."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bus.routespec import RouteSpec
from bus.topology import (
    DEAD_EXCHANGE,
    DEAD_QUEUE,
    DEFAULT_RETRY_TIERS,
    EVENTS_EXCHANGE,
    UNROUTED_EXCHANGE,
    UNROUTED_QUEUE,
    retry_exchange,
)
from tests.support.routes import write_route
from tests.test_metrics import scrape

OPS = Path(__file__).resolve().parent.parent / "ops"
RABBITMQ_METRICS = frozenset(
    {
        "rabbitmq_queue_messages",
        "rabbitmq_queue_messages_ready",
        "rabbitmq_queue_messages_unacked",
        "rabbitmq_queue_consumers",
        "rabbitmq_alarms_memory_used_watermark",
        "rabbitmq_alarms_free_disk_space_watermark",
    }
)
"""Names from RabbitMQ's prometheus plugin (``/metrics/per-object``) the files may use."""
PROMETHEUS_SYNTHETIC = frozenset({"up"})
PROMQL_WORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf"}
)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, keywords, labels or durations)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)  # label lists
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][\w:]*)\s*(\()?", text):
        name, call = match.groups()
        if not call and name.lower() not in PROMQL_WORDS and not name.startswith("$"):
            names.add(name)
    return names


def alert_rules() -> list[dict]:
    rules = yaml.safe_load((OPS / "prometheus" / "alerts.yml").read_text())
    return [rule for group in rules["groups"] for rule in group["rules"]]


def dashboard_exprs() -> Iterator[str]:
    dashboard = json.loads((OPS / "grafana" / "esb-dashboard.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield target["expr"].replace("$__rate_interval", "5m").replace("$route", ".*")


def test_metric_name_extraction():
    expr = 'sum by (route, le) (rate(esb_x_bucket{queue=~"a\\\\.b"}[5m])) > 0 unless on (route) up{job="esb"} == 0'
    assert metric_names(expr) == {"esb_x_bucket", "up"}


@pytest.fixture
async def bus_metric_names(bus, routes_dir, target, sqlite_url) -> set[str]:
    """Every metric name a running bus exposes, from a real scrape of ``/metrics``."""
    write_route(routes_dir, "ops-files", target.url)
    async with bus(sqlite_url) as runtime:
        return (await scrape(runtime.http_port)).names()


async def test_alerts_and_dashboard_use_existing_metrics(bus_metric_names):
    known = bus_metric_names | RABBITMQ_METRICS | PROMETHEUS_SYNTHETIC
    exprs = [rule["expr"] for rule in alert_rules()] + list(dashboard_exprs())
    assert len(exprs) > 20
    unknown = {name: expr for expr in exprs for name in metric_names(expr) if name not in known}
    assert not unknown, unknown
    used = {name for expr in exprs for name in metric_names(expr)}
    bus_families = {name for name in bus_metric_names if name.startswith("esb_")}
    for family in ("esb_messages_delivered_total", "esb_delivery_failures_total", "esb_dead_letters_parked_total"):
        assert family in bus_families and family in used


def test_alert_rules_are_complete_and_link_the_runbook():
    runbook = (OPS / "runbook.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in runbook.splitlines()
        if line.startswith("## ")
    }
    jobs = {
        job["job_name"] for job in yaml.safe_load((OPS / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    }
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names))
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        anchor = rule["annotations"]["runbook_url"].split("#", 1)[1]
        assert anchor in anchors, (rule["alert"], anchor)
        assert set(re.findall(r'job="([^"]+)"', rule["expr"])) <= jobs, rule["alert"]


def test_prometheus_scrapes_the_bus_and_rabbitmq_per_queue():
    config = yaml.safe_load((OPS / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["esb"]["metrics_path"] == "/metrics"
    assert jobs["rabbitmq"]["metrics_path"] == "/metrics/per-object"
    assert all(t.endswith(":15692") for c in jobs["rabbitmq"]["static_configs"] for t in c["targets"])


# -- RabbitMQ users -------------------------------------------------------------------------------------------------


def permitted(pattern: str, resource: str) -> bool:
    """RabbitMQ's check: an unanchored regex search; '' grants nothing; the default exchange is amq.default."""
    return pattern != "" and re.search(pattern, resource or "amq.default") is not None


@pytest.fixture(scope="module")
def permissions() -> dict[str, dict[str, str]]:
    definitions = json.loads((OPS / "rabbitmq" / "definitions.json").read_text())
    assert [v["name"] for v in definitions["vhosts"]] == ["esb"]
    assert all(user["password_hash"] == "" for user in definitions["users"])  # set on site, never shipped
    tags = {user["name"]: user["tags"] for user in definitions["users"]}
    assert tags["esb-monitoring"] == ["monitoring"]
    found = {p["user"]: p for p in definitions["permissions"] if p["vhost"] == "esb"}
    assert "esb-monitoring" not in found  # the monitoring tag reads metrics; no AMQP access at all
    return found


ROUTE = {"name": "erp-orders-to-mes", "interface": "ERP-MES-001", "source": {"types": ["production.order.released"]}}
ROUTE_QUEUE = RouteSpec.model_validate(
    {**ROUTE, "transform": "canonical.json", "target": {"adapter": "rest", "settings": {}}}
).queue
RETRY = [retry_exchange(tier) for tier in DEFAULT_RETRY_TIERS]
TOPOLOGY = [EVENTS_EXCHANGE, UNROUTED_EXCHANGE, UNROUTED_QUEUE, DEAD_EXCHANGE, DEAD_QUEUE, ROUTE_QUEUE, *RETRY]


def test_runtime_may_declare_consume_and_publish_its_topology(permissions):
    runtime = permissions["esb-runtime"]
    for name in TOPOLOGY:
        assert permitted(runtime["configure"], name), name
        assert permitted(runtime["read"], name), name
        assert permitted(runtime["write"], name), name
    assert permitted(runtime["write"], "")  # admin API replay goes straight to the route's queue
    for foreign in ("amq.gen-abc", "other.queue", "esb.route.x.y", "xesb.events"):
        assert not permitted(runtime["configure"], foreign), foreign
        assert not permitted(runtime["read"], foreign), foreign


def test_inbound_may_only_publish_to_the_events_exchange(permissions):
    inbound = permissions["esb-inbound"]
    assert permitted(inbound["write"], EVENTS_EXCHANGE)
    for name in [*TOPOLOGY, ""]:
        assert not permitted(inbound["configure"], name), name
        assert not permitted(inbound["read"], name), name
        if name != EVENTS_EXCHANGE:
            assert not permitted(inbound["write"], name), name


def test_ops_may_replay_but_not_consume_or_declare(permissions):
    ops = permissions["esb-ops"]
    for name in ("", EVENTS_EXCHANGE, DEAD_EXCHANGE):  # replay to a route's queue, to esb.events, parked again
        assert permitted(ops["write"], name), name
    for name in TOPOLOGY:
        assert not permitted(ops["configure"], name), name
        assert not permitted(ops["read"], name), name
    assert not permitted(ops["write"], ROUTE_QUEUE)
