"""`forewarn check run ASSET`: run an asset's checks once and print the results."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.cli.common import DataDir, console, load_settings, user_errors
from forewarn.core.enums import CheckStatus
from forewarn.db import Database, migrate
from forewarn.inventory import asset_row
from forewarn.monitoring import enabled_definitions, run_check

app = typer.Typer(help="Run checks by hand.")
STYLE = {CheckStatus.OK: "green", CheckStatus.WARNING: "yellow", CheckStatus.CRITICAL: "red",
         CheckStatus.UNKNOWN: "magenta"}


@app.command("run")
@user_errors
def run(asset: Annotated[str, typer.Argument(help="asset name or id")], data_dir: DataDir = None,
        tenant: Annotated[str | None, typer.Option(help="tenant slug, when the name exists in several")] = None,
        ) -> None:
    """Exit code: 0 when every check is OK, else the worst Nagios code (1 warning, 2 critical, 3 unknown)."""
    settings = load_settings(data_dir)
    db = Database(settings.effective_database_url)
    migrate(db.engine)
    with db.session() as session:
        who = Principal.system()
        tenant_id = resolve_tenant_id(session, who, tenant) if tenant else None
        row = asset_row(session, who, asset, tenant_id=tenant_id)
        checks = enabled_definitions(session, asset_id=row.id)
    if not checks:
        console.print(f"{asset} has no enabled checks")
        return
    results = asyncio.run(_run_all(checks))
    table = Table("check", "kind", "status", "summary", "metrics", title=f"{asset}")
    for check, result in zip(checks, results, strict=True):
        metrics = ", ".join(f"{m.name}={m.value:g}{m.unit}" for m in result.metrics[:6])
        table.add_row(check.name, check.kind, f"[{STYLE[result.status]}]{result.status.name}[/]",
                      result.summary, metrics)
    console.print(table)
    worst = CheckStatus.worst(*(r.status for r in results))
    raise typer.Exit(int(worst))


async def _run_all(checks: list) -> list:
    return await asyncio.gather(*(run_check(c) for c in checks))
