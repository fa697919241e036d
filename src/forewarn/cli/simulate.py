"""`forewarn simulate`: run a scenario through the real pipeline on a simulated clock, break-fix vs managed."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forewarn.auth import Principal, get_tenant
from forewarn.cli.common import DataDir, open_database
from forewarn.core.errors import ForewarnError
from forewarn.runtime.comparison_run import save_result, simulate_isolated
from forewarn.simulation import Scenario, SimulationResult, load_scenario
from forewarn.simulation.report import ChartAssets, render_report, table_rows
from forewarn.web.app import STATIC_DIR

_out = Console()
_err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add the `simulate` command to the main app."""
    app.command("simulate")(simulate)


def simulate(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML (see examples/scenarios/)")],
    days: Annotated[float | None, typer.Option(help="simulated days (default: the scenario's)")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the comparison as one JSON object")] = False,
    report: Annotated[Path | None, typer.Option(help="write an HTML report here")] = None,
    every_result: Annotated[bool, typer.Option(help="send every check result, not only changes (slower)")] = False,
    save: Annotated[bool, typer.Option(help="store the run for the tenant's comparison page (in --data-dir)")] = False,
    tenant: Annotated[str | None, typer.Option(help="with --save: the tenant (slug or id) the run is for "
                                                    "(default: the scenario's tenant)")] = None,
    data_dir: DataDir = None,
) -> None:
    """Replay a client environment with its faults, as break-fix and as managed by forewarn, and compare.

    Runs are stored only with --save (never implicitly), into the database of --data-dir, for --tenant.
    """
    try:
        loaded = load_scenario(scenario)
        if seed is not None:
            loaded = loaded.model_copy(update={"seed": seed})
        db = open_database(data_dir) if save else None
        if db is not None:  # an unknown tenant is refused before the run, not after it
            with db.session() as session:
                get_tenant(session, Principal.system(), tenant or loaded.tenant_slug)
        started = time.perf_counter()
        result = asyncio.run(_run(loaded, days, as_json, every_result))
        seconds = time.perf_counter() - started
        if db is not None:
            run = save_result(db, Principal.system(), tenant or loaded.tenant_slug, result,
                              str(scenario.resolve()), seconds)
            _err.print(f"stored as run {run.id} for the tenant's comparison page", highlight=False)
            db.dispose()
    except (ForewarnError, ValueError) as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if report is not None:
        report.write_text(render_report(result, seconds, ChartAssets.from_dir(STATIC_DIR / "vendor")),
                          encoding="utf-8")
    if as_json:
        typer.echo(json.dumps({**result.as_json(), "seconds": round(seconds, 1)}, indent=2))
    else:
        _print(result, seconds, report)


async def _run(scenario: Scenario, days: float | None, quiet: bool, every_result: bool) -> SimulationResult:
    columns = (TextColumn("simulating {task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("minutes"), TimeElapsedColumn())
    with Progress(*columns, console=_err, transient=True, disable=quiet) as progress:
        task = progress.add_task(scenario.name, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return await simulate_isolated(scenario, days, advance, every_result)


def _print(result: SimulationResult, seconds: float, report: Path | None) -> None:
    table = Table(title=f"{result.scenario}: {result.days:g} simulated days in {seconds:.1f} s (seed {result.seed})")
    for name in ("", "break-fix", "managed", "difference"):
        table.add_column(name, justify="left" if not name else "right")
    for row in table_rows(result):
        table.add_row(*row)
    _out.print(table)
    extra = result.managed.extra
    _out.print(f"managed: {extra['incidents']:.0f} incidents from the pipeline, {extra['false_alarms']:.0f} without "
               f"a fault behind them, {extra['prevented']:.0f} faults fixed before users were hit")
    if report is not None:
        _out.print(f"report written to {report}")
