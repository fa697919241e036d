"""Starts `forewarn up` as a real subprocess on a free loopback port, with its own data directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from forewarn.testing.server_base import free_port

REPO = Path(__file__).resolve().parents[2]
FOREWARN = [sys.executable, "-m", "forewarn.cli.main"]
ADMIN_PASSWORD = "e2e-admin-password"


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen
    log: Path

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*FOREWARN, *args, "--data-dir", str(self.data_dir)], env=self.env, cwd=REPO,
                              capture_output=True, text=True, check=check, timeout=120)

    def token(self) -> str:
        return self.cli("token", "create", "--user", "admin").stdout.strip().splitlines()[-1]

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([*FOREWARN, "up", "--data-dir", str(self.data_dir)], env=self.env,
                                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(self)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        self.process.send_signal(sig)
        self.process.wait(timeout=30)


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"forewarn up exited early:\n{server.log.read_text()[-3000:]}")
        try:
            if httpx.get(server.url + "/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"forewarn up did not become healthy:\n{server.log.read_text()[-3000:]}")


def start_server(tmp_path: Path, **env_extra: str) -> Server:
    port = free_port()
    env = {**os.environ, "FOREWARN_PORT": str(port), "FOREWARN_HOST": "127.0.0.1",
           "FOREWARN_ADMIN_PASSWORD": ADMIN_PASSWORD, "FOREWARN_AGENT_INTERVAL": "1", **env_extra}
    env.pop("FOREWARN_DATABASE_URL", None)
    server = Server(f"http://127.0.0.1:{port}", tmp_path / "data", env, None, tmp_path / "server.log")  # type: ignore[arg-type]
    server.start()
    return server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start_server(tmp_path)
    yield srv
    if srv.process.poll() is None:
        srv.kill(signal.SIGTERM)
