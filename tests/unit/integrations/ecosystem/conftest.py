"""Fixtures for the ecosystem checks: real Debian plugins and exporters, and the shared data fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

NAGIOS_PLUGINS = Path("/usr/lib/nagios/plugins")
# Real data files live beside the repository, never inside it (see the fixtures README).
FIXTURES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "fixtures"


def services_required() -> bool:
    return os.environ.get("FOREWARN_REQUIRE_SERVICES") == "1"


def need(path: Path, why: str) -> Path:
    """`path` when it exists; otherwise skip with `why`, or fail when CI requires real services."""
    if path.exists():
        return path
    message = f"{path} is missing: {why}"
    if services_required():
        pytest.fail(message + " (FOREWARN_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def nagios_plugin() -> Callable[[str], str]:
    """A function giving the path of a monitoring-plugins-basic program, skipping when absent."""

    def locate(name: str) -> str:
        return str(need(NAGIOS_PLUGINS / name, "install the Debian package monitoring-plugins-basic"))

    return locate


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"real data fixtures not found at {FIXTURES} (they live outside the repository)")
    return FIXTURES
