"""Route benchmark: the bus's route engine against plain aiormq and aio-pika loops, in the same run, as ratios.

Every contender runs as its own process doing the same work per message (see ``workload.py``); the bus runs as
deployed: ``esb run`` with a route file, idempotency, journal and metrics on, SQLite store, AMQP target.

- throughput: drain a backlog of persistent ~1 KB orders; messages per second from the first document out
  to the last, and the contender's peak resident memory;
- latency: orders published at a steady rate; from each publish to its document's arrival on the output
  queue, p50/p99/max after a warm-up. With several ``--rate`` values, also the highest rate at which each
  contender kept p99 within ``--p99-bound`` (20 ms), as a ratio to the aiormq loop's.

Figures are medians over rounds; the ratio column divides by the aiormq loop of the same run. The machine
is shared, so compare ratios, not absolute numbers.

    .venv/bin/python ops/bench/route_bench.py [--messages 20000] [--rounds 3] [--rate 1000 ...] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import aio_pika
import aiormq
from workload import (
    IN_QUEUE,
    OUT_EXCHANGE,
    OUT_QUEUE,
    ROUTING_KEY,
    declare_queues,
    fill,
    order_message,
    queue_depth,
    scratch_database,
    vhost,
    write_route,
)

from bus.eventloop import loop_factory
from bus.topology import EVENTS_EXCHANGE

HERE = Path(__file__).resolve().parent
PYTHON = Path(sys.executable)
ESB = PYTHON.parent / "esb"
BUS_QUEUE = "esb.route.bench-orders"
REFERENCE = "aiormq loop"
BROKER_ALONE = "broker"


@dataclass(frozen=True)
class Contender:
    name: str
    plain: str | None = None
    """``aiormq`` or ``aio-pika`` for a plain loop; None for the bus."""
    loop: str = "asyncio"
    processes: int = 1
    postgres: bool = False
    """The bus's store on PostgreSQL (a scratch database per run) instead of a new SQLite file."""

    @property
    def is_bus(self) -> bool:
        return self.plain is None

    @property
    def is_broker_alone(self) -> bool:
        """The latency floor: orders published straight to the output queue, one quorum-queue hop, no consumer."""
        return self.plain == BROKER_ALONE


CONTENDERS = [
    Contender(REFERENCE, plain="aiormq"),
    Contender("aiormq loop, uvloop", plain="aiormq", loop="uvloop"),
    Contender("aio-pika loop", plain="aio-pika"),
    Contender("bus route", loop="uvloop"),
    Contender("bus route, asyncio", loop="asyncio"),
    Contender("bus route, 2 processes", loop="uvloop", processes=2),
]
LATENCY_FLOOR = Contender("broker alone, one hop", plain=BROKER_ALONE)
"""Latency runs only: what the broker's own quorum-queue hop costs (every contender's path has two)."""
POSTGRES_CONTENDERS = [
    Contender("bus route, PostgreSQL", loop="uvloop", postgres=True),
    Contender("bus, 2 processes, PostgreSQL", loop="uvloop", processes=2, postgres=True),
]


@dataclass(frozen=True)
class Options:
    prefetch: int
    database_url: str | None = None
    """The bus's store; None: a new SQLite file in the run's directory."""
    postgres_admin_url: str | None = None
    """Where PostgreSQL contenders create their scratch databases."""


@contextmanager
def store_for(contender: Contender, options: Options) -> Iterator[Options]:
    """The options of one run: with a scratch PostgreSQL database for a PostgreSQL contender."""
    if not contender.postgres:
        yield options
        return
    if not options.postgres_admin_url:
        raise ValueError(f"{contender.name} needs --postgres URL")
    with scratch_database(options.postgres_admin_url) as url:
        yield replace(options, database_url=url)


