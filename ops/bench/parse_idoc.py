"""Benchmark: decoding LOIPRO01 IDocs (flat file and IDoc-XML) to canonical production orders.

Writes N production order IDocs (4 operations, 6 components each: 12 segments) into a flat file and an
IDoc-XML file in a temporary directory, then decodes each file with the registered decoders and prints
IDocs per second and peak memory. Throughput is CPU time of this process (one core; time spent waiting
for a busy machine's other processes does not count), measured without memory tracing; peak memory
(Python allocations, tracemalloc) in a second, untimed pass.

    .venv/bin/python ops/bench/parse_idoc.py [--count 20000] [--repeat 3] [--steps]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bus.canonical import Component, Operation, ProductionOrderReleased
from transformers.decoding import get_decoder
from transformers.idoc import Idoc, from_canonical, read_flat, read_xml, write_flat, write_xml

START = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


def orders(count: int) -> Iterator[Idoc]:
    for n in range(count):
        order = ProductionOrderReleased(
            plant="1000",
            order_number=str(1_000_000 + n),
            order_type="PP01",
            material=f"FG-{n % 500:04d}",
            description="Pump housing, machined",
            quantity=Decimal(100 + n % 50),
            unit="EA",
            scheduled_start=START + timedelta(hours=n % 1000),
            scheduled_end=START + timedelta(hours=n % 1000 + 30),
            batch=f"B{n:08d}",
            operations=[
                Operation(
                    number=f"{10 * (i + 1):04d}",
                    description=f"Step {i + 1}",
                    work_center=f"WC-{i:02d}",
                    control_key="PP01",
                    setup_time=Decimal(15 + i),
                    machine_time=Decimal("2.5"),
                    labor_time=Decimal("2.5"),
                    confirmation_number=str(500_000 + 4 * n + i),
                )
                for i in range(4)
            ],
            components=[
                Component(
                    item=f"{10 * (i + 1):04d}",
                    material=f"RM-{i:03d}",
                    description=f"Raw material {i}",
                    quantity=Decimal(100 + i),
                    unit="EA",
                    storage_location="0001",
                    backflush=i % 2 == 0,
                )
                for i in range(6)
            ],
        )
        yield from_canonical(order, docnum=f"{n + 1:016d}", created_at=START)


READERS = {"flat": read_flat, "xml": read_xml}


def decode_count(decoder: str, path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in get_decoder(decoder)(stream))


def read_count(fmt: str, path: Path) -> int:
    """Reading alone: the file into IDoc trees, no map, no validation."""
    with path.open("rb") as stream:
        return sum(1 for _ in READERS[fmt](stream))


def timed(name: str, path: Path, repeat: int, run: Callable[[str, Path], int] = decode_count) -> tuple[int, float]:
    """The best CPU time of ``run(name, path)`` (by default: decoding with the decoder ``name``)."""
    best = float("inf")
    count = 0
    for _ in range(repeat):
        began = time.process_time()
        count = run(name, path)
        best = min(best, time.process_time() - began)
    return count, best


def validation_only(path: Path, repeat: int) -> tuple[int, float]:
    """The reference: validating the same canonical payloads from ready-made Python data, no IDoc involved."""
    with path.open("rb") as stream:
        payloads = [decoded.payload.model_dump() for decoded in get_decoder("idoc.flat")(stream)]
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        for payload in payloads:
            ProductionOrderReleased.model_validate(payload)
        best = min(best, time.process_time() - began)
    return len(payloads), best


def peak_memory(decoder: str, path: Path) -> int:
    tracemalloc.start()
    try:
        decode_count(decoder, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="IDocs per file")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per format (the best one counts)")
    parser.add_argument("--profile", choices=["flat", "xml"], help="print a cProfile of one decoding run")
    parser.add_argument(
        "--steps", action="store_true", help="also print CPU microseconds per IDoc: reading, map, validation"
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="idoc-bench-") as directory:
        files = {"flat": Path(directory) / "loipro01.txt", "xml": Path(directory) / "loipro01.xml"}
        with files["flat"].open("wb") as stream:
            write_flat(orders(options.count), stream)
        with files["xml"].open("wb") as stream:
            write_xml(orders(options.count), stream)

        if options.profile:
            profiler = cProfile.Profile()
            profiler.runcall(decode_count, f"idoc.{options.profile}", files[options.profile])
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return

        print(f"LOIPRO01 -> production.order.released, {options.count} IDocs of 12 segments per file, one core\n")
        print(f"{'format':<8}{'file MB':>10}{'IDocs':>10}{'CPU s':>10}{'IDocs/s':>12}{'MB/s':>8}{'peak MB':>10}")
        for fmt, path in files.items():
            size = path.stat().st_size
            count, seconds = timed(f"idoc.{fmt}", path, options.repeat)
            peak = peak_memory(f"idoc.{fmt}", path)
            print(
                f"{fmt:<8}{size / 1e6:>10.1f}{count:>10}{seconds:>10.2f}{count / seconds:>12,.0f}"
                f"{size / 1e6 / seconds:>8.0f}{peak / 1e6:>10.1f}"
            )
        count, seconds = validation_only(files["flat"], options.repeat)
        print(f"\nreference: validating the same {count} canonical payloads alone: {count / seconds:,.0f}/s")
        if options.steps:
            print_steps(files, options.repeat, seconds / count)


def print_steps(files: dict[str, Path], repeat: int, validation: float) -> None:
    """CPU time per IDoc of each step; the map (and the rest) is what decoding takes beyond reading and validating."""
    print(f"\n{'format':<8}{'read us':>10}{'map us':>10}{'valid. us':>11}{'total us':>10}")
    for fmt, path in files.items():
        count, decoding = timed(f"idoc.{fmt}", path, repeat)
        _, reading = timed(fmt, path, repeat, read_count)
        total, read = decoding / count * 1e6, reading / count * 1e6
        print(f"{fmt:<8}{read:>10.1f}{total - read - validation * 1e6:>10.1f}{validation * 1e6:>11.1f}{total:>10.1f}")


if __name__ == "__main__":
    main()
