"""The in-process bus of the embedded default: one asyncio queue and task per consumer; a consumer that
subscribed with `batch=N` receives lists of up to N records, gathered from what is already queued."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from forewarn.bus.base import Handler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Sub:
    consumer: str
    handler: Handler
    queue: asyncio.Queue
    batch: int  # 1: one record per call; more: a list of up to this many records per call


class InProcessBus:
    def __init__(self, max_queue: int = 100_000) -> None:
        self._max_queue = max_queue
        self._subs: dict[str, list[_Sub]] = defaultdict(list)
        self._tasks: list[asyncio.Task] = []

    def subscribe(self, topic: str, consumer: str, handler: Handler, batch: int = 1) -> None:
        """With `batch` > 1 the handler gets a list: whatever is queued, in order, up to `batch` records.

        It never waits for more to arrive, so a quiet topic costs no latency; under load the records pile
        up while the handler works and the next call takes them together.
        """
        if batch < 1:
            raise ValueError(f"batch must be at least 1, not {batch}")
        self._subs[topic].append(_Sub(consumer, handler, asyncio.Queue(self._max_queue), batch))

    async def publish(self, topic: str, record: Any) -> None:  # noqa: ANN401 - the topic decides the type
        # A full queue applies back-pressure to the producer instead of dropping records.
        for sub in self._subs.get(topic, []):
            await sub.queue.put(record)

    async def start(self) -> None:
        for topic, subs in self._subs.items():
            for sub in subs:
                consume = self._consume_batches if sub.batch > 1 else self._consume
                self._tasks.append(asyncio.create_task(consume(topic, sub), name=f"bus:{topic}:{sub.consumer}"))

    async def _consume(self, topic: str, sub: _Sub) -> None:
        while True:
            record = await sub.queue.get()
            try:
                await sub.handler(record)
            except Exception:  # one bad record must not stop the stage
                log.exception("consumer %s failed on a %s record", sub.consumer, topic)
            finally:
                sub.queue.task_done()

    async def _consume_batches(self, topic: str, sub: _Sub) -> None:
        while True:
            records = [await sub.queue.get()]
            while len(records) < sub.batch and not sub.queue.empty():
                records.append(sub.queue.get_nowait())
            try:
                await self._deliver(topic, sub, records)
            finally:
                for _ in records:  # acknowledged only once handled (or given up on, as for one record)
                    sub.queue.task_done()

    async def _deliver(self, topic: str, sub: _Sub, records: list[Any]) -> None:
        try:
            await sub.handler(records)
            return
        except Exception:
            if len(records) == 1:
                log.exception("consumer %s failed on a %s record", sub.consumer, topic)
                return
            log.exception("consumer %s failed on a batch of %d %s records; handing them over one at a time",
                          sub.consumer, len(records), topic)
        for record in records:  # the bad one fails alone, the others still count
            try:
                await sub.handler([record])
            except Exception:
                log.exception("consumer %s failed on a %s record", sub.consumer, topic)

    async def drain(self) -> None:
        while True:
            queues = [sub.queue for subs in self._subs.values() for sub in subs]
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
