"""`forewarn eval logs` on a tiny Loghub-2k-shaped folder: JSON, table, written results, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from forewarn.cli.eval_logs import register

HEADER = "LineId,Content,EventId,EventTemplate\n"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _group() -> None:  # a group, so the command is invoked as `logs`, as under `forewarn eval`
        pass

    return app


def write_system(root: Path, name: str, rows: list[tuple[str, str]]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    with (folder / f"{name}_2k.log_structured_corrected.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["LineId", "Content", "EventId", "EventTemplate"])
        for i, (content, template) in enumerate(rows, start=1):
            writer.writerow([i, content, "E1", template])


@pytest.fixture
def loghub(tmp_path: Path) -> Path:
    root = tmp_path / "loghub"
    ssh = [(f"Failed password for {u} from 10.0.0.{i} port {4000 + i} ssh2",
            "Failed password for <*> from <*> port <*> ssh2") for i, u in enumerate(["root", "admin", "oracle"] * 3)]
    ssh += [("Connection closed by 10.9.9.9 [preauth]", "Connection closed by <*> [preauth]")]
    write_system(root, "Ssh", ssh)
    disk = [(f"disk {n} at {n * 3}% capacity", "disk <*> at <*>% capacity") for n in range(5)]
    disk += [("broken \ufffd\ufffd sector", "broken \ufffd\ufffd sector"), ("", "")]
    write_system(root, "Disk", disk)
    return root


def test_json_has_means_per_system_scores_and_speed(app, loghub):
    result = CliRunner().invoke(app, ["logs", str(loghub), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"ga", "pa", "per_system", "lines_per_second"}
    assert set(out["per_system"]) == {"Disk", "Ssh"}
    assert out["per_system"]["Ssh"]["lines"] == 10
    assert out["per_system"]["Ssh"]["ga"] == 1.0
    assert out["per_system"]["Ssh"]["pa"] == 1.0
    assert out["per_system"]["Disk"]["pa"] == 1.0
    assert out["ga"] == 1.0 and out["pa"] == 1.0
    assert out["lines_per_second"] > 0


def test_table_lists_every_system_the_mean_and_the_speed(app, loghub):
    result = CliRunner().invoke(app, ["logs", str(loghub)])
    assert result.exit_code == 0, result.output
    for text in ("Ssh", "Disk", "mean", "lines/s"):
        assert text in result.output


def test_write_results_puts_one_csv_per_system_in_loghub_layout(app, loghub, tmp_path):
    out_dir = tmp_path / "results"
    result = CliRunner().invoke(app, ["logs", str(loghub), "--json", "--write-results", str(out_dir)])
    assert result.exit_code == 0, result.output
    with (out_dir / "Ssh" / "Ssh_2k.log_structured.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["LineId", "EventTemplate"]
    assert rows[1] == ["1", "Failed password for <*> from <*> port <*> ssh2"]
    assert len(rows) == 11
    assert (out_dir / "Disk" / "Disk_2k.log_structured.csv").is_file()


def assert_clean_error(result, path: Path) -> None:
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert message.startswith("error:") and str(path) in message


def test_a_missing_folder_is_a_one_line_error(app, tmp_path):
    missing = tmp_path / "nope"
    assert_clean_error(CliRunner().invoke(app, ["logs", str(missing)]), missing)


def test_a_malformed_csv_is_an_error_naming_the_file(app, loghub):
    bad = loghub / "Disk" / "Disk_2k.log_structured_corrected.csv"
    bad.write_text(HEADER + "1,only two\n", encoding="utf-8")
    assert_clean_error(CliRunner().invoke(app, ["logs", str(loghub), "--json"]), bad)


def test_a_non_utf8_csv_is_an_error_naming_the_file(app, loghub):
    bad = loghub / "Ssh" / "Ssh_2k.log_structured_corrected.csv"
    bad.write_bytes(HEADER.encode() + b"1,caf\xe9 \xff,E1,x\n")
    assert_clean_error(CliRunner().invoke(app, ["logs", str(loghub)]), bad)
