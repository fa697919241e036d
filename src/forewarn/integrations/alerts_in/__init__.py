"""Inbound alerts from other tools: Alertmanager webhooks and generic JSON, as `InboundAlert`s."""

from forewarn.integrations.alerts_in.alert import InboundAlert, asset_hint, decode_json, host_part
from forewarn.integrations.alerts_in.alertmanager import from_alertmanager
from forewarn.integrations.alerts_in.generic import GenericAlert, from_generic

__all__ = ["GenericAlert", "InboundAlert", "asset_hint", "decode_json", "from_alertmanager", "from_generic",
           "host_part"]
