"""Parameters of the TLS certificate check."""

from __future__ import annotations

from pydantic import Field, model_validator

from forewarn.plugins.v1 import PluginConfig


class TlsConfig(PluginConfig):
    host: str | None = Field(None, description="Address or name to connect to; defaults to the asset's address.")
    port: int = Field(443, ge=1, le=65535)
    server_name: str | None = Field(
        None, description="Name sent in SNI and checked against the certificate; defaults to host."
    )
    ca_file: str | None = Field(None, description="PEM file of CAs to trust instead of the system ones.")
    warn_days: float = Field(21.0, ge=0, description="WARNING when the certificate expires sooner than this.")
    crit_days: float = Field(7.0, ge=0, description="CRITICAL when the certificate expires sooner than this.")

    @model_validator(mode="after")
    def _crit_before_warn(self) -> TlsConfig:
        if self.crit_days > self.warn_days:
            raise ValueError(
                f"crit_days ({self.crit_days:g}) must not exceed warn_days ({self.warn_days:g})"
            )
        return self
