"""SLA policy documents: the tenant's `sla:` section applies, round-trips through export, and bad input names
its field and line without changing anything."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from pydantic import ValidationError

from forewarn.auth import Principal
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.inventory import SlaPolicyIn, get_sla_policy
from forewarn.monitoring import apply_environment, export_environment

SYSTEM = Principal.system()
DOC = textwrap.dedent("""\
    tenant:
      slug: dental
      name: Dental Practice
      sla:
        timezone: Europe/Berlin
        hours:
          mon: ["08:00-18:00"]
          tue: ["08:00-18:00"]
          wed: ["08:00-18:00"]
          thu: ["08:00-18:00"]
          fri: ["08:00-16:00"]
        holidays: [2026-12-24, 2026-12-25]
        targets:
          P1: {response: 15, resolution: 240, clock: 24x7}
          P2: {response: 60, resolution: 480}
          P3: {response: 240, resolution: 2400}
    assets:
      - name: pms
        kind: application
""")


def test_sla_section_applies_and_round_trips(db):
    with db.session() as session:
        report = apply_environment(session, SYSTEM, DOC, "dental.yaml")
        assert "tenant dental (sla)" in report.updated
        policy = get_sla_policy(session, SYSTEM, "dental")
        assert policy is not None and policy.targets["P1"].clock == "24x7"
        assert [str(d) for d in policy.holidays] == ["2026-12-24", "2026-12-25"]
        exported = export_environment(session, SYSTEM, "dental")
    assert yaml.safe_load(exported)["tenant"]["sla"]["hours"]["fri"] == ["08:00-16:00"]
    with db.session() as session:  # the export applies to exactly the same state
        again = apply_environment(session, SYSTEM, exported, "exported.yaml")
    assert not again.changed, (again.created, again.updated, again.deleted)


def test_a_file_without_sla_leaves_the_policy_alone(db):
    with db.session() as session:
        apply_environment(session, SYSTEM, DOC, "dental.yaml")
    without = "\n".join(line for line in DOC.splitlines() if not line.startswith("  ") or line.startswith("  - ")
                        or line.startswith("    kind") or line.startswith("  slug") or line.startswith("  name"))
    with db.session() as session:
        apply_environment(session, SYSTEM, without, "dental.yaml")
        assert get_sla_policy(session, SYSTEM, "dental") is not None


@pytest.mark.parametrize(("old", "new", "needle", "line"), [
    ('tue: ["08:00-18:00"]', 'tue: ["8-18"]', "hours", 6),
    ("timezone: Europe/Berlin", "timezone: Europe/Atlantis", "timezone", 5),
    ("P2: {response: 60, resolution: 480}", "P2: {response: 60, resolution: 30}", "targets.P2", 15),
    ("P2: {response: 60, resolution: 480}", "P5: {response: 60, resolution: 480}", "targets.P5", 15),
    ("P2: {response: 60, resolution: 480}", "P2: {response: -1, resolution: 480}", "targets.P2.response", 15),
    ("holidays: [2026-12-24, 2026-12-25]", "holidays: [christmas]", "holidays.0", 12),
])
def test_bad_policy_names_field_and_line_and_changes_nothing(db, old, new, needle, line):
    assert old in DOC
    with db.session() as session, pytest.raises(ValidationFailed) as err:
        apply_environment(session, SYSTEM, DOC.replace(old, new), "dental.yaml")
    assert f"tenant.sla.{needle}" in err.value.message
    assert err.value.where.startswith("dental.yaml:")
    assert int(err.value.where.split(":")[1]) == line
    with db.session() as session:
        with pytest.raises(NotFoundError):  # not even the tenant was created
            get_sla_policy(session, SYSTEM, "dental")


def test_overlapping_hours_are_rejected_by_the_schema():
    with pytest.raises(ValidationError, match="hours.mon: business hours of mon and mon overlap"):
        SlaPolicyIn(hours={"mon": ["08:00-12:00", "11:00-13:00"]}, targets={"P1": {"response": 1, "resolution": 2}})


def test_business_targets_need_hours():
    with pytest.raises(ValidationError, match="no hours are set"):
        SlaPolicyIn(targets={"P3": {"response": 1, "resolution": 2}})
    assert SlaPolicyIn(targets={"P3": {"response": 1, "resolution": 2, "clock": "24x7"}}).hours == {}
