"""The Nagios plugin check: run any plugin as an argv list and report its status and perfdata."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from forewarn.integrations.common import config_as
from forewarn.integrations.nagios.config import NagiosConfig
from forewarn.integrations.nagios.result import evaluate, launch_failure
from forewarn.integrations.process import Runner, run_process
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig


class NagiosCheck(CheckPlugin):
    kind = "nagios"
    title = "Nagios plugin"
    Config = NagiosConfig

    def __init__(self, runner: Runner | None = None) -> None:
        # Seam for tests and the simulator; the default starts a real child process.
        self._runner: Runner = runner or run_process

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, NagiosConfig)
        argv = expand_macros(cfg.command, ctx)
        if argv is None:
            return CheckOutcome(CheckStatus.UNKNOWN, "command uses $HOSTADDRESS$ but the asset has no usable address")
        argv[0] = resolve_program(argv[0], cfg.plugin_dirs)
        plugin = os.path.basename(argv[0])
        env = {**cfg.env, **(cfg.secret_env or {})}
        try:
            run = await self._runner(argv, env, ctx.timeout, cfg.max_output_bytes)
        except OSError as exc:
            return launch_failure(argv[0], exc)
        return evaluate(run, plugin, ctx.timeout, cfg.labels, cfg.threshold_metrics)


def expand_macros(command: Sequence[str], ctx: CheckContext) -> list[str] | None:
    """The argv with `$HOSTADDRESS$` and `$TIMEOUT$` replaced; None when the address is needed but unusable."""
    timeout = str(max(1, math.floor(ctx.timeout)))
    argv = []
    for arg in command:
        if "$HOSTADDRESS$" in arg:
            # an address like "-oProxyCommand=…" would become an option of the plugin
            if not ctx.asset_address or ctx.asset_address.startswith("-"):
                return None
            arg = arg.replace("$HOSTADDRESS$", ctx.asset_address)
        argv.append(arg.replace("$TIMEOUT$", timeout))
    return argv


def resolve_program(program: str, plugin_dirs: Sequence[str]) -> str:
    """A bare plugin name found in the first of `plugin_dirs` that holds it; otherwise as given (PATH)."""
    if "/" in program:
        return program
    for directory in plugin_dirs:
        candidate = os.path.join(directory, program)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return program
