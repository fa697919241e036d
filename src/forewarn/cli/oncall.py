"""`forewarn oncall apply|now`: on-call rotas, overrides, escalation policies and page addresses as YAML."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from forewarn.auth import Principal
from forewarn.cli.common import DataDir, console, open_database, user_errors
from forewarn.core.errors import ValidationFailed
from forewarn.notify import apply_escalation, on_call_now

app = typer.Typer(help="On-call rotas and escalation policies (see `forewarn oncall apply --help`).",
                  no_args_is_help=True)


@app.command("apply")
@user_errors
def apply(file: Annotated[Path, typer.Argument(help="on-call YAML: contacts, rotas, policies")],
          data_dir: DataDir = None,
          dry_run: Annotated[bool, typer.Option(help="validate and show changes, write nothing")] = False) -> None:
    """Create or update the rotas and policies the file describes, all or nothing; applying twice changes nothing."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"cannot read the file: {exc}", where=str(file)) from exc
    db = open_database(data_dir)
    with db.session() as session:
        report = apply_escalation(session, Principal.system(), text, str(file), time.time())
        if dry_run:
            session.rollback()
    for label, items, colour in (("created", report.created, "green"), ("updated", report.updated, "yellow")):
        for item in items:
            console.print(f"[{colour}]{label}[/{colour}] {item}", highlight=False)
    verb = "would change" if dry_run else "changed"
    console.print(f"{verb}: {len(report.created)} created, {len(report.updated)} updated, "
                  f"{len(report.unchanged)} unchanged")


@app.command("now")
@user_errors
def now(data_dir: DataDir = None, tenant: Annotated[str | None, typer.Option(help="tenant slug")] = None) -> None:
    """Who is on call on every rota right now, and where a page would go."""
    db = open_database(data_dir)
    with db.session() as session:
        rows = on_call_now(session, Principal.system(), tenant, time.time())
    for o in rows:
        who = f"{o.user} <{o.email or 'no email'}> ({o.source})" if o.user else f"nobody: {o.reason}"
        console.print(f"{o.rota}: {who}", highlight=False)
