"""`forewarn eval nab`: score our detector (or published result files) on the NAB corpus."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forewarn.analysis.anomaly import score_series
from forewarn.analysis.anomaly.baseline import baseline_score_series
from forewarn.evaluation.nab import PROFILES, ProfileResult, score_corpus
from forewarn.evaluation.nab_corpus import (
    NabDataError,
    NabSeries,
    load_corpus,
    load_result_scores,
    write_result_scores,
)

OUR_DETECTORS = {
    "forewarn": lambda s: score_series(s.values, s.timestamps),
    "rolling_z": lambda s: baseline_score_series(s.values),
}


def _run_detector(name: str, corpus: list[NabSeries], err: Console) -> list[np.ndarray]:
    if name not in OUR_DETECTORS:
        raise NabDataError(f"unknown detector {name!r}: choose one of {', '.join(OUR_DETECTORS)} "
                           "or pass --results DIR to score published result files")
    run = OUR_DETECTORS[name]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    scores = []
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"scoring with {name}", total=len(corpus))
        for series in corpus:
            scores.append(run(series))
            progress.advance(task)
    return scores


def _threshold(value: float) -> float | None:
    return None if math.isinf(value) else value  # +inf means "never fire" was best


def _as_json(results: dict[str, ProfileResult], points: int, seconds: float, detector: str) -> dict[str, Any]:
    out: dict[str, Any] = {name: round(r.score, 4) for name, r in results.items()}
    out["threshold"] = {name: _threshold(r.threshold) for name, r in results.items()}
    categories = next(iter(results.values())).per_category
    out["per_category"] = {
        cat: {name: {"score": r.per_category[cat].score, "raw": r.per_category[cat].raw,
                     "windows": r.per_category[cat].windows, "detected": r.per_category[cat].detected,
                     "false_positives": r.per_category[cat].false_positives}
              for name, r in results.items()}
        for cat in categories
    }
    out.update(points=points, seconds=round(seconds, 3), detector=detector)
    return out


def _fmt(score: float | None, windows: int, fps: int) -> str:
    shown = "—" if score is None else f"{score:.1f}"
    return f"{shown} ({fps} FP)" if windows == 0 else shown


def _table(results: dict[str, ProfileResult], detector: str) -> Table:
    table = Table(title=f"NAB — {detector}")
    table.add_column("category")
    table.add_column("windows", justify="right")
    for p in PROFILES:
        table.add_column(p.name, justify="right")
    std = results["standard"]
    for cat, c in std.per_category.items():
        cells = [_fmt(results[p.name].per_category[cat].score, c.windows,
                      results[p.name].per_category[cat].false_positives) for p in PROFILES]
        table.add_row(cat, str(c.windows), *cells)
    table.add_row("[bold]overall[/bold]", str(sum(c.windows for c in std.per_category.values())),
                  *[f"[bold]{results[p.name].score:.1f}[/bold]" for p in PROFILES])
    thresholds = [_threshold(results[p.name].threshold) for p in PROFILES]
    table.add_row("threshold", "", *["never" if t is None else f"{t:.6g}" for t in thresholds])
    return table


def nab(
    data_dir: Annotated[Path, typer.Argument(help="NAB folder holding data/ and labels/")],
    detector: Annotated[str, typer.Option(help="our detector to run, or the prefix of --results files")] = "forewarn",
    results: Annotated[Path | None, typer.Option(help="score existing result files in NAB's layout")] = None,
    threshold: Annotated[float | None, typer.Option(help="score at this threshold instead of sweeping")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    write_results: Annotated[Path | None, typer.Option(help="write our scores in NAB's results layout")] = None,
) -> None:
    """Score anomaly detection on NAB (BENCHMARKS.md §1): standard, low-FP and low-FN profiles."""
    out, err = Console(), Console(stderr=True)
    try:
        corpus = load_corpus(data_dir)
        started = time.perf_counter()
        if results is not None:
            if not results.is_dir():
                raise NabDataError(f"{results}: results folder not found")
            scores = [load_result_scores(results, detector, s) for s in corpus]
        else:
            scores = _run_detector(detector, corpus, err)
        seconds = time.perf_counter() - started
        if write_results is not None:
            for series, sc in zip(corpus, scores, strict=True):
                write_result_scores(write_results, detector, series, sc)
        outcome = score_corpus(corpus, scores, threshold)
    except NabDataError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    points = sum(len(s.values) for s in corpus)
    if as_json:
        typer.echo(json.dumps(_as_json(outcome, points, seconds, detector)))
    else:
        out.print(_table(outcome, detector))
        out.print(f"{points:,} points in {seconds:.2f} s")


def register(app: typer.Typer) -> None:
    """Add the `nab` command to the given (eval) Typer group."""
    app.command("nab")(nab)
