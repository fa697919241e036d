"""Microsoft Teams-compatible channel: an Adaptive Card message for Teams workflows / incoming webhooks."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from forewarn.notify.channels.base import Channel, Message, UrlConfig, post_json
from forewarn.notify.templates import item_context, subject

_COLORS = {"critical": "Attention", "warning": "Warning", "info": "Accent"}


def _plain(value: str) -> str:
    """Teams renders markdown in TextBlocks; escape it so a title cannot forge a link or formatting."""
    return "".join("\\" + c if c in "\\`*_[]<>#~" else c for c in value)


def _item_blocks(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    facts = [{"title": "Status", "value": ctx["status"]}, {"title": "Caught", "value": ctx["catch"]}]
    if ctx["sla"]:
        facts.append({"title": "SLA", "value": ctx["sla"]["detail"]})
    if ctx["root_cause"]:
        facts.append({"title": "Root cause", "value": ctx["root_cause"]})
    if ctx["latest"]:
        latest = ctx["latest"]
        facts.append({"title": "Latest", "value": f"{latest['when']} {latest['kind']}: {latest['message']}"})
    return [
        {"type": "TextBlock", "wrap": True, "weight": "Bolder", "color": _COLORS.get(ctx["severity"], "Default"),
         "text": _plain(f"{ctx['lead']}: {ctx['title']}")},
        {"type": "FactSet", "facts": [{"title": f["title"], "value": _plain(f["value"])} for f in facts]},
        {"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": "Open the incident",
                                           "url": ctx["link"]}]},
    ]


def payload(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = [{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": True,
                                   "text": _plain(subject(message))}]
    for item in message.items:
        body.extend(_item_blocks(item_context(item)))
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body}
    return {"type": "message", "summary": subject(message),
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


class TeamsChannel(Channel):
    kind: ClassVar[str] = "teams"
    config_model: ClassVar[type[UrlConfig]] = UrlConfig

    async def send(self, message: Message) -> None:
        body = json.dumps(payload(message), ensure_ascii=False).encode()
        await post_json(self.seams, self.config.url.get_secret_value(), body,  # type: ignore[attr-defined]
                        {"Idempotency-Key": message.idempotency_key}, self.config.timeout)
