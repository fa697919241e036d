"""Fixtures that start real loopback servers (HTTP, HTTPS, TCP, DNS) and build check contexts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from forewarn.core import Clock
from forewarn.plugins.v1 import CheckContext
from forewarn.testing.loopback import (
    CertAuthority,
    LoopbackDnsServer,
    LoopbackHttpServer,
    LoopbackHttpsServer,
    LoopbackServer,
    LoopbackTcpServer,
    free_port,
)


@pytest.fixture
def make_ctx() -> Callable[..., CheckContext]:
    def make(
        timeout: float = 2.0,
        asset_address: str | None = None,
        privileged: bool = False,
        clock: Clock | None = None,
    ) -> CheckContext:
        ctx = CheckContext(timeout=timeout, asset_address=asset_address, privileged=privileged)
        if clock is not None:
            ctx.clock = clock
        return ctx

    return make


@pytest.fixture
def closed_port() -> int:
    """A loopback TCP port nothing listens on."""
    return free_port()


@pytest.fixture
def http_server() -> Iterator[LoopbackHttpServer]:
    with LoopbackHttpServer() as server:
        yield server


@pytest.fixture
def cert_authority(tmp_path: Path) -> CertAuthority:
    return CertAuthority(tmp_path / "ca")


@pytest.fixture
def make_https_server(cert_authority: CertAuthority) -> Iterator[Callable[..., LoopbackHttpsServer]]:
    """Start HTTPS servers whose certificates come from `cert_authority`.

    Takes LoopbackHttpsServer's hostnames / days_before / days_after.
    """
    started: list[LoopbackServer] = []

    def make(**kwargs: Any) -> LoopbackHttpsServer:
        kwargs.setdefault("hostnames", ("www.example.test",))
        server = LoopbackHttpsServer(ca=cert_authority, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def make_tcp_server() -> Iterator[Callable[..., LoopbackTcpServer]]:
    """Start TCP listeners; takes LoopbackTcpServer's banner / reply."""
    started: list[LoopbackServer] = []

    def make(**kwargs: Any) -> LoopbackTcpServer:
        server = LoopbackTcpServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def dns_server() -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        yield server
