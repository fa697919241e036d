"""`forewarn user create` and `forewarn token create`: local accounts and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from forewarn.auth import Role, UserIn, create_token, create_user
from forewarn.cli.common import DataDir, console, load_settings, user_errors
from forewarn.core.errors import ValidationFailed
from forewarn.db import Database, migrate

user_app = typer.Typer(help="Local user accounts.")
token_app = typer.Typer(help="API tokens (Authorization: Bearer …).")


def _db(data_dir: DataDir) -> Database:
    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    migrate(db.engine)
    return db


@user_app.command("create")
@user_errors
def create_user_cmd(username: str, role: Annotated[Role, typer.Option(help="admin, technician or client")],
                    tenant: Annotated[str | None, typer.Option(help="tenant slug (client users)")] = None,
                    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
                    data_dir: DataDir = None) -> None:
    try:
        data = UserIn(username=username, password=password, role=role, tenant=tenant)
    except ValueError as exc:
        raise ValidationFailed(str(exc).splitlines()[-1] if str(exc) else "invalid user", where="user") from exc
    with _db(data_dir).session() as session:
        user = create_user(session, data)
    console.print(f"created {user.role.value} {user.username}")


@token_app.command("create")
@user_errors
def create_token_cmd(user: Annotated[str, typer.Option("--user", help="username the token acts as")],
                     name: Annotated[str, typer.Option(help="a label to recognise the token by")] = "cli",
                     data_dir: DataDir = None) -> None:
    """Prints the token as the last line, once; only its hash is stored."""
    with _db(data_dir).session() as session:
        token = create_token(session, user, name)
    console.print(f"API token for {user} (store it now; it is not shown again):", highlight=False)
    typer.echo(token)
