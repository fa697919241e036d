"""On-call and escalation over the API: CRUD by role and tenant, clear errors, and a page that reaches a real
SMTP server on loopback, then stops when the incident is acknowledged through the API."""

from __future__ import annotations

import asyncio
import email
import email.policy
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.testing.server_base import free_port


@dataclass
class Mailbox:
    envelopes: list[tuple[list[str], str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.envelopes.append((list(envelope.rcpt_tos), str(mail["Subject"])))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


ROTA = {"name": "primary", "timezone": "Europe/Berlin", "rotation": "weekly", "handoff": "09:00",
        "start_date": "2024-01-01", "members": ["tech"]}


def make_incident(world, tenant: str = "acme", opened_at: float | None = None) -> str:
    with world.platform.db.session() as s:
        row = IncidentRow(tenant_id=world.tenants[tenant], title="fw1: WAN link down", status="new",
                          severity="critical", proactive=False, flapping=False, signal_count=1,
                          opened_at=opened_at or time.time(), analysis={})
        s.add(row)
        s.flush()
        s.add(IncidentEventRow(incident_id=row.id, ts=row.opened_at, kind="opened", actor="system", message="x",
                               data={}))
        return row.id


def test_rotas_and_policies_are_tenant_scoped_and_role_checked(world):
    made = world.post("tech", "/api/v1/rotas?tenant=acme", json=ROTA)
    assert made.status_code == 201, made.text
    rota = made.json()
    assert rota["on_call"]["user"] == "tech" and rota["on_call"]["source"] == "rotation"
    policy = world.post("tech", "/api/v1/escalation-policies?tenant=acme",
                        json={"name": "default", "steps": [{"rota": "primary", "wait_minutes": 5}]})
    assert policy.status_code == 201, policy.text
    pid = policy.json()["id"]
    # The acme client reads its own; globex's client sees nothing of acme's and gets 404 by id.
    assert [r["name"] for r in world.get("acme-user", "/api/v1/rotas").json()] == ["primary"]
    assert world.get("globex-user", "/api/v1/rotas").json() == []
    assert world.get("globex-user", "/api/v1/escalation-policies").json() == []
    assert world.get("globex-user", "/api/v1/oncall").json() == []
    for url in (f"/api/v1/rotas/{rota['id']}", f"/api/v1/escalation-policies/{pid}"):
        assert world.get("globex-user", url).status_code == 404
        assert world.delete("globex-user", url).status_code == 404
    assert world.get("globex-user", "/api/v1/rotas?tenant=acme").status_code == 404
    # Clients are read-only, even on their own tenant.
    assert world.patch("acme-user", f"/api/v1/rotas/{rota['id']}", json={"members": []}).status_code == 403
    assert world.post("acme-user", "/api/v1/rotas?tenant=acme", json={**ROTA, "name": "x"}).status_code == 403
    now = world.get("acme-user", "/api/v1/oncall").json()
    assert [(o["rota"], o["user"]) for o in now] == [("primary", "tech")]


def test_bad_input_names_the_field_and_changes_nothing(world):
    cases = [
        ({**ROTA, "timezone": "Mars/Olympus"}, "timezone"),
        ({**ROTA, "handoff": "25:00"}, "handoff"),
        ({**ROTA, "members": ["tech", "nobody"]}, "members[1]"),
        ({**ROTA, "members": ["tech", "globex-user"]}, "members[1]"),  # a client of another tenant
    ]
    for body, where in cases:
        answer = world.post("tech", "/api/v1/rotas?tenant=acme", json=body)
        assert answer.status_code == 422 and answer.json()["where"] == where, (where, answer.text)
    two_targets = {"name": "p", "steps": [{"user": "tech", "rota": "primary"}]}
    answer = world.post("tech", "/api/v1/escalation-policies?tenant=acme", json=two_targets)
    assert answer.status_code == 422 and "exactly one of user, rota or channel" in answer.json()["error"]
    answer = world.post("tech", "/api/v1/escalation-policies?tenant=acme",
                        json={"name": "p", "steps": [{"user": "tech"}], "email_channel": "nope"})
    assert answer.status_code == 422 and answer.json()["where"] == "email_channel"
    assert world.get("tech", "/api/v1/rotas").json() == []
    assert world.get("tech", "/api/v1/escalation-policies").json() == []
    bad_mail = world.client.put("/api/v1/users/tech/email", headers=world.as_("admin"),
                                json={"email": "tech@x.example\r\nBcc: all@victim.example"})
    assert bad_mail.status_code == 422 and bad_mail.json()["where"] == "email"


def test_overrides_change_who_is_on_call(world):
    rota = world.post("tech", "/api/v1/rotas?tenant=acme", json=ROTA).json()
    cover = world.post("tech", f"/api/v1/rotas/{rota['id']}/overrides",
                       json={"user": "admin", "starts_at": "2020-01-01T00:00", "ends_at": "2099-01-01T00:00"})
    assert cover.status_code == 201, cover.text
    assert cover.json()["on_call"] == {**cover.json()["on_call"], "user": "admin", "source": "override"}
    backwards = world.post("tech", f"/api/v1/rotas/{rota['id']}/overrides",
                           json={"user": "admin", "starts_at": "2030-01-02T00:00Z", "ends_at": "2030-01-01T00:00Z"})
    assert backwards.status_code == 422 and backwards.json()["where"] == "ends_at"
    oid = cover.json()["overrides"][0]["id"]
    after = world.delete("tech", f"/api/v1/rotas/{rota['id']}/overrides/{oid}")
    assert after.json()["on_call"]["user"] == "tech"


def test_a_page_reaches_the_on_call_technician_and_acknowledging_stops_it(world, smtp):
    box, port = smtp
    assert world.client.put("/api/v1/users/tech/email", headers=world.as_("admin"),
                            json={"email": "tech@msp.example"}).json() == {"username": "tech",
                                                                            "email": "tech@msp.example"}
    channel = world.post("tech", "/api/v1/channels?tenant=acme", json={
        "name": "ops-mail", "kind": "email", "events": ["resolved"],
        "config": {"host": "127.0.0.1", "port": port, "security": "none", "from_addr": "forewarn@msp.example",
                   "to": ["ops@acme.example"]}})
    assert channel.status_code == 201, channel.text
    world.post("tech", "/api/v1/rotas?tenant=acme", json=ROTA)
    world.post("tech", "/api/v1/escalation-policies?tenant=acme", json={
        "name": "default", "email_channel": "ops-mail",
        "steps": [{"rota": "primary", "wait_minutes": 10}, {"user": "admin", "wait_minutes": 10}]})
    incident = make_incident(world)
    other = make_incident(world, "globex")
    world.platform.escalate()
    asyncio.run(world.platform.deliverer.deliver_due())
    assert box.envelopes == [(["tech@msp.example"], "[forewarn] CRITICAL escalated to you: fw1: WAN link down")]
    state = world.get("acme-user", f"/api/v1/incidents/{incident}/escalation").json()
    assert (state["state"], state["policy"], state["step"], [s["name"] for s in state["steps"]]) == (
        "active", "default", 1, ["primary", "admin"])
    assert world.get("globex-user", f"/api/v1/incidents/{incident}/escalation").status_code == 404
    assert world.get("tech", f"/api/v1/incidents/{other}/escalation").json()["state"] == "none"  # no policy
    acked = world.post("tech", f"/api/v1/incidents/{incident}/actions", json={"action": "acknowledge"})
    assert acked.status_code == 200, acked.text
    world.platform.escalate()
    state = world.get("tech", f"/api/v1/incidents/{incident}/escalation").json()
    assert (state["state"], state["end_reason"]) == ("stopped", "incident acknowledged by tech")
    timeline = world.get("tech", f"/api/v1/incidents/{incident}").json()["timeline"]
    assert [e["message"] for e in timeline if e["kind"] == "escalation"][-1] == \
        "escalation stopped: incident acknowledged by tech"


def test_the_ui_shows_who_is_on_call_and_the_incident_escalation(world):
    world.post("tech", "/api/v1/rotas?tenant=acme", json=ROTA)
    world.post("tech", "/api/v1/escalation-policies?tenant=acme",
               json={"name": "default", "steps": [{"rota": "primary"}]})
    incident = make_incident(world)
    world.platform.escalate()
    page = world.get("acme-user", "/oncall")
    assert page.status_code == 200 and "primary" in page.text and "tech" in page.text
    assert "primary" not in world.get("globex-user", "/oncall").text
    block = world.get("acme-user", f"/ui/incidents/{incident}/escalation")
    assert block.status_code == 200 and "default" in block.text
    assert "could not page tech" in block.text  # tech has no email address yet: the reason is shown
    assert world.get("globex-user", f"/ui/incidents/{incident}/escalation").status_code == 404


IMPORT = """
contacts: {tech: tech@msp.example}
rotas:
  - {tenant: acme, name: primary, timezone: UTC, rotation: daily, start_date: 2024-01-01, members: [tech]}
policies:
  - {tenant: acme, name: default, steps: [{rota: primary, wait_minutes: 5}]}
"""


def test_yaml_import_over_the_api(world):
    assert world.post("acme-user", "/api/v1/oncall/import", content=IMPORT).status_code == 403
    done = world.post("tech", "/api/v1/oncall/import", content=IMPORT)
    assert done.status_code == 200 and done.json()["created"] == ["rota acme/primary", "policy acme/default"]
    assert world.post("tech", "/api/v1/oncall/import", content=IMPORT).json()["unchanged"] == [
        "rota acme/primary", "policy acme/default"]
    bad = world.post("tech", "/api/v1/oncall/import", content=IMPORT.replace("members: [tech]", "members: [x]"))
    assert bad.status_code == 422 and bad.json()["where"] == "body: rotas[0].members[0]"
    assert [o["email"] for o in world.get("tech", "/api/v1/oncall").json()] == ["tech@msp.example"]


def test_cli_applies_the_file_and_prints_who_is_on_call(tmp_path):
    from typer.testing import CliRunner

    from forewarn.cli.main import app

    runner, data_dir = CliRunner(), str(tmp_path / "var")
    env = tmp_path / "env.yaml"
    env.write_text("tenant: {slug: acme, name: ACME}\n", encoding="utf-8")
    assert runner.invoke(app, ["inventory", "apply", str(env), "--data-dir", data_dir]).exit_code == 0
    assert runner.invoke(app, ["user", "create", "tech", "--role", "technician", "--password", "pw-12345678",
                               "--data-dir", data_dir]).exit_code == 0
    oncall = tmp_path / "oncall.yaml"
    oncall.write_text(IMPORT, encoding="utf-8")
    applied = runner.invoke(app, ["oncall", "apply", str(oncall), "--data-dir", data_dir])
    assert applied.exit_code == 0 and "changed: 2 created, 0 updated, 0 unchanged" in applied.output
    now = runner.invoke(app, ["oncall", "now", "--data-dir", data_dir])
    assert "primary: tech <tech@msp.example> (rotation)" in now.output
    oncall.write_text(IMPORT.replace("UTC", "Mars/Olympus"), encoding="utf-8")
    bad = runner.invoke(app, ["oncall", "apply", str(oncall), "--data-dir", data_dir])
    assert bad.exit_code == 2 and "rotas[0].timezone" in bad.output and "Traceback" not in bad.output
