"""Route files: every problem reported with file and line; nothing half-loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bus.catalogue import CatalogueInvalid, load_catalogue
from bus.cli import build_parser, cmd_routes_schema
from bus.routespec import RouteSpec

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
name: orders
interface: ERP-MES-001
source:
  types: [production.order.released]
  plants: ["1000"]
filter: payload.order_type in ["PP01", "PP02"]
transform: mes.production_order.v1
target:
  adapter: rest
  settings:
    url: ${ORDERS_URL:-http://127.0.0.1:9000/orders}
retry:
  attempts: 4
  backoff: [1s, 30s]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(text)
    return path


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(CatalogueInvalid) as caught:
        load_catalogue(directory)
    return [str(p) for p in caught.value.problems]


def test_good_route_loads_with_its_adapter_settings(tmp_path):
    write(tmp_path, "orders", GOOD)
    (route,) = load_catalogue(tmp_path)
    assert route.spec.source.binding_keys() == ["production.order.released.1000"]
    assert route.spec.retry.backoff == [1.0, 30.0]
    assert route.spec.retry.delay_before(2) == 1.0
    assert route.spec.retry.delay_before(5) == 30.0  # the last delay repeats
    assert str(route.adapter_settings.url) == "http://127.0.0.1:9000/orders"


def test_environment_variables_fill_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERS_URL", "http://mes.example:8080/api/orders")
    write(tmp_path, "orders", GOOD)
    (route,) = load_catalogue(tmp_path)
    assert str(route.adapter_settings.url) == "http://mes.example:8080/api/orders"


def test_every_error_is_reported_with_file_and_line(tmp_path):
    bad = (
        GOOD.replace("production.order.released]", "production.order.relased]")
        .replace('filter: payload.order_type in ["PP01", "PP02"]', "filter: __import__('os').system('x')")
        .replace("transform: mes.production_order.v1", "transform: no.such.map")
        .replace("${ORDERS_URL:-http://127.0.0.1:9000/orders}", "not a url")
        .replace("backoff: [1s, 30s]", "backoff: [1s, soon]")
    )
    path = write(tmp_path, "orders", bad)
    found = problems_of(tmp_path)
    assert any(p.startswith(f"{path}:4: source.types.0") and "unknown message type" in p for p in found), found
    assert any(p.startswith(f"{path}:6: filter") and "Call is not allowed" in p for p in found), found
    assert any(p.startswith(f"{path}:14: retry.backoff.1") and "not a duration" in p for p in found), found


def test_adapter_and_transform_problems_are_reported_together(tmp_path):
    bad = GOOD.replace("transform: mes.production_order.v1", "transform: no.such.map").replace(
        "${ORDERS_URL:-http://127.0.0.1:9000/orders}", "not a url"
    )
    path = write(tmp_path, "orders", bad)
    found = problems_of(tmp_path)
    assert any(p.startswith(f"{path}:7: transform") and "unknown transformer 'no.such.map'" in p for p in found)
    assert any(p.startswith(f"{path}:11: target.settings.url") for p in found), found


def test_unset_variable_without_default_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ORDERS_URL", raising=False)
    path = write(tmp_path, "orders", GOOD.replace(":-http://127.0.0.1:9000/orders", ""))
    found = problems_of(tmp_path)
    assert any(p.startswith(f"{path}:11: target.settings.url: environment variable not set") for p in found), found


def test_one_bad_route_stops_the_whole_catalogue(tmp_path):
    write(tmp_path, "orders", GOOD)
    other_text = GOOD.replace("name: orders", "name: other").replace("adapter: rest", "adapter: ftp")
    other = write(tmp_path, "other", other_text)
    (found,) = problems_of(tmp_path)
    assert found.startswith(f"{other}:9: target.adapter:") and "unknown outbound adapter 'ftp'" in found


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("name: [unclosed\n", 2, "not valid YAML"),  # where the parser noticed
        ("- just\n- a list\n", 1, "must be a YAML mapping"),
        (GOOD.replace("name: orders", "name: elsewhere"), 1, "must match the file name"),
        (GOOD + "colour: blue\n", 15, "colour: Extra inputs are not permitted"),
        (GOOD.replace("state", "x") + "state: paused\n", 15, "state: Input should be"),
    ],
)
def test_structural_errors(tmp_path, text, line, fragment):
    path = write(tmp_path, "orders", text)
    found = problems_of(tmp_path)
    assert any(p.startswith(f"{path}:{line}:") and fragment in p for p in found), found


def test_validate_command_exits_non_zero_with_the_problems(tmp_path):
    path = write(tmp_path, "orders", GOOD.replace("attempts: 4", "attempts: 0"))
    result = subprocess.run(
        [sys.executable, "-m", "bus.cli", "routes", "validate", "--routes", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert f"{path}:13: retry.attempts: Input should be greater than or equal to 1" in result.stderr


def test_sample_routes_are_valid():
    routes = load_catalogue(ROOT / "routes")
    assert {r.spec.name for r in routes} >= {"erp-orders-to-mes", "quality-holds-to-wms"}


def test_routes_list_shows_where_each_interface_comes_in():
    result = subprocess.run(
        [sys.executable, "-m", "bus.cli", "routes", "list", "--routes", str(ROOT / "routes")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert lines["ROUTE"][:4] == ["ROUTE", "STATE", "INTERFACE", "INBOUND"]
    assert lines["erp-orders-to-mes"][3] == "sftp:SAP-ERP,soap:SAP-ERP"
    assert lines["quality-holds-to-wms"][3] == "-"  # modern systems publish to the exchange themselves


def test_route_schema_file_is_current(tmp_path, capsys):
    args = build_parser().parse_args(["routes", "schema", "--output", str(tmp_path / "schema.json")])
    cmd_routes_schema(args)
    generated = json.loads((tmp_path / "schema.json").read_text())
    committed = json.loads((ROOT / "routes" / "route.schema.json").read_text())
    assert generated == committed, "run: esb routes schema --output routes/route.schema.json"
    assert set(RouteSpec.model_fields) <= set(generated["properties"])
