"""The on-call page's forms: rotas, overrides (in the rota's time zone) and escalation policies, with errors that
name the field and change nothing, read-only for clients and 404 across tenants; on a FakeClock the test moves."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from forewarn.core.clock import FakeClock
from forewarn.monitoring import MemorySeriesStore
from forewarn.runtime import Platform
from forewarn.testing.platform import TEST_ADMIN_PASSWORD, make_settings, seed_accounts
from forewarn.web.app import create_app

from .conftest import World
from .test_ui import login

# Monday 2024-03-04 11:00 UTC = 12:00 in Berlin (CET, UTC+1): inside a rota's first shift from 09:00 that day.
T0 = datetime(2024, 3, 4, 11, 0, tzinfo=UTC).timestamp()
HOUR = 3600.0

ROTA_FORM = {"name": "primary", "members": "tech, admin", "rotation": "daily", "shift_hours": "24",
             "handoff": "09:00", "timezone": "Europe/Berlin", "start_date": "2024-03-04"}


class StillClock(FakeClock):
    """The platform's clock, moved only by the test: background loops (the deliverer) wait in real time instead
    of pushing a FakeClock forward with every sleep, so "now" on the page is exactly what the test set."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@pytest.fixture
def desk(database_url: str, tmp_path: Path) -> Iterator[World]:
    settings = make_settings(tmp_path, database_url, admin_user="admin")
    platform = Platform(settings, clock=StillClock(T0), store=MemorySeriesStore())
    seeded = seed_accounts(platform)
    app = create_app(settings, platform, run_checks=False, run_agent=False)
    with TestClient(app) as client:
        yield World(client, platform, seeded.tokens, seeded.tenants)
    platform.db.dispose()


def as_user(world: World, username: str) -> TestClient:
    """The browser of `username`: a session cookie and the page's CSRF token on every htmx request."""
    world.client.cookies.clear()
    world.client.headers.pop("X-CSRF-Token", None)
    password = TEST_ADMIN_PASSWORD if username == "admin" else None
    assert (login(world.client, username, password) if password else login(world.client, username)).status_code == 303
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', world.client.get("/").text).group(1)
    world.client.headers.update({"X-CSRF-Token": csrf, "HX-Request": "true"})
    return world.client


def rotas(world: World) -> dict[str, dict]:
    return {r["name"]: r for r in world.get("admin", "/api/v1/rotas").json()}


def policies(world: World) -> dict[str, dict]:
    return {p["name"]: p for p in world.get("admin", "/api/v1/escalation-policies").json()}


def rota_block(page: str, rota_id: str) -> str:
    start = page.index(f'id="rota-{rota_id}"')
    return page[start:page.index("</div>", start)]


def test_a_rota_made_in_the_form_shows_who_is_on_call_and_the_next_handoff(desk):
    client = as_user(desk, "tech")
    page = client.get("/oncall").text
    assert "New rota" in page and 'hx-post="/ui/oncall/rotas"' in page

    made = client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": desk.tenants["acme"]})
    assert made.status_code == 204 and made.headers["HX-Redirect"] == "/oncall"
    rota = rotas(desk)["primary"]
    assert (rota["tenant_id"], rota["members"], rota["rotation"], rota["timezone"], rota["handoff"]) == (
        desk.tenants["acme"], ["tech", "admin"], "daily", "Europe/Berlin", "09:00")
    assert rota["on_call"]["user"] == "tech"

    block = rota_block(client.get("/oncall").text, rota["id"])
    # Tech holds the first shift until Tuesday 09:00 Berlin, then admin takes over.
    assert "On call now:\n      <strong>tech</strong> until 2024-03-05 09:00 CET" in block
    assert "next handoff 2024-03-05 09:00 CET to <strong>admin</strong>" in block

    desk.platform.clock.advance(24 * HOUR)  # Tuesday 12:00 Berlin
    block = rota_block(client.get("/oncall").text, rota["id"])
    assert "<strong>admin</strong> until 2024-03-06 09:00 CET" in block
    assert "next handoff 2024-03-06 09:00 CET to <strong>tech</strong>" in block

    # Saturday 2024-03-30 13:00 CET: tech's shift spans the spring-forward night and ends at 09:00 CEST, 23 h later.
    desk.platform.clock.advance(25 * 24 * HOUR + HOUR)
    block = rota_block(client.get("/oncall").text, rota["id"])
    assert "<strong>tech</strong> until 2024-03-31 09:00 CEST" in block
    assert "next handoff 2024-03-31 09:00 CEST to <strong>admin</strong>" in block
    assert rotas(desk)["primary"]["on_call"]["until"] == datetime(2024, 3, 31, 7, 0, tzinfo=UTC).timestamp()


