"""Parameters of the Prometheus scrape check: where to scrape, which series to keep, the bounds."""

from __future__ import annotations

from pydantic import Field, field_validator

from forewarn.integrations.common import absolute_path, compose_url, http_url
from forewarn.plugins.v1 import PluginConfig, secret

TEN_MB = 10 * 1024 * 1024


class PrometheusConfig(PluginConfig):
    url: str | None = Field(
        None, description="Full URL of the metrics endpoint. When unset it is built from the asset's address."
    )
    scheme: str = Field("http", pattern="^https?$", description="Used only when url is unset.")
    port: int = Field(9100, ge=1, le=65535, description="Used only when url is unset (9100: node_exporter).")
    path: str = Field("/metrics", description="Used only when url is unset.")
    include: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Glob patterns of metric names to keep, e.g. 'node_cpu_*'; a family or sample name may match.",
    )
    exclude: list[str] = Field(default_factory=list, description="Glob patterns of metric names to drop.")
    match_labels: dict[str, str] = Field(
        default_factory=dict,
        description="Label matchers, all of which a series must meet: label name → glob of its value "
        "(a missing label has the empty value), e.g. {'mode': 'idle', 'device': 'sd*'}.",
    )
    max_series: int = Field(
        500, ge=1, le=100_000, description="Most series reported per scrape; the rest are dropped and noted."
    )
    max_scrape_bytes: int = Field(
        TEN_MB, ge=1024, le=100 * 1024 * 1024, description="A larger scrape is abandoned (UNKNOWN)."
    )
    prefer_openmetrics: bool = Field(
        False, description="Ask for OpenMetrics rather than the classic text format."
    )
    verify_tls: bool = Field(True, description="Verify the endpoint's certificate for https URLs.")
    bearer_token: str | None = secret(None, "Bearer token sent in the Authorization header.")

    _http_url = field_validator("url")(classmethod(lambda cls, v: http_url(v)))
    _absolute_path = field_validator("path")(classmethod(lambda cls, v: absolute_path(v)))

    def target_url(self, asset_address: str | None) -> str | None:
        return compose_url(self.url, self.scheme, asset_address, self.port, self.path)
