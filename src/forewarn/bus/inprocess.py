"""The in-process bus of the embedded default: one asyncio queue and task per consumer."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from forewarn.bus.base import Handler

log = logging.getLogger(__name__)


class InProcessBus:
    def __init__(self, max_queue: int = 100_000) -> None:
        self._max_queue = max_queue
        self._subs: dict[str, list[tuple[str, Handler, asyncio.Queue]]] = defaultdict(list)
        self._tasks: list[asyncio.Task] = []

    def subscribe(self, topic: str, consumer: str, handler: Handler) -> None:
        self._subs[topic].append((consumer, handler, asyncio.Queue(self._max_queue)))

    async def publish(self, topic: str, record: Any) -> None:
        # A full queue applies back-pressure to the producer instead of dropping records.
        for _, _, queue in self._subs.get(topic, []):
            await queue.put(record)

    async def start(self) -> None:
        for topic, subs in self._subs.items():
            for consumer, handler, queue in subs:
                self._tasks.append(asyncio.create_task(self._consume(topic, consumer, handler, queue),
                                                       name=f"bus:{topic}:{consumer}"))

    async def _consume(self, topic: str, consumer: str, handler: Handler, queue: asyncio.Queue) -> None:
        while True:
            record = await queue.get()
            try:
                await handler(record)
            except Exception:  # one bad record must not stop the stage
                log.exception("consumer %s failed on a %s record", consumer, topic)
            finally:
                queue.task_done()

    async def drain(self) -> None:
        while True:
            queues = [q for subs in self._subs.values() for _, _, q in subs]
            for q in queues:
                await q.join()
            if all(q.empty() for q in queues):
                return

    async def stop(self) -> None:
        await self.drain()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
