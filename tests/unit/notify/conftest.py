"""Fixtures for notify: a database on SQLite and PostgreSQL, tenants, incidents, channels, a fake clock,
and a loopback webhook receiver that records bodies and de-duplicates by Idempotency-Key."""

from __future__ import annotations

import random
import socketserver
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from forewarn.auth import Principal, ensure_tenant
from forewarn.core.clock import FakeClock
from forewarn.db import Database
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.notify import ChannelIn, Deliverer, DeliverySettings, create_channel
from forewarn.testing.server_base import LOOPBACK, LoopbackServer, QuietMixin

T0 = 1_700_000_000.0
SECRET = "s3cret-webhook-key-0123456789"


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        owner = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        seen = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        with owner.lock:
            owner.raw.append(seen)
            status = owner.script.pop(0) if owner.script else 200
            key = seen.headers.get("idempotency-key", "")
            if 200 <= status < 300:
                if key and key in owner.keys:
                    owner.duplicates += 1  # an at-least-once retry: acknowledged, not processed again
                else:
                    owner.keys.add(key)
                    owner.processed.append(seen)
        self.send_response(status)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(QuietMixin, ThreadingHTTPServer):
    def __init__(self, owner: WebhookReceiver) -> None:
        self.owner = owner
        super().__init__((owner.host, owner.port), _Handler)


class WebhookReceiver(LoopbackServer):
    """`script` lists the statuses of the next answers (then 200); `processed` holds each key once."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        super().__init__(host, port)
        self.lock = threading.Lock()
        self.script: list[int] = []
        self.raw: list[Received] = []
        self.processed: list[Received] = []
        self.keys: set[str] = set()
        self.duplicates = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def _make_server(self) -> socketserver.BaseServer:
        return _Server(self)


@pytest.fixture
def ndb(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def tenants(ndb: Database) -> dict[str, str]:
    with ndb.session() as s:
        return {slug: ensure_tenant(s, slug, slug.title()).id for slug in ("acme", "globex")}


@pytest.fixture
def make_incident(ndb: Database, tenants: dict[str, str]) -> Callable[..., str]:
    def make(tenant: str = "acme", title: str = "db1: disk full", severity: str = "warning",
             proactive: bool = True, analysis: dict[str, Any] | None = None, ts: float = T0) -> str:
        with ndb.session() as s:
            row = IncidentRow(tenant_id=tenants[tenant], title=title, status="new", severity=severity,
                              proactive=proactive, flapping=False, signal_count=1, opened_at=ts,
                              analysis=analysis or {})
            s.add(row)
            s.flush()
            s.add(IncidentEventRow(incident_id=row.id, ts=ts, kind="opened", actor="system", message=title,
                                   data={}))
            return row.id
    return make


@pytest.fixture
def make_channel(ndb: Database, tenants: dict[str, str]) -> Callable[..., str]:
    def make(kind: str = "webhook", config: dict[str, Any] | None = None, tenant: str = "acme",
             name: str | None = None, **options: Any) -> str:
        data = ChannelIn(name=name or f"{kind}-{len(options)}-{random.random():.6f}", kind=kind,
                         config=config or {}, **options)
        with ndb.session() as s:
            return create_channel(s, Principal.system(), tenant, data, T0).id
    return make


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def webhook(make_channel: Callable[..., str], receiver: WebhookReceiver) -> Callable[..., str]:
    def make(**options: Any) -> str:
        return make_channel("webhook", {"url": receiver.url(), "secret": SECRET}, **options)
    return make


@pytest.fixture
async def deliverer(ndb: Database, clock: FakeClock) -> AsyncIterator[Deliverer]:
    d = Deliverer(ndb, "https://forewarn.example", clock=clock, rng=random.Random(7),
                  http=httpx.AsyncClient(), settings=DeliverySettings(max_attempts=4, sending_timeout=60))
    yield d
    await d.seams.http.aclose()
