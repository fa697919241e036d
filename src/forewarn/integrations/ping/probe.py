"""The outside effects of the ping check: ICMP echoes through icmplib and TCP-connect "pings"."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import icmplib

from forewarn.integrations.common import elapsed_ms


@dataclass(frozen=True, slots=True)
class EchoRun:
    """What one series of echoes produced: how many were sent and the round trips that came back."""

    address: str
    sent: int
    rtts_ms: tuple[float, ...]
    method: Literal["icmp", "tcp"] = "icmp"
    port: int | None = None  # the TCP port that answered, for method "tcp"


class IcmpNotPermitted(Exception):
    """The OS refused an ICMP socket (no root, and unprivileged ICMP is disabled)."""


class HostNotFound(Exception):
    """The target name does not resolve."""


class IcmpProbe(Protocol):
    async def __call__(
        self, host: str, count: int, interval: float, timeout: float, privileged: bool
    ) -> EchoRun: ...


class TcpProbe(Protocol):
    async def __call__(
        self, host: str, ports: Sequence[int], count: int, interval: float, timeout: float
    ) -> EchoRun: ...


async def icmp_echo(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
    try:
        result = await icmplib.async_ping(
            host, count=count, interval=interval, timeout=timeout, privileged=privileged
        )
    except icmplib.SocketPermissionError as exc:
        raise IcmpNotPermitted(str(exc)) from exc
    except icmplib.NameLookupError as exc:
        raise HostNotFound(host) from exc
    return EchoRun(result.address, result.packets_sent, tuple(result.rtts))


async def _knock(address: str, port: int, timeout: float) -> float | None:
    """Round trip of one TCP handshake in ms, or None when nothing answered in time.

    A refusal counts as an answer: the RST came back from the host, which proves it is up.
    """
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(address, port)
    except ConnectionRefusedError:
        return elapsed_ms(started)
    except (TimeoutError, OSError):
        return None
    rtt = elapsed_ms(started)
    writer.close()
    return rtt


async def tcp_echo(
    host: str, ports: Sequence[int], count: int, interval: float, timeout: float
) -> EchoRun:
    """`count` TCP handshakes; the first port that answers is kept for the remaining attempts.

    Each attempt takes at most `timeout`, like one ICMP echo's reply wait.
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise HostNotFound(host) from exc
    address = str(infos[0][4][0])
    candidates = list(ports)
    rtts: list[float] = []
    for attempt in range(count):
        if attempt:
            await asyncio.sleep(interval)
        # The reply wait is shared by the candidate ports so an attempt never outlasts it.
        per_port = timeout / len(candidates)
        for port in candidates:
            rtt = await _knock(address, port, per_port)
            if rtt is not None:
                rtts.append(rtt)
                candidates = [port]
                break
    answered = candidates[0] if rtts else None
    return EchoRun(address, count, tuple(rtts), method="tcp", port=answered)
