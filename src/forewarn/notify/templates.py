"""Message texts per channel kind, rendered by a sandboxed Jinja2 (HTML email autoescaped) from incident snapshots."""

from __future__ import annotations

import math
import time
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from forewarn.notify.channels.base import Item, Message
from forewarn.notify.policy import one_line

_VERBS = {"opened": "opened", "escalated": "escalated", "acknowledged": "acknowledged",
          "resolved": "resolved", "reopened": "reopened", "closed": "closed", "paged": "escalated to you",
          "sla_warning": "SLA warning", "sla_breached": "SLA breached"}

SUBJECT = ("{% if items|length == 1 %}{% set i = items[0] %}[forewarn] {% if i.sla %}{{ i.sla.lead }}{% else %}"
           "{{ i.severity|upper }} {{ i.verb }}{% endif %}: {{ i.title }}"
           "{% else %}[forewarn] {{ items|length }} incident updates{% endif %}")

TEXT = """{% for i in items %}{{ i.lead }}: {{ i.title }}
Status: {{ i.status }} · {{ i.catch }}{% if i.sla %}
SLA: {{ i.sla.detail }}{% endif %}{% if i.page %}
Escalation: {{ i.page }}{% endif %}{% if i.root_cause %}
Root cause: {{ i.root_cause }}{% endif %}{% if i.latest %}
Latest: {{ i.latest.when }} {{ i.latest.kind }}: {{ i.latest.message }}{% endif %}
{{ i.link }}
{% if not loop.last %}
{% endif %}{% endfor %}"""

HTML = """<!doctype html><html><body style="font-family:sans-serif">
{% for i in items %}<div style="margin-bottom:1.5em">
<h2 style="margin:0">{{ i.lead }}: {{ i.title }}</h2>
<p>Status: <b>{{ i.status }}</b> · {{ i.catch }}</p>
{% if i.sla %}<p>SLA: {{ i.sla.detail }}</p>{% endif %}
{% if i.page %}<p>Escalation: {{ i.page }}</p>{% endif %}
{% if i.root_cause %}<p>Root cause: {{ i.root_cause }}</p>{% endif %}
{% if i.latest %}<p>Latest: {{ i.latest.when }} {{ i.latest.kind }}: {{ i.latest.message }}</p>{% endif %}
<p><a href="{{ i.link }}">Open the incident</a></p></div>
{% endfor %}</body></html>"""

SLACK = """{% for i in items %}*{{ i.lead }}:* <{{ i.link }}|{{ i.title|mrkdwn }}>
Status: {{ i.status }} · {{ i.catch }}{% if i.sla %}
SLA: {{ i.sla.detail }}{% endif %}{% if i.page %}
Escalation: {{ i.page|mrkdwn }}{% endif %}{% if i.root_cause %}
Root cause: {{ i.root_cause|mrkdwn }}{% endif %}{% if i.latest %}
Latest: {{ i.latest.when }} {{ i.latest.kind }}: {{ i.latest.message|mrkdwn }}{% endif %}{% if not loop.last %}
{% endif %}
{% endfor %}"""


def _mrkdwn(value: Any) -> str:
    """Slack's three control characters escaped, so a title cannot forge a link or a mention."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _env(autoescape: bool) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=autoescape, undefined=StrictUndefined,
                                        trim_blocks=False, keep_trailing_newline=False)
    env.filters["mrkdwn"] = _mrkdwn
    return env


_TEXT_ENV = _env(autoescape=False)
_HTML_ENV = _env(autoescape=True)
_COMPILED = {
    "subject": _TEXT_ENV.from_string(SUBJECT), "text": _TEXT_ENV.from_string(TEXT),
    "slack": _TEXT_ENV.from_string(SLACK), "html": _HTML_ENV.from_string(HTML),
}


def _utc(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def sla_context(sla: dict[str, Any] | None) -> dict[str, str] | None:
    """An SLA change in words: the headline ("SLA warning: response due in 12 min for P1") and the detail."""
    if not isinstance(sla, dict) or sla.get("change") not in ("sla_warning", "sla_breached"):
        return None
    kind, priority = str(sla.get("kind") or "response"), str(sla.get("priority") or "?")
    due, at = float(sla.get("due_at") or 0.0), float(sla.get("at") or 0.0)
    minutes = sla.get("target_minutes")
    target = f"{kind} within {minutes:g} min for {priority}" if isinstance(minutes, int | float) else \
        f"{kind} for {priority}"
    if sla["change"] == "sla_warning":
        left = max(0, math.ceil((due - at) / 60.0))  # wall minutes; a business-hours clock may pause meanwhile
        lead = f"SLA warning: {kind} due in {left} min for {priority}"
        return {"lead": lead, "detail": f"target {target}, due {_utc(due)}"}
    return {"lead": f"SLA breached: {kind} target for {priority} missed",
            "detail": f"target {target}, was due {_utc(due)}"}


def item_context(item: Item) -> dict[str, Any]:
    """What a template sees of one change: plain values only (the sandbox forbids the rest anyway)."""
    inc = item.incident
    latest = inc.get("latest") or None
    verb = _VERBS.get(item.change, item.change)
    sla = sla_context(inc.get("sla")) if item.change in ("sla_warning", "sla_breached") else None
    return {
        "id": inc.get("id", ""), "change": item.change, "verb": verb, "sla": sla,
        "lead": sla["lead"] if sla else f"{str(inc.get('severity', '')).upper()} incident {verb}",
        "title": inc.get("title", ""), "severity": inc.get("severity", ""), "status": inc.get("status", ""),
        "catch": "caught proactively (before impact)" if inc.get("proactive") else "reactive (after a failure)",
        "proactive": bool(inc.get("proactive")), "root_cause": inc.get("root_cause") or "",
        "page": inc.get("escalation") or "",
        "latest": None if not latest else {
            "when": _utc(latest.get("ts", 0)),
            "kind": latest.get("kind", ""), "message": latest.get("message", "")},
        "link": item.link,
    }


def render(part: str, message: Message) -> str:
    """Render one part ("subject", "text", "html", "slack") of a message."""
    return _COMPILED[part].render(items=[item_context(i) for i in message.items]).strip()


def subject(message: Message) -> str:
    return one_line(render("subject", message), limit=200)