class Processes:
    """A contender's running processes, stopped with SIGTERM (then killed) on leaving."""

    def __init__(self, contender: Contender, url: str, workdir: Path, options: Options) -> None:
        self.contender = contender
        self.logs = [workdir / f"process-{n}.log" for n in range(contender.processes)]
        self.procs = [] if contender.is_broker_alone else [self._spawn(url, workdir, options, log) for log in self.logs]

    def _spawn(self, url: str, workdir: Path, options: Options, log: Path) -> subprocess.Popen[bytes]:
        if self.contender.is_bus:
            command = [str(ESB), "run"]
            env = bus_environment(url, workdir, options) | {
                "ESB_EVENT_LOOP": self.contender.loop,
                "ESB_HTTP_PORT": str(free_port()),
            }
        else:
            command = [str(PYTHON), str(HERE / "plain_loop.py"), self.contender.plain or "", url]
            command += ["--prefetch", str(options.prefetch), "--loop", self.contender.loop]
            env = dict(os.environ)
        with log.open("wb") as out:
            return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)

    def peak_rss_mb(self) -> float:
        """The largest peak resident memory (VmHWM) among the processes."""
        return max(process_memory_mb(proc.pid, "VmHWM") for proc in self.procs)

    def cpu_seconds(self) -> float:
        return sum(process_cpu_seconds(proc.pid) for proc in self.procs)

    def check_alive(self) -> None:
        for proc, log in zip(self.procs, self.logs, strict=True):
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.contender.name} exited with {proc.returncode}:\n{tail}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def bus_environment(url: str, workdir: Path, options: Options) -> dict[str, str]:
    return dict(os.environ) | {
        "ESB_AMQP_URL": url,
        "ESB_DATABASE_URL": options.database_url or f"sqlite:///{workdir}/store.sqlite3",
        "ESB_ROUTES_DIR": str(workdir / "routes"),
        "ESB_PREFETCH": str(options.prefetch),
    }


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_memory_mb(pid: int, field: str) -> float:
    """A memory figure of a process from /proc (``VmRSS`` now, ``VmHWM`` its peak), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def machine_idle_seconds() -> float:
    """Seconds all CPUs of the machine have been idle since boot, from /proc/stat."""
    ticks = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(ticks[4]) / os.sysconf("SC_CLK_TCK")


def broker_pid() -> int | None:
    found = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def prepare(contender: Contender, url: str, workdir: Path, options: Options) -> tuple[str, str]:
    """Queues (and for the bus its route and topology); returns where to publish orders: exchange, key."""
    await declare_queues(url)
    if contender.is_broker_alone:
        return OUT_EXCHANGE, ROUTING_KEY
    if not contender.is_bus:
        return "", IN_QUEUE
    write_route(workdir / "routes", url)
    apply = await asyncio.create_subprocess_exec(
        str(ESB), "topology", "apply", env=bus_environment(url, workdir, options), stdout=PIPE, stderr=STDOUT
    )
    output, _ = await apply.communicate()
    if apply.returncode:
        raise RuntimeError(f"esb topology apply failed: {output.decode(errors='replace')}")
    return EVENTS_EXCHANGE, ROUTING_KEY


async def wait_consuming(url: str, contender: Contender, running: Processes, timeout: float = 60) -> None:
    if contender.is_broker_alone:
        return
    queue_name = BUS_QUEUE if contender.is_bus else IN_QUEUE
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            running.check_alive()
            queue = await channel.declare_queue(queue_name, passive=True)
            if (queue.declaration_result.consumer_count or 0) >= contender.processes:
                return
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{contender.name} did not start consuming within {timeout:g}s")


@dataclass
class ThroughputResult:
    rate: float
    peak_rss_mb: float
    cpu_us: float | None
    """The contender's CPU time per message while draining (all its processes)."""
    broker_cpu_us: float | None


class _Mark:
    """Time, documents out and CPU counters at one moment of a run."""

    def __init__(self, depth: int, running: Processes, broker: int | None) -> None:
        self.at = time.perf_counter()
        self.depth = depth
        self.cpu = running.cpu_seconds() if running.procs else None
        self.broker_cpu = process_cpu_seconds(broker) if broker else None
        self.own_cpu = process_cpu_seconds(os.getpid())
        self.machine_idle = machine_idle_seconds()

    def cpu_us_per_message(self, earlier: _Mark, messages: int) -> CpuPerMessage:
        """CPU microseconds per message since ``earlier`` (None: no such process)."""

        def per_message(now: float | None, before: float | None) -> float | None:
            return None if now is None or before is None else (now - before) / messages * 1e6

        return CpuPerMessage(
            contender=per_message(self.cpu, earlier.cpu),
            broker=per_message(self.broker_cpu, earlier.broker_cpu),
            probe=(self.own_cpu - earlier.own_cpu) / messages * 1e6,
        )


