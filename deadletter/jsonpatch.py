"""JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): add, remove, replace, move, copy, test."""

from __future__ import annotations

import copy
from typing import Any

OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")


class JsonPatchError(ValueError):
    """The patch is malformed or does not apply to the document; says which operation and why."""


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise JsonPatchError(f"{pointer!r} is not a JSON Pointer (it must be '' or start with '/')")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _index(token: str, array: list[Any], *, appending: bool) -> int:
    if appending and token == "-":
        return len(array)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise JsonPatchError(f"{token!r} is not an array index")
    index = int(token)
    if index > len(array) or (index == len(array) and not appending):
        raise JsonPatchError(f"index {index} is out of range (array of {len(array)})")
    return index


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    """The container holding what ``pointer`` points at, and the last token."""
    tokens = _tokens(pointer)
    if not tokens:
        raise JsonPatchError("this operation needs a path below the document root")
    return _resolve(document, tokens[:-1], pointer), tokens[-1]


def _resolve(document: Any, tokens: list[str], pointer: str) -> Any:
    node = document
    for token in tokens:
        if isinstance(node, dict):
            if token not in node:
                raise JsonPatchError(f"path {pointer!r} does not exist (no member {token!r})")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(token, node, appending=False)]
        else:
            raise JsonPatchError(f"path {pointer!r} does not exist ({token!r} is below a scalar)")
    return node


def get(document: Any, pointer: str) -> Any:
    return _resolve(document, _tokens(pointer), pointer)


def _add(document: Any, pointer: str, value: Any) -> Any:
    if pointer == "":
        return value
    container, token = _parent(document, pointer)
    if isinstance(container, dict):
        container[token] = value
    elif isinstance(container, list):
        container.insert(_index(token, container, appending=True), value)
    else:
        raise JsonPatchError(f"cannot add at {pointer!r}: its parent is not an object or array")
    return document


def _remove(document: Any, pointer: str) -> Any:
    container, token = _parent(document, pointer)
    if isinstance(container, dict):
        if token not in container:
            raise JsonPatchError(f"cannot remove {pointer!r}: it does not exist")
        return container.pop(token)
    if isinstance(container, list):
        return container.pop(_index(token, container, appending=False))
    raise JsonPatchError(f"cannot remove {pointer!r}: its parent is not an object or array")


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _member(operation: dict[str, Any], name: str) -> Any:
    if name not in operation:
        raise JsonPatchError(f"'{operation['op']}' needs a {name!r} member")
    return operation[name]


def _apply_one(document: Any, operation: dict[str, Any]) -> Any:
    op, path = operation["op"], operation["path"]
    if op == "add":
        return _add(document, path, copy.deepcopy(_member(operation, "value")))
    if op == "remove":
        if path == "":
            raise JsonPatchError("cannot remove the whole document")
        _remove(document, path)
        return document
    if op == "replace":
        get(document, path)  # must exist
        if path == "":
            return copy.deepcopy(_member(operation, "value"))
        _remove(document, path)
        return _add(document, path, copy.deepcopy(_member(operation, "value")))
    if op == "test":
        expected = _member(operation, "value")
        if not _same(get(document, path), expected):
            raise JsonPatchError(f"test failed: {path!r} is {get(document, path)!r}, not {expected!r}")
        return document
    source = _member(operation, "from")
    if op == "copy":
        return _add(document, path, copy.deepcopy(get(document, source)))
    # move
    if path != source and path.startswith(f"{source}/"):
        raise JsonPatchError(f"cannot move {source!r} into its own child {path!r}")
    if path == source:
        get(document, source)
        return document
    return _add(document, path, _remove(document, source))


def _check(patch: Any) -> list[dict[str, Any]]:
    if not isinstance(patch, list):
        raise JsonPatchError("a JSON Patch is an array of operations")
    for number, operation in enumerate(patch, start=1):
        if not isinstance(operation, dict):
            raise JsonPatchError(f"operation {number} is not an object")
        if operation.get("op") not in OPERATIONS:
            raise JsonPatchError(f"operation {number}: 'op' must be one of {', '.join(OPERATIONS)}")
        if not isinstance(operation.get("path"), str):
            raise JsonPatchError(f"operation {number}: 'path' must be a JSON Pointer string")
    return patch


def apply_patch(document: Any, patch: Any) -> Any:
    """A patched copy of ``document``; the original is not changed. The patch applies whole or not at all."""
    result = copy.deepcopy(document)
    for number, operation in enumerate(_check(patch), start=1):
        try:
            result = _apply_one(result, operation)
        except JsonPatchError as exc:
            raise JsonPatchError(f"operation {number} ({operation['op']} {operation['path']!r}): {exc}") from None
    return result