def test_editing_and_deleting_a_rota(desk):
    client = as_user(desk, "admin")
    client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": desk.tenants["acme"]})
    rota = rotas(desk)["primary"]
    form = client.get(f"/ui/oncall/rotas/{rota['id']}/edit")
    assert form.status_code == 200 and 'value="tech, admin"' in form.text and 'value="Europe/Berlin"' in form.text

    edited = client.post(f"/ui/oncall/rotas/{rota['id']}", data={
        **ROTA_FORM, "name": "first-line", "members": "admin\ntech", "rotation": "hours", "shift_hours": "12",
        "handoff": "08:00", "timezone": "America/New_York"})
    assert edited.status_code == 204
    after = rotas(desk)["first-line"]
    assert (after["id"], after["members"], after["rotation"], after["shift_hours"], after["handoff"],
            after["timezone"]) == (rota["id"], ["admin", "tech"], "hours", 12, "08:00", "America/New_York")
    # 08:00 New York (EST, UTC-5) on 2024-03-04 is 13:00 UTC: two hours after T0, so nobody is on call yet.
    assert after["on_call"]["user"] is None and after["on_call"]["until"] == T0 + 2 * HOUR

    gone = client.post(f"/ui/oncall/rotas/{rota['id']}/delete")
    assert gone.status_code == 204 and rotas(desk) == {}


def test_an_override_in_the_rotas_time_zone_changes_who_is_on_call_at_that_time(desk):
    client = as_user(desk, "tech")
    client.post("/ui/oncall/rotas", data={**ROTA_FORM, "members": "tech", "tenant": desk.tenants["acme"]})
    rota = rotas(desk)["primary"]
    # Monday 18:00-22:00 on Berlin's wall clock = 17:00-21:00 UTC (the browser's zone plays no part).
    added = client.post("/ui/oncall/overrides", data={"rota": rota["id"], "user": "admin",
                                                      "starts_at": "2024-03-04T18:00", "ends_at": "2024-03-04T22:00"})
    assert added.status_code == 204, added.text
    [override] = rotas(desk)["primary"]["overrides"]
    assert (override["user"], override["starts_at"], override["ends_at"]) == (
        "admin", T0 + 6 * HOUR, T0 + 10 * HOUR)
    block = rota_block(client.get("/oncall").text, rota["id"])
    assert "2024-03-04 18:00 CET → 2024-03-04 22:00 CET" in block and "<td>admin</td>" in block
    assert "<strong>tech</strong> until 2024-03-04 18:00 CET" in block  # the override cuts the shift short

    desk.platform.clock.advance(6 * HOUR - 1)  # 17:59:59 Berlin: still tech
    assert [o["user"] for o in desk.get("tech", "/api/v1/oncall").json()] == ["tech"]
    desk.platform.clock.advance(1)  # 18:00 Berlin: admin covers
    assert [(o["user"], o["source"]) for o in desk.get("tech", "/api/v1/oncall").json()] == [("admin", "override")]
    block = rota_block(client.get("/oncall").text, rota["id"])
    assert "<strong>admin</strong> <span class=\"tag\">override</span> until 2024-03-04 22:00 CET" in block

    removed = client.post(f"/ui/oncall/rotas/{rota['id']}/overrides/{override['id']}/delete")
    assert removed.status_code == 204
    assert [o["user"] for o in desk.get("tech", "/api/v1/oncall").json()] == ["tech"]


def test_bad_input_is_shown_next_to_the_form_with_the_field_and_changes_nothing(desk):
    client = as_user(desk, "tech")
    acme = desk.tenants["acme"]
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'", "Mars/Olympus"),
        ({"members": "tech, nobody"}, "members[1]: no user named 'nobody'", "tech, nobody"),
        ({"members": "tech, globex-user"}, "members[1]: no user named 'globex-user'", "tech, globex-user"),
        ({"handoff": "25:00"}, "handoff:", "25:00"),
        ({"start_date": ""}, "start_date:", ""),
        ({"name": "; rm -rf /"}, "name:", "; rm -rf /"),
    ]
    for change, error, kept in cases:
        r = client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": acme, **change})
        assert r.status_code == 422, (change, r.text)
        assert error in r.text.replace("&#39;", "'"), (change, r.text)
        assert f'value="{kept}"' in r.text  # the technician's input is kept for fixing
        field = next(iter(change))
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', r.text), field
    assert rotas(desk) == {}

    client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": acme})
    rota = rotas(desk)["primary"]
    # An edit that fails half-way (the name is applied before the members are checked) leaves the rota as it was.
    r = client.post(f"/ui/oncall/rotas/{rota['id']}", data={**ROTA_FORM, "name": "renamed", "members": "nobody"})
    assert r.status_code == 422 and "members[0]" in r.text
    assert rotas(desk) == {"primary": rota}
    r = client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": acme, "members": "admin"})
    assert r.status_code == 422 and "name: this tenant already has a rota named 'primary'" in r.text.replace(
        "&#39;", "'")
    assert rotas(desk)["primary"]["members"] == ["tech", "admin"]

    backwards = client.post("/ui/oncall/overrides", data={
        "rota": rota["id"], "user": "admin", "starts_at": "2024-03-05T10:00", "ends_at": "2024-03-05T09:00"})
    assert backwards.status_code == 422 and "ends_at must be after starts_at" in backwards.text
    assert 'value="2024-03-05T10:00"' in backwards.text
    assert f'<option value="{rota["id"]}" selected>ACME Dental · primary (Europe/Berlin)</option>' in backwards.text
    stranger = client.post("/ui/oncall/overrides", data={
        "rota": rota["id"], "user": "globex-user", "starts_at": "2024-03-05T09:00", "ends_at": "2024-03-05T10:00"})
    assert stranger.status_code == 422 and "no user named &#39;globex-user&#39;" in stranger.text
    assert re.search(r'name="user"[^>]*aria-invalid="true"', stranger.text)
    assert rotas(desk)["primary"]["overrides"] == []


