"""Pure parts of the parking store: message shapes and fingerprints, JSON Patch, payload edits, ages."""

from __future__ import annotations

import json

import pytest

from deadletter.editing import patched_payload
from deadletter.errors import Refused
from deadletter.jsonpatch import JsonPatchError, apply_patch
from deadletter.selection import parse_age
from deadletter.shape import fingerprint, message_shape
from tests.support.payloads import production_order


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            "POST http://10.0.0.7:8443/mes answered 400 Bad Request",
            "POST http://mes-b:9000/mes answered 400 Bad Request",
        ),
        ("order 100012345 unknown", "order 4711 unknown"),
        ("material 'FG-4711' not found", 'material "RM-CAST-88" not found'),
        ("lot locked at 2026-12-03T15:10:00+01:00", "lot locked at 2027-01-01 00:00:01Z"),
        ("duplicate 6f1b8c1e-4a9e-4c55-9a53-2f4f6d0f3c11", "duplicate 0b5e8f4a-1111-4c55-9a53-aaaaaaaaaaaa"),
        ("checksum deadbeef42 mismatch", "checksum 0a1b2c3d4e mismatch"),
    ],
)
def test_messages_that_differ_only_in_values_have_one_shape(one, other):
    assert message_shape(one) == message_shape(other)
    assert fingerprint("r", "PermanentError", message_shape(one)) == fingerprint(
        "r", "PermanentError", message_shape(other)
    )


def test_fingerprint_tells_routes_classes_and_shapes_apart():
    shape = message_shape("order 1 unknown")
    prints = {
        fingerprint("a", "PermanentError", shape),
        fingerprint("b", "PermanentError", shape),
        fingerprint("a", "TransformFailed", shape),
        fingerprint("a", "PermanentError", message_shape("order 1 locked")),
        fingerprint(None, "PermanentError", shape),
    }
    assert len(prints) == 5
    assert all(len(p) == 12 and int(p, 16) >= 0 for p in prints)


def test_rfc6902_operations():
    document = {"a": {"b": [1, 2, 3]}, "c": "x", "~/k": 0}
    patch = [
        {"op": "test", "path": "/c", "value": "x"},
        {"op": "add", "path": "/a/b/1", "value": 9},
        {"op": "add", "path": "/a/b/-", "value": 4},
        {"op": "remove", "path": "/a/b/0"},
        {"op": "replace", "path": "/c", "value": {"d": True}},
        {"op": "copy", "from": "/c", "path": "/e"},
        {"op": "move", "from": "/e/d", "path": "/f"},
        {"op": "replace", "path": "/~0~1k", "value": 1},
    ]
    patched = apply_patch(document, patch)
    assert patched == {"a": {"b": [9, 2, 3, 4]}, "c": {"d": True}, "e": {}, "f": True, "~/k": 1}
    assert document["a"]["b"] == [1, 2, 3]  # the original is left alone


@pytest.mark.parametrize(
    ("patch", "complaint"),
    [
        ({"op": "add"}, "array of operations"),
        ([{"op": "merge", "path": "/a"}], "'op' must be one of"),
        ([{"op": "replace", "path": "/missing", "value": 1}], "does not exist"),
        ([{"op": "add", "path": "/a/b/7", "value": 1}], "out of range"),
        ([{"op": "test", "path": "/a/n", "value": True}], "test failed"),
        ([{"op": "add", "path": "a", "value": 1}], "not a JSON Pointer"),
        ([{"op": "move", "from": "/a", "path": "/a/b/x"}], "into its own child"),
        ([{"op": "add", "path": "/x"}], "needs a 'value'"),
    ],
)
def test_bad_patches_are_refused_with_the_operation_and_the_reason(patch, complaint):
    with pytest.raises(JsonPatchError, match=complaint):
        apply_patch({"a": {"b": [1], "n": 1}}, patch)


def test_an_edit_must_leave_a_valid_payload_of_the_type():
    order = production_order("4711")
    body = json.dumps(order).encode()
    edited = patched_payload(
        "production.order.released", 1, body, [{"op": "replace", "path": "/order_number", "value": "4712"}]
    )
    assert json.loads(edited)["order_number"] == "4712"
    with pytest.raises(Refused) as refused:
        patched_payload("production.order.released", 1, body, [{"op": "replace", "path": "/quantity", "value": "-5"}])
    assert "not a valid production.order.released" in str(refused.value)
    assert [e["field"] for e in refused.value.errors] == ["quantity"]
    with pytest.raises(Refused, match="not JSON"):
        patched_payload("production.order.released", 1, b"<order/>", [])


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("2h", 7200), ("3d", 259200), ("1w", 604800)])
def test_ages(text, seconds):
    assert parse_age(text) == seconds


def test_an_age_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="not a duration"):
        parse_age("yesterday")
