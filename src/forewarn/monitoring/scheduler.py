"""The asyncio check scheduler: each check on its interval with jitter, under one concurrency limit."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from forewarn.core.clock import Clock, SystemClock
from forewarn.core.records import CheckResult
from forewarn.monitoring.checks import CheckDefinition
from forewarn.monitoring.runner import run_check

log = logging.getLogger(__name__)

LoadDefinitions = Callable[[], Awaitable[list[CheckDefinition]]]
Publish = Callable[[CheckResult], Awaitable[None]]


class CheckScheduler:
    """Keeps one task per check; `reload()` picks up added, changed and removed checks."""

    def __init__(self, load: LoadDefinitions, publish: Publish, concurrency: int = 64,
                 jitter: float = 0.1, clock: Clock | None = None, rng: random.Random | None = None) -> None:
        self._load = load
        self._publish = publish
        self._limit = asyncio.Semaphore(concurrency)
        self._jitter = jitter
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._tasks: dict[str, tuple[CheckDefinition, asyncio.Task]] = {}

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def reload(self) -> None:
        wanted = {d.id: d for d in await self._load()}
        for check_id in list(self._tasks):
            current, task = self._tasks[check_id]
            if wanted.get(check_id) != current:
                task.cancel()
                del self._tasks[check_id]
        for check_id, definition in wanted.items():
            if check_id not in self._tasks:
                task = asyncio.create_task(self._loop(definition), name=f"check:{definition.name}")
                self._tasks[check_id] = (definition, task)

    async def _loop(self, check: CheckDefinition) -> None:
        # Spread first runs over one interval so a restart does not fire every check at once.
        await self._clock.sleep(self._rng.uniform(0, min(check.interval, 5.0) * self._jitter * 10))
        while True:
            started = self._clock.now()
            async with self._limit:
                try:
                    result = await run_check(check, self._clock)
                    await self._publish(result)
                except asyncio.CancelledError:
                    raise
                except Exception:  # keep the loop alive; the next interval tries again
                    log.exception("scheduling check %s failed", check.id)
            elapsed = self._clock.now() - started
            jitter = self._rng.uniform(-self._jitter, self._jitter) * check.interval
            await self._clock.sleep(max(0.0, check.interval - elapsed + jitter))

    async def stop(self) -> None:
        tasks = [t for _, t in self._tasks.values()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
