"""The syslog receiver: UDP datagrams and TCP streams on the ports it is given, batches to a callback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from forewarn.core.clock import Clock, SystemClock
from forewarn.integrations.syslog.batch import Batcher
from forewarn.integrations.syslog.framing import Frame, FrameDecoder
from forewarn.integrations.syslog.message import SyslogMessage
from forewarn.integrations.syslog.parse import parse_syslog

OnMessages = Callable[[list[SyslogMessage]], Awaitable[None]]
log = logging.getLogger(__name__)
_READ_CHUNK = 65536


@dataclass(slots=True)
class SyslogStats:
    received: int = 0
    truncated: int = 0
    dropped: int = 0  # UDP datagrams refused because the callback fell behind
    framing_errors: int = 0
    connections: int = 0


class SyslogServer:
    """Listens on UDP `udp_port` and/or TCP `tcp_port` of `host` (port 0: any free one; None: not at all).

    After `start()`, `udp_port` and `tcp_port` are the bound ports. Messages reach `on_message` in
    batches (see `Batcher`); `stop()` closes the sockets and connections and delivers what is queued.
    """

    def __init__(
        self,
        host: str,
        udp_port: int | None,
        tcp_port: int | None,
        on_message: OnMessages,
        *,
        max_message: int = 65536,
        batch_size: int = 500,
        batch_interval: float = 0.5,
        max_pending: int = 50_000,
        tz: tzinfo | None = None,
        clock: Clock | None = None,
    ) -> None:
        if udp_port is None and tcp_port is None:
            raise ValueError("give a UDP port, a TCP port or both")
        self.host, self.udp_port, self.tcp_port = host, udp_port, tcp_port
        self.max_message, self.tz = max_message, tz
        self.clock: Clock = clock or SystemClock()
        self.stats = SyslogStats()
        self._batcher: Batcher[SyslogMessage] = Batcher(on_message, batch_size, batch_interval, max_pending)
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}

    async def start(self) -> SyslogServer:
        """Bind the sockets (an OSError such as "address in use" propagates) and start delivering."""
        loop = asyncio.get_running_loop()
        self._batcher.start()
        try:
            if self.udp_port is not None:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _UdpProtocol(self), local_addr=(self.host, self.udp_port))
                self._udp = transport
                self.udp_port = transport.get_extra_info("sockname")[1]
            if self.tcp_port is not None:
                self._tcp = await asyncio.start_server(self._serve, self.host, self.tcp_port)
                self.tcp_port = self._tcp.sockets[0].getsockname()[1]
        except OSError:
            await self.stop()
            raise
        log.info("syslog receiver listening host=%s udp=%s tcp=%s", self.host, self.udp_port, self.tcp_port)
        return self

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
            self._tcp = None
        for writer in self._connections.values():
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._batcher.stop()

    async def __aenter__(self) -> SyslogServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def accept(self, frame: Frame, source: str) -> SyslogMessage:
        """Parse one frame and count it; the message is not yet queued."""
        self.stats.received += 1
        self.stats.truncated += frame.truncated
        return parse_syslog(frame.data, self.clock.now(), source, tz=self.tz, raw_length=frame.length,
                            truncated=frame.truncated)

    def datagram(self, data: bytes, source: str) -> None:
        frame = Frame(data[:self.max_message], len(data), truncated=len(data) > self.max_message)
        if not self._batcher.put_nowait(self.accept(frame, source)):
            self.stats.dropped += 1

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        self.stats.connections += 1
        source = str((writer.get_extra_info("peername") or ("",))[0])
        decoder = FrameDecoder(self.max_message)
        try:
            while chunk := await reader.read(_READ_CHUNK):
                for frame in decoder.feed(chunk):
                    await self._batcher.put(self.accept(frame, source))
        except (ConnectionError, OSError) as exc:  # a sender that resets still sent what came before
            log.debug("syslog tcp connection ended source=%s error=%s", source, exc)
        finally:
            for frame in decoder.close():
                await self._batcher.put(self.accept(frame, source))
            self.stats.framing_errors += decoder.framing_errors
            del self._connections[task]
            writer.close()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: SyslogServer) -> None:
        self._server = server

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._server.datagram(data, str(addr[0]))

    def error_received(self, exc: Exception) -> None:
        log.debug("syslog udp socket error=%s", exc)
