"""`forewarn eval logs`: mine Loghub-2k with our template miner and score GA/PA per system (BENCHMARKS.md §2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from forewarn.core.errors import ForewarnError
from forewarn.evaluation.loghub import (
    MinedSystem,
    discover_systems,
    load_system,
    mean_scores,
    mine_system,
    write_structured,
)


def _lines_per_second(runs: list[MinedSystem]) -> float:
    seconds = sum(r.seconds for r in runs)
    lines = sum(len(r.system.contents) for r in runs)
    return lines / seconds if seconds > 0 else 0.0


def _as_json(runs: list[MinedSystem]) -> dict[str, Any]:
    scores = [r.score for r in runs]
    ga, pa = mean_scores(scores)
    per_system = {
        s.name: {"ga": round(s.ga, 4), "pa": round(s.pa, 4), "lines": s.lines,
                 "templates": len(set(r.groups)), "true_templates": len(set(r.system.templates)),
                 "lines_per_second": round(len(r.system.contents) / r.seconds) if r.seconds > 0 else None}
        for r, s in zip(runs, scores, strict=True)
    }
    return {"ga": round(ga, 4), "pa": round(pa, 4), "per_system": per_system,
            "lines_per_second": round(_lines_per_second(runs))}


def _table(runs: list[MinedSystem]) -> Table:
    table = Table(title="Loghub-2k — forewarn log template miner")
    for name in ("system", "lines", "templates (ours / true)", "GA", "PA"):
        table.add_column(name, justify="left" if name == "system" else "right")
    scores = [r.score for r in runs]
    for run, score in zip(runs, scores, strict=True):
        table.add_row(score.name, f"{score.lines:,}", f"{len(set(run.groups))} / {len(set(run.system.templates))}",
                      f"{score.ga:.3f}", f"{score.pa:.3f}")
    ga, pa = mean_scores(scores)
    table.add_row("[bold]mean[/bold]", f"{sum(s.lines for s in scores):,}", "",
                  f"[bold]{ga:.3f}[/bold]", f"[bold]{pa:.3f}[/bold]")
    return table


def logs(
    data_dir: Annotated[Path, typer.Argument(help="Loghub-2k root: one <System>/ folder per system")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    write_results: Annotated[Path | None, typer.Option(
        help="write <DIR>/<System>/<System>_2k.log_structured.csv (LineId,EventTemplate)")] = None,
) -> None:
    """Score log template mining on Loghub-2k: grouping and parsing accuracy per system, and speed."""
    err = Console(stderr=True)
    try:
        runs = [mine_system(load_system(path)) for path in discover_systems(data_dir)]
        if write_results is not None:
            for run in runs:
                write_structured(write_results, run)
    except ForewarnError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(_as_json(runs)))
        return
    out = Console()
    out.print(_table(runs))
    out.print(f"{_lines_per_second(runs):,.0f} lines/s (mining only, one core)")


def register(app: typer.Typer) -> None:
    """Add the `logs` command to the given (eval) Typer group."""
    app.command("logs")(logs)
