"""Prometheus check: scrape a text or OpenMetrics endpoint into gauges and per-second counter rates."""

from forewarn.integrations.prometheus.check import PrometheusCheck
from forewarn.integrations.prometheus.config import PrometheusConfig

__all__ = ["PrometheusCheck", "PrometheusConfig"]
