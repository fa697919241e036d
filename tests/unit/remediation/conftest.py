"""Fixtures for runbook tests: a tenant with an asset and an incident, a recording script, a fake clock."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from forewarn.auth import Principal, Role, ensure_tenant
from forewarn.core import FakeClock, Severity, Signal, SignalState
from forewarn.db import Database
from forewarn.incidents.models import IncidentRow
from forewarn.inventory import AssetIn, create_asset
from forewarn.monitoring import CheckIn, create_check
from forewarn.remediation import RemediationConfig, load_runbooks

SYSTEM = Principal.system()
TECH = Principal(user_id=None, username="tess", role=Role.TECHNICIAN)


@dataclass
class World:
    db: Database
    clock: FakeClock
    config: RemediationConfig
    tenant_id: str
    asset_id: str
    incident_id: str
    tmp: Path
    record_file: Path
    recorder: Path

    def signal(self, summary: str = "service web down", evidence: dict | None = None,
               check_id: str | None = None, kind: str = "check") -> Signal:
        return Signal(fingerprint="fp-1", tenant_id=self.tenant_id, asset_id=self.asset_id, kind=kind,
                      severity=Severity.CRITICAL, state=SignalState.FIRING, summary=summary, ts=self.clock.now(),
                      check_id=check_id, evidence=evidence or {})

    def load(self, text: str, filename: str = "runbooks.yaml") -> list[str]:
        with self.db.session() as s:
            return [r.id for r in load_runbooks(s, SYSTEM, text, filename, self.clock.now())]

    def recorded(self) -> list[list[str]]:
        if not self.record_file.exists():
            return []
        return [json.loads(line) for line in self.record_file.read_text().splitlines()]

    def add_check(self, name: str, url: str) -> str:
        with self.db.session() as s:
            return create_check(s, SYSTEM, CheckIn(asset=self.asset_id, name=name, kind="http",
                                                   params={"url": url}, timeout=2.0)).id

    def set_proactive(self, proactive: bool) -> None:
        with self.db.session() as s:
            s.get(IncidentRow, self.incident_id).proactive = proactive


def write_recorder(tmp: Path, record_file: Path) -> Path:
    """A script that appends its argv (as JSON) to `record_file` and echoes it; exit code from EXIT_WITH."""
    script = tmp / "record-argv"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"with open({str(record_file)!r}, 'a') as f:\n"
        "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "print('args:', json.dumps(sys.argv[1:]))\n"
        "print('token:', os.environ.get('API_TOKEN', ''))\n"
        "print('leak:', os.environ.get('FOREWARN_LEAK_CHECK', 'absent'))\n"
        "sys.exit(int(os.environ.get('EXIT_WITH', '0')))\n")
    script.chmod(0o755)
    return script


def make_world(url: str, tmp: Path) -> World:
    db = Database(url)
    clock = FakeClock()
    with db.session() as s:
        tenant = ensure_tenant(s, "acme", "Acme")
        asset = create_asset(s, SYSTEM, AssetIn(tenant=tenant.id, name="web-1", kind="host", address="127.0.0.1",
                                                tags=["web", "linux"], attributes={"unit": "nginx"}))
        incident = IncidentRow(tenant_id=tenant.id, title="web down", status="new", severity="critical",
                               asset_id=asset.id, proactive=False, opened_at=clock.now())
        s.add(incident)
        s.flush()
        ids = tenant.id, asset.id, incident.id
    record_file = tmp / "argv.jsonl"
    recorder = write_recorder(tmp, record_file)
    config = RemediationConfig(secret_key="test remediation key", clock=clock)
    return World(db, clock, config, *ids, tmp, record_file, recorder)


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    w = make_world(sqlite_url, tmp_path)
    yield w
    w.db.dispose()


@pytest.fixture
def world_any_db(database_url: str, tmp_path: Path) -> Iterator[World]:
    """The same world on SQLite and on PostgreSQL."""
    w = make_world(database_url, tmp_path)
    yield w
    w.db.dispose()