def policy_form(tenant: str = "", **change: object) -> dict[str, object]:
    form: dict[str, object] = {
        "tenant": tenant, "name": "default", "enabled": "1", "position": "100", "severities": ["critical"],
        "priorities": [], "repeat": "1", "email_channel": "",
        "step_target": ["rota", "user", "rota"], "step_name": ["primary", "admin", ""],
        "step_wait": ["10", "15", "15"]}
    form.update(change)
    return form


def test_a_policy_is_created_and_edited_in_the_form(desk):
    client = as_user(desk, "tech")
    client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": desk.tenants["acme"]})
    made = client.post("/ui/oncall/policies", data=policy_form(desk.tenants["acme"]))
    assert made.status_code == 204, made.text
    p = policies(desk)["default"]
    assert (p["tenant_id"], p["enabled"], p["severities"], p["priorities"], p["repeat"], p["version"]) == (
        desk.tenants["acme"], True, ["critical"], [], 1, 1)
    assert [(s["target"], s["name"], s["wait_minutes"]) for s in p["steps"]] == [
        ("rota", "primary", 10), ("user", "admin", 15)]

    form = client.get(f"/ui/oncall/policies/{p['id']}/edit").text
    assert 'value="primary"' in form and 'value="admin"' in form and "v1" in form
    assert form.count('name="step_name"') == 2 + 3  # the steps and three empty rows to add more

    # Reorder, add a third step in a blank row, select by priority, disable, repeat twice.
    edited = client.post(f"/ui/oncall/policies/{p['id']}", data=policy_form(
        enabled="", severities=[], priorities=["P1", "P2"], repeat="2",
        step_target=["user", "rota", "rota", "user"], step_name=["admin", "primary", "", "tech"],
        step_wait=["5", "10", "", "0"]))
    assert edited.status_code == 204, edited.text
    p = policies(desk)["default"]
    assert (p["enabled"], p["severities"], p["priorities"], p["repeat"], p["version"]) == (
        False, [], ["P1", "P2"], 2, 2)
    assert [(s["target"], s["name"], s["wait_minutes"]) for s in p["steps"]] == [
        ("user", "admin", 5), ("rota", "primary", 10), ("user", "tech", 0)]
    page = client.get("/oncall").text
    assert "default <span class=\"muted\">v2</span> <span class=\"tag\">disabled</span>" in page

    gone = client.post(f"/ui/oncall/policies/{p['id']}/delete")
    assert gone.status_code == 204 and policies(desk) == {}


def test_a_bad_policy_names_the_step_row_keeps_the_input_and_changes_nothing(desk):
    client = as_user(desk, "tech")
    acme = desk.tenants["acme"]
    client.post("/ui/oncall/rotas", data={**ROTA_FORM, "tenant": acme})
    client.post("/ui/oncall/policies", data=policy_form(acme))
    before = policies(desk)["default"]
    # Row 2 (0-based) names a rota that does not exist; the empty row 1 is skipped but the error still says row 2.
    bad = policy_form(step_target=["rota", "rota", "rota"], step_name=["primary", "", "secondary"],
                      step_wait=["10", "", "15"], repeat="2")
    r = client.post(f"/ui/oncall/policies/{before['id']}", data=bad)
    assert r.status_code == 422
    assert "steps[2].rota: this tenant has no rota named 'secondary'" in r.text.replace("&#39;", "'")
    assert 'value="secondary"' in r.text and '<tr class="error"><td>3</td>' in r.text
    assert policies(desk)["default"] == before

    for change, where in (({"repeat": "11"}, "repeat"), ({"severities": ["fatal"]}, "severities[0]"),
                          ({"email_channel": "nope"}, "email_channel"),
                          ({"step_name": ["", "", ""]}, "steps")):
        r = client.post(f"/ui/oncall/policies/{before['id']}", data=policy_form(**change))
        assert r.status_code == 422 and f"{where}:" in r.text, (change, r.text)
    r = client.post("/ui/oncall/policies", data=policy_form(acme, step_name=["tech", "", ""],
                                                            step_target=["pager", "rota", "rota"]))
    assert r.status_code == 422 and "steps[0].target: choose person, rota or channel" in r.text
    r = client.post("/ui/oncall/policies", data=policy_form(acme))
    assert r.status_code == 422 and "already has a escalation policy named" in r.text
    assert policies(desk) == {"default": before}


