"""The SMART check: a drive's self-reported health from `smartctl --json -a` (run or pre-collected)."""

from __future__ import annotations

from forewarn.integrations.common import config_as
from forewarn.integrations.process import Runner, run_process
from forewarn.integrations.smart.collect import Collected, read_saved, run_smartctl
from forewarn.integrations.smart.config import SmartConfig
from forewarn.integrations.smart.health import DriveHealth, MalformedSmart, parse_smartctl
from forewarn.integrations.smart.judge import Limits, judge
from forewarn.integrations.smart.result import evaluate, unusable
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig


class SmartCheck(CheckPlugin):
    kind = "smart"
    title = "Drive health (SMART)"
    Config = SmartConfig

    def __init__(self, runner: Runner | None = None) -> None:
        # Seam for tests and the simulator; the default starts smartctl as a child process.
        self._runner: Runner = runner or run_process
        self._media_errors: dict[str, float] = {}  # per drive, to see NVMe media errors grow

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, SmartConfig)
        try:
            collected = await self._collect(cfg, ctx.timeout)
        except OSError as exc:
            what = cfg.json_file or cfg.smartctl
            return CheckOutcome(CheckStatus.UNKNOWN, f"cannot read {what}: {exc.strerror or exc}")
        try:
            health = parse_smartctl(collected.output)
        except MalformedSmart as exc:
            return unusable(collected, str(exc), ctx.timeout)
        findings = judge(health, _limits(cfg), self._remember_media_errors(health))
        return evaluate(health, findings)

    async def _collect(self, cfg: SmartConfig, timeout: float) -> Collected:
        if cfg.json_file is not None:
            return await read_saved(cfg.json_file, cfg.max_output_bytes)
        return await run_smartctl(cfg, self._runner, timeout)

    def _remember_media_errors(self, health: DriveHealth) -> float | None:
        """The media-error count seen last time for this drive; stores the current one."""
        key = health.serial or health.device
        current = health.nvme.get("media_errors")
        previous = self._media_errors.get(key)
        if key and current is not None:
            self._media_errors[key] = current
        return previous


def _limits(cfg: SmartConfig) -> Limits:
    return Limits(cfg.temperature_warning, cfg.temperature_critical, cfg.spare_margin, cfg.wear_warning)
