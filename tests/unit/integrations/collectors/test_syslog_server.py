"""The syslog receiver on loopback, fed by util-linux `logger` over UDP and TCP, both RFCs."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator, Callable

import pytest

from forewarn.core import FakeClock
from forewarn.integrations.syslog import SyslogMessage, SyslogServer

LOGGER = shutil.which("logger")
needs_logger = pytest.mark.skipif(LOGGER is None, reason="util-linux logger (Debian bsdutils) not installed")


class Inbox:
    """What the receiver delivered, batch by batch, with a way to wait for a count."""

    def __init__(self) -> None:
        self.batches: list[list[SyslogMessage]] = []
        self._changed = asyncio.Event()

    async def __call__(self, batch: list[SyslogMessage]) -> None:
        self.batches.append(batch)
        self._changed.set()

    @property
    def messages(self) -> list[SyslogMessage]:
        return [m for batch in self.batches for m in batch]

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[SyslogMessage]:
        async with asyncio.timeout(timeout):
            while len(self.messages) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.messages


@pytest.fixture
async def receiver() -> AsyncIterator[Callable[..., asyncio.Future]]:
    started: list[SyslogServer] = []

    async def start(udp: int | None = 0, tcp: int | None = 0, **kw) -> tuple[SyslogServer, Inbox]:
        inbox = Inbox()
        kw.setdefault("batch_interval", 0.05)
        server = await SyslogServer("127.0.0.1", udp, tcp, inbox, **kw).start()
        started.append(server)
        return server, inbox

    yield start
    for server in started:
        await server.stop()


async def logger(port: int, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        LOGGER, "--server", "127.0.0.1", "--port", str(port), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


@needs_logger
async def test_logger_over_udp_in_both_formats(receiver):
    server, inbox = await receiver(tcp=None)
    assert server.udp_port and server.tcp_port is None
    await logger(server.udp_port, "--udp", "--rfc3164", "-t", "backup", "-p", "local3.err", "job failed: disk full")
    await logger(server.udp_port, "--udp", "--rfc5424", "-t", "webapp", "--msgid", "LOGIN",
                 "--sd-id", "auth@32473", "--sd-param", 'user="ann \\"the admin\\""', "login ok")
    bsd, modern = sorted(await inbox.wait_for(2), key=lambda m: m.protocol)
    assert (bsd.protocol, bsd.app, bsd.message, bsd.facility_name, bsd.severity_name) == (
        "rfc3164", "backup", "job failed: disk full", "local3", "err")
    assert bsd.hostname == socket.gethostname() and bsd.source == "127.0.0.1" and not bsd.problems
    assert (modern.protocol, modern.app, modern.msgid, modern.message) == ("rfc5424", "webapp", "LOGIN", "login ok")
    assert modern.structured_data["auth@32473"] == {"user": 'ann "the admin"'}
    assert abs(modern.ts - modern.received) < 60 and not modern.problems


@needs_logger
@pytest.mark.parametrize("framing", [["--rfc3164"], ["--rfc5424"], ["--rfc5424", "--octet-count"]])
async def test_logger_over_tcp_with_each_framing(receiver, framing):
    server, inbox = await receiver(udp=None)
    await logger(server.tcp_port, "--tcp", *framing, "-t", "db", "replica lag 31 s")
    [message] = await inbox.wait_for(1)
    assert (message.app, message.message, message.source) == ("db", "replica lag 31 s", "127.0.0.1")
    assert message.protocol == framing[0].removeprefix("--")


@needs_logger
async def test_logger_file_of_many_lines_arrives_in_order_and_in_batches(receiver, tmp_path):
    server, inbox = await receiver(udp=None, batch_size=50)
    lines = tmp_path / "lines.txt"
    lines.write_text("".join(f"line {i}\n" for i in range(120)))
    await logger(server.tcp_port, "--tcp", "--octet-count", "-t", "bulk", "-f", str(lines))
    messages = await inbox.wait_for(120)
    assert [m.message for m in messages] == [f"line {i}" for i in range(120)]
    assert max(len(b) for b in inbox.batches) <= 50


async def test_tcp_connection_closed_mid_frame_delivers_the_cut_frame(receiver):
    server, inbox = await receiver(udp=None)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.tcp_port)
    complete = b"<13>1 - host app - - - complete"
    writer.write(b"%d %s" % (len(complete), complete) + b"60 <14>1 - h a - - - cut")
    await writer.drain()
    writer.close()
    first, second = await inbox.wait_for(2)
    assert first.message == "complete" and not first.truncated
    assert second.truncated and second.raw_length == 60 and second.app_name == "a"


async def test_oversized_udp_datagram_is_truncated_and_flagged(receiver):
    server, inbox = await receiver(tcp=None, max_message=100)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"<13>Nov 28 14:03:09 h app: " + b"y" * 5000, ("127.0.0.1", server.udp_port))
    [message] = await inbox.wait_for(1)
    assert message.truncated and message.raw_length == 5027 and len(message.message) == 100 - 27
    assert server.stats.truncated == 1


async def test_receiver_dates_bsd_messages_with_its_clock(receiver):
    clock = FakeClock(start=1_000_000.0)
    server, inbox = await receiver(tcp=None, clock=clock)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"<13>no timestamp here", ("127.0.0.1", server.udp_port))
    [message] = await inbox.wait_for(1)
    assert message.ts == message.received == 1_000_000.0


async def test_a_failing_callback_does_not_stop_the_receiver(receiver):
    seen: list[str] = []

    async def flaky(batch: list[SyslogMessage]) -> None:
        seen.extend(m.message for m in batch)
        if len(seen) == 1:
            raise RuntimeError("consumer bug")

    server = await SyslogServer("127.0.0.1", 0, None, flaky, batch_interval=0.02).start()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            async with asyncio.timeout(5):
                sock.sendto(b"<13>first", ("127.0.0.1", server.udp_port))
                while not seen:  # the first batch has been delivered (and has failed)
                    await asyncio.sleep(0.01)
                sock.sendto(b"<13>second", ("127.0.0.1", server.udp_port))
                while len(seen) < 2:
                    await asyncio.sleep(0.01)
    finally:
        await server.stop()
    assert seen == ["first", "second"]
    assert server._batcher.delivery_errors == 1


async def test_stop_delivers_what_is_queued_and_closes_connections():
    inbox = Inbox()
    server = await SyslogServer("127.0.0.1", None, 0, inbox, batch_interval=60).start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.tcp_port)
    writer.write(b"<13>queued\n")
    await writer.drain()
    while server.stats.received < 1:
        await asyncio.sleep(0.01)
    await server.stop()
    assert [m.message for m in inbox.messages] == ["queued"]
    assert await reader.read() == b""  # the receiver hung up
    writer.close()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", server.tcp_port)


async def test_it_binds_only_what_it_is_given_and_says_when_given_nothing():
    with pytest.raises(ValueError, match="UDP port, a TCP port or both"):
        SyslogServer("127.0.0.1", None, None, Inbox())


async def test_a_port_in_use_is_an_error_and_leaves_nothing_bound(receiver):
    first, _ = await receiver(udp=None)
    second = SyslogServer("127.0.0.1", 0, first.tcp_port, Inbox())
    with pytest.raises(OSError):
        await second.start()
    assert second._udp is None
