"""The outside effect of the TCP check: connect, optionally send, and read until satisfied."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from forewarn.integrations.common import elapsed_ms


@dataclass(frozen=True, slots=True)
class TcpExchange:
    """What a connection produced: handshake time, the bytes read, and why reading stopped."""

    connect_ms: float
    received: bytes = b""
    ended: Literal["satisfied", "closed", "timeout", "limit", "none"] = "none"


async def converse(
    host: str,
    port: int,
    timeout: float,
    send: bytes | None = None,
    satisfied: Callable[[bytes], bool] | None = None,
    max_bytes: int = 4096,
) -> TcpExchange:
    """Connect within `timeout`; when `satisfied` is given, read until it holds or time runs out.

    Connection failures raise OSError (ConnectionRefusedError, socket.gaierror) or TimeoutError.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    started = time.perf_counter()
    async with asyncio.timeout_at(deadline):
        reader, writer = await asyncio.open_connection(host, port)
    connect_ms = elapsed_ms(started)
    try:
        if send:
            writer.write(send)
            await writer.drain()
        if satisfied is None:
            return TcpExchange(connect_ms)
        return await _read_until(reader, connect_ms, deadline, satisfied, max_bytes)
    finally:
        writer.close()


async def _read_until(
    reader: asyncio.StreamReader,
    connect_ms: float,
    deadline: float,
    satisfied: Callable[[bytes], bool],
    max_bytes: int,
) -> TcpExchange:
    data = b""
    try:
        async with asyncio.timeout_at(deadline):
            while True:
                chunk = await reader.read(max_bytes - len(data))
                if not chunk:
                    return TcpExchange(connect_ms, data, "closed")
                data += chunk
                if satisfied(data):
                    return TcpExchange(connect_ms, data, "satisfied")
                if len(data) >= max_bytes:
                    return TcpExchange(connect_ms, data, "limit")
    except TimeoutError:
        return TcpExchange(connect_ms, data, "timeout")
    except ConnectionResetError:
        return TcpExchange(connect_ms, data, "closed")
