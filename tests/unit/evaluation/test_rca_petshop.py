"""The shared PetShop train cases: AC@k floors just below what the one configuration reaches today."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from forewarn.evaluation.rca import RcaCase, RcaScore, case_dirs, evaluate, load_case

PETSHOP = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "rca" / "petshop-train"

# Measured: graph 0.85 / 0.95 / 0.93, metrics only 0.35 / 0.70 / 0.72 (AC@1 / AC@3 / Avg@5).
# Held out (parameters picked on the other scenarios): 0.70 / 0.95 / 0.89; leave one case out 0.85 / 0.95 / 0.92.
FLOORS = {"graph": (0.80, 0.95, 0.90), "metrics only": (0.30, 0.65, 0.68)}


@pytest.fixture(scope="module")
def cases() -> list[RcaCase]:
    if not PETSHOP.is_dir():
        pytest.skip(f"PetShop RCA cases not found at {PETSHOP.resolve()} (shared data is not checked in)")
    return [load_case(p) for p in case_dirs(PETSHOP)]


@pytest.fixture(scope="module")
def scores(cases: list[RcaCase]) -> dict[str, RcaScore]:
    metrics_only = [dataclasses.replace(c, dependencies=None) for c in cases]
    return {"graph": evaluate(cases), "metrics only": evaluate(metrics_only)}


def test_every_train_case_is_loaded_with_its_graph(cases: list[RcaCase]) -> None:
    assert len(cases) == 20
    assert all(c.dependencies and c.target_node for c in cases)


@pytest.mark.parametrize("mode", list(FLOORS))
def test_petshop_figures_stay_above_their_floor(scores: dict[str, RcaScore], mode: str) -> None:
    result = scores[mode]
    figures = (result.ac1, result.ac3, result.avg5)
    assert all(got >= floor for got, floor in zip(figures, FLOORS[mode], strict=True)), (mode, figures)


def test_every_root_cause_is_ranked(scores: dict[str, RcaScore]) -> None:
    assert all(c.rank is not None for s in scores.values() for c in s.cases)
