"""Notifications that arrive once: per-tenant channels, templates, routing, a persistent outbox with retries."""

from forewarn.notify.channels import KINDS, DeliveryError, EmailConfig, WebhookConfig, sign, verify_signature
from forewarn.notify.deliverer import Deliverer, DeliverySettings
from forewarn.notify.policy import CHANGES, DEFAULT_EVENTS, GROUP_WINDOW, REDACTED
from forewarn.notify.schemas import ChannelIn, ChannelOut, ChannelPatch, DeliveryOut, OutboxOut
from forewarn.notify.service import (
    create_channel,
    delete_channel,
    delivery_log,
    enqueue_changes,
    enqueue_for_change,
    get_channel,
    list_channels,
    outbox_for_incident,
    update_channel,
)

__all__ = [
    "CHANGES", "DEFAULT_EVENTS", "GROUP_WINDOW", "KINDS", "REDACTED", "ChannelIn", "ChannelOut", "ChannelPatch",
    "Deliverer", "DeliveryError", "DeliveryOut", "DeliverySettings", "EmailConfig", "OutboxOut", "WebhookConfig",
    "create_channel", "delete_channel", "delivery_log", "enqueue_changes", "enqueue_for_change", "get_channel",
    "list_channels", "outbox_for_incident", "sign", "update_channel", "verify_signature",
]
