"""Benchmark: reading X12 856 ship notices into canonical messages, two passes, memory bounded.

Writes one interchange of N 856 sets (one shipment, one order, two packs of two items: 35 segments, about
630 bytes a set) into a temporary file of the size asked for, then runs each pass of ``X12Reading`` in a child
process of its own: ``check()`` (validate every envelope and map every set, keep verdicts only) and
``messages()`` (read again, yield the canonical messages). Each child reports the sets per second (wall clock
and CPU time of the process), the growth of its resident memory (ru_maxrss) during the pass, and, in a
second untimed run, the peak of Python allocations (tracemalloc).

    .venv/bin/python ops/bench/parse_x12.py [--size-mb 100] [--profile check|messages]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bus.canonical import ShipmentNoticeReceived
from transformers.x12 import Separators, X12Reading, set_856
from transformers.x12.isa import format_isa
from transformers.x12.writer import SegmentWriter

WHEN = datetime(2024, 3, 1, 14, 30)
PLACEHOLDER = "ASN-PLACEHOLDER"


def template() -> tuple[str, int]:
    """One 856 body (between ST and SE) as text with a placeholder ASN number, and its segment count."""
    line = {"material": "MAT-100200", "supplier_material": "AC-7781", "quantity": Decimal(120), "unit": "EA"}
    notice = ShipmentNoticeReceived(
        plant="1000",
        asn_number=PLACEHOLDER,
        supplier_id="V100234",
        shipped_at=datetime(2024, 3, 1, 14, 15, tzinfo=UTC),
        expected_delivery=datetime(2024, 3, 4, 6, 0),
        carrier="ODFL",
        tracking_number="PRO-5512093",
        packs=[
            {
                "sscc": f"00340123450000{pack:04d}",
                "package_type": "CTN25",
                "gross_weight": Decimal("20.5"),
                "weight_unit": "KG",
                "lines": [
                    {
                        **line,
                        "line_number": 2 * pack + item,
                        "batch": f"L2402{pack}{item}",
                        "purchase_order": "4500012345",
                    }
                    for item in (1, 2)
                ],
            }
            for pack in (1, 2)
        ],
    )
    outbound = set_856(notice, created_at=WHEN)
    writer = SegmentWriter(Separators())
    return "".join(writer.format(segment) for segment in outbound.segments), len(outbound.segments) + 2


def write_interchange(path: Path, size_mb: float) -> tuple[int, int]:
    """An interchange of 856 sets of about ``size_mb`` megabytes; returns (sets, segments per set)."""
    body, segments = template()
    target = int(size_mb * 1_000_000)
    separators = Separators()
    isa = format_isa(
        sender_qualifier="ZZ",
        sender_id="ACMESUPPLY",
        receiver_qualifier="ZZ",
        receiver_id="PLANT1000",
        when=WHEN,
        version="00401",
        control_number=4711,
        ack_requested=False,
        usage="P",
        separators=separators,
    )
    sets = 0
    with path.open("w", encoding="ascii") as out:
        out.write(isa + "GS*SH*ACMESUPPLY*PLANT1000*20240301*1430*4711*X*004010~")
        written = 200
        while written < target:
            sets += 1
            text = f"ST*856*{sets:09d}~{body.replace(PLACEHOLDER, f'ASN-{sets:09d}')}SE*{segments}*{sets:09d}~"
            out.write(text)
            written += len(text)
        out.write(f"GE*{sets}*4711~IEA*1*000004711~")
    return sets, segments


def run_pass(path: Path, which: str, trace: bool) -> dict[str, float]:
    """One pass in this process (a child of the benchmark), measured."""
    with path.open("rb") as stream:
        reading = X12Reading(stream)
        if which == "messages":
            reading.check()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        wall, cpu = time.perf_counter(), time.process_time()
        if which == "check":
            outcomes = reading.check()
            count = sum(group.received for outcome in outcomes for group in outcome.groups)
        else:
            count = sum(1 for _ in reading.messages())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"sets": count, "wall": wall, "cpu": cpu, "rss_growth_kb": rss_after - rss_before, "traced_peak": peak}


def in_child(path: Path, which: str, trace: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", which, str(path)] + (["--trace"] if trace else [])
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=100, help="size of the interchange")
    parser.add_argument("--profile", choices=["check", "messages"], help="print a cProfile of one pass")
    parser.add_argument("--child", nargs=2, metavar=("PASS", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.child:
        which, path = options.child
        print(json.dumps(run_pass(Path(path), which, options.trace)))
        return

    with tempfile.TemporaryDirectory(prefix="x12-bench-") as directory:
        path = Path(directory) / "asn.x12"
        sets, segments = write_interchange(path, options.size_mb)
        size = path.stat().st_size
        if options.profile:
            profiler = cProfile.Profile()
            profiler.runcall(run_pass, path, options.profile, False)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return
        print(f"856 -> logistics.shipment_notice.received: {sets:,} sets of {segments} segments in one interchange")
        print(f"of {size / 1e6:.1f} MB, {size / sets:.0f} bytes a set; each pass in its own process, one core\n")
        print(f"{'pass':<10}{'sets':>10}{'wall s':>9}{'sets/s':>10}{'CPU s':>9}{'sets/CPU s':>12}"
              f"{'RSS growth MB':>15}{'traced peak MB':>16}")  # fmt: skip
        for which in ("check", "messages"):
            timed = in_child(path, which, trace=False)
            traced = in_child(path, which, trace=True)
            print(
                f"{which:<10}{timed['sets']:>10,.0f}{timed['wall']:>9.2f}{timed['sets'] / timed['wall']:>10,.0f}"
                f"{timed['cpu']:>9.2f}{timed['sets'] / timed['cpu']:>12,.0f}"
                f"{timed['rss_growth_kb'] / 1024:>15.1f}{traced['traced_peak'] / 1e6:>16.2f}"
            )
        print(f"\nreference: validating the same canonical payload alone: {validation_rate(path):,.0f}/CPU s")


def validation_rate(path: Path, count: int = 20_000) -> float:
    """Payloads per CPU second pydantic validates from ready-made Python data: the canonical model's own cost."""
    with path.open("rb") as stream:
        payload = next(iter(X12Reading(stream).messages())).payload.model_dump()
    began = time.process_time()
    for _ in range(count):
        ShipmentNoticeReceived.model_validate(payload)
    return count / (time.process_time() - began)


if __name__ == "__main__":
    main()
