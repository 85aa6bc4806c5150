"""Writing route files for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_route(directory: Path, name: str, target_url: str, **fields: Any) -> Path:
    """A route file with sensible test defaults; ``fields`` override top-level keys."""
    route: dict[str, Any] = {
        "name": name,
        "interface": f"TEST-{name.upper()}",
        "source": {"types": ["production.order.released"]},
        "transform": "canonical.json",
        "target": {"adapter": "rest", "settings": {"url": target_url, "timeout": "5s"}},
        "retry": {"attempts": 3, "backoff": ["200ms", "300ms"]},
    }
    route.update(fields)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(route, sort_keys=False), encoding="utf-8")
    return path
