"""The in-process bus: a batch subscriber gets what is queued as ordered lists, a failing batch is handed
over again one record at a time, and nothing acknowledged is dropped."""

from __future__ import annotations

import asyncio
import logging

import pytest

from forewarn.bus import InProcessBus


async def test_a_batch_subscriber_gets_the_queue_in_order_in_lists_of_at_most_n() -> None:
    bus = InProcessBus()
    batches: list[list[int]] = []
    singles: list[int] = []

    async def gather(records: list[int]) -> None:
        batches.append(records)

    async def one(record: int) -> None:
        singles.append(record)

    bus.subscribe("t", "batched", gather, batch=40)
    bus.subscribe("t", "single", one)
    await bus.start()
    for k in range(100):  # queued before the consumers run: they find all of it waiting
        await bus.publish("t", k)
    await bus.drain()
    assert [len(b) for b in batches] == [40, 40, 20]
    assert [r for b in batches for r in b] == list(range(100)) == singles
    await bus.publish("t", 100)  # a quiet topic: one record goes alone, without waiting for company
    await bus.drain()
    assert batches[-1] == [100]
    await bus.stop()


async def test_records_arriving_while_the_handler_works_make_the_next_batch() -> None:
    bus = InProcessBus()
    seen: list[list[int]] = []
    busy = asyncio.Event()
    release = asyncio.Event()

    async def slow(records: list[int]) -> None:
        seen.append(records)
        busy.set()
        await release.wait()

    bus.subscribe("t", "slow", slow, batch=1000)
    await bus.start()
    await bus.publish("t", 0)
    await busy.wait()
    for k in range(1, 6):
        await bus.publish("t", k)
    release.set()
    await bus.drain()
    assert seen == [[0], [1, 2, 3, 4, 5]]
    await bus.stop()


async def test_a_failing_batch_is_retried_one_record_at_a_time(caplog: pytest.LogCaptureFixture) -> None:
    bus = InProcessBus()
    calls: list[list[int]] = []
    done: list[int] = []

    async def picky(records: list[int]) -> None:
        calls.append(list(records))
        if 13 in records:  # a poison record fails whatever batch it is in
            raise RuntimeError("cannot handle 13")
        done.extend(records)

    bus.subscribe("t", "picky", picky, batch=10)
    await bus.start()
    with caplog.at_level(logging.ERROR, logger="forewarn.bus.inprocess"):
        for k in range(20):
            await bus.publish("t", k)
        await bus.drain()  # returns: every record was acknowledged, the poison one too
    assert done == [k for k in range(20) if k != 13]
    assert calls[0] == list(range(10)) and calls[1] == list(range(10, 20))
    assert calls[2:] == [[k] for k in range(10, 20)]
    messages = [r.getMessage() for r in caplog.records]
    assert any("batch of 10 t records" in m for m in messages)
    assert sum("failed on a t record" in m for m in messages) == 1
    await bus.stop()


def test_a_batch_below_one_is_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="batch must be at least 1"):
        InProcessBus().subscribe("t", "c", lambda r: None, batch=0)  # type: ignore[arg-type, return-value]
