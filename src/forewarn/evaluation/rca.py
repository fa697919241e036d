"""Root-cause cases in the generic format: load them, rank each with the live ranking code, score AC@k."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.alerting.rootcause import (
    Candidate,
    EvidenceConfig,
    MetricFrame,
    RankConfig,
    node_evidence,
    rank_root_causes,
)
from forewarn.core.errors import ValidationFailed

METRICS_HEADER = ["timestamp", "node", "metric", "value"]
GRAPH_HEADER = ["source", "target"]


@dataclass(frozen=True)
class RcaCase:
    name: str
    system: str
    anomaly_start: float
    target_node: str | None
    target_metric: str | None
    root_cause: str
    dependencies: list[tuple[str, str]] | None  # (A, B): A depends on B; None when the case has no graph
    frame: MetricFrame


@dataclass(frozen=True)
class CaseResult:
    name: str
    root_cause: str
    rank: int | None  # 1-based position of the true root cause, None if it was not ranked at all
    top: tuple[str, ...]  # the first five candidates


@dataclass(frozen=True)
class RcaScore:
    ac1: float
    ac3: float
    avg5: float
    cases: tuple[CaseResult, ...]

    def as_json(self) -> dict[str, Any]:
        return {"ac1": self.ac1, "ac3": self.ac3, "avg5": self.avg5,
                "cases": [{"case": c.name, "root_cause": c.root_cause, "rank": c.rank, "top": list(c.top)}
                          for c in self.cases]}


def case_dirs(root: Path) -> list[Path]:
    """Every case directory (one holding case.json) under `root`, sorted by name."""
    if not root.is_dir():
        raise ValidationFailed("is not a directory of RCA cases", where=str(root))
    found = sorted(p.parent for p in root.glob("*/case.json"))
    if (root / "case.json").is_file():
        found.insert(0, root)
    if not found:
        raise ValidationFailed("holds no case directory (none has a case.json)", where=str(root))
    return found


def load_case(path: Path, use_graph: bool = True) -> RcaCase:
    """One case; `use_graph=False` drops graph.csv so the ranking must work from metrics alone."""
    meta = _read_meta(path / "case.json")
    target = meta.get("target") or {}
    graph_file = path / "graph.csv"
    edges = _read_graph(graph_file) if use_graph and graph_file.is_file() else None
    return RcaCase(name=path.name, system=str(meta.get("system", "")),
                   anomaly_start=float(meta["anomaly_start"]), target_node=target.get("node"),
                   target_metric=target.get("metric"), root_cause=str(meta["root_cause"]),
                   dependencies=edges, frame=_read_metrics(path / "metrics.csv.gz"))


def _read_meta(file: Path) -> dict[str, Any]:
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed("is missing", where=str(file)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"is not valid JSON ({exc})", where=str(file)) from None
    if not isinstance(meta, dict):
        raise ValidationFailed("must hold a JSON object", where=str(file))
    if not isinstance(meta.get("anomaly_start"), int | float) or isinstance(meta.get("anomaly_start"), bool):
        raise ValidationFailed("field 'anomaly_start' must be a unix time in seconds", where=str(file))
    if not isinstance(meta.get("root_cause"), str) or not meta["root_cause"]:
        raise ValidationFailed("field 'root_cause' must be a node name", where=str(file))
    target = meta.get("target")
    if target is not None and not (isinstance(target, dict) and isinstance(target.get("node"), str)):
        raise ValidationFailed("field 'target' must be an object with a string 'node'", where=str(file))
    return meta


def _read_graph(file: Path) -> list[tuple[str, str]]:
    with file.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or [h.strip() for h in rows[0]] != GRAPH_HEADER:
        raise ValidationFailed(f"header must be {','.join(GRAPH_HEADER)}", where=f"{file}:1")
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[0] or not row[1]:
            raise ValidationFailed("expected two node names: source,target", where=f"{file}:{line}")
    return [(row[0], row[1]) for row in rows[1:]]


def _read_metrics(file: Path) -> MetricFrame:
    try:
        with gzip.open(file, "rt", encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise ValidationFailed("is missing", where=str(file)) from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"is not a readable gzip CSV ({exc})", where=str(file)) from None
    if not rows or [h.strip() for h in rows[0]] != METRICS_HEADER:
        raise ValidationFailed(f"header must be {','.join(METRICS_HEADER)}", where=f"{file}:1")
    body = rows[1:]
    bad = next((i for i, r in enumerate(body) if len(r) != 4), None)
    if bad is not None:
        raise ValidationFailed("expected 4 columns: timestamp,node,metric,value", where=f"{file}:{bad + 2}")
    columns = list(zip(*body, strict=True)) if body else [(), (), (), ()]
    try:
        times = np.asarray(columns[0], dtype=float)
        values = np.asarray(columns[3], dtype=float)
    except ValueError:
        raise ValidationFailed("timestamp and value must be numbers", where=str(file)) from None
    return _frame(times, columns[1], columns[2], values)


def _frame(times: np.ndarray, nodes: Sequence[str], metrics: Sequence[str], values: np.ndarray) -> MetricFrame:
    """Long rows → one (series × time) matrix; a repeated (series, time) keeps its last value."""
    grid, col = np.unique(times, return_inverse=True)
    node_names, node_code = np.unique(np.asarray(nodes, dtype=object), return_inverse=True)
    metric_names, metric_code = np.unique(np.asarray(metrics, dtype=object), return_inverse=True)
    pairs, row = np.unique(node_code * len(metric_names) + metric_code, return_inverse=True)
    matrix = np.full((len(pairs), len(grid)), np.nan)
    matrix[row, col] = values
    return MetricFrame(timestamps=grid, nodes=[str(node_names[p // len(metric_names)]) for p in pairs],
                       metrics=[str(metric_names[p % len(metric_names)]) for p in pairs], values=matrix)


def rank_case(case: RcaCase, evidence_config: EvidenceConfig = EvidenceConfig(),
              rank_config: RankConfig = RankConfig()) -> list[Candidate]:
    """The same two calls the live pipeline makes: metrics → evidence, evidence + graph → ranking."""
    evidence = node_evidence(case.frame, case.anomaly_start, case.target_node, case.target_metric,
                             evidence_config)
    return rank_root_causes(evidence, case.dependencies, case.target_node, rank_config)


def case_result(case: RcaCase, ranking: Sequence[Candidate]) -> CaseResult:
    names = [c.node for c in ranking]
    rank = names.index(case.root_cause) + 1 if case.root_cause in names else None
    return CaseResult(case.name, case.root_cause, rank, tuple(names[:5]))


def ac_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of cases whose root cause is within the first k candidates (0 for no cases)."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def avg_at_5(ranks: Sequence[int | None]) -> float:
    return sum(ac_at_k(ranks, k) for k in range(1, 6)) / 5


def score(results: Sequence[CaseResult]) -> RcaScore:
    ranks = [r.rank for r in results]
    return RcaScore(ac_at_k(ranks, 1), ac_at_k(ranks, 3), avg_at_5(ranks), tuple(results))


def evaluate(cases: Sequence[RcaCase], evidence_config: EvidenceConfig = EvidenceConfig(),
             rank_config: RankConfig = RankConfig()) -> RcaScore:
    return score([case_result(c, rank_case(c, evidence_config, rank_config)) for c in cases])
