"""Inbound alerts: Alertmanager webhooks and generic JSON become InboundAlerts, or clear errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from forewarn.core import Severity, SignalState, ValidationFailed
from forewarn.integrations.alerts_in import (
    asset_hint,
    decode_json,
    from_alertmanager,
    from_generic,
    host_part,
)

RECEIVED = 1_800_000_000.0


def ts(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


def am_alert(**changes):
    alert = {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "instance": "10.0.0.5:9100", "severity": "page", "mount": "/"},
        "annotations": {"summary": "/ is 97% full", "description": "only 1.2 GiB left"},
        "startsAt": "2026-11-28T14:03:09.123456789Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=disk",
        "fingerprint": "5c2e1a0b9f3d7e41",
    }
    return alert | changes


def webhook(*alerts, **changes):
    doc = {"version": "4", "groupKey": '{}:{alertname="DiskFull"}', "truncatedAlerts": 0, "status": "firing",
           "receiver": "forewarn", "groupLabels": {"alertname": "DiskFull"}, "commonLabels": {},
           "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "alerts": list(alerts)}
    return doc | changes


def test_alertmanager_firing_alert():
    [alert] = from_alertmanager(webhook(am_alert()), RECEIVED)
    assert (alert.source, alert.name, alert.asset_hint) == ("alertmanager", "DiskFull", "10.0.0.5")
    assert (alert.severity, alert.state, alert.summary) == (Severity.CRITICAL, SignalState.FIRING, "/ is 97% full")
    assert alert.ts == pytest.approx(ts(2026, 11, 28, 14, 3, 9) + 0.123456)
    assert alert.evidence["generator_url"] == "http://prometheus:9090/graph?g0.expr=disk"
    assert alert.evidence["labels"]["mount"] == "/" and alert.evidence["ends_at"] is None
    assert alert.evidence["alertmanager_fingerprint"] == "5c2e1a0b9f3d7e41"


def test_alertmanager_resolved_alert_is_dated_by_its_end_and_keeps_its_fingerprint():
    [firing] = from_alertmanager(webhook(am_alert()), RECEIVED)
    resolved_doc = webhook(am_alert(status="resolved", endsAt="2026-11-28T15:00:00+01:00"), status="resolved")
    [resolved] = from_alertmanager(resolved_doc, RECEIVED + 60)
    assert resolved.state is SignalState.RESOLVED and resolved.ts == ts(2026, 11, 28, 14, 0, 0)
    assert resolved.fingerprint == firing.fingerprint


def test_fingerprint_is_stable_across_repeats_and_label_order_and_differs_per_label_set():
    labels = am_alert()["labels"]
    reordered = dict(reversed(list(labels.items())))
    first = from_alertmanager(webhook(am_alert()), RECEIVED)[0].fingerprint
    again = from_alertmanager(webhook(am_alert(labels=reordered, fingerprint="")), RECEIVED + 600)[0].fingerprint
    other = from_alertmanager(webhook(am_alert(labels=labels | {"mount": "/var"})), RECEIVED)[0].fingerprint
    assert first == again != other and first.startswith("alertmanager:")


@pytest.mark.parametrize(("severity", "expected"), [
    ("critical", Severity.CRITICAL), ("page", Severity.CRITICAL), ("Critical", Severity.CRITICAL),
    ("warning", Severity.WARNING), ("info", Severity.WARNING), ("", Severity.WARNING), (None, Severity.WARNING),
])
def test_alertmanager_severity_label_mapping(severity, expected):
    labels = {"alertname": "X"} | ({"severity": severity} if severity is not None else {})
    assert from_alertmanager(webhook(am_alert(labels=labels)), RECEIVED)[0].severity is expected


@pytest.mark.parametrize(("annotations", "summary"), [
    ({"summary": "s", "description": "d"}, "s"), ({"description": "d"}, "d"), ({}, "DiskFull"),
])
def test_alertmanager_summary_falls_back_to_description_then_alertname(annotations, summary):
    assert from_alertmanager(webhook(am_alert(annotations=annotations)), RECEIVED)[0].summary == summary


def test_alertmanager_alert_without_times_is_dated_on_receipt():
    alert = am_alert()
    del alert["startsAt"], alert["endsAt"]
    assert from_alertmanager(webhook(alert), RECEIVED)[0].ts == RECEIVED


@pytest.mark.parametrize(("labels", "hint"), [
    ({"instance": "10.0.0.5:9100"}, "10.0.0.5"),
    ({"instance": "[fe80::1]:9100"}, "fe80::1"),
    ({"instance": "fe80::1"}, "fe80::1"),
    ({"instance": "https://shop.example/health"}, "shop.example"),
    ({"instance": "db1.corp:9187", "host": "db1"}, "db1"),
    ({"instance": "x:1", "host": "h", "asset": "practice-db"}, "practice-db"),
    ({"job": "node"}, None),
])
def test_asset_hint_prefers_explicit_labels_over_the_scrape_target(labels, hint):
    assert asset_hint(labels) == hint


def test_host_part_of_a_bare_name():
    assert host_part("nas1") == "nas1"


@pytest.mark.parametrize(("mutate", "where", "words"), [
    (lambda d: d["alerts"][3].__setitem__("labels", ["not", "a", "map"]), "alerts.3.labels", "dictionary"),
    (lambda d: d["alerts"][1]["labels"].__setitem__("severity", 2), "alerts.1.labels.severity", "string"),
    (lambda d: d["alerts"][0].__setitem__("status", "pending"), "alerts.0.status", "firing"),
    (lambda d: d["alerts"][2].__setitem__("startsAt", "yesterday"), "alerts.2.startsAt", "RFC 3339"),
    (lambda d: d["alerts"][2].__setitem__("startsAt", "2026-11-28T14:03:09"), "alerts.2.startsAt", "time zone"),
    (lambda d: d.pop("alerts"), "alerts", "required"),
    (lambda d: d.__setitem__("version", "3"), "version", "version 4"),
])
def test_alertmanager_validation_errors_name_the_field(mutate, where, words):
    doc = webhook(*(am_alert() for _ in range(4)))
    mutate(doc)
    with pytest.raises(ValidationFailed) as caught:
        from_alertmanager(doc, RECEIVED)
    assert caught.value.where == where and words in caught.value.message


def test_alertmanager_payload_must_be_an_object():
    with pytest.raises(ValidationFailed) as caught:
        from_alertmanager([1, 2], RECEIVED)
    assert caught.value.where == "body"


def test_generic_alert_with_every_field():
    doc = {"source": "backup-script", "name": "nightly backup failed", "severity": "critical",
           "status": "firing", "host": "nas1", "summary": "rsync exited 23 after 2 h",
           "labels": {"job": "nightly"}, "ts": "2026-11-28T02:13:00Z", "details": {"exit": 23}}
    [alert] = from_generic(doc, RECEIVED)
    assert (alert.source, alert.name, alert.asset_hint, alert.summary) == (
        "backup-script", "nightly backup failed", "nas1", "rsync exited 23 after 2 h")
    assert (alert.severity, alert.state, alert.ts) == (Severity.CRITICAL, SignalState.FIRING, ts(2026, 11, 28, 2, 13))
    assert alert.evidence == {"labels": {"job": "nightly"}, "details": {"exit": 23}}


def test_generic_alert_defaults():
    [alert] = from_generic({"source": "kuma", "name": "site down"}, RECEIVED)
    assert (alert.severity, alert.state, alert.summary, alert.ts, alert.asset_hint) == (
        Severity.WARNING, SignalState.FIRING, "site down", RECEIVED, None)


def test_generic_fingerprints_repeat_and_resolve_alike_and_honour_the_senders_own():
    base = {"source": "kuma", "name": "site down", "asset": "website", "labels": {"url": "/"}}
    first = from_generic(base, RECEIVED)[0]
    resolved = from_generic(base | {"status": "resolved", "severity": "critical", "ts": RECEIVED + 5}, 0)[0]
    assert first.fingerprint == resolved.fingerprint and resolved.state is SignalState.RESOLVED
    assert from_generic(base | {"asset": "other"}, RECEIVED)[0].fingerprint != first.fingerprint
    assert from_generic(base | {"fingerprint": "monitor-17"}, RECEIVED)[0].fingerprint == "kuma:monitor-17"


def test_generic_asset_wins_over_host_and_numeric_ts_is_seconds():
    [alert] = from_generic({"source": "s", "name": "n", "host": "h", "asset": "a", "ts": 1_700_000_000}, RECEIVED)
    assert (alert.asset_hint, alert.ts) == ("a", 1_700_000_000.0)


def test_generic_array_of_alerts_and_long_summary():
    long = "x" * 5000
    alerts = from_generic([{"source": "s", "name": "a"}, {"source": "s", "name": "b", "summary": long}], RECEIVED)
    assert [a.name for a in alerts] == ["a", "b"]
    assert len(alerts[1].summary) == 1000 and alerts[1].evidence["full_summary"] == long


@pytest.mark.parametrize(("payload", "where", "words"), [
    ({"name": "n"}, "source", "required"),
    ({"source": "s", "name": "n", "severity": "disaster"}, "severity", "'info', 'warning' or 'critical'"),
    ({"source": "s", "name": "n", "severty": "critical"}, "severty", "unknown field; the generic alert fields"),
    ([{"source": "s", "name": "n"}] * 3 + [{"source": "s", "name": "n", "labels": {"a": 1}}], "3.labels.a",
     "string"),
    ([{"source": "s", "name": "n"}, "oops"], "1", "dictionary"),
    ({"source": "s", "name": "n", "ts": 1_800_000_000_000}, "ts", "milliseconds"),
    ({"source": "s", "name": "n", "ts": "2026-13-01T00:00:00Z"}, "ts", "RFC 3339"),
    ({"source": "s", "name": "n", "ts": True}, "ts", "unix seconds (a number) or RFC 3339"),
    ({"source": "  ", "name": "n"}, "source", "at least 1"),
    ({"source": "s", "name": "line\nbreak"}, "name", "pattern"),
    ([], "body", "1 to 1,000"),
    ("text", "body", "dictionary"),
])
def test_generic_validation_errors_name_the_field(payload, where, words):
    with pytest.raises(ValidationFailed) as caught:
        from_generic(copy.deepcopy(payload), RECEIVED)
    assert caught.value.where == where and words in caught.value.message


def test_to_signal_is_external_and_tenant_scoped():
    [alert] = from_alertmanager(webhook(am_alert()), RECEIVED)
    signal = alert.to_signal("t1", "asset-9")
    assert (signal.kind, signal.tenant_id, signal.asset_id, signal.severity) == (
        "external", "t1", "asset-9", Severity.CRITICAL)
    assert signal.fingerprint == f"t1:{alert.fingerprint}" and signal.evidence["source"] == "alertmanager"


def test_decode_json_errors_are_sentences_at_body():
    assert decode_json(json.dumps({"a": 1}).encode()) == {"a": 1}
    with pytest.raises(ValidationFailed, match="line 1 column 2"):
        decode_json(b"{oops")
    with pytest.raises(ValidationFailed, match="not UTF-8"):
        decode_json(b'{"a": "\xff"}')
    with pytest.raises(ValidationFailed, match="at most 10 are accepted"):
        decode_json(b"[" + b"1," * 10 + b"1]", max_bytes=10)
