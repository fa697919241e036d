"""`forewarn up --demo` as a real process: it serves, Demo Dental exists and gets live samples, and the
demo's first fault (office DNS, ten simulated minutes in) opens an incident with its root cause.

Times are compared in the demo's simulated minutes from the start the command prints, never in wall
time; the polls' bounds only stop a broken run from hanging.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from forewarn.testing.polling import poll
from forewarn.testing.server_base import free_port

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
FOREWARN = [sys.executable, "-m", "forewarn.cli.main"]
SPEED = 120.0  # the fault schedule twice as fast as `make demo`: the first incident a few real seconds in
PASSWORD = "demo-admin-password"
STARTED = re.compile(r"at 120× from (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")


class Demo:
    def __init__(self, tmp_path: Path) -> None:
        self.data_dir, self.log = tmp_path / "data", tmp_path / "server.log"
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "FOREWARN_PORT": str(port), "FOREWARN_HOST": "127.0.0.1",
                    "FOREWARN_ADMIN_PASSWORD": PASSWORD}
        self.env.pop("FOREWARN_DATABASE_URL", None)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*FOREWARN, "up", "--demo", "--demo-speed", f"{SPEED:g}", "--no-agent",
                 "--data-dir", str(self.data_dir)], env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"forewarn up --demo exited early:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def started(self) -> float:
        """The demo's start (t0) as printed, to the second, rounded down."""
        found = STARTED.search(self.log.read_text())
        assert found, self.log.read_text()[-3000:]
        return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()

    def login(self) -> httpx.Client:
        """A client logged in as the admin through the login form (the API accepts the session)."""
        client = httpx.Client(base_url=self.url, timeout=10)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf, "the login form carries no CSRF token"
        done = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf.group(1)})
        assert done.status_code == 303, done.text
        return client

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path)
    yield running
    running.stop()


def test_up_demo_serves_demo_dental_with_live_samples_and_opens_a_rooted_incident(demo):
    poll(demo.healthy, timeout=90)
    t0 = demo.started()
    c = demo.login()
    tenant = c.get("/api/v1/tenants/demo-dental")
    assert tenant.status_code == 200 and tenant.json()["name"] == "Demo Dental"
    assets = {a["name"]: a["id"] for a in c.get("/api/v1/assets", params={"tenant": "demo-dental", "limit": 500})
              .json()["items"]}
    assert {"srv1", "office-dns", "pms-app", "vpn"} <= set(assets)

    def live_series() -> set[str]:
        got = c.get("/api/v1/series/samples", params={"asset": assets["srv1"], "start": t0, "max_points": 50}).json()
        return {s["name"] for s in got if s["timestamps"] and max(s["timestamps"]) >= t0}

    assert {"cpu_percent", "disk_used_percent"} <= poll(live_series, timeout=120)  # samples made after the start

    def dns_incident() -> dict | None:
        items = c.get("/api/v1/incidents", params={"tenant": "demo-dental", "limit": 100}).json()["items"]
        return next((i for i in items if i["root_cause_asset_id"] == assets["office-dns"]), None)

    incident = poll(dns_incident, timeout=120)
    # The DNS fault starts ten simulated minutes in and its check runs every simulated minute. The printed
    # start is rounded down by under a second, which can only add up to SPEED/60 simulated minutes here.
    simulated_minutes = (incident["opened_at"] - t0) * SPEED / 60
    assert 10 <= simulated_minutes <= 20 + SPEED / 60
    assert incident["severity"] == "critical" and "office-dns" in incident["title"]
    assert incident["analysis"]["candidates"][0]["asset"] == "office-dns"
