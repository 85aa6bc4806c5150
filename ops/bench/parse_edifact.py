"""Benchmark of the EDIFACT codec: how fast a DESADV file is checked and read, and how much memory that takes.

For each size, a synthetic DESADV D.96A interchange of about that many MB (several packs and lines per message)
is written to a temporary file; a fresh Python process then runs ``EdifactReading.check()`` (pass 1) and
``EdifactReading.messages()`` (pass 2) on it and reports messages per second of each pass, MB per second per pass,
and its peak resident memory above what it used before reading.

    .venv/bin/python ops/bench/parse_edifact.py            # 1, 10 and 50 MB
    .venv/bin/python ops/bench/parse_edifact.py 5 100      # sizes in MB
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bus.canonical import ShipmentNoticeReceived  # noqa: E402
from transformers.edifact import EdifactReading, Party  # noqa: E402
from transformers.edifact.desadv import DESADV  # noqa: E402
from transformers.edifact.writer import InterchangeWriter  # noqa: E402


def synthetic_notice(number: int) -> ShipmentNoticeReceived:
    """A shipment of 3 cartons with 2 lines each, every optional field set."""
    packs = [
        {
            "sscc": f"34012345{number % 10**7:07d}{carton:03d}",
            "package_type": "CT",
            "gross_weight": f"{12 + carton}.5",
            "weight_unit": "KGM",
            "lines": [
                {
                    "line_number": carton * 2 + line + 1,
                    "material": f"PH-{4711 + line}-{carton}",
                    "supplier_material": f"MP-{88231 + line}",
                    "quantity": str(40 + line),
                    "unit": "PCE",
                    "batch": f"B{number % 9999:04d}-{line}",
                    "purchase_order": f"45000{number % 100000:05d}",
                    "purchase_order_line": str((line + 1) * 10),
                }
                for line in range(2)
            ],
        }
        for carton in range(3)
    ]
    shipped = datetime(2026, 1, 1) + timedelta(minutes=number)
    return ShipmentNoticeReceived(
        plant="1000",
        asn_number=f"ASN-{number:09d}",
        supplier_id="4012345000009",
        shipped_at=shipped,
        expected_delivery=shipped + timedelta(days=2),
        carrier="DHLF",
        tracking_number=f"1Z999AA1{number:010d}",
        packs=packs,
    )


def write_file(path: Path, megabytes: float) -> int:
    """A DESADV interchange of about ``megabytes`` MB at ``path``, written message by message; its messages."""
    target = int(megabytes * 1_000_000)
    count = 0
    with path.open("wb") as out:
        writer = InterchangeWriter(
            out, sender=Party("4012345000009", "14"), recipient=Party("4098765000002", "14"), control_reference="BENCH"
        )
        while out.tell() < target:
            count += 1
            writer.write_message(str(count), DESADV.identifier, DESADV.write(synthetic_notice(count)))
        writer.close()
    return count


def measure(path: Path) -> dict[str, float]:
    """Run both passes on ``path`` (in this process, which should be fresh) and report what they took."""
    baseline = _peak_rss()
    with path.open("rb") as stream:
        reading = EdifactReading(stream)
        started = time.perf_counter()
        outcomes = reading.check()
        checked = time.perf_counter()
        published = sum(1 for _ in reading.messages())
        read = time.perf_counter()
    if not (len(outcomes) == 1 and outcomes[0].accepted and published == outcomes[0].message_count):
        raise SystemExit(f"the synthetic file was not accepted whole: {outcomes[0].reasons[:3]}")
    return {
        "messages": published,
        "check_per_second": published / (checked - started),
        "messages_per_second": published / (read - checked),
        "megabytes_per_second": path.stat().st_size / 1e6 / (read - started) * 2,
        "peak_rss_growth_mb": (_peak_rss() - baseline) / 1e6,
    }


def _peak_rss() -> int:
    """Peak resident memory of this process in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=float, default=[1, 10, 50], help="file sizes in MB")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return
    columns = ("file MB", "messages", "check() msg/s", "messages() msg/s", "MB/s", "peak RSS +MB")
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, (8, 9, 14, 17, 6, 13), strict=True)))
    with tempfile.TemporaryDirectory() as directory:
        for size in args.sizes:
            path = Path(directory) / f"desadv-{size:g}mb.edi"
            write_file(path, size)
            result = json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--measure", str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                ).stdout
            )
            print(
                f"{path.stat().st_size / 1e6:8.1f} {result['messages']:9d} {result['check_per_second']:14.0f} "
                f"{result['messages_per_second']:17.0f} {result['megabytes_per_second']:6.2f} "
                f"{result['peak_rss_growth_mb']:13.1f}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
