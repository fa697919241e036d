"""`forewarn simulate` prints the comparison as JSON with the agreed keys and writes the HTML report."""

from __future__ import annotations

import json

import typer
import yaml
from typer.testing import CliRunner

from forewarn.cli import simulate

from .conftest import scenario

KEYS = {"outages", "downtime_minutes", "proactive_incidents", "median_lead_time_minutes", "mttd_minutes",
        "mttr_minutes", "technician_hours", "cost"}


def test_json_and_report(tmp_path):
    sc = scenario([{"kind": "cpu_runaway", "asset": "srv1", "fails": "app", "at": "1h",
                    "params": {"impact_minutes": 20}}], history_days=0.5)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(sc.model_dump()))
    app = typer.Typer()
    simulate.register(app)
    app.command("other")(lambda: None)  # two commands, so `simulate` is addressed by name
    report = tmp_path / "out.html"
    result = CliRunner().invoke(app, ["simulate", str(path), "--days", "0.3", "--json", "--report", str(report)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert KEYS <= set(out["break_fix"]) and KEYS <= set(out["managed"]) and out["seconds"] >= 0
    assert out["break_fix"]["outages"] == 1  # the app timed out and users called
    html = report.read_text()
    assert "<svg" in html and "test twin" in html and f"{out['break_fix']['cost']:,.0f}" in html


def test_a_bad_scenario_is_a_sentence_not_a_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nenvironment: {}\nfaults: [{kind: meteor, asset: a, at: 1d}]\n")
    app = typer.Typer()
    simulate.register(app)
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2 and "faults.0.kind" in result.output and "Traceback" not in result.output
