"""Plugin SDK v1: the small, stable surface an integration may use (see STYLE.md habit 5)."""

from forewarn.core.enums import CheckStatus
from forewarn.core.records import MetricPoint
from forewarn.plugins.v1.check import CheckContext, CheckOutcome, CheckPlugin, PluginConfig, secret

__all__ = [
    "CheckContext", "CheckOutcome", "CheckPlugin", "CheckStatus", "MetricPoint", "PluginConfig",
    "secret",
]
