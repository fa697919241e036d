"""`forewarn up`: the whole platform in one process on the embedded default."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from forewarn.cli.common import DataDir, console, load_settings, user_errors
from forewarn.core.errors import ValidationFailed
from forewarn.runtime import Platform
from forewarn.runtime.demo import DemoFeeder
from forewarn.web.app import create_app


@user_errors
def up(data_dir: DataDir = None,
       host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
       port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
       agent: Annotated[bool, typer.Option(help="sample this host with the built-in agent")] = True,
       demo: Annotated[bool, typer.Option(help="also play the dental-practice twin live as tenant Demo Dental")] = False,
       demo_speed: Annotated[float, typer.Option(help="demo faults run this many times faster than real time")] = 60.0,
       demo_scenario: Annotated[Path | None, typer.Option(help="scenario YAML for --demo (default: dental practice)")] = None,
       ) -> None:
    """Migrate, create the admin on first start, and serve the UI and API."""
    settings = load_settings(data_dir, host=host, port=port)
    if demo_speed <= 0:
        raise ValidationFailed(f"must be positive, got {demo_speed:g}", where="--demo-speed")
    platform = Platform(settings)
    if demo:
        feeder = DemoFeeder.from_file(platform, demo_scenario, demo_speed)
        feeder.install()
        # The start is printed to the second: simulated time is (now - start) × speed, which is how a
        # reader (or a test) relates an incident's real time to the demo's fault schedule.
        started = datetime.fromtimestamp(feeder.t0, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        console.print(f"Demo: tenant [cyan]Demo Dental[/cyan] plays the dental practice at {demo_speed:g}× "
                      f"from {started} (first incident within a minute or two)", highlight=False, soft_wrap=True)
    boot = platform.boot
    if boot.admin_password:
        console.print(f"[bold]Created the admin account[/bold]: user [cyan]{boot.admin_user}[/cyan], "
                      f"password [cyan]{boot.admin_password}[/cyan] (shown once; change it after login)",
                      highlight=False)
    elif boot.admin_created:
        console.print(f"Created the admin account [cyan]{boot.admin_user}[/cyan] with the configured password.")
    console.print(f"forewarn serving on [link]http://{settings.host}:{settings.port}[/link] "
                  f"(data in {settings.data_dir.resolve()})", highlight=False)
    app = create_app(settings, platform, run_agent=agent)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                access_log=False)