def test_clients_read_their_own_tenant_without_forms_and_cannot_write(desk):
    tech = as_user(desk, "tech")
    for tenant, name in (("acme", "primary"), ("globex", "globex-desk")):
        tech.post("/ui/oncall/rotas", data={**ROTA_FORM, "name": name, "members": "tech",
                                            "tenant": desk.tenants[tenant]})
    tech.post("/ui/oncall/policies", data=policy_form(desk.tenants["acme"], step_name=["primary", "", ""]))
    acme_rota, policy = rotas(desk)["primary"], policies(desk)["default"]

    client = as_user(desk, "acme-user")
    page = client.get("/oncall")
    assert page.status_code == 200 and "primary" in page.text and "globex-desk" not in page.text
    assert "<strong>tech</strong>" in page.text and "default" in page.text
    assert "hx-post" not in page.text.split("<main>")[1] and "<form" not in page.text.split("<main>")[1]
    assert "oncall-users" not in page.text  # the MSP's user list is not shown to clients
    assert client.get(f"/ui/oncall/rotas/{acme_rota['id']}/edit").status_code == 403
    assert client.get(f"/ui/oncall/policies/{policy['id']}/edit").status_code == 403
    writes = [
        ("/ui/oncall/rotas", {**ROTA_FORM, "name": "mine", "tenant": desk.tenants["acme"]}),
        (f"/ui/oncall/rotas/{acme_rota['id']}", {**ROTA_FORM, "members": "acme-user"}),
        (f"/ui/oncall/rotas/{acme_rota['id']}/delete", {}),
        ("/ui/oncall/overrides", {"rota": acme_rota["id"], "user": "tech", "starts_at": "2024-03-05T09:00",
                                  "ends_at": "2024-03-05T10:00"}),
        ("/ui/oncall/policies", policy_form(desk.tenants["acme"], name="mine")),
        (f"/ui/oncall/policies/{policy['id']}", policy_form(repeat="3")),
        (f"/ui/oncall/policies/{policy['id']}/delete", {}),
    ]
    for url, data in writes:
        assert client.post(url, data=data).status_code == 403, url
    assert rotas(desk)["primary"] == acme_rota and set(rotas(desk)) == {"primary", "globex-desk"}
    assert policies(desk) == {"default": policy}


def test_another_tenants_objects_are_404_for_a_client(desk):
    tech = as_user(desk, "tech")
    tech.post("/ui/oncall/rotas", data={**ROTA_FORM, "members": "tech", "tenant": desk.tenants["acme"]})
    rota = rotas(desk)["primary"]
    tech.post("/ui/oncall/overrides", data={"rota": rota["id"], "user": "admin", "starts_at": "2024-03-05T09:00",
                                            "ends_at": "2024-03-05T10:00"})
    tech.post("/ui/oncall/policies", data=policy_form(desk.tenants["acme"], step_name=["primary", "", ""]))
    rota, policy = rotas(desk)["primary"], policies(desk)["default"]
    override = rota["overrides"][0]["id"]

    client = as_user(desk, "globex-user")
    page = client.get("/oncall").text
    assert "primary" not in page and "default" not in page and "No rotas" in page
    assert client.get(f"/ui/oncall/rotas/{rota['id']}/edit").status_code == 404
    assert client.get(f"/ui/oncall/policies/{policy['id']}/edit").status_code == 404
    for url, data in (
        (f"/ui/oncall/rotas/{rota['id']}", ROTA_FORM),
        (f"/ui/oncall/rotas/{rota['id']}/delete", {}),
        (f"/ui/oncall/rotas/{rota['id']}/overrides/{override}/delete", {}),
        ("/ui/oncall/overrides", {"rota": rota["id"], "user": "globex-user", "starts_at": "2024-03-05T09:00",
                                  "ends_at": "2024-03-05T10:00"}),
        (f"/ui/oncall/policies/{policy['id']}", policy_form()),
        (f"/ui/oncall/policies/{policy['id']}/delete", {}),
    ):
        assert client.post(url, data=data).status_code == 404, url
    assert rotas(desk) == {"primary": rota} and policies(desk) == {"default": policy}
