"""``esb dlq ...`` (inspect, edit, replay, discard dead letters) and ``esb db upgrade``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from bus.errors import ConfigurationError
from bus.migrate import upgrade
from bus.publisher import Publisher
from bus.runtime import connect
from bus.settings import Settings
from bus.store import create_store_engine
from deadletter import output
from deadletter.errors import DeadLetterError, Refused
from deadletter.selection import Selection, parse_age
from deadletter.service import DEFAULT_BATCH, DeadLetterService, ReplayReport
from deadletter.views import Page

T = TypeVar("T")


def _age(value: str) -> float:
    try:
        return parse_age(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _selection(args: argparse.Namespace, **extra: Any) -> Selection:
    return Selection(
        route=args.route,
        type=args.type,
        error=args.error,
        older_than=args.older_than,
        newer_than=args.newer_than,
        correlation_id=args.correlation_id,
        key=args.key,
        fingerprint=args.fingerprint,
        reason=args.dead_reason,
        **extra,
    )


def _print_json(value: BaseModel | dict[str, Any]) -> None:
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    print(json.dumps(data, indent=2))


def _run(args: argparse.Namespace, work: Callable[[DeadLetterService], Awaitable[T]], *, publish: bool = False) -> T:
    """Run ``work`` against the store (and the broker, for replays); refusals end the command with exit 1."""
    settings = Settings.from_env()
    try:
        engine = create_store_engine(settings.database_url)
    except ConfigurationError as exc:
        print(f"esb: {exc}", file=sys.stderr)
        raise SystemExit(1) from None

    async def main() -> T:
        if not publish:
            return await work(DeadLetterService(engine))
        connection = await connect(settings, "dlq")
        publisher = Publisher(connection, deadline=settings.publish_timeout)
        try:
            return await work(DeadLetterService(engine, publisher))
        finally:
            await publisher.close()
            await connection.close()

    try:
        return asyncio.run(main())
    except DeadLetterError as exc:
        print(f"esb: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        engine.dispose()


def cmd_list(args: argparse.Namespace) -> int:
    selection = _selection(args, status=args.status)
    page: Page[Any]
    if args.group_by:
        page = _run(args, lambda s: s.groups(selection, args.page, args.page_size))
        text = output.groups(page.items)
    else:
        page = _run(args, lambda s: s.list(selection, args.page, args.page_size))
        text = output.summaries(page.items)
    if args.json:
        _print_json(page)
        return 0
    print(text)
    print(f"page {page.page} of {max(1, -(-page.total // page.page_size))}, {page.total} in all")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    found = _run(args, lambda s: s.show(args.id))
    if args.json:
        _print_json(found)
    else:
        print(output.detail(found))
    return 0


def _progress(report: ReplayReport) -> None:
    print(
        f"replayed {report.done}/{report.selected} ({report.parked_again} parked again, {report.failed} failed)",
        file=sys.stderr,
        flush=True,
    )


def cmd_replay(args: argparse.Namespace) -> int:
    if args.id is not None:
        outcome = _run(args, lambda s: s.replay_one(args.id, args.actor, args.reason), publish=True)
        if args.json:
            _print_json({"id": outcome.id, **outcome.details(), "error": outcome.error})
        elif outcome.published:
            exchange = outcome.exchange or "(default exchange)"
            print(f"dead letter {outcome.id} {outcome.result} to {exchange}/{outcome.routing_key}")
        else:
            print(f"esb: dead letter {outcome.id} not replayed: {outcome.error}", file=sys.stderr)
        return 0 if outcome.published else 1
    selection = _selection(args)
    if not (selection.narrowed or args.all):
        print("esb: say what to replay: an ID, --route, --group, a filter, or --all", file=sys.stderr)
        return 2

    report = _run(
        args,
        lambda s: s.replay(
            selection,
            args.actor,
            args.reason,
            limit=args.limit,
            batch_size=args.batch_size,
            rate=args.rate,
            progress=_progress,
        ),
        publish=True,
    )
    if args.json:
        _print_json(asdict(report))
    else:
        print(f"{report.replayed} replayed, {report.parked_again} parked again, {report.failed} failed")
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
    return 0 if report.failed == 0 else 1


def _read_patch(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise Refused(f"cannot read the patch: {exc}") from None
    except ValueError as exc:
        raise Refused(f"the patch is not JSON: {exc}") from None


def cmd_edit(args: argparse.Namespace) -> int:
    try:
        patch = _read_patch(args.patch)
    except Refused as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 1
    edited = _run(args, lambda s: s.edit(args.id, patch, args.actor, args.reason))
    if args.json:
        _print_json(edited)
    else:
        print(f"dead letter {edited.id} edited; a replay sends:")
        print(json.dumps(edited.payload, indent=2))
    return 0


def cmd_discard(args: argparse.Namespace) -> int:
    discarded = _run(args, lambda s: s.discard(args.id, args.actor, args.reason))
    print(f"dead letter {discarded.id} discarded")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = create_store_engine(settings.database_url, migrate=False)
    try:
        result = upgrade(engine)
    except ConfigurationError as exc:
        print(f"esb: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if result.changed:
        print(f"store {where} upgraded from {result.before or 'empty'} to {result.after}")
    else:
        print(f"store {where} is up to date ({result.after})")
    return 0


def _filters(parser: argparse.ArgumentParser, *, fingerprint_flag: str = "--fingerprint") -> None:
    parser.add_argument("--route", help="dead letters of this route")
    parser.add_argument("--type", help="of this message type, e.g. production.order.released")
    parser.add_argument("--error", help="with this error class, or this text in the error message")
    parser.add_argument("--older-than", type=_age, metavar="AGE", help="failed longer ago than AGE (30m, 2h, 3d)")
    parser.add_argument("--newer-than", type=_age, metavar="AGE", help="failed within AGE")
    parser.add_argument("--correlation-id", help="of this business transaction")
    parser.add_argument("--key", metavar="VALUE", help="with this business key (order number, ASN number, ...)")
    parser.add_argument(fingerprint_flag, dest="fingerprint", metavar="FINGERPRINT", help="of this failure kind")
    parser.add_argument("--dead-reason", help="rejected, exhausted, invalid, unroutable, delivery-limit, ...")
    parser.add_argument("--json", action="store_true", help="JSON output")


def _audited(parser: argparse.ArgumentParser, reason_help: str) -> None:
    parser.add_argument("--actor", default=_actor(), help="who does this, for the audit trail (default: you)")
    parser.add_argument("--reason", help=reason_help)


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``dlq`` and ``db`` on the ``esb`` command line."""
    dlq = commands.add_parser("dlq", help="dead letters: list, show, edit, replay, discard").add_subparsers(
        dest="action", required=True
    )
    listing = dlq.add_parser("list", help="parked dead letters, newest first, or counts per failure kind")
    _filters(listing)
    listing.add_argument("--status", choices=("parked", "replayed", "discarded", "all"), default="parked")
    listing.add_argument("--group-by", choices=("fingerprint",), help="one line per failure kind, with a count")
    listing.add_argument("--page", type=int, default=1)
    listing.add_argument("--page-size", type=int, default=50)
    listing.set_defaults(handler=cmd_list)

    show = dlq.add_parser("show", help="one dead letter in full: envelope, headers, attempts, audit trail")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    replay = dlq.add_parser(
        "replay", help="republish to the route's queue (same message id); run again after an interruption"
    )
    replay.add_argument("id", type=int, nargs="?", help="one dead letter; or select with the options below")
    _filters(replay, fingerprint_flag="--group")
    replay.add_argument("--all", action="store_true", help="every parked dead letter")
    replay.add_argument("--limit", type=int, help="stop after this many")
    replay.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="published and marked together")
    replay.add_argument("--rate", type=float, help="at most this many per second")
    _audited(replay, "why, for the audit trail")
    replay.set_defaults(handler=cmd_replay)

    edit = dlq.add_parser("edit", help="change the payload with a JSON Patch (RFC 6902); the original is kept")
    edit.add_argument("id", type=int)
    edit.add_argument("--patch", required=True, metavar="FILE", help="the JSON Patch file, - for standard input")
    edit.add_argument("--json", action="store_true")
    _audited(edit, "why (required)")
    edit.set_defaults(handler=cmd_edit)

    discard = dlq.add_parser("discard", help="give up on a dead letter (it stays in the store, audited)")
    discard.add_argument("id", type=int)
    _audited(discard, "why (required)")
    discard.set_defaults(handler=cmd_discard)

    db = commands.add_parser("db", help="the store").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply schema migrations (esb run does this on start)").set_defaults(
        handler=cmd_db_upgrade
    )
