"""Start/stop/restart plumbing shared by the loopback servers, and a free-port helper."""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
from abc import ABC, abstractmethod
from typing import Any, Literal, Self

LOOPBACK = "127.0.0.1"


def free_port(kind: Literal["tcp", "udp"] = "tcp") -> int:
    """A port on 127.0.0.1 that nothing listens on right now (a closed-port target for tests)."""
    sock_type = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, sock_type) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class LoopbackServer(ABC):
    """Start/stop/restart plumbing shared by every loopback server; subclasses build the server."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: socketserver.BaseServer | None = None
        self._thread: threading.Thread | None = None
        # Handlers that wait (delays, silent peers) watch this so stop() never hangs on them.
        self.stopping = threading.Event()

    @abstractmethod
    def _make_server(self) -> socketserver.BaseServer:
        """A bound, not yet serving socketserver on (self.host, self.port)."""

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Self:
        if self._server is not None:
            return self
        self.stopping = threading.Event()
        server = self._make_server()
        self.port = server.server_address[1]  # port 0 becomes the real port, kept for restarts
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def restart(self) -> Self:
        self.stop()
        return self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class QuietMixin:
    """Peers hanging up or failing a TLS handshake are what tests provoke; keep stderr clean.

    Anything else is a bug in the server or its set-up and is still printed.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)  # type: ignore[misc]
