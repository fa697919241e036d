"""Parameters of the TCP connect check."""

from __future__ import annotations

from pydantic import Field

from forewarn.plugins.v1 import PluginConfig


class TcpConfig(PluginConfig):
    host: str | None = Field(None, description="Address or name to connect to; defaults to the asset's address.")
    port: int = Field(ge=1, le=65535, description="TCP port to connect to.")
    send: str | None = Field(None, description="Text to send once connected (e.g. a protocol greeting).")
    expect: str | None = Field(
        None, description="Text the server must send (banner or reply); checked as a substring."
    )
    max_bytes: int = Field(4096, ge=1, le=1_048_576, description="Most bytes read while looking for `expect`.")
