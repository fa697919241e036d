"""Notifications per second through the persistent outbox to a loopback webhook, beside a naive direct post.

Run: `.venv/bin/python benchmarks/notify.py [N]` (default 1000 changes). Three sections, same run,
same receiver: (a) outbox, one message per change (grouping off, `group_max=1`): each change
enqueued in its own transaction while the deliverer loop runs, delivered signed with an idempotency
key and recorded (log row + timeline entry); (b) the same with grouping on (the 30 s window
compressed to 0.2 s, up to 50 changes a message), so a burst shares messages; (c) the naive
baseline: a synchronous httpx POST per change, no persistence, no retry. Latency is enqueue
commit → receiver acknowledged and recorded, per change.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import select

from forewarn.auth import Principal, ensure_tenant
from forewarn.db import Database, migrate
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.notify import ChannelIn, Deliverer, DeliverySettings, create_channel, enqueue_for_change
from forewarn.notify.models import OutboxRow


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would offer
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).count += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


class _SinkServer(ThreadingHTTPServer):
    request_queue_size = 256  # the default backlog of 5 drops concurrent connects (1 s SYN retries)


def start_sink() -> tuple[ThreadingHTTPServer, str]:
    server = _SinkServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def setup(url: str, n: int, directory: Path, name: str) -> tuple[Database, list[str]]:
    db = Database(f"sqlite:///{directory / name}.db")
    migrate(db.engine)
    now = time.time()
    with db.session() as s:
        tenant = ensure_tenant(s, "bench", "Bench").id
        create_channel(s, Principal.system(), "bench", ChannelIn(
            name="hook", kind="webhook", rate_per_minute=6000,
            config={"url": url, "secret": "benchmark-secret-0123456789"}), now)
        rows = [IncidentRow(tenant_id=tenant, title=f"host{i}: down", status="new", severity="critical",
                            proactive=False, flapping=False, signal_count=1, opened_at=now, analysis={})
                for i in range(n)]
        s.add_all(rows)
        s.flush()
        s.add_all(IncidentEventRow(incident_id=r.id, ts=now, kind="opened", actor="system", message=r.title,
                                   data={}) for r in rows)
        return db, [r.id for r in rows]


async def outbox_run(db: Database, ids: list[str], window: float, group_max: int,
                     ) -> tuple[float, list[float], int]:
    deliverer = Deliverer(db, "https://forewarn.example", settings=DeliverySettings(group_max=group_max))
    stop = asyncio.Event()
    loop_task = asyncio.create_task(deliverer.run(stop, interval=0.02))
    start = time.perf_counter()

    def produce() -> None:
        for incident_id in ids:
            with db.session() as s:
                enqueue_for_change(s, incident_id, "opened", time.time(), window=window)

    await asyncio.to_thread(produce)
    while True:
        with db.session() as s:
            rows = s.execute(select(OutboxRow.status, OutboxRow.created_at, OutboxRow.sent_at,
                                    OutboxRow.message_key)).all()
        if all(r.status == "sent" for r in rows):
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - start
    stop.set()
    await loop_task
    await deliverer.aclose()
    return elapsed, [r.sent_at - r.created_at for r in rows], len({r.message_key for r in rows})


def naive_run(url: str, n: int) -> tuple[float, list[float]]:
    latencies = []
    start = time.perf_counter()
    with httpx.Client() as client:
        for i in range(n):
            t = time.perf_counter()
            body = json.dumps({"events": [{"change": "opened", "title": f"host{i}: down"}]}).encode()
            client.post(url, content=body, headers={"Content-Type": "application/json"}).raise_for_status()
            latencies.append(time.perf_counter() - t)
    return time.perf_counter() - start, latencies


def line(label: str, n: int, elapsed: float, lat: list[float], messages: int) -> str:
    q = statistics.quantiles(lat, n=100)
    return (f"{label:<34} {n / elapsed:>9.0f} {messages:>9} {q[49] * 1000:>8.1f} {q[94] * 1000:>8.1f} "
            f"{q[98] * 1000:>8.1f} {max(lat) * 1000:>8.1f}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    server, url = start_sink()
    print(f"forewarn notify benchmark: {n} changes to a loopback webhook, SQLite outbox\n")
    print(f"{'':<34} {'changes/s':>9} {'messages':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        db, ids = setup(url, n, Path(tmp), "single")
        single, lat, msgs = asyncio.run(outbox_run(db, ids, window=0.0, group_max=1))
        db.dispose()
        print(line("outbox, one message per change", n, single, lat, msgs))
        db, ids = setup(url, n, Path(tmp), "grouped")
        grouped, glat, gmsgs = asyncio.run(outbox_run(db, ids, window=0.2, group_max=50))
        db.dispose()
        print(line("outbox, grouped (0.2 s window)", n, grouped, glat, gmsgs))
    naive, nlat = naive_run(url, n)
    print(line("naive direct POST (no outbox)", n, naive, nlat, n))
    print(f"\noutbox / naive throughput: {naive / single:.2f} (one per change), {naive / grouped:.2f} (grouped)")
    print("latency for the outbox = enqueue commit → acknowledged and recorded; for naive = the POST alone")
    server.shutdown()


if __name__ == "__main__":
    main()
