"""`forewarn up`: the whole platform in one process on the embedded default."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from forewarn.cli.common import DataDir, console, load_settings, user_errors
from forewarn.runtime import Platform
from forewarn.web.app import create_app


@user_errors
def up(data_dir: DataDir = None,
       host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
       port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
       agent: Annotated[bool, typer.Option(help="sample this host with the built-in agent")] = True) -> None:
    """Migrate, create the admin on first start, and serve the UI and API."""
    settings = load_settings(data_dir, host=host, port=port)
    platform = Platform(settings)
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
