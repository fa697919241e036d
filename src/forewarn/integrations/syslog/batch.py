"""Messages handed on in batches: when `batch_size` have gathered, or `interval` after the last hand-over.

One task delivers, so batches arrive in order and never overlap. Up to `max_pending` items wait;
beyond that `put_nowait` refuses (UDP has no way to slow the sender: the datagram is dropped and
counted) and `put` waits for room (TCP: the connection stops being read, the sender's window fills).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Batcher(Generic[T]):
    def __init__(self, deliver: Callable[[list[T]], Awaitable[None]], batch_size: int, interval: float,
                 max_pending: int) -> None:
        if batch_size < 1 or interval <= 0 or max_pending < batch_size:
            raise ValueError("need batch_size ≥ 1, interval > 0 and max_pending ≥ batch_size")
        self._deliver = deliver
        self.batch_size, self.interval, self.max_pending = batch_size, interval, max_pending
        self._items: list[T] = []
        self._full = asyncio.Event()
        self._room = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.delivery_errors = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="syslog-batcher")

    def put_nowait(self, item: T) -> bool:
        """Queue `item`; False (and nothing queued) when `max_pending` items already wait."""
        if len(self._items) >= self.max_pending:
            return False
        self._items.append(item)
        if len(self._items) >= self.batch_size:
            self._full.set()
        return True

    async def put(self, item: T) -> None:
        """Queue `item`, waiting for the deliverer to make room when `max_pending` items wait."""
        while not self.put_nowait(item):
            self._room.clear()
            await self._room.wait()

    async def stop(self) -> None:
        """Deliver everything still queued, then end."""
        self._stopping = True
        self._full.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.interval):
                    await self._full.wait()
            except TimeoutError:
                pass
            self._full.clear()
            await self._flush()
            if self._stopping and not self._items:
                return

    async def _flush(self) -> None:
        while self._items:
            batch = self._items[:self.batch_size]
            del self._items[:self.batch_size]
            self._room.set()
            try:
                await self._deliver(batch)
            except Exception:  # the consumer's bug must not stop the receiver; it is logged with its trace
                self.delivery_errors += 1
                log.exception("syslog batch delivery failed size=%d", len(batch))
