"""Notifications that arrive once: per-tenant channels, templates, routing, a persistent outbox with retries."""

from forewarn.notify.channels import KINDS, DeliveryError, EmailConfig, WebhookConfig, sign, verify_signature
from forewarn.notify.deliverer import Deliverer, DeliverySettings
from forewarn.notify.escalation import START_HORIZON, TickReport, tick
from forewarn.notify.escalation_schemas import (
    ContactIn,
    ContactOut,
    EscalationOut,
    OnCallNow,
    OverrideIn,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    RotaIn,
    RotaOut,
    RotaPatch,
)
from forewarn.notify.escalation_service import (
    create_policy,
    delete_policy,
    escalation_for_incident,
    get_policy,
    list_policies,
    next_handoff,
    update_policy,
)
from forewarn.notify.escalation_yaml import ApplyReport, apply_escalation
from forewarn.notify.oncall_service import (
    add_override,
    create_rota,
    delete_override,
    delete_rota,
    get_rota,
    list_rotas,
    on_call_now,
    set_contact,
    update_rota,
)
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
    "START_HORIZON", "ApplyReport", "apply_escalation", "ContactIn", "ContactOut", "EscalationOut", "OnCallNow", "OverrideIn", "PolicyIn", "PolicyOut",
    "PolicyPatch", "RotaIn", "RotaOut", "RotaPatch", "TickReport", "add_override", "create_policy", "create_rota",
    "delete_override", "delete_policy", "delete_rota", "escalation_for_incident", "get_policy", "get_rota",
    "list_policies", "list_rotas", "next_handoff", "on_call_now", "set_contact", "tick", "update_policy", "update_rota",
    "CHANGES", "DEFAULT_EVENTS", "GROUP_WINDOW", "KINDS", "REDACTED", "ChannelIn", "ChannelOut", "ChannelPatch",
    "Deliverer", "DeliveryError", "DeliveryOut", "DeliverySettings", "EmailConfig", "OutboxOut", "WebhookConfig",
    "create_channel", "delete_channel", "delivery_log", "enqueue_changes", "enqueue_for_change", "get_channel",
    "list_channels", "outbox_for_incident", "sign", "update_channel", "verify_signature",
]
