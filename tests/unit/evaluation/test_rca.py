"""RCA case loading, AC@k scoring and the `eval rca` command on small hand-written cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from forewarn.cli.eval_rca import register
from forewarn.core.errors import ValidationFailed
from forewarn.evaluation.rca import (
    CaseResult,
    ac_at_k,
    avg_at_5,
    case_dirs,
    evaluate,
    load_case,
    score,
)

START = 1_700_000_000


def write_case(root: Path, name: str, root_cause: str = "db", graph: bool = True) -> Path:
    """web → api → db; the database's latency jumps and the web's follows, with 60 normal steps before."""
    case = root / name
    case.mkdir(parents=True)
    meta = {"system": "toy", "anomaly_start": START + 60 * 60, "root_cause": root_cause,
            "target": {"node": "web", "metric": "latency", "timestamp": START + 62 * 60}}
    (case / "case.json").write_text(json.dumps(meta))
    if graph:
        (case / "graph.csv").write_text("source,target\nweb,api\napi,db\n")
    rng = np.random.default_rng(len(name))
    jump = {"web": 0.5, "api": 0.3, "db": 0.4}
    rows = ["timestamp,node,metric,value"]
    for step in range(65):
        for node, base in (("web", 0.2), ("api", 0.1), ("db", 0.05)):
            value = base + 0.002 * rng.standard_normal() + (jump[node] if 61 <= step <= 63 else 0.0)
            rows.append(f"{START + 60 * step},{node},latency,{value}")
    with gzip.open(case / "metrics.csv.gz", "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    return case


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    write_case(tmp_path, "c1")
    write_case(tmp_path, "c2", root_cause="api")  # a case the ranking gets wrong: api is a victim of db
    return tmp_path


def test_load_case_reads_meta_graph_and_metrics(cases_dir: Path) -> None:
    case = load_case(cases_dir / "c1")
    assert (case.name, case.target_node, case.target_metric, case.root_cause) == ("c1", "web", "latency", "db")
    assert case.dependencies == [("web", "api"), ("api", "db")]
    assert case.frame.values.shape == (3, 65) and sorted(case.frame.nodes) == ["api", "db", "web"]
    assert load_case(cases_dir / "c1", use_graph=False).dependencies is None


def test_ranking_cases_with_and_without_the_graph(cases_dir: Path) -> None:
    with_graph = evaluate([load_case(p) for p in case_dirs(cases_dir)])
    assert [c.rank for c in with_graph.cases] == [1, 3]
    assert with_graph.cases[0].top[0] == "db"
    metrics_only = evaluate([load_case(p, use_graph=False) for p in case_dirs(cases_dir)])
    assert all(c.rank is not None for c in metrics_only.cases)


def test_ac_at_k_and_avg_at_5_on_hand_made_ranks() -> None:
    ranks = [1, 2, 3, 6, None]
    assert ac_at_k(ranks, 1) == pytest.approx(0.2)
    assert ac_at_k(ranks, 3) == pytest.approx(0.6)
    assert ac_at_k(ranks, 5) == pytest.approx(0.6)
    assert avg_at_5(ranks) == pytest.approx((0.2 + 0.4 + 0.6 + 0.6 + 0.6) / 5)
    assert ac_at_k([], 1) == 0.0
    result = score([CaseResult("a", "x", 1, ("x",)), CaseResult("b", "y", 4, ("x", "z", "w", "y"))])
    assert (result.ac1, result.ac3, result.avg5) == (0.5, 0.5, pytest.approx(0.7))


@pytest.mark.parametrize(("content", "field"), [
    ('{"anomaly_start": "soon", "root_cause": "db"}', "anomaly_start"),
    ('{"anomaly_start": 1, "root_cause": ""}', "root_cause"),
    ('{"anomaly_start": 1, "root_cause": "db", "target": "web"}', "target"),
    ("[1, 2]", "JSON object"),
    ("{not json", "not valid JSON"),
])
def test_malformed_case_json_names_the_file_and_field(tmp_path: Path, content: str, field: str) -> None:
    case = write_case(tmp_path, "c")
    (case / "case.json").write_text(content)
    with pytest.raises(ValidationFailed) as err:
        load_case(case)
    assert field in str(err.value) and str(case / "case.json") in str(err.value)


def test_bad_graph_and_metrics_files_are_named(tmp_path: Path) -> None:
    case = write_case(tmp_path, "c")
    (case / "graph.csv").write_text("from,to\nweb,api\n")
    with pytest.raises(ValidationFailed, match=r"graph\.csv:1: header must be source,target"):
        load_case(case)
    (case / "graph.csv").write_text("source,target\nweb\n")
    with pytest.raises(ValidationFailed, match=r"graph\.csv:2"):
        load_case(case)
    (case / "graph.csv").unlink()
    (case / "metrics.csv.gz").write_bytes(b"not gzip")
    with pytest.raises(ValidationFailed, match="not a readable gzip CSV"):
        load_case(case)
    with gzip.open(case / "metrics.csv.gz", "wt") as fh:
        fh.write("timestamp,node,metric,value\n1,web,latency,fast\n")
    with pytest.raises(ValidationFailed, match="must be numbers"):
        load_case(case)


def test_case_dirs_rejects_missing_or_empty_directories(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="is not a directory"):
        case_dirs(tmp_path / "nope")
    with pytest.raises(ValidationFailed, match="holds no case directory"):
        case_dirs(tmp_path)


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _group() -> None:  # a callback keeps `rca` a sub-command, as under `forewarn eval`
        """eval"""

    return app


def test_cli_json_reports_figures_and_per_case_ranks(cases_dir: Path) -> None:
    result = CliRunner().invoke(cli(), ["rca", str(cases_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["ac1"], data["ac3"]) == (0.5, 1.0)
    assert [(c["case"], c["rank"]) for c in data["cases"]] == [("c1", 1), ("c2", 3)]
    assert CliRunner().invoke(cli(), ["rca", str(cases_dir), "--json", "--no-graph"]).exit_code == 0


def test_cli_table_prints_the_figures(cases_dir: Path) -> None:
    result = CliRunner().invoke(cli(), ["rca", str(cases_dir)])
    assert result.exit_code == 0, result.output
    assert "AC@1 0.500" in result.stdout and "AC@3 1.000" in result.stdout and "c2" in result.stdout


@pytest.mark.parametrize("broken", ["missing", "malformed"])
def test_cli_bad_input_is_one_line_exit_2_without_traceback(tmp_path: Path, broken: str) -> None:
    target = tmp_path / "nope"
    if broken == "malformed":
        target = tmp_path
        (write_case(tmp_path, "c") / "case.json").write_text('{"anomaly_start": 1}')
    result = CliRunner().invoke(cli(), ["rca", str(target)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception,
                                                                                        SystemExit)
    message = result.stderr.strip()
    assert message.startswith("error:") and "\n" not in message
    assert ("root_cause" in message) if broken == "malformed" else ("is not a directory" in message)
