"""The comparison page and API show a tenant's stored run (never constants), hide it from other tenants,
start new runs in the background, and the HTML report carries the same charts' data."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest
import yaml

from forewarn.auth import Principal
from forewarn.runtime.comparison_run import save_result, simulate_isolated, wait_for
from forewarn.simulation import SimulationResult, load_scenario
from forewarn.simulation.comparison import chart_data, document, rows
from forewarn.simulation.report import ChartAssets, render_report
from forewarn.web.app import STATIC_DIR

SYSTEM = Principal.system()


def _asset(name: str, kind: str, deps: list[str], checks: list[dict], tags: list[str] | None = None) -> dict:
    return {"name": name, "kind": kind, "depends_on": deps, "checks": checks, "tags": tags or []}


SCENARIO = {
    "name": "small office", "seed": 11, "days": 0.3, "history_days": 0.5,
    "environment": {"tenant": {"slug": "small-office", "name": "Small Office"}, "assets": [
        _asset("sw1", "network_device", [], [{"name": "ping", "kind": "ping", "interval": 60}]),
        _asset("srv1", "host", ["sw1"], [{"name": "node", "kind": "prometheus", "interval": 300, "thresholds": [
            {"metric": "cpu_percent", "warning": 92, "critical": 98}]}]),
        _asset("app", "application", ["srv1"], [{"name": "http", "kind": "http", "interval": 60,
                                                 "params": {"url": "http://app/"}}], ["user-facing"]),
    ]},
    "workloads": [{"assets": ["srv1"], "metric": "cpu_percent", "unit": "%", "check": "node", "base": 15,
                   "daily": 20, "noise": 3, "max": 100}],
    "faults": [{"kind": "cpu_runaway", "asset": "srv1", "fails": "app", "at": "1h",
                "params": {"impact_minutes": 20}}],
}


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small-office.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    return path


@pytest.fixture(scope="module")
def ran(scenario_file: Path) -> tuple[SimulationResult, float]:
    """One real run of the small scenario through the pipeline, shared by the tests of this module."""
    started = time.perf_counter()
    result = asyncio.run(simulate_isolated(load_scenario(scenario_file)))
    return result, time.perf_counter() - started


@pytest.fixture
def stored(world, ran, scenario_file):
    result, seconds = ran
    return save_result(world.platform.db, SYSTEM, "acme", result, str(scenario_file), seconds)


def test_the_api_returns_the_stored_run_and_hides_it_from_other_tenants(world, stored, ran):
    result, _ = ran
    for who in ("admin", "tech", "acme-user"):
        got = world.get(who, "/api/v1/tenants/acme/comparison")
        assert got.status_code == 200, got.text
        run = got.json()["run"]
        assert run["id"] == stored.id and run["status"] == "done" and run["scenario"] == "small office"
        assert run["result"]["break_fix"] == json.loads(json.dumps(document(result)["break_fix"]))
        assert run["result"]["managed"]["cost"] == round(result.managed.cost, 1)
    assert world.get("globex-user", "/api/v1/tenants/acme/comparison").status_code == 404
    assert world.get("globex-user", f"/api/v1/tenants/{world.tenants['acme']}/comparison").status_code == 404
    assert world.post("globex-user", "/api/v1/tenants/acme/comparison/runs").status_code == 404
    assert world.get("globex-user", "/api/v1/tenants/globex/comparison").json() == {"run": None, "running": None}
    assert world.post("acme-user", "/api/v1/tenants/acme/comparison/runs").status_code == 403


def test_the_page_shows_the_numbers_of_the_stored_run(world, stored, ran):
    result, _ = ran
    page = world.get("acme-user", "/tenants/acme/comparison")
    assert page.status_code == 200
    html = page.text
    doc = document(result)
    for label, a, b, d in rows(doc):
        assert re.search(rf"<td>{re.escape(label)}</td><td>{re.escape(a)}</td><td>{re.escape(b)}</td>"
                         rf"<td>{re.escape(d)}</td>", html), label
    assert f"{result.break_fix.cost:,.0f}" in html and stored.id in html
    data = json.loads(re.search(r'<script type="application/json" id="comparison-data">(.*?)</script>', html,
                                re.S).group(1))
    assert data == json.loads(json.dumps(chart_data(doc)))
    assert "uPlot.iife.min.js" in html and "chart-downtime" in html and "Run comparison" not in html  # read-only
    assert "Run comparison" in world.get("tech", "/tenants/acme/comparison").text
    assert world.get("globex-user", "/tenants/acme/comparison").status_code == 404


def test_without_a_run_the_page_says_so_and_a_tenant_without_a_scenario_cannot_start_one(world):
    page = world.get("tech", "/tenants/globex/comparison")
    assert page.status_code == 200 and "No comparison has been run" in page.text
    refused = world.post("tech", "/api/v1/tenants/globex/comparison/runs")
    assert refused.status_code == 422 and "scenario" in refused.text
    assert world.get("tech", "/api/v1/tenants/globex/comparison").json() == {"run": None, "running": None}


def test_run_comparison_reruns_the_tenants_scenario_in_the_background_with_progress(world, stored, ran):
    started = world.post("tech", "/api/v1/tenants/acme/comparison/runs")
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.json()["status"] == "running"
    again = world.post("tech", "/api/v1/tenants/acme/comparison/runs").json()
    if wait_for(run_id, timeout=0) is False:  # still running: the second click joined it
        assert again["id"] == run_id
    assert wait_for(run_id, timeout=240) and wait_for(again["id"], timeout=240)
    body = world.get("tech", "/api/v1/tenants/acme/comparison").json()
    assert body["running"] is None and body["run"]["id"] in {run_id, again["id"]}
    assert body["run"]["progress"] == 1.0 and body["run"]["seconds"] > 0
    # Same scenario, same seed: the same comparison as the stored run.
    assert body["run"]["result"]["break_fix"] == stored.result["break_fix"]
    assert body["run"]["result"]["managed"]["cost"] == stored.result["managed"]["cost"]


def test_the_report_inlines_uplot_and_carries_the_runs_chart_data(ran):
    result, seconds = ran
    html = render_report(result, seconds, ChartAssets.from_dir(STATIC_DIR / "vendor"))
    assert "var uPlot=" in html and "/static/" not in html  # self-contained
    data = json.loads(re.search(r'<script type="application/json" id="comparison-data">(.*?)</script>', html,
                                re.S).group(1))
    assert data["downtime"]["break_fix"] == [round(v, 1) for v in result.break_fix.downtime_per_week]
    assert data["cost"]["managed"] == [round(v, 1) for v in result.managed.cost_per_day]
    assert sum(data["lead"]["managed"]) == len(result.managed.lead_times_minutes)
    assert result.break_fix.downtime_minutes > 0 and max(data["downtime"]["break_fix"]) > 0


def test_the_run_button_shows_live_progress_and_the_page_reloads_when_the_run_is_done(world, stored):
    fragment = world.post("tech", "/ui/tenants/acme/comparison/run")
    assert fragment.status_code == 200 and "<progress" in fragment.text and 'hx-trigger="every 2s"' in fragment.text
    running = world.get("tech", "/api/v1/tenants/acme/comparison").json()["running"]
    assert running is not None and running["id"] != stored.id
    assert wait_for(running["id"], timeout=240)
    done = world.get("tech", f"/ui/tenants/acme/comparison/status?shown={stored.id}")
    assert done.status_code == 204 and done.headers["HX-Refresh"] == "true"
    page = world.get("tech", "/tenants/acme/comparison").text
    assert running["id"] in page and "<progress" not in page