class CpuPerMessage(NamedTuple):
    contender: float | None
    broker: float | None
    probe: float
    """This process's own (the probe's, in latency runs)."""


async def drain_rate(url: str, count: int, running: Processes, timeout: float = 900) -> ThroughputResult:
    """Messages per second (and CPU per message) from the first document on the output queue to the last."""
    broker = broker_pid()
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        give_up = time.monotonic() + timeout
        first: _Mark | None = None
        while time.monotonic() < give_up:
            depth = await queue_depth(channel, OUT_QUEUE)
            if first is None and depth > 0:
                first = _Mark(depth, running, broker)
            if depth >= count and first is not None:
                last = _Mark(depth, running, broker)
                moved = count - first.depth
                cpu = last.cpu_us_per_message(first, moved)
                return ThroughputResult(
                    rate=moved / (last.at - first.at),
                    peak_rss_mb=running.peak_rss_mb(),
                    cpu_us=cpu.contender,
                    broker_cpu_us=cpu.broker,
                )
            running.check_alive()
            await asyncio.sleep(0.01)
    raise TimeoutError(f"fewer than {count} documents arrived within {timeout:g}s")


async def throughput(contender: Contender, count: int, options: Options) -> ThroughputResult:
    with vhost() as url, tempfile.TemporaryDirectory() as workdir, store_for(contender, options) as options:
        exchange, key = await prepare(contender, url, Path(workdir), options)
        await fill(url, exchange, key, count)
        running = Processes(contender, url, Path(workdir), options)
        try:
            return await drain_rate(url, count, running)
        finally:
            running.stop()


@dataclass
class LatencyResult:
    p50_ms: float
    p99_ms: float
    max_ms: float
    measured: int
    duplicates: int
    """Documents that arrived more than once (the first arrival is the one measured)."""
    cpu_us: float | None
    """The contender's CPU time per message over the whole run (all its processes; None for the broker alone)."""
    broker_cpu_us: float | None
    probe_cpu_us: float
    """This process's: publishing the orders and receiving the documents."""
    idle: float
    """The share of the machine's CPU time left idle during the run: near 0, the contenders queue for a core."""


