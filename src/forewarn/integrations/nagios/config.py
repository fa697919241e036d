"""Parameters of the Nagios plugin check."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from forewarn.plugins.v1 import PluginConfig, secret

DEFAULT_PLUGIN_DIRS = ("/usr/lib/nagios/plugins", "/usr/lib64/nagios/plugins", "/usr/local/nagios/libexec")


class NagiosConfig(PluginConfig):
    command: list[str] = Field(
        min_length=1,
        description=(
            "The plugin and its arguments as a list, e.g. ['check_tcp', '-H', '$HOSTADDRESS$', '-p', '22']; "
            "never run through a shell. `$HOSTADDRESS$` becomes the asset's address, `$TIMEOUT$` the "
            "check's timeout in whole seconds. A bare name is looked up in plugin_dirs."
        ),
    )
    plugin_dirs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PLUGIN_DIRS),
        description="Directories searched, in order, for a command given without a '/'.",
    )
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment variables for the plugin.")
    secret_env: dict[str, str] | None = secret(
        None, "Extra environment variables holding credentials; never shown."
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Labels added to every metric, to tell apart two checks running the same plugin.",
    )
    threshold_metrics: bool = Field(
        True, description="Also report each item's numeric warn/crit/max as <name>_warn, _crit, _max."
    )
    max_output_bytes: int = Field(
        65536, ge=256, le=4_194_304, description="Most bytes of plugin output read; the rest is dropped."
    )

    @field_validator("command", mode="before")
    @classmethod
    def _argv_only(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(
                "command must be a list of arguments, not a string (it is never run through a shell); "
                f"write e.g. {value.split()!r}"
            )
        return value

    @field_validator("command")
    @classmethod
    def _program_named(cls, argv: list[str]) -> list[str]:
        if not argv[0].strip():
            raise ValueError("command[0] must name the plugin to run")
        if any("\0" in arg for arg in argv):
            raise ValueError("command arguments must not contain NUL characters")
        return argv
