"""Route filters: a small, safe expression language over the envelope.

Filters read like Python expressions but only comparisons, boolean logic, membership, literals and field
access are allowed, e.g. ``payload.order_type in ["PP01", "PP02"] and plant != "9999"``. Nothing is
evaluated with ``eval``: the expression is parsed into an AST, checked against a whitelist when the route
loads, and interpreted against ``Envelope.filter_view()``. A missing field reads as ``None``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from bus.errors import PermanentError

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: b is not None and a in b,
    ast.NotIn: lambda a, b: b is None or a not in b,
}
_STRING_METHODS = {"startswith", "endswith", "lower", "upper", "strip"}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"len": len, "any": any, "all": all}
_ROOTS = {
    "message_id",
    "correlation_id",
    "causation_id",
    "type",
    "schema_version",
    "source",
    "plant",
    "occurred_at",
    "published_at",
    "payload",
}
MAX_EXPRESSION_LENGTH = 2000


class FilterSyntaxError(ValueError):
    """The filter expression is not valid in the filter language."""


class FilterFailed(PermanentError):
    """The filter could not be evaluated on this message."""


class RouteFilter:
    """A compiled filter; ``RouteFilter(None)`` accepts every message."""

    def __init__(self, expression: str | None) -> None:
        self.expression = expression
        self._tree: ast.expr | None = None
        if expression is not None and expression.strip():
            self._tree = _compile(expression)

    @property
    def accepts_all(self) -> bool:
        return self._tree is None

    def __call__(self, view: dict[str, Any]) -> bool:
        if self._tree is None:
            return True
        try:
            return bool(_evaluate(self._tree, view))
        except Exception as exc:
            raise FilterFailed(f"filter {self.expression!r} failed: {type(exc).__name__}: {exc}") from exc


def _compile(expression: str) -> ast.expr:
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise FilterSyntaxError(f"filter longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FilterSyntaxError(f"filter is not a valid expression: {exc.msg} at column {exc.offset}") from None
    _check(tree)
    return tree


def _check(node: ast.AST) -> None:
    match node:
        case ast.BoolOp(values=values):
            for value in values:
                _check(value)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            _check(operand)
        case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int() | float())):
            pass
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            for op in ops:
                if type(op) not in _COMPARE:
                    raise FilterSyntaxError(f"operator {type(op).__name__} is not allowed in filters")
            for part in (left, *comparators):
                _check(part)
        case ast.Name(id=name):
            if name not in _ROOTS:
                raise FilterSyntaxError(f"unknown name {name!r}; filters start from {', '.join(sorted(_ROOTS))}")
        case ast.Attribute(value=value, attr=attr):
            if attr.startswith("_"):
                raise FilterSyntaxError(f"field {attr!r} is not allowed")
            _check(value)
        case ast.Subscript(value=value, slice=ast.Constant(value=str() | int())):
            _check(value)
        case ast.Constant(value=None | bool() | int() | float() | str()):
            pass
        case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
            for elt in elts:
                _check(elt)
        case ast.Call(func=ast.Attribute(attr=method, value=value), args=args, keywords=[]) if (
            method in _STRING_METHODS
        ):
            _check(value)
            for arg in args:
                _check(arg)
        case ast.Call(func=ast.Name(id=function), args=args, keywords=[]) if function in _FUNCTIONS:
            for arg in args:
                _check(arg)
        case _:
            raise FilterSyntaxError(f"{type(node).__name__} is not allowed in filters ({ast.unparse(node)!r})")


def _field(container: Any, key: str | int) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    if isinstance(container, list) and isinstance(key, int):
        return container[key] if -len(container) <= key < len(container) else None
    return None


def _evaluate(node: ast.AST, view: dict[str, Any]) -> Any:
    match node:
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_evaluate(v, view) for v in values)
        case ast.BoolOp(op=ast.Or(), values=values):
            return any(_evaluate(v, view) for v in values)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _evaluate(operand, view)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_evaluate(operand, view)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _evaluate(left, view)
            for op, right_node in zip(ops, comparators, strict=True):
                right = _evaluate(right_node, view)
                if not _COMPARE[type(op)](current, right):
                    return False
                current = right
            return True
        case ast.Name(id=name):
            return view.get(name)
        case ast.Attribute(value=value, attr=attr):
            return _field(_evaluate(value, view), attr)
        case ast.Subscript(value=value, slice=ast.Constant(value=key)):
            return _field(_evaluate(value, view), key)
        case ast.Constant(value=value):
            return value
        case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
            return [_evaluate(e, view) for e in elts]
        case ast.Call(func=ast.Attribute(attr=method, value=value), args=args):
            target = _evaluate(value, view)
            if not isinstance(target, str):
                return None
            return getattr(target, method)(*(_evaluate(a, view) for a in args))
        case ast.Call(func=ast.Name(id=function), args=args):
            return _FUNCTIONS[function](*(_evaluate(a, view) for a in args))
    raise FilterSyntaxError(f"cannot evaluate {type(node).__name__}")
