"""Slack-compatible incoming-webhook channel (also Mattermost and Rocket.Chat): mrkdwn text plus blocks."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from forewarn.notify.channels.base import Channel, Message, UrlConfig, post_json
from forewarn.notify.policy import one_line
from forewarn.notify.templates import render, subject

_COLORS = {"critical": "#d62728", "warning": "#ff9f1c", "info": "#1f77b4"}
_SECTION_LIMIT = 2900  # Slack rejects section text over 3000 characters


def payload(message: Message) -> dict[str, Any]:
    text = render("slack", message)
    worst = max((i.incident.get("severity", "info") for i in message.items),
                key=lambda s: ("info", "warning", "critical").index(s) if s in _COLORS else 0)
    return {
        "text": one_line(subject(message), 150),  # the notification preview
        "attachments": [{"color": _COLORS.get(worst, "#1f77b4"), "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:_SECTION_LIMIT]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"forewarn · {message.idempotency_key}"}]},
        ]}],
    }


class SlackChannel(Channel):
    kind: ClassVar[str] = "slack"
    config_model: ClassVar[type[UrlConfig]] = UrlConfig

    async def send(self, message: Message) -> None:
        body = json.dumps(payload(message), ensure_ascii=False).encode()
        await post_json(self.seams, self.config.url.get_secret_value(), body,  # type: ignore[attr-defined]
                        {"Idempotency-Key": message.idempotency_key}, self.config.timeout)
