"""`forewarn simulate --save` against a data directory: the run is stored for the tenant and is what its
comparison API and page show; --json carries the agreed keys; --report is one self-contained file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from forewarn.cli import simulate
from forewarn.cli.main import app
from forewarn.monitoring import MemorySeriesStore
from forewarn.runtime import Platform
from forewarn.simulation.comparison import rows
from forewarn.testing.platform import make_settings, seed_accounts
from forewarn.web.app import create_app

runner = CliRunner()
# `forewarn` registers `simulate` only when it runs (heavy imports); the same registration on its own app here.
simulate_app = typer.Typer()
simulate.register(simulate_app)
simulate_app.command("other")(lambda: None)  # two commands, so `simulate` is addressed by name
KEYS = {"outages", "downtime_minutes", "proactive_incidents", "median_lead_time_minutes", "mttd_minutes",
        "mttr_minutes", "technician_hours", "cost"}
ENVIRONMENT = {"tenant": {"slug": "corner-dental", "name": "Corner Dental"}, "assets": [
    {"name": "sw1", "kind": "network_device", "checks": [{"name": "ping", "kind": "ping", "interval": 60}]},
    {"name": "srv1", "kind": "host", "depends_on": ["sw1"], "checks": [
        {"name": "node", "kind": "prometheus", "interval": 300,
         "thresholds": [{"metric": "cpu_percent", "warning": 92, "critical": 98}]}]},
    {"name": "app", "kind": "application", "depends_on": ["srv1"], "tags": ["user-facing"],
     "checks": [{"name": "http", "kind": "http", "interval": 60, "params": {"url": "http://app/"}}]},
]}
SCENARIO = {
    "name": "corner dental", "seed": 5, "days": 0.3, "history_days": 0.5, "environment": ENVIRONMENT,
    "workloads": [{"assets": ["srv1"], "metric": "cpu_percent", "unit": "%", "check": "node", "base": 15,
                   "daily": 20, "noise": 3, "max": 100}],
    "faults": [{"kind": "cpu_runaway", "asset": "srv1", "fails": "app", "at": "1h",
                "params": {"impact_minutes": 20}}],
}
# Anything a browser would fetch from elsewhere: src/href/url() with a scheme or protocol-relative, @import.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
                      re.I)


def test_simulate_save_stores_the_run_that_the_tenants_comparison_shows(tmp_path: Path) -> None:
    data_dir, scenario, report = tmp_path / "data", tmp_path / "corner.yaml", tmp_path / "out.html"
    (tmp_path / "env.yaml").write_text(yaml.safe_dump(ENVIRONMENT))
    scenario.write_text(yaml.safe_dump(SCENARIO))
    applied = runner.invoke(app, ["inventory", "apply", str(tmp_path / "env.yaml"), "--data-dir", str(data_dir)])
    assert applied.exit_code == 0, applied.output

    ran = runner.invoke(simulate_app, ["simulate", str(scenario), "--days", "0.3", "--save", "--json", "--report", str(report),
                              "--data-dir", str(data_dir)])

    assert ran.exit_code == 0, ran.output
    out = json.loads(ran.stdout)
    assert KEYS <= set(out["break_fix"]) and KEYS <= set(out["managed"]) and out["seconds"] >= 0
    assert out["break_fix"]["outages"] == 1  # the app timed out under the runaway CPU and users called
    html = report.read_text()
    assert "<svg" in html and "var uPlot=" in html and EXTERNAL.findall(html) == []

    settings = make_settings(data_dir)
    platform = Platform(settings, store=MemorySeriesStore())
    tokens = seed_accounts(platform).tokens
    with TestClient(create_app(settings, platform, run_checks=False, run_agent=False)) as client:
        auth = {"Authorization": f"Bearer {tokens['admin']}"}
        run = client.get("/api/v1/tenants/corner-dental/comparison", headers=auth).json()["run"]
        page = client.get("/tenants/corner-dental/comparison", headers=auth).text
        other = client.get("/api/v1/tenants/acme/comparison", headers=auth).json()
    platform.db.dispose()
    assert run["status"] == "done" and run["scenario"] == "corner dental"
    for side in ("break_fix", "managed"):
        for key in KEYS:
            assert run["result"][side][key] == out[side][key], (side, key)
    assert run["id"] in page
    table = rows(run["result"])
    assert len(table) >= len(KEYS)
    for label, break_fix, managed, difference in table:
        assert f"<td>{label}</td><td>{break_fix}</td><td>{managed}</td><td>{difference}</td>" in page, label
    assert other["run"] is None  # stored for the scenario's tenant only


def test_save_for_an_unknown_tenant_is_refused_before_the_run(tmp_path: Path) -> None:
    scenario = tmp_path / "corner.yaml"
    scenario.write_text(yaml.safe_dump(SCENARIO))

    ran = runner.invoke(simulate_app, ["simulate", str(scenario), "--days", "0.3", "--save", "--tenant", "nobody",
                              "--data-dir", str(tmp_path / "data")])

    assert ran.exit_code == 2 and "nobody" in ran.output and "Traceback" not in ran.output
