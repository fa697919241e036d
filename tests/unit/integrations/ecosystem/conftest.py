"""Fixtures for the ecosystem checks: real Debian plugins and exporters, and the shared data fixtures."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from forewarn.testing.loopback import free_port

NAGIOS_PLUGINS = Path("/usr/lib/nagios/plugins")
# Real data files live beside the repository, never inside it (see the fixtures README).
FIXTURES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "fixtures"


def services_required() -> bool:
    return os.environ.get("FOREWARN_REQUIRE_SERVICES") == "1"


def need(path: Path, why: str) -> Path:
    """`path` when it exists; otherwise skip with `why`, or fail when CI requires real services."""
    if path.exists():
        return path
    message = f"{path} is missing: {why}"
    if services_required():
        pytest.fail(message + " (FOREWARN_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def nagios_plugin() -> Callable[[str], str]:
    """A function giving the path of a monitoring-plugins-basic program, skipping when absent."""

    def locate(name: str) -> str:
        return str(need(NAGIOS_PLUGINS / name, "install the Debian package monitoring-plugins-basic"))

    return locate


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"real data fixtures not found at {FIXTURES} (they live outside the repository)")
    return FIXTURES


NODE_EXPORTER = Path("/usr/bin/prometheus-node-exporter")


@pytest.fixture
def node_exporter(tmp_path: Path) -> Iterator[str]:
    """The metrics URL of a real node_exporter started on a free loopback port, stopped afterwards."""
    binary = need(NODE_EXPORTER, "install the Debian package prometheus-node-exporter")
    port = free_port()
    log = (tmp_path / "node_exporter.log").open("wb")
    proc = subprocess.Popen(
        [str(binary), f"--web.listen-address=127.0.0.1:{port}", "--no-collector.systemd"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_listening(port, proc, tmp_path / "node_exporter.log")
        yield f"http://127.0.0.1:{port}/metrics"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"node_exporter exited with {proc.returncode}: {log.read_text()[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"node_exporter did not listen on 127.0.0.1:{port} within {within} s")
