"""The managed desk's bookkeeping: a look where nothing is wrong is a false alarm; a merged incident is no job."""

from __future__ import annotations

from forewarn.simulation.policies import IncidentView, ManagedDesk
from forewarn.simulation.scenario import ManagedRates
from forewarn.simulation.twin import Topology

T0 = 1_767_571_200.0


def desk() -> ManagedDesk:
    topology = Topology.from_environment({"assets": [{"name": "sw1"}, {"name": "srv1", "depends_on": ["sw1"]}]})
    return ManagedDesk([], topology, ManagedRates(), {}, seed=1)


def test_an_incident_with_nothing_wrong_where_it_points_is_a_false_alarm():
    d = desk()
    d.incident_changed(IncidentView("a", T0, "critical", False, ("srv1",)), T0)
    d.tick(T0 + 3600)
    assert d.false_alarms == 1 and d.overhead_minutes == ManagedRates().false_alarm_minutes


def test_an_incident_merged_into_another_before_its_look_costs_nothing():
    d = desk()
    d.incident_changed(IncidentView("a", T0, "critical", False, ("srv1",)), T0)
    assert d.wants("a", 1, merged=True)  # the same signal count: only the merge is news
    d.incident_changed(IncidentView("a", T0, "critical", False, ("srv1",), 1, merged=True), T0 + 60)
    assert not d.wants("a", 1, merged=True)
    d.tick(T0 + 3600)
    assert d.false_alarms == 0 and d.overhead_minutes == 0.0
