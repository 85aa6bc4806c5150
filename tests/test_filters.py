"""The route filter language: what it allows, what it refuses, how it reads the envelope."""

from __future__ import annotations

import pytest

from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope, Source
from bus.filters import FilterFailed, FilterSyntaxError, RouteFilter
from tests.support.payloads import production_order

VIEW = Envelope.wrap(
    ProductionOrderReleased.model_validate(production_order(order_type="PP02")), Source(system="ERP", interface="x")
).filter_view()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (None, True),
        ('payload.order_type in ["PP01", "PP02"]', True),
        ('plant == "1000" and not payload.order_type == "PP99"', True),
        ("payload.quantity > 100", True),
        ("payload.quantity >= 1000", False),
        ('payload.operations[0].work_center.startswith("LATHE")', True),
        ("len(payload.components) == 2", True),
        ("payload.sales_order == None", True),
        ("payload.missing.deeper == None", True),
        ('source.system == "ERP" or plant == "2000"', True),
        ("type == 'production.order.released'", True),
        ("-1 < payload.quantity", True),
    ],
)
def test_filters_evaluate(expression, expected):
    assert RouteFilter(expression)(VIEW) is expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("__import__('os')", "Call is not allowed"),
        ("payload.__class__", "not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("[x for x in payload]", "ListComp is not allowed"),
        ("order_type == 'PP01'", "unknown name 'order_type'"),
        ("payload.quantity +", "not a valid expression"),
        ("payload.quantity ** 99", "BinOp is not allowed"),
    ],
)
def test_unsafe_or_wrong_filters_are_refused_at_load(expression, fragment):
    with pytest.raises(FilterSyntaxError, match=fragment.replace("(", r"\(")):
        RouteFilter(expression)


def test_a_filter_that_fails_on_a_message_is_a_permanent_error():
    with pytest.raises(FilterFailed, match=r"payload\.order_type > 5"):
        RouteFilter("payload.order_type > 5")(VIEW)
