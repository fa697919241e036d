"""Email through a real aiosmtpd server on loopback: STARTTLS with a throwaway CA, AUTH, hostile titles."""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from forewarn.notify import Deliverer, DeliverySettings, enqueue_for_change
from forewarn.notify.channels.email import message_id
from forewarn.notify.models import OutboxRow
from forewarn.testing.certs import CertAuthority
from forewarn.testing.server_base import free_port

T0 = 1_700_000_000.0
HOSTILE = 'db1: <script>alert("x")</script>\r\nBcc: everyone@victim.example'


@dataclass
class Mailbox:
    """What the SMTP server accepted, and each Message-ID once (a mail store's de-duplication)."""

    raw: list[email.message.EmailMessage] = field(default_factory=list)
    by_id: dict[str, email.message.EmailMessage] = field(default_factory=dict)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.raw.append(mail)
        self.by_id.setdefault(mail["Message-ID"], mail)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"bot", b"hunter2")
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def ca() -> CertAuthority:
    return CertAuthority()


@pytest.fixture
def smtp(ca: CertAuthority) -> Iterator[tuple[Mailbox, int]]:
    leaf = ca.issue(("localhost", "127.0.0.1"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf.cert_file, leaf.key_file)
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=_authenticator, auth_require_tls=True)
    controller.start()
    yield box, port
    controller.stop()


def _mail_channel(make_channel, port: int, ca: CertAuthority, password: str = "hunter2") -> str:
    return make_channel("email", {"host": "127.0.0.1", "port": port, "security": "starttls", "username": "bot",
                                  "password": password, "from_addr": "forewarn@msp.example",
                                  "to": ["ops@acme.example", "oncall@acme.example"], "ca_file": str(ca.ca_file)})


async def test_a_mail_goes_out_over_starttls_with_auth_and_escaped_html(ndb, make_incident, make_channel, smtp, ca,
                                                                        deliverer):
    box, port = smtp
    _mail_channel(make_channel, port, ca)
    incident = make_incident(title=HOSTILE, severity="critical", proactive=False)
    with ndb.session() as s:
        [key] = enqueue_for_change(s, incident, "opened", T0)
    assert await deliverer.deliver_due(T0) == 1
    [mail] = box.raw
    assert box.envelopes == [("forewarn@msp.example", ["ops@acme.example", "oncall@acme.example"])]
    assert mail["Bcc"] is None  # the title's line break did not become a header
    assert "\n" not in mail["Subject"] and mail["Subject"].startswith("[forewarn] CRITICAL opened: db1:")
    assert mail["Message-ID"] == message_id(key, "forewarn@msp.example")
    assert mail["X-Forewarn-Idempotency-Key"] == key
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "reactive (after a failure)" in text and f"https://forewarn.example/incidents/{incident}" in text


async def test_a_resend_after_a_crash_carries_the_same_message_id(ndb, make_incident, make_channel, smtp, ca,
                                                                  clock):
    box, port = smtp
    _mail_channel(make_channel, port, ca)
    with ndb.session() as s:
        enqueue_for_change(s, make_incident(), "opened", T0)
    first = Deliverer(ndb, "https://forewarn.example", clock=clock, settings=DeliverySettings(sending_timeout=60))
    [claim] = first.claim(T0)
    assert (await first.send(claim)).ok  # accepted by the server; the deliverer dies before recording it
    second = Deliverer(ndb, "https://forewarn.example", clock=clock, settings=DeliverySettings(sending_timeout=60))
    assert await second.deliver_due(T0 + 61) == 1
    await first.aclose()
    await second.aclose()
    assert len(box.raw) == 2 and len(box.by_id) == 1  # one message as far as any mail store is concerned


async def test_a_wrong_password_fails_without_retrying(ndb, make_incident, make_channel, smtp, ca, deliverer):
    box, port = smtp
    _mail_channel(make_channel, port, ca, password="wrong-password")
    with ndb.session() as s:
        enqueue_for_change(s, make_incident(), "opened", T0)
    assert await deliverer.deliver_due(T0) == 0
    with ndb.session() as s:
        [row] = s.scalars(select(OutboxRow))
    assert row.status == "failed" and "535" in row.last_error and "wrong-password" not in row.last_error
    assert box.raw == []


async def test_an_untrusted_certificate_is_refused_and_retried(ndb, make_incident, make_channel, smtp, deliverer):
    _, port = smtp
    _mail_channel(make_channel, port, CertAuthority())  # another CA: the server's certificate does not verify
    with ndb.session() as s:
        enqueue_for_change(s, make_incident(), "opened", T0)
    assert await deliverer.deliver_due(T0) == 0
    with ndb.session() as s:
        [row] = s.scalars(select(OutboxRow))
    assert row.status == "pending" and row.attempts == 1 and "certif" in row.last_error.lower()
