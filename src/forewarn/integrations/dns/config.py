"""Parameters of the DNS resolution check."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator

from forewarn.plugins.v1 import PluginConfig

RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "PTR", "SRV", "CAA"]


class DnsConfig(PluginConfig):
    name: str | None = Field(None, description="Name to resolve; defaults to the asset's address.")
    record_type: RecordType = "A"
    nameserver: str | None = Field(
        None, description="IP address of the server to ask; the system resolver's servers when unset."
    )
    port: int = Field(53, ge=1, le=65535, description="Port of `nameserver`.")
    expect: tuple[str, ...] = Field(
        (), description="Answers to look for, e.g. '192.0.2.1' or '10 mail.example.com'."
    )
    expect_mode: Literal["any", "all"] = Field(
        "any", description="any: one expected answer suffices; all: every expected answer must appear."
    )

    @field_validator("nameserver")
    @classmethod
    def _ip_address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"nameserver must be an IP address, got {value!r}") from None
        return value
