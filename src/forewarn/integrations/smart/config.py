"""Parameters of the SMART drive-health check."""

from __future__ import annotations

from pydantic import Field, model_validator

from forewarn.plugins.v1 import PluginConfig


class SmartConfig(PluginConfig):
    device: str | None = Field(None, description="Device to query, e.g. /dev/sda or /dev/nvme0.")
    device_type: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_,+-]+$",
        description="smartctl's -d type when auto-detection is not enough, e.g. 'sat' or 'megaraid,0'.",
    )
    smartctl: str = Field("smartctl", description="Path of the smartctl program (smartmontools ≥ 7).")
    json_file: str | None = Field(
        None, description="Read pre-collected `smartctl --json -a` output from this file instead of running it."
    )
    temperature_warning: float | None = Field(None, description="°C at or above which the check warns.")
    temperature_critical: float | None = Field(None, description="°C at or above which the check is critical.")
    spare_margin: float = Field(
        10, ge=0, le=100,
        description="Warn when the NVMe available spare is within this many points of its threshold.",
    )
    wear_warning: float = Field(
        90, ge=0, le=255, description="Warn when the NVMe percentage_used (rated endurance used) reaches this."
    )
    max_output_bytes: int = Field(4_194_304, ge=1024, description="Most bytes of smartctl output read.")

    @model_validator(mode="after")
    def _one_source(self) -> SmartConfig:
        if (self.device is None) == (self.json_file is None):
            raise ValueError("set exactly one of device (run smartctl) or json_file (read its saved output)")
        if self.device is not None and self.device.startswith("-"):
            raise ValueError("device must be a device path such as /dev/sda, not an option")
        return self
