"""`forewarn eval nab`: scoring result files and our detector, JSON output, clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from forewarn.cli.eval_nab import register

NAB_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nab"
runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # a group, so the command is invoked as `nab` like under `forewarn eval`
        pass

    register(app)
    return app


def write_csv(path: Path, header: str, rows: list[tuple[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(f"{t},{v}\n" for t, v in rows), encoding="utf-8")


@pytest.fixture
def tiny_nab(tmp_path: Path) -> Path:
    """Two 300-row files, one window each, with a spike inside the window."""
    root = tmp_path / "nab"
    stamps = np.datetime64("2024-01-01T00:00:00") + np.arange(300) * np.timedelta64(300, "s")
    text = [str(t).replace("T", " ") for t in stamps]
    rng = np.random.default_rng(0)
    windows = {}
    for name, start in (("catA/one.csv", 150), ("catB/two.csv", 200)):
        values = 10 + rng.normal(0, 1, 300)
        values[start + 10] += 40
        write_csv(root / "data" / name, "timestamp,value", list(zip(text, values, strict=True)))
        windows[name] = [[text[start] + ".000000", text[start + 29] + ".000000"]]
    (root / "labels").mkdir()
    (root / "labels" / "combined_windows.json").write_text(json.dumps(windows), encoding="utf-8")
    return root


def run_json(*args: str) -> dict:
    result = runner.invoke(make_app(), ["nab", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_runs_our_detector_and_finds_the_spikes(tiny_nab: Path) -> None:
    out = run_json(str(tiny_nab))
    assert set(out) >= {"standard", "reward_low_FP_rate", "reward_low_FN_rate", "threshold", "per_category",
                        "points", "seconds"}
    assert out["points"] == 600
    assert out["standard"] > 50  # both spikes sit 10 rows into their 30-row windows
    assert set(out["per_category"]) == {"catA", "catB"}
    assert out["per_category"]["catA"]["standard"]["detected"] == 1


def test_write_results_round_trips_through_results(tiny_nab: Path, tmp_path: Path) -> None:
    direct = run_json(str(tiny_nab), "--write-results", str(tmp_path / "res"))
    assert (tmp_path / "res" / "catA" / "forewarn_one.csv").is_file()
    again = run_json(str(tiny_nab), "--results", str(tmp_path / "res"))
    assert again["standard"] == pytest.approx(direct["standard"], abs=1e-6)


def test_fixed_threshold_is_used(tiny_nab: Path) -> None:
    out = run_json(str(tiny_nab), "--threshold", "1.5")  # nothing reaches it: the null score
    assert out["standard"] == 0.0
    assert out["threshold"]["standard"] == 1.5


def test_table_output_names_profiles_and_categories(tiny_nab: Path) -> None:
    result = runner.invoke(make_app(), ["nab", str(tiny_nab)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for word in ("standard", "reward_low_FP_rate", "reward_low_FN_rate", "catA", "overall", "threshold"):
        assert word in result.stdout


def test_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(make_app(), ["nab", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert str(tmp_path / "nope") in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_csv_names_the_file_and_line(tiny_nab: Path) -> None:
    bad = tiny_nab / "data" / "catB" / "two.csv"
    lines = bad.read_text().splitlines()
    lines[5] = "2024-01-01 00:20:00,12,oops"
    bad.write_text("\n".join(lines) + "\n")
    result = runner.invoke(make_app(), ["nab", str(tiny_nab)])
    assert result.exit_code == 2
    assert f"{bad}:6:" in result.stderr.replace("\n", "")


def test_missing_result_file_is_an_error(tiny_nab: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(make_app(), ["nab", str(tiny_nab), "--results", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "result file not found" in result.stderr


def test_unknown_detector_is_an_error(tiny_nab: Path) -> None:
    result = runner.invoke(make_app(), ["nab", str(tiny_nab), "--detector", "nope"])
    assert result.exit_code == 2 and "unknown detector" in result.stderr


@pytest.mark.skipif(not NAB_DIR.is_dir(), reason=f"NAB data not found at {NAB_DIR} (../shared is absent)")
def test_scores_published_numenta_results() -> None:
    out = run_json(str(NAB_DIR), "--results", str(NAB_DIR / "results" / "numenta"), "--detector", "numenta")
    assert out["standard"] == pytest.approx(72.8, abs=0.1)
    assert out["reward_low_FP_rate"] == pytest.approx(66.0, abs=0.1)
    assert out["reward_low_FN_rate"] == pytest.approx(76.9, abs=0.1)
