"""Parameters of the HTTP check, including the parser for expected status codes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from forewarn.integrations.common import absolute_path, compose_url, http_url
from forewarn.plugins.v1 import PluginConfig, secret


def parse_status_ranges(spec: str) -> tuple[tuple[int, int], ...]:
    """"200-299,301,404" → ((200, 299), (301, 301), (404, 404)); ValueError names the bad part."""
    ranges: list[tuple[int, int]] = []
    for part in (p.strip() for p in spec.split(",")):
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(
                f"{part!r} is not a status code or range; write e.g. '200-399' or '200,301,404'"
            ) from None
        if not 100 <= first <= last <= 599:
            raise ValueError(f"{part!r} must be codes between 100 and 599, low before high")
        ranges.append((first, last))
    return tuple(ranges)


class HttpConfig(PluginConfig):
    url: str | None = Field(
        None,
        description="Full URL to fetch. When unset it is built from scheme, the asset's address, port and path.",
    )
    scheme: Literal["http", "https"] = Field("http", description="Used only when url is unset.")
    port: int | None = Field(None, ge=1, le=65535, description="Used only when url is unset.")
    path: str = Field("/", description="Used only when url is unset.")
    method: Literal["GET", "HEAD"] = "GET"
    expected_status: str = Field("200-399", description="Accepted status codes, e.g. '200-299,301'.")
    expect_text: str | None = Field(None, description="Text the response body must contain.")
    follow_redirects: bool = True
    max_redirects: int = Field(5, ge=0, le=30)
    verify_tls: bool = Field(True, description="Verify the server's certificate chain and hostname.")
    ca_file: str | None = Field(None, description="PEM file of CAs to trust instead of the system ones.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers.")
    secret_headers: dict[str, str] | None = secret(
        None, "Extra request headers holding credentials (e.g. Authorization); never shown."
    )
    username: str | None = Field(None, description="User for HTTP basic authentication.")
    password: str | None = secret(None, "Password for HTTP basic authentication.")
    max_body_bytes: int = Field(
        1_048_576, ge=0, description="Most body bytes read; expect_text is searched in these."
    )

    @field_validator("expected_status")
    @classmethod
    def _status_spec(cls, spec: str) -> str:
        parse_status_ranges(spec)
        return spec

    _http_url = field_validator("url")(classmethod(lambda cls, v: http_url(v)))
    _absolute_path = field_validator("path")(classmethod(lambda cls, v: absolute_path(v)))

    def target_url(self, asset_address: str | None) -> str | None:
        return compose_url(self.url, self.scheme, asset_address, self.port, self.path)
