"""A real browser (Debian's chromium through Playwright) logs in, reads the overview, opens this host's
page, sees a chart drawn with data, and acknowledges an incident. Screenshots land in test-output/browser."""

from __future__ import annotations

import shutil
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
