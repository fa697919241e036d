"""Channel use cases: tenant isolation, secrets never shown or logged, validation as sentences, deletion."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from forewarn.auth import Principal, Role
from forewarn.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed
from forewarn.notify import (
    REDACTED,
    ChannelIn,
    ChannelPatch,
    Deliverer,
    create_channel,
    delete_channel,
    enqueue_for_change,
    get_channel,
    list_channels,
    update_channel,
)
from forewarn.notify.models import NotificationChannelRow, OutboxRow
from forewarn.testing.server_base import free_port

T0 = 1_700_000_000.0
SLACK_TOKEN = "T0000/B0000/XXXXsupersecrettoken"


def _client(tenant_id: str) -> Principal:
    return Principal(user_id="u-client", username="carol", role=Role.CLIENT, tenant_id=tenant_id)


def test_a_client_sees_only_its_own_tenants_channels(ndb, tenants, make_channel):
    mine = make_channel("slack", {"url": "https://hooks.example/services/acme"}, tenant="acme", name="ops")
    theirs = make_channel("slack", {"url": "https://hooks.example/services/globex"}, tenant="globex", name="ops")
    carol = _client(tenants["acme"])
    with ndb.session() as s:
        assert [c.id for c in list_channels(s, carol)] == [mine]
        assert get_channel(s, carol, mine).name == "ops"
        with pytest.raises(NotFoundError):
            get_channel(s, carol, theirs)
        with pytest.raises(NotFoundError):
            list_channels(s, carol, tenant="globex")
        with pytest.raises(NotFoundError):  # out of scope looks exactly like missing
            update_channel(s, carol, theirs, ChannelPatch(enabled=False))
        with pytest.raises(PermissionDenied):  # and a client may not change its own either
            update_channel(s, carol, mine, ChannelPatch(enabled=False))
        assert {c.tenant_id for c in list_channels(s, Principal.system())} == set(tenants.values())


def test_secrets_are_redacted_on_read_and_kept_on_update(ndb, make_channel):
    channel = make_channel("email", {"host": "mail.example", "username": "bot", "password": "hunter2-pass",
                                     "from_addr": "forewarn@example.org", "to": ["ops@example.org"]}, name="mail")
    hook = make_channel("slack", {"url": f"https://hooks.slack.com/services/{SLACK_TOKEN}"}, name="chat")
    with ndb.session() as s:
        out = get_channel(s, Principal.system(), channel)
        chat = get_channel(s, Principal.system(), hook)
    assert out.config["password"] == REDACTED and out.config["username"] == "bot"
    assert chat.config["url"] == REDACTED and chat.target == "https://hooks.slack.com"
    assert "hunter2" not in out.model_dump_json() and SLACK_TOKEN not in chat.model_dump_json()
    with ndb.session() as s:  # the form sends the mask back: the stored password stays
        patched = update_channel(s, Principal.system(), channel, ChannelPatch(config={**out.config, "port": 2525}))
    assert patched.config["port"] == 2525
    with ndb.session() as s:
        assert s.get(NotificationChannelRow, channel).config["password"] == "hunter2-pass"


def test_bad_config_is_a_sentence_naming_the_field(ndb, tenants):
    cases = [
        ("webhook", {"url": "ftp://x", "secret": "0123456789abcdef"}, "config.url"),
        ("webhook", {"url": "https://x.example", "secret": "short"}, "config.secret"),
        ("email", {"host": "m", "from_addr": "a@b.org", "to": ["evil@x.org\r\nBcc: all@x.org"]}, "config.to"),
        ("email", {"host": "m", "from_addr": "a@b.org", "to": ["o@b.org"], "username": "u"}, "config"),
        ("webhook", {"url": "https://x.example", "secret": "0123456789abcdef",
                     "headers": {"X-Team": "a\r\nInjected: 1"}}, "config.headers"),
    ]
    for kind, config, where in cases:
        with ndb.session() as s, pytest.raises(ValidationFailed) as caught:
            create_channel(s, Principal.system(), "acme", ChannelIn(name="x", kind=kind, config=config), T0)
        assert caught.value.where == where, (config, caught.value)
        assert "0123456789abcdef" not in str(caught.value)


def test_names_are_unique_per_tenant(ndb, make_channel):
    make_channel("slack", {"url": "https://hooks.example/a"}, name="ops")
    make_channel("slack", {"url": "https://hooks.example/a"}, name="ops", tenant="globex")
    with pytest.raises(ConflictError, match="already has a notification channel named 'ops'"):
        make_channel("slack", {"url": "https://hooks.example/b"}, name="ops")


def test_deleting_a_channel_cancels_what_it_still_owed(ndb, make_incident, webhook):
    channel = webhook()
    incident = make_incident()
    with ndb.session() as s:
        enqueue_for_change(s, incident, "opened", T0)
    with ndb.session() as s:
        assert delete_channel(s, Principal.system(), channel, T0 + 1) == 1
    with ndb.session() as s:
        [row] = s.scalars(select(OutboxRow))
        assert (row.status, row.channel_id) == ("cancelled", None) and "deleted" in row.last_error


async def test_errors_and_logs_never_carry_the_secret_url(ndb, make_incident, make_channel, deliverer, caplog):
    url = f"http://127.0.0.1:{free_port()}/services/{SLACK_TOKEN}"  # nothing listens: a connect error
    make_channel("slack", {"url": url, "timeout": 2})
    incident = make_incident()
    with ndb.session() as s:
        enqueue_for_change(s, incident, "opened", T0)
    with caplog.at_level(logging.DEBUG):
        assert await deliverer.deliver_due(T0) == 0
    with ndb.session() as s:
        [row] = s.scalars(select(OutboxRow))
    assert row.status == "pending" and row.last_error
    assert SLACK_TOKEN not in row.last_error and SLACK_TOKEN not in caplog.text
    assert isinstance(deliverer, Deliverer)
