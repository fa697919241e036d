"""`forewarn eval rca`: rank every case of a root-cause dataset and print AC@1, AC@3, Avg@5 and per-case ranks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forewarn.core.errors import ForewarnError
from forewarn.evaluation.rca import RcaCase, RcaScore, case_dirs, evaluate, load_case

_out = Console()
_err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add the `rca` command to the `eval` command group."""
    app.command("rca")(rca)


def rca(
    cases_dir: Annotated[Path, typer.Argument(help="directory of cases (case.json, graph.csv, metrics.csv.gz)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    no_graph: Annotated[bool, typer.Option("--no-graph", help="ignore graph.csv: rank from metrics alone")] = False,
) -> None:
    """Score root-cause ranking on a directory of RCA cases."""
    try:
        result = evaluate(_load(cases_dir, use_graph=not no_graph, quiet=as_json))
    except ForewarnError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.as_json(), indent=2))
    else:
        _print(result, cases_dir, no_graph)


def _load(root: Path, use_graph: bool, quiet: bool) -> list[RcaCase]:
    paths = case_dirs(root)
    columns = (TextColumn("loading cases"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_err, transient=True, disable=quiet) as progress:
        task = progress.add_task("load", total=len(paths))
        cases = []
        for path in paths:
            cases.append(load_case(path, use_graph=use_graph))
            progress.advance(task)
    return cases


def _print(result: RcaScore, root: Path, no_graph: bool) -> None:
    table = Table(title=f"Root-cause ranking on {root} ({'metrics only' if no_graph else 'graph + metrics'})")
    for name in ("case", "root cause", "rank", "top candidates"):
        table.add_column(name, justify="right" if name == "rank" else "left")
    for case in result.cases:
        rank = "—" if case.rank is None else str(case.rank)
        table.add_row(case.name, case.root_cause, rank, ", ".join(case.top[:3]))
    _out.print(table)
    _out.print(f"AC@1 {result.ac1:.3f}   AC@3 {result.ac3:.3f}   Avg@5 {result.avg5:.3f}   "
               f"({len(result.cases)} cases)", highlight=False)
