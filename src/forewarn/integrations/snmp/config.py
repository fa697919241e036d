"""Parameters of the SNMP check: where and how to ask (v2c or v3 USM), and what to collect."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from forewarn.plugins.v1 import PluginConfig, secret

Section = Literal["system", "interfaces", "storage", "processors", "ups"]
StatusName = Literal["ok", "warning", "critical"]


class SnmpConfig(PluginConfig):
    host: str | None = Field(None, description="Agent address or name; defaults to the asset's address.")
    port: int = Field(161, ge=1, le=65535, description="UDP port of the agent.")
    version: Literal["2c", "3"] = Field("2c", description="SNMP version: 2c (community) or 3 (USM user).")
    community: str | None = secret(None, "v2c community string.")
    username: str | None = Field(None, description="v3 USM user name.")
    auth_protocol: Literal["none", "MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] = Field(
        "none", description="v3 authentication protocol; SHA is SHA-1 (HMAC-SHA-96)."
    )
    auth_key: str | None = secret(None, "v3 authentication pass phrase (at least 8 characters).")
    priv_protocol: Literal["none", "DES", "AES"] = Field(
        "none", description="v3 privacy (encryption) protocol; AES means AES-128 (CFB)."
    )
    priv_key: str | None = secret(None, "v3 privacy pass phrase (at least 8 characters).")
    context: str = Field("", description="v3 context name; empty for the default context.")
    timeout: float | None = Field(
        None, gt=0, le=60,
        description="Seconds to wait for one response before retrying; by default the check's "
                    "timeout shared between the tries.",
    )
    retries: int = Field(1, ge=0, le=5, description="Times a request is resent after a timeout.")
    max_repetitions: int = Field(25, ge=1, le=200, description="GETBULK max-repetitions per request.")
    max_rows: int = Field(
        1000, ge=1, le=100_000, description="Most rows read from one table; longer tables are cut here."
    )
    sections: tuple[Section, ...] = Field(
        ("system", "interfaces"),
        description="What to collect: system, interfaces, storage, processors (HOST-RESOURCES-MIB), "
                    "ups (UPS-MIB, or Eaton XUPS-MIB when the standard one is absent).",
    )
    interfaces: tuple[str, ...] = Field(
        (), description="Only these interfaces (ifName or ifDescr); all when empty."
    )
    oper_down_status: StatusName = Field(
        "warning", description="Status when an administratively up interface is operationally down."
    )
    storage_warn_percent: float = Field(
        90.0, ge=0, le=100, description="Disk use (fixed, removable, network disks) that warns."
    )
    storage_crit_percent: float = Field(95.0, ge=0, le=100, description="Disk use that is critical.")
    ups_on_battery_status: StatusName = Field("warning", description="Status while the UPS runs on battery.")
    ups_min_runtime_minutes: float = Field(
        10.0, ge=0, description="Estimated battery runtime below which the check warns."
    )
    ups_min_charge_percent: float = Field(
        50.0, ge=0, le=100, description="Battery charge below which the check warns."
    )

    @model_validator(mode="after")
    def _credentials_match_version(self) -> Self:
        if self.version == "2c":
            if not self.community:
                raise ValueError("version 2c needs a community")
            return self
        if not self.username:
            raise ValueError("version 3 needs a username")
        if self.auth_protocol == "none" and self.priv_protocol != "none":
            raise ValueError("v3 privacy needs authentication: set auth_protocol and auth_key")
        for protocol, key, name in ((self.auth_protocol, self.auth_key, "auth_key"),
                                    (self.priv_protocol, self.priv_key, "priv_key")):
            if protocol != "none" and (key is None or len(key) < 8):
                raise ValueError(f"{name} must be at least 8 characters (RFC 3414 §11.2)")
        return self

    @property
    def security_level(self) -> str:
        if self.priv_protocol != "none":
            return "authPriv"
        return "authNoPriv" if self.auth_protocol != "none" else "noAuthNoPriv"
