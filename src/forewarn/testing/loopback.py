"""Real servers on 127.0.0.1 (HTTP, HTTPS, TCP, DNS) that tests start, steer, stop and restart.

Each server runs in a background thread, so sync tests, async tests and end-to-end tests that
start the platform as a subprocess can all use it. Every server binds a free port on `start()`
and keeps that port across `stop()` / `restart()`, so a test can take a target down and bring it
back at the same address.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from forewarn.testing.certs import CertAuthority, LeafCert
from forewarn.testing.dns_server import LoopbackDnsServer
from forewarn.testing.server_base import LOOPBACK, LoopbackServer, QuietMixin, free_port

__all__ = [
    "CertAuthority", "LeafCert", "LoopbackHttpServer", "LoopbackHttpsServer", "LoopbackServer",
    "LoopbackTcpServer", "Reply", "SeenRequest", "free_port", "LoopbackDnsServer",
]

# --- HTTP -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Reply:
    """What the HTTP server answers on one path."""

    status: int = 200
    body: bytes = b"ok\n"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering; longer than a check's timeout = timeout


@dataclass(frozen=True, slots=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]


class _HttpHandler(BaseHTTPRequestHandler):
    server: _HttpServer

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_POST(self) -> None:
        self._answer(with_body=True)

    def _answer(self, with_body: bool) -> None:
        owner = self.server.owner
        owner.requests.append(SeenRequest(self.command, self.path, dict(self.headers.items())))
        reply = owner.routes.get(self.path.split("?", 1)[0], _NOT_FOUND)
        if reply.delay and owner.stopping.wait(reply.delay):
            return  # stopped while delaying: hang up without answering
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


_NOT_FOUND = Reply(status=404, body=b"not found\n")


class _HttpServer(QuietMixin, ThreadingHTTPServer):
    def __init__(self, owner: LoopbackHttpServer) -> None:
        self.owner = owner
        super().__init__((owner.host, owner.port), _HttpHandler)


class LoopbackHttpServer(LoopbackServer):
    """An HTTP server whose answers tests set per path; "/" answers 200 "ok" until changed.

    `reply()` and `redirect()` steer it, `requests` records what it received.
    """

    scheme = "http"

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        super().__init__(host, port)
        self.routes: dict[str, Reply] = {"/": Reply()}
        self.requests: list[SeenRequest] = []

    def reply(
        self,
        path: str = "/",
        status: int = 200,
        body: bytes | str = b"ok\n",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Reply(status, data, dict(headers or {}), delay)

    def redirect(self, path: str, to: str, status: int = HTTPStatus.FOUND) -> None:
        """Answer `path` with a redirect to `to` (a path on this server or a full URL)."""
        self.reply(path, status=status, body=b"", headers={"Location": to})

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def _make_server(self) -> socketserver.BaseServer:
        return _HttpServer(self)


class _HttpsServer(_HttpServer):
    def __init__(self, owner: LoopbackHttpsServer) -> None:
        self.tls = owner.server_context
        super().__init__(owner)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Handshake here, in the handler thread: in accept() a stalled client would block serving.
        with self.tls.wrap_socket(request, server_side=True) as tls_sock:
            super().finish_request(tls_sock, client_address)


class LoopbackHttpsServer(LoopbackHttpServer):
    """The HTTP server behind TLS, with a leaf certificate issued by a throwaway CA.

    `hostnames` and `days_before`/`days_after` shape the certificate (a wrong host, an expired
    or nearly expired one); `ca_file` is the PEM file a client must trust to verify it.
    """

    scheme = "https"

    def __init__(
        self,
        ca: CertAuthority | None = None,
        hostnames: tuple[str, ...] | list[str] = ("localhost", LOOPBACK),
        days_before: float = 1.0,
        days_after: float = 90.0,
        host: str = LOOPBACK,
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.ca = ca or CertAuthority()
        self.leaf = self.ca.issue(hostnames, days_before=days_before, days_after=days_after)
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_context.load_cert_chain(self.leaf.cert_file, self.leaf.key_file)

    @property
    def ca_file(self) -> str:
        return str(self.ca.ca_file)

    def _make_server(self) -> socketserver.BaseServer:
        return _HttpsServer(self)


# --- TCP ------------------------------------------------------------------------------------


class _TcpHandler(socketserver.BaseRequestHandler):
    server: _TcpServer

    def handle(self) -> None:
        owner = self.server.owner
        sock: socket.socket = self.request
        sock.settimeout(0.05)
        if owner.banner is not None:
            sock.sendall(owner.banner)
        answered = False
        # Hold the connection open until the peer hangs up or the server stops, so a peer that
        # waits for a banner that never comes sees a timeout, not a close.
        while not owner.stopping.is_set():
            try:
                data = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            owner.received.append(data)
            if owner.reply is not None and not answered:
                sock.sendall(owner.reply)
                answered = True


class _TcpServer(QuietMixin, socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, owner: LoopbackTcpServer) -> None:
        self.owner = owner
        super().__init__((owner.host, owner.port), _TcpHandler)


class LoopbackTcpServer(LoopbackServer):
    """A TCP listener that sends `banner` on connect and `reply` after the first data it gets.

    With neither it accepts and stays silent, which makes a banner check time out.
    """

    def __init__(
        self,
        banner: bytes | str | None = None,
        reply: bytes | str | None = None,
        host: str = LOOPBACK,
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.banner = banner.encode() if isinstance(banner, str) else banner
        self.reply = reply.encode() if isinstance(reply, str) else reply
        self.received: list[bytes] = []

    def _make_server(self) -> socketserver.BaseServer:
        return _TcpServer(self)
