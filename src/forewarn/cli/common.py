"""Shared CLI pieces: the --data-dir option, settings from it, and errors printed as sentences."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from forewarn.core.errors import ForewarnError
from forewarn.db import Database, migrate
from forewarn.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="state directory (env FOREWARN_DATA_DIR)",
                                               show_default="./var")]


def load_settings(data_dir: Path | None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)


def open_database(data_dir: Path | None) -> Database:
    """The state database of this data directory, created and migrated if needed."""
    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    migrate(db.engine)
    return db


def user_errors(fn: F) -> F:
    """Domain errors end the command with their sentence on stderr and exit code 2, no traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ForewarnError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]
