"""The Bus contract: publish typed records on a topic, consumers subscribe by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

Handler = Callable[[Any], Awaitable[None]]


class Bus(Protocol):
    def subscribe(self, topic: str, consumer: str, handler: Handler, batch: int = 1) -> None:
        """Register a consumer group; each record on the topic reaches each consumer once.

        `batch` > 1: the handler is called with a list of up to that many records, in publishing order.
        """

    async def publish(self, topic: str, record: Any) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Finish what was published, then stop the consumers."""

    async def drain(self) -> None:
        """Wait until every published record (and what it caused) has been handled."""
