"""Loading and checking the route catalogue (``routes/*.yaml``).

Every error is reported with its file and line, all at once, and nothing starts while any route is invalid:
the catalogue is checked whole before the runtime declares a queue or opens a consumer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bus.routespec import RouteSpec
from legacy_adapters.registry import adapter_class, inbound_adapter_class
from transformers import get_transformer

ROUTE_FILE_GLOBS = ("*.yaml", "*.yml")
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class RouteProblem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CatalogueInvalid(Exception):
    """One or more route files are invalid; ``problems`` lists each with file and line."""

    def __init__(self, problems: list[RouteProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedRoute:
    spec: RouteSpec
    file: Path
    adapter_settings: Any
    inbound_settings: tuple[Any, ...] = ()
    """The validated settings of each ``spec.inbound`` entry, in order."""


def _line_map(node: yaml.Node, path: Path_ = (), lines: dict[Path_, int] | None = None) -> dict[Path_, int]:
    """Map each key path of a YAML document to the 1-based line where it is written."""
    lines = {} if lines is None else lines
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            lines[child] = key_node.start_mark.line + 1
            _line_map(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)
    return lines


def _line_of(lines: dict[Path_, int], location: Iterable[str | int]) -> int:
    path = tuple(location)
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _expand_env(value: Any, path: Path_, missing: list[Path_]) -> Any:
    """Replace ``${VAR}`` and ``${VAR:-default}`` in strings; record paths whose variable is unset."""
    if isinstance(value, dict):
        return {k: _expand_env(v, (*path, k), missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, (*path, i), missing) for i, v in enumerate(value)]
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(path)
            return match.group(0)

        return _ENV_REFERENCE.sub(substitute, value)
    return value


def _reason(exc: Exception) -> str:
    """An exception's message; a ``KeyError`` would otherwise print it quoted."""
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


def _pydantic_problems(
    file: Path, lines: dict[Path_, int], error: ValidationError, prefix: Path_ = ()
) -> list[RouteProblem]:
    problems = []
    for item in error.errors():
        location = (*prefix, *item["loc"])
        where = ".".join(str(part) for part in location) or "route"
        problems.append(RouteProblem(file, _line_of(lines, location), f"{where}: {item['msg']}"))
    return problems


def load_route_file(file: Path) -> tuple[LoadedRoute | None, list[RouteProblem]]:
    """Parse and check one route file; return the route or the problems found."""
    try:
        text = file.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [RouteProblem(file, 1, f"cannot read route file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [RouteProblem(file, (mark.line + 1) if mark else 1, f"not valid YAML: {exc}")]
    if not isinstance(data, dict) or node is None:
        return None, [
            RouteProblem(file, 1, "a route file must be a YAML mapping (name, interface, source, target, ...)")
        ]
    lines = _line_map(node)
    missing: list[Path_] = []
    data = _expand_env(data, (), missing)
    problems = [
        RouteProblem(file, _line_of(lines, path), f"{'.'.join(map(str, path))}: environment variable not set")
        for path in missing
    ]
    try:
        spec = RouteSpec.model_validate(data)
    except ValidationError as exc:
        return None, problems + _pydantic_problems(file, lines, exc)
    try:
        get_transformer(spec.transform)
    except KeyError as exc:
        problems.append(RouteProblem(file, _line_of(lines, ("transform",)), f"transform: {exc.args[0]}"))
    adapter_settings = None
    try:
        cls = adapter_class(spec.target.adapter)
        adapter_settings = cls.Settings.model_validate(spec.target.settings)
    except (KeyError, TypeError, ImportError) as exc:
        problems.append(RouteProblem(file, _line_of(lines, ("target", "adapter")), f"target.adapter: {_reason(exc)}"))
    except ValidationError as exc:
        problems.extend(_pydantic_problems(file, lines, exc, ("target", "settings")))
    inbound_settings = []
    for index, entry in enumerate(spec.inbound):
        where = ("inbound", index)
        try:
            inbound_settings.append(inbound_adapter_class(entry.adapter).Settings.model_validate(entry.settings))
        except (KeyError, TypeError, ImportError) as exc:
            problems.append(
                RouteProblem(file, _line_of(lines, (*where, "adapter")), f"inbound.{index}.adapter: {_reason(exc)}")
            )
        except ValidationError as exc:
            problems.extend(_pydantic_problems(file, lines, exc, (*where, "settings")))
    if stem_mismatch := (file.stem != spec.name):
        problems.append(
            RouteProblem(
                file, _line_of(lines, ("name",)), f"name: {spec.name!r} must match the file name {file.stem!r}"
            )
        )
    if problems or stem_mismatch:
        return None, problems
    route = LoadedRoute(
        spec=spec, file=file, adapter_settings=adapter_settings, inbound_settings=tuple(inbound_settings)
    )
    return route, []


def route_files(directory: Path) -> list[Path]:
    return sorted({f for pattern in ROUTE_FILE_GLOBS for f in directory.glob(pattern)})


def load_catalogue(directory: Path) -> list[LoadedRoute]:
    """Load every route in ``directory``; raise ``CatalogueInvalid`` with all problems if any."""
    if not directory.is_dir():
        raise CatalogueInvalid([RouteProblem(directory, 0, "route directory does not exist")])
    routes: list[LoadedRoute] = []
    problems: list[RouteProblem] = []
    for file in route_files(directory):
        route, found = load_route_file(file)
        problems.extend(found)
        if route is not None:
            routes.append(route)
    if problems:
        raise CatalogueInvalid(problems)
    return routes
