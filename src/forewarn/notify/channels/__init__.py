"""Channel kinds by name: email (SMTP), generic signed webhook, Slack- and Teams-compatible webhooks."""

from forewarn.notify.channels.base import Channel, ChannelConfig, DeliveryError, Item, Message, Seams
from forewarn.notify.channels.email import EmailChannel, EmailConfig
from forewarn.notify.channels.slack import SlackChannel
from forewarn.notify.channels.teams import TeamsChannel
from forewarn.notify.channels.webhook import WebhookChannel, WebhookConfig, sign, verify_signature

KINDS: dict[str, type[Channel]] = {c.kind: c for c in (EmailChannel, WebhookChannel, SlackChannel, TeamsChannel)}

__all__ = [
    "KINDS", "Channel", "ChannelConfig", "DeliveryError", "EmailChannel", "EmailConfig", "Item", "Message",
    "Seams", "SlackChannel", "TeamsChannel", "WebhookChannel", "WebhookConfig", "sign", "verify_signature",
]
