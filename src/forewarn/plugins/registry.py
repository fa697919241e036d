"""Finds check plugins through the `forewarn.plugins` entry-point group, built-ins included."""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import entry_points

from forewarn.core.errors import ValidationFailed
from forewarn.plugins.v1 import CheckPlugin

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "forewarn.plugins"


@cache
def check_plugins() -> dict[str, CheckPlugin]:
    """Every installed check plugin by kind; a broken third-party plugin is logged, not fatal."""
    found: dict[str, CheckPlugin] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception:  # a third-party plugin must not take the platform down
            log.exception("plugin %s could not be loaded", ep.name)
            continue
        if isinstance(cls, type) and issubclass(cls, CheckPlugin):
            found[cls.kind] = cls()
    return found


def get_check_plugin(kind: str) -> CheckPlugin:
    plugins = check_plugins()
    if kind not in plugins:
        known = ", ".join(sorted(plugins)) or "none installed"
        raise ValidationFailed(f"unknown check kind {kind!r} (known: {known})", where="kind")
    return plugins[kind]
