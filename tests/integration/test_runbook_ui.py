"""The runbook editor in the UI: list, create, edit with validation that keeps the text, rename, delete, roles."""

from __future__ import annotations

import re

import pytest

from forewarn.testing.platform import TEST_ADMIN_PASSWORD

from .test_ui import login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

RUNBOOK = """\
name: restart-web
description: Restart nginx when the web check fails.
match:
  kind: [check]
  tenant: acme
steps:
  - kind: restart_service
    service: nginx
verify:
  check: signal
guards:
  approval: true
"""


def admin_client(world):
    assert login(world.client, "admin", TEST_ADMIN_PASSWORD).status_code == 303
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', world.client.get("/").text).group(1)
    world.client.headers.update({"X-CSRF-Token": csrf, "HX-Request": "true"})
    return world.client


def runbooks(world) -> dict[str, dict]:
    return {r["name"]: r for r in world.get("admin", "/api/v1/runbooks").json()}


def test_admin_creates_edits_and_deletes_a_runbook(world):
    client = admin_client(world)
    assert "New runbook" in client.get("/runbooks").text
    assert "name: my-runbook" in client.get("/runbooks/new").text

    created = client.post("/ui/runbooks", data={"text": RUNBOOK})
    assert created.status_code == 204
    rb = runbooks(world)["restart-web"]
    assert created.headers["HX-Redirect"] == f"/runbooks/{rb['id']}"
    assert rb["version"] == 1 and rb["tenant_id"] == world.tenants["acme"]
    page = client.get(f"/runbooks/{rb['id']}")
    assert "service: nginx" in page.text and "approval: true" in page.text

    edited = client.post("/ui/runbooks", data={"runbook_id": rb["id"],
                                               "text": RUNBOOK.replace("nginx", "apache2")})
    assert edited.status_code == 200 and "Saved as version 2" in edited.text
    assert runbooks(world)["restart-web"]["definition"]["steps"][0]["service"] == "apache2"

    renamed = client.post("/ui/runbooks", data={"runbook_id": rb["id"],
                                                "text": RUNBOOK.replace("restart-web", "restart-httpd")})
    assert renamed.status_code == 200
    assert set(runbooks(world)) == {"restart-httpd"}  # renamed in place, not copied

    gone = client.post(f"/ui/runbooks/{rb['id']}/delete")
    assert gone.status_code == 204 and gone.headers["HX-Redirect"] == "/runbooks"
    assert runbooks(world) == {}


def test_invalid_yaml_comes_back_with_the_error_and_the_text_and_changes_nothing(world):
    client = admin_client(world)
    client.post("/ui/runbooks", data={"text": RUNBOOK})
    rb = runbooks(world)["restart-web"]
    bad = RUNBOOK.replace("service: nginx", "service: nginx\n    sevice: typo")
    r = client.post("/ui/runbooks", data={"runbook_id": rb["id"], "text": bad})
    assert r.status_code == 422
    assert "runbook editor:9: steps.0.sevice" in r.text and "unknown field" in r.text  # names the line and the problem
    assert "sevice: typo" in r.text  # the technician's text is kept for fixing
    after = runbooks(world)["restart-web"]
    assert after["version"] == 1 and after["definition"] == rb["definition"]

    hostile = RUNBOOK.replace("service: nginx", "service: 'nginx; rm -rf /'")
    r = client.post("/ui/runbooks", data={"runbook_id": rb["id"], "text": hostile})
    assert r.status_code == 422 and "steps.0.service" in r.text
    assert runbooks(world)["restart-web"]["version"] == 1


def test_a_new_runbook_may_not_take_an_existing_name(world):
    client = admin_client(world)
    assert client.post("/ui/runbooks", data={"text": RUNBOOK}).status_code == 204
    r = client.post("/ui/runbooks", data={"text": RUNBOOK.replace("nginx", "other")})
    assert r.status_code == 422 and "already called" in r.text
    assert runbooks(world)["restart-web"]["definition"]["steps"][0]["service"] == "nginx"


def test_enable_toggle_and_roles(world):
    client = admin_client(world)
    client.post("/ui/runbooks", data={"text": RUNBOOK})
    rb = runbooks(world)["restart-web"]
    r = client.post(f"/ui/runbooks/{rb['id']}/enabled", data={"enabled": "false"})
    assert r.status_code == 200 and "disabled" in r.text
    assert runbooks(world)["restart-web"]["enabled"] is False

    world.client.cookies.clear()
    assert login(world.client, "tech").status_code == 303
    page = world.client.get(f"/runbooks/{rb['id']}")
    assert "readonly" in page.text and "Only administrators edit runbooks" in page.text
    r = world.client.post("/ui/runbooks", data={"runbook_id": rb["id"], "text": RUNBOOK})
    assert r.status_code == 403
    assert runbooks(world)["restart-web"]["version"] == 2  # only the toggle changed it

    world.client.cookies.clear()
    assert login(world.client, "globex-user").status_code == 303
    assert world.client.get(f"/runbooks/{rb['id']}").status_code == 404  # another tenant's runbook
