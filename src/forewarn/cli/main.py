"""The `forewarn` command: one Typer app assembling every command group."""

from __future__ import annotations

import logging

import typer

from forewarn.cli import (
    accounts,
    check,
    discover,
    eval_logs,
    eval_nab,
    eval_rca,
    inventory,
    oncall,
    simulate,
    up,
)

app = typer.Typer(help="forewarn: proactive IT operations for MSPs and IT teams.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.command("up")(up.up)
app.add_typer(inventory.app, name="inventory")
app.add_typer(check.app, name="check")
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.token_app, name="token")
app.add_typer(oncall.app, name="oncall")

eval_app = typer.Typer(help="Score forewarn's analysis on public benchmarks.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _register_evals() -> None:
    # Each benchmark command lives in its own module and registers itself on the eval group.
    for module in (eval_nab, eval_logs, eval_rca):
        module.register(eval_app)


def _register_commands() -> None:
    # Commands with heavier imports register themselves so `forewarn --help` names them all.
    for module in (discover, simulate):
        module.register(app)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _register_evals()
    _register_commands()
    app()


if __name__ == "__main__":
    main()
