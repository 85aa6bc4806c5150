"""Canonical payloads as a sending system would post them."""

from __future__ import annotations

from typing import Any


def production_order(order_number: str = "100012345", plant: str = "1000", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "plant": plant,
        "order_number": order_number,
        "order_type": "PP01",
        "material": "FG-4711",
        "description": "Pump housing, machined",
        "quantity": "250",
        "unit": "EA",
        "scheduled_start": "2026-12-01T06:00:00+01:00",
        "scheduled_end": "2026-12-03T14:00:00+01:00",
        "batch": "B2612-01",
        "operations": [
            {
                "number": "0010",
                "description": "Turn",
                "work_center": "LATHE-01",
                "setup_time": "30",
                "machine_time": "2",
            },
            {"number": "0020", "description": "Mill", "work_center": "MILL-02", "setup_time": "0.5", "time_unit": "H"},
        ],
        "components": [
            {"item": "0010", "material": "RM-CAST-88", "quantity": "250", "unit": "EA", "backflush": True},
            {"item": "0020", "material": "SEAL-12", "quantity": "500", "unit": "EA", "storage_location": "0001"},
        ],
    }
    payload.update(overrides)
    return payload


def quality_hold(hold_id: str = "QH-0001", plant: str = "1000", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "plant": plant,
        "hold_id": hold_id,
        "material": "FG-4711",
        "lot": "B2612-01",
        "quantity": "250",
        "unit": "EA",
        "reason_code": "DIM",
        "reason_text": "Bore diameter out of tolerance",
        "placed_by": "QM-INSPECTOR-7",
        "placed_at": "2026-12-03T15:10:00+01:00",
    }
    payload.update(overrides)
    return payload
