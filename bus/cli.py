"""The ``esb`` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bus import eventloop
from bus.canonical import UnknownMessageType, json_schema, known_types, model_for
from bus.catalogue import CatalogueInvalid, LoadedRoute, load_catalogue
from bus.envelope import Envelope, Source
from bus.errors import ConfigurationError
from bus.journal import story
from bus.publisher import Publisher, PublishFailed
from bus.routespec import RouteSpec
from bus.runtime import BusRuntime, connect
from bus.settings import Settings, SettingsError
from bus.store import create_store_engine
from bus.topology import apply_topology
from bus.trace import as_json, as_table
from deadletter.cli import add_commands as add_deadletter_commands


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        routes_dir=getattr(args, "routes", None),
        http_port=getattr(args, "port", None),
        http_host=getattr(args, "host", None),
    )


def _catalogue(settings: Settings) -> list[LoadedRoute]:
    try:
        return load_catalogue(settings.routes_dir)
    except CatalogueInvalid as exc:
        print(f"route catalogue {settings.routes_dir} is invalid ({len(exc.problems)} problem(s)):", file=sys.stderr)
        for problem_ in exc.problems:
            print(f"  {problem_}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    routes = _catalogue(settings)
    runtime = BusRuntime(settings, routes, park_dead_letters=True)
    try:
        eventloop.run(runtime.run_until_signalled(), settings.event_loop)
    except (ConfigurationError, eventloop.LoopUnavailable) as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_routes_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    routes = _catalogue(settings)
    print(f"{len(routes)} route(s) in {settings.routes_dir} are valid")
    return 0


def cmd_routes_list(args: argparse.Namespace) -> int:
    routes = _catalogue(_settings(args))
    rows = [("ROUTE", "STATE", "INTERFACE", "INBOUND", "TYPES", "PLANTS", "TRANSFORM", "TARGET")]
    for route in routes:
        spec = route.spec
        rows.append(
            (
                spec.name,
                spec.state.value,
                spec.interface,
                ",".join(f"{entry.adapter}:{entry.system}" for entry in spec.inbound) or "-",
                ",".join(spec.source.types),
                ",".join(spec.source.plants),
                spec.transform,
                spec.target.adapter,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_routes_schema(args: argparse.Namespace) -> int:
    schema = RouteSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ESB route file"
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    if args.type is None:
        print("\n".join(known_types()))
        return 0
    try:
        print(json.dumps(json_schema(args.type, args.version), indent=2))
    except UnknownMessageType as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = create_store_engine(settings.database_url)
    try:
        entries = story(engine, args.key)
    finally:
        engine.dispose()
    print(as_json(entries) if args.json else as_table(entries))
    return 0 if entries else 1


def cmd_topology_apply(args: argparse.Namespace) -> int:
    settings = _settings(args)
    routes = _catalogue(settings)

    async def apply() -> None:
        connection = await connect(settings, "admin")
        try:
            await apply_topology(connection, [route.spec for route in routes])
        finally:
            await connection.close()

    try:
        asyncio.run(apply())
    except ConfigurationError as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 1
    print(f"topology applied for {len(routes)} route(s)")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        model = model_for(args.type)
        payload = model.model_validate_json(Path(args.file).read_bytes())
    except (UnknownMessageType, OSError) as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"esb: {args.file} is not a valid {args.type} payload:\n{exc}", file=sys.stderr)
        return 2
    envelope = Envelope.wrap(
        payload,
        Source(system=args.source_system, interface=args.interface),
        correlation_id=args.correlation_id,
    )

    async def send() -> str:
        connection = await connect(settings, "cli")
        publisher = Publisher(connection, deadline=settings.publish_timeout)
        try:
            outcome = await publisher.publish_envelope(envelope)
        finally:
            await publisher.close()
            await connection.close()
        return outcome.value

    try:
        outcome = asyncio.run(send())
    except PublishFailed as exc:
        print(f"esb: not sent: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"message_id": str(envelope.message_id), "routing_key": envelope.routing_key, "outcome": outcome}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="esb", description="Integration bus on RabbitMQ")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_routes(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--routes", type=Path, help="route directory (default $ESB_ROUTES_DIR or ./routes)")
        return p

    run = with_routes(commands.add_parser("run", help="run the bus: topology, route consumers, HTTP server"))
    run.add_argument("--host", help="HTTP listen address (default $ESB_HTTP_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="HTTP port (default $ESB_HTTP_PORT or 8080)")
    run.set_defaults(handler=cmd_run)

    routes = commands.add_parser("routes", help="inspect the route catalogue").add_subparsers(
        dest="action", required=True
    )
    with_routes(routes.add_parser("list", help="one line per route")).set_defaults(handler=cmd_routes_list)
    with_routes(routes.add_parser("validate", help="check every route file, report every error")).set_defaults(
        handler=cmd_routes_validate
    )
    schema_cmd = routes.add_parser("schema", help="JSON Schema of route files, for editors")
    schema_cmd.add_argument("--output", help="write to this file instead of stdout")
    schema_cmd.set_defaults(handler=cmd_routes_schema)

    topology = commands.add_parser("topology", help="broker topology").add_subparsers(dest="action", required=True)
    with_routes(topology.add_parser("apply", help="declare exchanges and queues for the routes")).set_defaults(
        handler=cmd_topology_apply
    )

    send = commands.add_parser("send", help="publish one canonical message from a JSON file")
    send.add_argument("type", help="canonical message type, e.g. production.order.released")
    send.add_argument("file", help="JSON file with the payload")
    send.add_argument("--correlation-id")
    send.add_argument("--source-system", default="cli")
    send.add_argument("--interface", default="esb-send")
    send.set_defaults(handler=cmd_send)

    schema = commands.add_parser("schema", help="JSON Schema of a canonical message type (no type: list them)")
    schema.add_argument("type", nargs="?")
    schema.add_argument("--version", type=int, help="schema version (default: newest)")
    schema.set_defaults(handler=cmd_schema)
    trace = commands.add_parser("trace", help="the journal of one business transaction (or one message), with times")
    trace.add_argument("key", metavar="CORRELATION_ID", help="a correlation id, or a message id")
    trace.add_argument("--json", action="store_true", help="JSON instead of a table")
    trace.set_defaults(handler=cmd_trace)
    add_deadletter_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aio_pika").setLevel(logging.WARNING)
    logging.getLogger("aiormq").setLevel(logging.WARNING)
    try:
        return args.handler(args)
    except SettingsError as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
