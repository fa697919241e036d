"""Parameters of the ping check."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from forewarn.plugins.v1 import PluginConfig


class PingConfig(PluginConfig):
    host: str | None = Field(None, description="Address or name to ping; defaults to the asset's address.")
    count: int = Field(3, ge=1, le=20, description="Echo requests to send.")
    interval: float = Field(0.2, ge=0.01, le=5.0, description="Seconds between echo requests.")
    packet_timeout: float = Field(
        1.0, gt=0, le=30.0, description="Seconds to wait for each reply (shortened to fit the check timeout)."
    )
    method: Literal["auto", "icmp", "tcp"] = Field(
        "auto",
        description=(
            "auto: ICMP, falling back to TCP connects when ICMP is not permitted; "
            "icmp: ICMP only; tcp: TCP connects only (for networks that drop ICMP)."
        ),
    )
    fallback_ports: tuple[int, ...] = Field(
        (22, 80, 443), min_length=1, description="TCP ports tried in order when pinging over TCP."
    )

    @field_validator("fallback_ports")
    @classmethod
    def _ports_in_range(cls, ports: tuple[int, ...]) -> tuple[int, ...]:
        bad = [p for p in ports if not 1 <= p <= 65535]
        if bad:
            raise ValueError(f"ports must be 1-65535, got {bad}")
        return ports
