"""On-call YAML: applied all or nothing, idempotent, errors name the item and field; the policy it loads pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forewarn.auth import Principal, Role
from forewarn.auth.models import UserRow
from forewarn.core.errors import ValidationFailed
from forewarn.db import Database
from forewarn.notify import apply_escalation, list_policies, list_rotas, on_call_now, tick
from forewarn.notify.escalation_models import EscalationPolicyRow, OverrideRow, RotaRow
from forewarn.notify.models import OutboxRow

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
SYSTEM = Principal.system()

DOC = """
contacts:
  alice: alice@msp.example
  bob: bob@msp.example
rotas:
  - tenant: acme
    name: primary
    timezone: Europe/Berlin
    rotation: daily
    handoff: "09:00"
    start_date: 2023-11-01
    members: [alice, bob]
    overrides:
      - {user: bob, starts_at: "2023-11-14T20:00", ends_at: "2023-11-15T09:00"}
policies:
  - tenant: acme
    name: default
    severities: [critical]
    repeat: 1
    email_channel: ops-mail
    steps:
      - {rota: primary, wait_minutes: 10}
      - {user: alice, wait_minutes: 15}
"""


@pytest.fixture
def staff(ndb: Database, tenants: dict[str, str]) -> None:
    with ndb.session() as s:
        for name in ("alice", "bob"):
            s.add(UserRow(username=name, password_hash="-", role=Role.TECHNICIAN.value))


@pytest.fixture
def relay(make_channel) -> str:
    return make_channel("email", {"host": "127.0.0.1", "port": 2525, "security": "none",
                                  "from_addr": "forewarn@msp.example", "to": ["ops@acme.example"]},
                        name="ops-mail", events=["resolved"])


def counts(ndb: Database) -> tuple[int, int, int]:
    with ndb.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (RotaRow, OverrideRow,
                                                                             EscalationPolicyRow))


def test_a_file_applies_and_applying_it_again_changes_nothing(ndb, staff, relay):
    with ndb.session() as s:
        first = apply_escalation(s, SYSTEM, DOC, "oncall.yaml", T0)
    assert first.created == ["rota acme/primary", "policy acme/default"]
    with ndb.session() as s:
        again = apply_escalation(s, SYSTEM, DOC, "oncall.yaml", T0 + 60)
    assert (again.created, again.updated) == ([], [])
    assert counts(ndb) == (1, 1, 1)
    with ndb.session() as s:
        [policy] = list_policies(s, SYSTEM, "acme")
        [now] = on_call_now(s, SYSTEM, "acme", T0)
    assert (policy.version, [st.name for st in policy.steps], policy.email_channel) == (1, ["primary", "alice"],
                                                                                         "ops-mail")
    # 20:00 Berlin local is 19:00 UTC: bob's override covers T0 (23:13 Berlin) although alice has the shift.
    assert (now.user, now.email, now.source) == ("bob", "bob@msp.example", "override")


def test_a_changed_file_updates_and_bumps_the_policy_version(ndb, staff, relay):
    with ndb.session() as s:
        apply_escalation(s, SYSTEM, DOC, "oncall.yaml", T0)
    changed = DOC.replace("repeat: 1", "repeat: 2").replace("members: [alice, bob]", "members: [bob, alice]")
    with ndb.session() as s:
        report = apply_escalation(s, SYSTEM, changed, "oncall.yaml", T0)
        [policy] = list_policies(s, SYSTEM, "acme")
        [rota] = list_rotas(s, SYSTEM, "acme", T0)
    assert report.updated == ["rota acme/primary", "policy acme/default"]
    assert (policy.version, policy.repeat, rota.members) == (2, 2, ["bob", "alice"])


GOOD = "{tenant: acme, name: ok, start_date: 2024-01-01}"  # valid, and must be undone when a later item fails
ROTA = "tenant: acme, name: r, start_date: 2024-01-01"


@pytest.mark.parametrize(("text", "where"), [
    (f"rotas: [{GOOD}, {{{ROTA}, timezone: Mars/Olympus}}]", "f.yaml: rotas[1].timezone"),
    (f"rotas: [{GOOD}, {{{ROTA}, members: [alice, zed]}}]", "f.yaml: rotas[1].members[1]"),
    (f"rotas: [{GOOD}, {{{ROTA}, colour: red}}]", "f.yaml: rotas[1].colour"),
    (f"rotas: [{GOOD}, {{{ROTA}, overrides: [{{user: bob, starts_at: '2024-01-02T00:00Z', "
     "ends_at: '2024-01-01T00:00Z'}]}]", "f.yaml: rotas[1].overrides[0].ends_at"),
    (f"rotas: [{GOOD}]\npolicies: [{{tenant: acme, name: p, steps: [{{user: alice}}, {{rota: nope}}]}}]",
     "f.yaml: policies[0].steps[1].rota"),
    (f"rotas: [{GOOD}]\npolicies: [{{tenant: nowhere, name: p, steps: [{{user: alice}}]}}]", "f.yaml: policies[0]"),
    (f"contacts: {{bob: bob@msp.example, alice: 'not an address'}}\nrotas: [{GOOD}]", "f.yaml: contacts.alice.email"),
    ("rotas: [\n  {tenant: acme", "f.yaml:2"),
])
def test_bad_files_name_the_place_and_apply_nothing(ndb, staff, relay, text, where):
    with ndb.session() as s, pytest.raises(ValidationFailed) as err:
        apply_escalation(s, SYSTEM, text, "f.yaml", T0)
    assert err.value.where == where, str(err.value)
    assert counts(ndb) == (0, 0, 0)
    with ndb.session() as s:
        assert s.scalars(select(UserRow.email)).all() == [None, None]


def test_the_loaded_policy_pages_the_on_call_person(ndb, staff, relay, make_incident):
    with ndb.session() as s:
        apply_escalation(s, SYSTEM, DOC, "oncall.yaml", T0 - 3600)
    incident = make_incident(severity="critical")
    with ndb.session() as s:
        tick(s, T0)
        [page] = s.scalars(select(OutboxRow).where(OutboxRow.incident_id == incident, OutboxRow.change == "paged"))
    assert page.payload["recipients"] == ["bob@msp.example"]
