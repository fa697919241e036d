"""Message shapes per kind (Slack, Teams, webhook) and hostile strings in incident fields."""

from __future__ import annotations

import json

import pytest
from jinja2.exceptions import SecurityError

from forewarn.notify.channels import Item, Message, slack, teams, webhook
from forewarn.notify.templates import _TEXT_ENV, render, subject

LATEST = {"ts": 1_700_000_000.0, "kind": "signal", "actor": "system", "message": "disk 97% full"}


def _item(title: str = "db1: disk full", change: str = "opened", **incident) -> Item:
    snap = {"id": "inc1", "title": title, "severity": "warning", "status": "new", "proactive": True,
            "root_cause": "", "latest": LATEST, **incident}
    return Item(change, snap, "https://forewarn.example/incidents/inc1")


def test_slack_payload_has_a_preview_text_and_mrkdwn_blocks():
    body = slack.payload(Message("k1", (_item(root_cause="db1 filled its disk first"),)))
    assert body["text"] == "[forewarn] WARNING opened: db1: disk full"
    [attachment] = body["attachments"]
    section = attachment["blocks"][0]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "<https://forewarn.example/incidents/inc1|db1: disk full>" in section["text"]["text"]
    assert "Root cause: db1 filled its disk first" in section["text"]["text"]
    assert "Latest: 2023-11-14 22:13 UTC signal: disk 97% full" in section["text"]["text"]


def test_slack_cannot_be_made_to_ping_everyone_or_forge_a_link():
    body = slack.payload(Message("k1", (_item(title="<!channel> <https://evil.example|click> & co"),)))
    text = body["attachments"][0]["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&amp; co" in text
    assert "<https://evil.example" not in text


def test_teams_payload_is_an_adaptive_card_with_a_link():
    body = teams.payload(Message("k1", (_item(), _item(title="web1: slow", change="resolved"))))
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "\\[forewarn\\] 2 incident updates"
    actions = [b for b in card["body"] if b["type"] == "ActionSet"]
    assert [a["actions"][0]["url"] for a in actions] == ["https://forewarn.example/incidents/inc1"] * 2
    facts = [b for b in card["body"] if b["type"] == "FactSet"][0]["facts"]
    assert {"title": "Caught", "value": "caught proactively (before impact)"} in facts
    assert not any(f["title"] == "Root cause" for f in facts)  # no analysis yet: no empty line for it


def test_teams_escapes_markdown_in_titles():
    body = teams.payload(Message("k1", (_item(title="[click](https://evil.example) **now**"),)))
    texts = json.dumps(body["attachments"][0]["content"]["body"])  # the markdown-rendered part
    assert "[click](https" not in texts and "\\\\[click\\\\]" in texts and "\\\\*\\\\*now" in texts


def test_webhook_payload_lists_every_change_with_root_cause_or_none():
    body = webhook.payload(Message("group:abc", (_item(root_cause="switch1 failed first"), _item(change="resolved"))))
    assert body["idempotency_key"] == "group:abc"
    assert [(e["change"], e["root_cause"]) for e in body["events"]] == [("opened", "switch1 failed first"),
                                                                         ("resolved", None)]
    assert body["events"][0]["latest"] == LATEST


def test_a_subject_is_one_line_whatever_the_title():
    text = subject(Message("k", (_item(title="a\r\nBcc: x@y.org\u2028b\x00c" + "z" * 500),)))
    assert "\n" not in text and "\r" not in text and "\x00" not in text and len(text) <= 200
    assert text.startswith("[forewarn] WARNING opened: a Bcc: x@y.org b c")


def test_html_is_escaped_but_text_is_left_alone():
    message = Message("k", (_item(title="<b>bold</b> & <img src=x onerror=alert(1)>"),))
    assert "<img" not in render("html", message) and "&lt;img src=x" in render("html", message)
    assert "<b>bold</b> & <img" in render("text", message)


def test_templates_run_in_a_sandbox():
    with pytest.raises(SecurityError):
        _TEXT_ENV.from_string("{{ x.__class__.__mro__ }}").render(x=1)
