"""A real browser (Debian's chromium through Playwright) logs in, reads the overview, opens this host's
page, sees a chart drawn with data, and acknowledges an incident. Screenshots land in test-output/browser."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from forewarn.testing.server_base import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
ADMIN_PASSWORD = "e2e-admin-password"


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (make system-deps)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


def failing_check(server) -> str:
    """An asset whose TCP check targets a closed loopback port: an incident within seconds."""
    c = httpx.Client(base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {server.token()}"})
    asset = c.post("/assets", json={"tenant": "internal", "name": "legacy-nas", "kind": "host",
                                    "address": "127.0.0.1"}).json()
    c.post("/checks", json={"asset": asset["id"], "name": "smb", "kind": "tcp", "interval": 1, "timeout": 1,
                            "params": {"port": free_port()}})
    return asset["id"]


def test_login_overview_host_chart_and_acknowledge(server, browser_page):
    page = browser_page
    failing_check(server)
    page.goto(server.url + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Open incidents")
    page.wait_for_selector("table.incidents a:has-text('legacy-nas')", timeout=30_000)  # live, no reload
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)

    page.click("a:has-text('Internal')")
    page.wait_for_selector("#assets")
    page.screenshot(path=str(SHOTS / "tenant.png"), full_page=True)
    host = page.locator("#assets a").filter(has_not_text="legacy-nas").first
    host.click()
    page.wait_for_selector(".chart canvas", timeout=60_000)
    page.wait_for_function("Number(document.getElementById('charts').dataset.drawn) >= 5", timeout=60_000)
    page.screenshot(path=str(SHOTS / "host.png"), full_page=True)

    page.goto(server.url + "/incidents")
    page.click("table.incidents a:has-text('legacy-nas')")
    page.wait_for_selector("#ack")
    page.click("#ack")
    page.wait_for_selector("#incident-status:has-text('acknowledged')")
    page.wait_for_selector("#timeline li.ev-status")
    page.screenshot(path=str(SHOTS / "incident.png"), full_page=True)


def test_topology_highlights_the_root_cause_and_impact_path(server, browser_page):
    """A switch and everything behind it fail at once: one incident, the switch ringed, the path in red."""
    page = browser_page
    c = httpx.Client(base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {server.token()}"})
    c.post("/tenants", json={"slug": "acme", "name": "ACME Dental"})
    ids = {}
    for name, kind in (("sw1", "network_device"), ("srv1", "host"), ("intranet", "website")):
        ids[name] = c.post("/assets", json={"tenant": "acme", "name": name, "kind": kind,
                                            "address": "127.0.0.1"}).json()["id"]
    c.post("/dependencies", json={"asset_id": ids["srv1"], "depends_on_id": ids["sw1"]})
    c.post("/dependencies", json={"asset_id": ids["intranet"], "depends_on_id": ids["srv1"]})
    for name in ids:
        c.post("/checks", json={"asset": ids[name], "name": "port", "kind": "tcp", "interval": 1, "timeout": 1,
                                "params": {"port": free_port()}})

    def one_incident_with_everything():
        items = c.get("/incidents", params={"tenant": "acme", "open": True}).json()["items"]
        return items[0] if len(items) == 1 and items[0]["signal_count"] >= 3 else None

    deadline = time.monotonic() + 60
    incident = None
    while incident is None and time.monotonic() < deadline:
        incident = one_incident_with_everything()
        time.sleep(0.5)
    assert incident is not None, c.get("/incidents", params={"tenant": "acme"}).json()
    assert incident["root_cause_asset_id"] == ids["sw1"]

    page.goto(server.url + "/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.url}/incidents/{incident['id']}")
    page.wait_for_selector("#root-cause")
    page.wait_for_function("Number(document.getElementById('topology').dataset.pathEdges) >= 2", timeout=30_000)
    assert page.get_attribute("#topology", "data-root") == ids["sw1"]
    page.screenshot(path=str(SHOTS / "incident-topology.png"), full_page=True)
    page.goto(f"{server.url}/tenants/acme")
    page.wait_for_function("Number(document.getElementById('topology').dataset.rendered) === 3", timeout=30_000)
    page.screenshot(path=str(SHOTS / "tenant-topology.png"), full_page=True)
