"""The admin API of the parking store, JSON under ``/api/v1/admin/deadletters``.

It is served by ``esb run`` next to the REST inbound; with ``ESB_API_TOKEN`` set every call needs
``Authorization: Bearer <token>``. Changes are audited with the actor ``api`` (``api:<name>`` when the
body names one in ``actor``).

```
GET  /api/v1/admin/deadletters                 ?route= &type= &error= &older_than= &newer_than= &correlation_id=
                                               &key= &fingerprint= &reason= &status= &page= &page_size=
                                               &group_by=fingerprint (counts per failure kind)
GET  /api/v1/admin/deadletters/{id}            everything: envelope, headers, attempts, audit trail
POST /api/v1/admin/deadletters/{id}/replay     {"reason"?}
POST /api/v1/admin/deadletters/replay          {"selection": {filters}, "all"?, "limit"?, "reason"?}
POST /api/v1/admin/deadletters/{id}/edit       {"patch": [RFC 6902 operations], "reason"}
POST /api/v1/admin/deadletters/{id}/discard    {"reason"}
```
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bus.problems import problem
from deadletter.errors import Conflict, DeadLetterError, NotFound, Refused
from deadletter.selection import Selection
from deadletter.service import DeadLetterService

PREFIX = "/api/v1/admin/deadletters"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    pass


def _answer(value: BaseModel | dict[str, Any], status: int = 200) -> web.Response:
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return web.json_response(data, status=status)


def _problems(handler: Handler) -> Handler:
    """Refusals as RFC 9457 problems: 404 unknown, 409 not parked, 422 refused, 400 malformed."""

    async def answer(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except NotFound as exc:
            return problem(404, "Not found", str(exc))
        except Conflict as exc:
            return problem(409, "Not parked", str(exc))
        except Refused as exc:
            return problem(422, "Refused", str(exc), errors=exc.errors)
        except DeadLetterError as exc:
            return problem(400, "Bad request", str(exc))
        except (BadRequest, ValidationError) as exc:
            return problem(400, "Bad request", str(exc))

    return answer


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise NotFound(f"no dead letter {request.match_info['id']!r}") from None


def _int(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.query.get(name, default))
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = json.loads(await request.read())
    except ValueError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _actor(body: dict[str, Any]) -> str:
    named = body.get("actor")
    return f"api:{named}" if isinstance(named, str) and named.strip() else "api"


def admin_routes(service: DeadLetterService) -> list[web.RouteDef]:
    async def listing(request: web.Request) -> web.Response:
        filters = {k: v for k, v in request.query.items() if k not in ("page", "page_size", "group_by")}
        selection = Selection.model_validate(filters)
        page, size = _int(request, "page", 1), _int(request, "page_size", 50)
        group_by = request.query.get("group_by")
        if group_by not in (None, "fingerprint"):
            raise BadRequest("group_by can only be 'fingerprint'")
        if group_by:
            return _answer(await service.groups(selection, page, size))
        return _answer(await service.list(selection, page, size))

    async def show(request: web.Request) -> web.Response:
        return _answer(await service.show(_id(request)))

    async def replay_one(request: web.Request) -> web.Response:
        body = await _body(request)
        outcome = await service.replay_one(_id(request), _actor(body), body.get("reason"))
        answer = {"id": outcome.id, **outcome.details(), "error": outcome.error}
        return _answer(answer, 200 if outcome.published else 503)

    async def replay_many(request: web.Request) -> web.Response:
        body = await _body(request)
        selection = Selection.model_validate(body.get("selection") or {})
        if not (selection.narrowed or body.get("all") is True):
            raise BadRequest('say what to replay: a selection with at least one filter, or "all": true')
        limit = body.get("limit")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise BadRequest("limit must be a positive whole number")
        report = await service.replay(selection, _actor(body), body.get("reason"), limit=limit)
        return _answer(asdict(report), 200 if report.failed == 0 else 503)

    async def edit(request: web.Request) -> web.Response:
        body = await _body(request)
        if "patch" not in body:
            raise BadRequest("send the JSON Patch in 'patch'")
        return _answer(await service.edit(_id(request), body["patch"], _actor(body), body.get("reason")))

    async def discard(request: web.Request) -> web.Response:
        body = await _body(request)
        return _answer(await service.discard(_id(request), _actor(body), body.get("reason")))

    return [
        web.get(PREFIX, _problems(listing)),
        web.post(f"{PREFIX}/replay", _problems(replay_many)),
        web.get(PREFIX + "/{id}", _problems(show)),
        web.post(PREFIX + "/{id}/replay", _problems(replay_one)),
        web.post(PREFIX + "/{id}/edit", _problems(edit)),
        web.post(PREFIX + "/{id}/discard", _problems(discard)),
    ]
