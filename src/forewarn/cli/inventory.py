"""`forewarn inventory apply|export`: the environment described as code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forewarn.auth import Principal
from forewarn.cli.common import DataDir, console, open_database, user_errors
from forewarn.core.errors import ValidationFailed
from forewarn.monitoring import apply_environment, export_environment

app = typer.Typer(help="Load or write back a client environment (tenant, sites, assets, dependencies, checks).")


@app.command("apply")
@user_errors
def apply(file: Annotated[Path, typer.Argument(help="environment YAML file")], data_dir: DataDir = None,
          dry_run: Annotated[bool, typer.Option(help="validate and show changes, write nothing")] = False) -> None:
    """Create or update everything the file describes, in one transaction; applying twice changes nothing."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"cannot read the file: {exc}", where=str(file)) from exc
    db = open_database(data_dir)
    with db.session() as session:
        report = apply_environment(session, Principal.system(), text, str(file))
        if dry_run:
            session.rollback()
    for label, items, colour in (("created", report.created, "green"), ("updated", report.updated, "yellow"),
                                 ("deleted", report.deleted, "red")):
        for item in items:
            console.print(f"[{colour}]{label}[/{colour}] {item}", highlight=False)
    verb = "would change" if dry_run else "changed"
    console.print("no changes" if not report.changed else
                  f"{verb}: {len(report.created)} created, {len(report.updated)} updated, "
                  f"{len(report.deleted)} deleted")


@app.command("export")
@user_errors
def export(tenant: Annotated[str, typer.Option(help="tenant slug or id")], data_dir: DataDir = None,
           output: Annotated[Path | None, typer.Option("-o", "--output", help="file (default stdout)")] = None) -> None:
    """Write a tenant's environment back as YAML that `apply` accepts."""
    db = open_database(data_dir)
    with db.session() as session:
        text = export_environment(session, Principal.system(), tenant)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)
