"""Waiting in tests for something another process does: poll a condition with a bound that only stops a hang."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(fn: Callable[[], T], timeout: float = 60.0, every: float = 0.5) -> T:
    """Repeat until fn() is truthy and return it; the bound only keeps a broken run from hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not reached in time")
