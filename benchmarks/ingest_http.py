"""The HTTP section of the ingest benchmark: column batches POSTed to a running `forewarn up`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console

from forewarn.core.records import SampleBatch
from forewarn.testing.server_base import free_port


def _server_cpu() -> set[int] | None:
    """Another CPU than the benchmark's own, so client and server do not share one core."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    mine = os.sched_getaffinity(0)
    others = set(range(os.cpu_count() or 1)) - mine
    return {min(others)} if others else None


def _start(directory: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    port = free_port()
    env = {**os.environ, "FOREWARN_PORT": str(port), "FOREWARN_ADMIN_PASSWORD": "bench-password-1",
           "FOREWARN_AGENT_ENABLED": "false", "FOREWARN_LOG_LEVEL": "WARNING"}
    cpu = _server_cpu()
    proc = subprocess.Popen([sys.executable, "-m", "forewarn.cli.main", "up", "--data-dir", str(directory)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=(lambda: os.sched_setaffinity(0, cpu)) if cpu else None)  # noqa: PLW1509
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return proc, url, env
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("forewarn up did not start for the HTTP benchmark")


def _body(batch: SampleBatch, asset_id: str) -> bytes:
    ids, index = np.unique(batch.series_ids, return_inverse=True)
    return json.dumps({"series": [{"asset": asset_id, "name": f"m{i}"} for i in ids.tolist()],
                       "samples": {"series": index.tolist(), "timestamps": batch.timestamps.tolist(),
                                   "values": batch.values.tolist()}}).encode()


def bench_http(batches: list[SampleBatch], directory: Path, console: Console):  # noqa: ANN201 - Result
    from ingest import Result, _size  # the benchmark script's own helpers

    directory.mkdir(parents=True, exist_ok=True)
    proc, url, env = _start(directory)
    try:
        token = subprocess.run([sys.executable, "-m", "forewarn.cli.main", "token", "create", "--user", "admin",
                                "--data-dir", str(directory)], env=env, capture_output=True, text=True,
                               check=True).stdout.strip().splitlines()[-1]
        client = httpx.Client(base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}",
                                                                  "content-type": "application/json"}, timeout=120)
        asset = client.post("/assets", json={"tenant": "internal", "name": "bench", "kind": "host"}).json()["id"]
        bodies = [_body(b, asset) for b in batches]  # serialising is the client's cost, not the server's
        # Warm-up registers every series once (a one-off per new series), outside the timing.
        seen: set[int] = set()
        for batch, body in zip(batches, bodies, strict=True):
            if not set(np.unique(batch.series_ids).tolist()) <= seen:
                client.post("/ingest", content=body).raise_for_status()
                seen |= set(batch.series_ids.tolist())
        started = time.perf_counter()
        rows = sum(client.post("/ingest", content=body).json()["accepted"] for body in bodies)
        seconds = time.perf_counter() - started
        mb = sum(len(b) for b in bodies) / 1e6
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    console.print(f"HTTP: {len(bodies)} requests, {mb:.0f} MB of JSON, server on its own core")
    return Result("HTTP POST /api/v1/ingest", rows, seconds, _size(directory / "series.duckdb"))