class LatencyProbe:
    """Receives the documents on the output queue and notes, for each message id, how long it took.

    It speaks plain aiormq: it shares the machine with the contender and the broker, so it should take as
    little of it as it can (aio-pika's message objects cost it about twice the CPU)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent: dict[str, float] = {}
        self.latencies: dict[str, tuple[float, float]] = {}
        self.duplicates = 0
        self.arrived = asyncio.Event()

    async def listen(self, connection: aiormq.abc.AbstractConnection) -> None:
        channel = await connection.channel()
        await channel.basic_qos(prefetch_count=2000)
        await channel.basic_consume(OUT_QUEUE, self._on_document, no_ack=True)

    async def _on_document(self, message: aiormq.abc.DeliveredMessage) -> None:
        now = time.perf_counter()
        message_id = message.header.properties.message_id or ""
        if message_id in self.latencies:
            self.duplicates += 1
            return
        sent_at = self.sent[message_id]
        self.latencies[message_id] = (sent_at, now - sent_at)
        if len(self.latencies) >= self.total:
            self.arrived.set()

    def result(self, started: float, warmup: float, first: _Mark, last: _Mark) -> LatencyResult:
        measured = sorted(value for sent_at, value in self.latencies.values() if sent_at - started >= warmup)
        percentiles = statistics.quantiles(measured, n=100, method="inclusive")
        cpu = last.cpu_us_per_message(first, self.total)
        cpus = os.cpu_count() or 1
        return LatencyResult(
            p50_ms=percentiles[49] * 1000,
            p99_ms=percentiles[98] * 1000,
            max_ms=measured[-1] * 1000,
            measured=len(measured),
            duplicates=self.duplicates,
            cpu_us=cpu.contender,
            broker_cpu_us=cpu.broker,
            probe_cpu_us=cpu.probe,
            idle=(last.machine_idle - first.machine_idle) / (last.at - first.at) / cpus,
        )


async def latency(contender: Contender, rate: int, seconds: float, warmup: float, options: Options) -> LatencyResult:
    """Publish at ``rate`` for ``seconds``; latencies of messages sent after ``warmup`` seconds."""
    total = int(rate * seconds)
    messages = [order_message(n) for n in range(total)]
    probe = LatencyProbe(total)
    with vhost() as url, tempfile.TemporaryDirectory() as workdir, store_for(contender, options) as options:
        exchange, key = await prepare(contender, url, Path(workdir), options)
        running = Processes(contender, url, Path(workdir), options)
        try:
            await wait_consuming(url, contender, running)
            connection = await aiormq.connect(url)
            broker = broker_pid()
            try:
                async with _collector_paused():
                    await probe.listen(connection)
                    first = _Mark(0, running, broker)
                    started = await _publish_paced(connection, exchange, key, messages, rate, probe.sent)
                    try:
                        await asyncio.wait_for(probe.arrived.wait(), timeout=seconds + 120)
                    except TimeoutError:
                        running.check_alive()
                        raise TimeoutError(f"{len(probe.latencies)} of {total} documents arrived") from None
                    last = _Mark(total, running, broker)
            finally:
                await connection.close()
        finally:
            running.stop()
    return probe.result(started, warmup, first, last)


@asynccontextmanager
async def _collector_paused() -> AsyncIterator[None]:
    """No garbage collection in the probe while it measures: a full collection over its prepared messages
    would pause it for tens of milliseconds and show up as the contender's latency."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def _publish_paced(
    connection: aiormq.abc.AbstractConnection,
    exchange: str,
    key: str,
    messages: list[aio_pika.Message],
    rate: int,
    sent: dict[str, float],
) -> float:
    """Publish each message at its slot (start + i/rate), as a source system would, without waiting for
    confirms: the probe must not be what limits the rate (the arrival count shows that nothing was lost)."""
    channel = await connection.channel(publisher_confirms=False)
    frames = [(message.body, message.properties) for message in messages]
    started = time.perf_counter()
    for index, (body, properties) in enumerate(frames):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[properties.message_id or ""] = time.perf_counter()
        await channel.basic_publish(body, exchange=exchange, routing_key=key, properties=properties)
    return started


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _median_column(values: list[float | None], width: int) -> str:
    """The median of the known values, as a column of ``width``; a dash when none is known."""
    known = [value for value in values if value is not None]
    return f"{_median(known):{width}.0f}" if known else f"{'-':>{width}s}"


def report_throughput(results: dict[str, list[ThroughputResult]], count: int, rounds: int) -> None:
    reference = _median([r.rate for r in results[REFERENCE]]) if REFERENCE in results else None
    print(f"\nthroughput: backlog of {count:,} orders, median of {rounds} round(s)")
    columns = f"{'msg/s':>9s}{'ratio to aiormq':>17s}{'CPU us/msg':>12s}{'broker us/msg':>15s}{'peak RSS MB':>13s}"
    print(f"{'contender':30s}{columns}")
    for name, values in results.items():
        rate = _median([r.rate for r in values])
        ratio = f"{rate / reference:17.2f}" if reference else f"{'-':>17s}"
        broker_text = _median_column([r.broker_cpu_us for r in values], 15)
        print(
            f"{name:30s}{rate:9,.0f}{ratio}{_median_column([r.cpu_us for r in values], 12)}{broker_text}"
            f"{_median([r.peak_rss_mb for r in values]):13.0f}"
        )


