"""Backlog memory: ``esb run`` draining a large backlog (1,000,000 orders by default) keeps its memory flat.

Fills a throwaway virtual host's route queue with persistent ~1 KB production orders (each with its own
message id and order number; not timed), starts ``esb run`` as deployed (idempotency, journal and metrics
on, SQLite store, AMQP target), and samples the process's resident memory (VmRSS) every second until the
route queue is empty. Prints progress every 10 s and, at the end, the memory at each tenth of the drain.

    .venv/bin/python ops/bench/backlog_memory.py [--messages 1000000] [--limit-mb 200]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import tempfile
import time
import uuid
from pathlib import Path

import aio_pika
import aiormq
from route_bench import BUS_QUEUE, Contender, Options, Processes, prepare, process_memory_mb
from workload import ROUTING_KEY, order_message, queue_depth, vhost

from bus.topology import EVENTS_EXCHANGE

WINDOW = 2000


async def fill_fast(url: str, count: int) -> None:
    """Publish ``count`` distinct orders from one template: a new message id and order number for each."""
    template = order_message(0)
    number = b'"order_number":"100000000"'
    assert number in template.body, "the order template changed"
    connection = await aiormq.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        started = time.monotonic()
        for start in range(0, count, WINDOW):
            publishes = []
            for n in range(start, min(count, start + WINDOW)):
                properties = copy.copy(template.properties)
                properties.message_id = properties.correlation_id = str(uuid.uuid4())
                body = template.body.replace(number, b'"order_number":"%d"' % (100_000_000 + n))
                publishes.append(
                    channel.basic_publish(
                        body, exchange=EVENTS_EXCHANGE, routing_key=ROUTING_KEY, properties=properties
                    )
                )
            await asyncio.gather(*publishes)
            if (start // WINDOW) % 50 == 0:
                print(f"filled {start + len(publishes):,} ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        await connection.close()


async def drain(url: str, count: int, running: Processes) -> list[tuple[int, float]]:
    """Samples of (messages drained, resident MB), one a second, until the route queue is empty."""
    pid = running.procs[0].pid
    samples: list[tuple[int, float]] = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        started = last_report = time.monotonic()
        while True:
            running.check_alive()
            drained = count - await queue_depth(channel, BUS_QUEUE)
            samples.append((drained, process_memory_mb(pid, "VmRSS")))
            now = time.monotonic()
            if now - last_report >= 10 or drained >= count:
                last_report = now
                rate = drained / (now - started)
                print(f"drained {drained:9,}  {rate:6,.0f} msg/s  RSS {samples[-1][1]:6.1f} MB", flush=True)
            if drained >= count:
                return samples
            await asyncio.sleep(1)


def report(samples: list[tuple[int, float]], count: int, limit_mb: float) -> None:
    print("\ndrained   RSS MB")
    for tenth in range(0, 11):
        target = count * tenth // 10
        rss = next(rss for drained, rss in samples if drained >= target)
        print(f"{tenth * 10:5d} %  {rss:7.1f}")
    peak = max(rss for _, rss in samples)
    start_rss = next(rss for drained, rss in samples if drained >= count // 10)
    print(
        f"peak {peak:.1f} MB; growth from 10 % to the end {samples[-1][1] - start_rss:+.1f} MB; limit {limit_mb:g} MB"
    )
    print("flat and under the limit" if peak < limit_mb else "OVER THE LIMIT")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--limit-mb", type=float, default=200)
    parser.add_argument("--prefetch", type=int, default=64)
    parser.add_argument("--database-url", help="the bus's store (default: a new SQLite file)")
    args = parser.parse_args()
    contender = Contender("bus route", loop="uvloop")
    options = Options(args.prefetch, database_url=args.database_url)
    with vhost() as url, tempfile.TemporaryDirectory() as workdir:
        await prepare(contender, url, Path(workdir), options)
        await fill_fast(url, args.messages)
        running = Processes(contender, url, Path(workdir), options)
        try:
            samples = await drain(url, args.messages, running)
        finally:
            running.stop()
    report(samples, args.messages, args.limit_mb)


if __name__ == "__main__":
    asyncio.run(main())
