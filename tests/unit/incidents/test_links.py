"""Links, merge and split between incidents: signals move, counts follow, timelines tell, tenants stay apart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forewarn.auth import Principal, Role
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.incidents import IncidentAction, act, get_incident
from forewarn.incidents.models import IncidentSignalRow

from .conftest import SYSTEM, T0

CLIENT = Principal(user_id=None, username="dental-user", role=Role.CLIENT)


def do(env, incident: str, **kw):  # noqa: ANN003, ANN201
    return act(env.session, SYSTEM, incident, IncidentAction(**kw), now=T0 + 9000)


def signal_map(env) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for incident_id, signal_id in env.session.execute(select(IncidentSignalRow.incident_id,
                                                             IncidentSignalRow.signal_id)):
        out.setdefault(incident_id, set()).add(signal_id)
    return out


def two_incidents(env) -> tuple[str, str, list[str]]:
    a, s1 = env.fire("backup", "warning")
    b, s2 = env.fire("pms", "critical", ts=T0 + 5000)
    b2, s3 = env.fire("pms", "critical", fp="pms:slow", ts=T0 + 5001)
    assert a != b and b == b2
    return a, b, [s1, s2, s3]


def test_link_reads_from_both_ends_and_unlinks(env):
    a, b, _ = two_incidents(env)
    out = do(env, b, action="link", other=a, kind="caused-by", message="backup hogged the disk")
    assert [(x.kind, x.incident_id) for x in out.links] == [("caused-by", a)]
    assert [(x.kind, x.incident_id) for x in get_incident(env.session, SYSTEM, a).links] == [("causes", b)]
    with pytest.raises(ConflictError):
        do(env, b, action="link", other=a, kind="caused-by")
    assert do(env, a, action="unlink", other=b).links == []
    assert [e.kind for e in get_incident(env.session, SYSTEM, b).timeline][-2:] == ["link", "unlink"]


def test_merge_moves_every_signal_and_closes_the_source(env):
    a, b, signals = two_incidents(env)
    before = signal_map(env)
    count_a, count_b = (get_incident(env.session, SYSTEM, x).signal_count for x in (a, b))
    out = do(env, b, action="merge", other=a, message="same root cause")
    assert set(out.signal_ids) == set(signals)
    assert out.signal_count == count_a + count_b and out.severity == "critical"
    src = get_incident(env.session, SYSTEM, a)
    assert (src.status, src.merged_into, src.signal_count, src.signal_ids) == ("closed", b, 0, [])
    assert src.timeline[-2].kind == "merged into" and src.timeline[-1].data == {"from": "new", "to": "closed"}
    merged = next(e for e in out.timeline if e.kind == "merged")
    assert merged.data["incident"] == a and merged.data["signals"] == len(before[a])
    # Every signal still belongs to exactly one incident.
    assert env.session.scalar(select(func.count()).select_from(IncidentSignalRow)) == len(signals)
    with pytest.raises(ConflictError):  # a closed incident cannot be merged again
        do(env, b, action="merge", other=a)


def test_split_moves_chosen_signals_into_a_new_incident(env):
    a, b, (_, s2, s3) = two_incidents(env)
    new = do(env, b, action="split", signal_ids=[s3], title="pms slowness is separate", message="different cause")
    assert new.id not in (a, b)
    assert (new.title, new.signal_ids, new.signal_count, new.status) == ("pms slowness is separate", [s3], 1, "new")
    assert [(x.kind, x.incident_id) for x in new.links] == [("related", b)]
    old = get_incident(env.session, SYSTEM, b)
    assert old.signal_ids == [s2] and old.signal_count == 1
    assert old.timeline[-1].kind == "split" and old.timeline[-1].data["incident"] == new.id
    assert sum(len(v) for v in signal_map(env).values()) == 3


@pytest.mark.parametrize(("signals", "where"), [([], "signal_ids"), (["nope"], "signal_ids"), (None, "signal_ids")])
def test_split_rejects_bad_choices_and_changes_nothing(env, signals, where):
    a, b, (_, s2, s3) = two_incidents(env)
    before = signal_map(env)
    with pytest.raises(ValidationFailed) as err:
        do(env, b, action="split", signal_ids=signals if signals is not None else [s2, s3])
    assert err.value.where == where
    assert signal_map(env) == before


def test_other_tenant_is_invisible_or_refused(env):
    a, _, _ = two_incidents(env)
    gx, _ = env.fire("gx", tenant="other")
    with pytest.raises(ValidationFailed) as err:  # staff see both tenants: refused with a reason
        do(env, a, action="merge", other=gx)
    assert err.value.where == "other" and "different tenants" in err.value.message
    with pytest.raises(ValidationFailed):
        do(env, a, action="link", other=gx, kind="related")
    client = Principal(user_id=None, username="c", role=Role.CLIENT, tenant_id=env.tenant_id)
    with pytest.raises(NotFoundError):  # a client user cannot even learn that it exists
        get_incident(env.session, client, gx)
    assert get_incident(env.session, SYSTEM, gx).status == "new"


def test_self_merge_and_unknown_other(env):
    a, _, _ = two_incidents(env)
    with pytest.raises(ValidationFailed):
        do(env, a, action="merge", other=a)
    with pytest.raises(NotFoundError):
        do(env, a, action="link", other="missing", kind="related")
    with pytest.raises(ValidationFailed) as err:
        do(env, a, action="link", other=None, kind="related")
    assert err.value.where == "other"