def report_latency(results: dict[str, list[LatencyResult]], rate: int, seconds: float, warmup: float) -> None:
    reference = _median([r.p99_ms for r in results[REFERENCE]]) if REFERENCE in results else None
    print(f"\nlatency: {rate:,} msg/s for {seconds:g} s, first {warmup:g} s not counted, median over rounds")
    print(
        f"{'contender':30s}{'p50 ms':>8s}{'p99 ms':>8s}{'max ms':>8s}{'p99 / aiormq':>14s}{'duplicates':>12s}"
        f"{'CPU us/msg':>12s}{'broker us/msg':>15s}{'probe us/msg':>14s}{'idle':>6s}"
    )
    for name, values in results.items():
        p99 = _median([r.p99_ms for r in values])
        ratio = f"{p99 / reference:14.2f}" if reference else f"{'-':>14s}"
        broker_text = _median_column([r.broker_cpu_us for r in values], 15)
        print(
            f"{name:30s}{_median([r.p50_ms for r in values]):8.1f}{p99:8.1f}"
            f"{_median([r.max_ms for r in values]):8.1f}{ratio}{sum(r.duplicates for r in values):12d}"
            f"{_median_column([r.cpu_us for r in values], 12)}{broker_text}"
            f"{_median([r.probe_cpu_us for r in values]):14.0f}{_median([r.idle for r in values]):6.0%}"
        )


def report_sustained(by_rate: dict[int, dict[str, list[LatencyResult]]], bound_ms: float) -> None:
    """The highest rate tried at which each contender kept its median p99 within ``bound_ms``."""
    print(f"\nhighest rate tried with p99 <= {bound_ms:g} ms")
    names = next(iter(by_rate.values())).keys()
    kept = {
        name: max((rate for rate, results in by_rate.items() if _median([r.p99_ms for r in results[name]]) <= bound_ms),
                  default=0)
        for name in names
    }  # fmt: skip
    reference = kept.get(REFERENCE)
    print(f"{'contender':30s}{'msg/s':>9s}{'ratio to aiormq':>17s}")
    for name, rate in kept.items():
        ratio = f"{rate / reference:17.2f}" if reference else f"{'-':>17s}"
        print(f"{name:30s}{rate:9,d}{ratio}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="backlog for the throughput runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prefetch", type=int, default=64)
    parser.add_argument(
        "--rate", type=int, action="append", help="messages per second in the latency runs (repeatable; 1000)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each latency run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--p99-bound", type=float, default=20, help="ms; with several rates, the highest kept")
    parser.add_argument("--postgres", metavar="URL", help="also run the bus on PostgreSQL (scratch databases)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[c.name for c in [LATENCY_FLOOR, *CONTENDERS, *POSTGRES_CONTENDERS]],
        help="repeatable",
    )
    parser.add_argument("--skip", choices=["throughput", "latency"], action="append", default=[])
    args = parser.parse_args()
    rates: list[int] = args.rate or [1000]
    candidates = CONTENDERS + (POSTGRES_CONTENDERS if args.postgres else [])
    if "latency" not in args.skip:
        candidates = [LATENCY_FLOOR, *candidates]
    chosen = [c for c in candidates if not args.only or c.name in args.only]
    options = Options(args.prefetch, postgres_admin_url=args.postgres)
    runs: dict[str, Callable[[Contender], object]] = {}
    if "throughput" not in args.skip:
        runs["throughput"] = lambda c: throughput(c, args.messages, options)
    for rate in rates if "latency" not in args.skip else []:
        runs[f"latency {rate}"] = lambda c, rate=rate: latency(c, rate, args.seconds, args.warmup, options)
    contenders = {kind: [c for c in chosen if kind != "throughput" or not c.is_broker_alone] for kind in runs}
    results: dict[str, dict[str, list]] = {kind: {c.name: [] for c in contenders[kind]} for kind in runs}
    for round_number in range(1, args.rounds + 1):
        for kind, run in runs.items():
            for contender in contenders[kind]:
                result = await run(contender)  # type: ignore[misc]
                results[kind][contender.name].append(result)
                print(f"round {round_number} {kind:13s} {contender.name:30s} {result}", flush=True)
    if "throughput" in results:
        report_throughput(results["throughput"], args.messages, args.rounds)
    by_rate = {rate: results[f"latency {rate}"] for rate in rates if f"latency {rate}" in results}
    for rate, latency_results in by_rate.items():
        report_latency(latency_results, rate, args.seconds, args.warmup)
    if len(by_rate) > 1:
        report_sustained(by_rate, args.p99_bound)


if __name__ == "__main__":
    _, probe_loop = loop_factory("auto")  # the probe on the fastest loop there is: it shares the machine
    with asyncio.Runner(loop_factory=probe_loop) as runner:
        runner.run(main())
