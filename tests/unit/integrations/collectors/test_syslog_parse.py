"""Syslog parsing: both RFCs as real senders write them, and every way a message can be wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forewarn.integrations.syslog import parse_structured_data, parse_syslog

NOW = datetime(2026, 11, 28, 14, 5, 0, tzinfo=UTC).timestamp()


def ts(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


def parse(data: bytes, now: float = NOW, **kw):
    return parse_syslog(data, now, "192.0.2.7", tz=UTC, **kw)


def test_bsd_message_as_logger_sends_it():
    m = parse(b"<155>Nov 28 14:03:09 vm myapp[812]: disk /dev/sda1 at 91%")
    assert (m.facility, m.severity, m.facility_name, m.severity_name) == (19, 3, "local3", "err")
    assert (m.hostname, m.app_name, m.procid, m.message) == ("vm", "myapp", "812", "disk /dev/sda1 at 91%")
    assert m.ts == ts(2026, 11, 28, 14, 3, 9)
    assert m.protocol == "rfc3164" and not m.problems and m.raw_length == 57
    assert (m.host, m.app, m.source, m.received) == ("vm", "myapp", "192.0.2.7", NOW)


def test_bsd_space_padded_day_and_no_hostname():
    m = parse(b"<13>Nov  3 01:02:03 sshd: Accepted publickey for ann")
    assert m.ts == ts(2026, 11, 3, 1, 2, 3)
    assert (m.hostname, m.app_name, m.message) == (None, "sshd", "Accepted publickey for ann")
    assert m.host == "192.0.2.7"  # the source address stands in for the missing HOSTNAME


def test_bsd_without_tag_keeps_the_content_as_message():
    m = parse(b"<13>Nov 28 14:03:09 core-sw1 Interface Gi0/1 changed state to down")
    assert (m.hostname, m.app_name, m.message) == ("core-sw1", None, "Interface Gi0/1 changed state to down")


@pytest.mark.parametrize(("stamp", "now", "expected"), [
    # received just after New Year: the December message is from the year that just ended
    (b"Dec 31 23:59:58", ts(2027, 1, 1, 0, 0, 1), ts(2026, 12, 31, 23, 59, 58)),
    # the sender's clock runs a few seconds ahead over New Year
    (b"Jan  1 00:00:02", ts(2026, 12, 31, 23, 59, 59), ts(2027, 1, 1, 0, 0, 2)),
    # Feb 29 only exists in the leap year nearest to now
    (b"Feb 29 10:00:00", ts(2028, 3, 1, 0, 0, 0), ts(2028, 2, 29, 10, 0, 0)),
    (b"Nov 28 2025 14:03:09.250", NOW, ts(2025, 11, 28, 14, 3, 9) + 0.25),  # Cisco style, stated year
    (b"2026-11-28T15:03:09.5+01:00", NOW, ts(2026, 11, 28, 14, 3, 9) + 0.5),  # rsyslog high precision
])
def test_bsd_timestamps_take_the_year_closest_to_the_receiver(stamp, now, expected):
    m = parse(b"<13>" + stamp + b" host app: x", now=now)
    assert m.ts == pytest.approx(expected) and m.hostname == "host" and not m.problems


def test_bsd_without_timestamp_is_dated_by_the_receiver():
    m = parse(b"<13>myapp: started")
    assert m.ts == NOW and m.app_name == "myapp" and m.message == "started"
    assert "no TIMESTAMP" in m.problems[0]


def test_rfc5424_message_as_logger_sends_it():
    raw = (b'<155>1 2026-11-28T14:03:09.746982+00:00 vm myapp 4711 ID47 [timeQuality tzKnown="1" '
           b'isSynced="0"][ex@32473 k="v\\"q"] h\xc3\xa9llo world')
    m = parse(raw)
    assert m.protocol == "rfc5424" and not m.problems
    assert m.ts == pytest.approx(ts(2026, 11, 28, 14, 3, 9) + 0.746982)
    assert (m.hostname, m.app_name, m.procid, m.msgid) == ("vm", "myapp", "4711", "ID47")
    assert m.structured_data == {"timeQuality": {"tzKnown": "1", "isSynced": "0"}, "ex@32473": {"k": 'v"q'}}
    assert m.message == "héllo world"


def test_rfc5424_nilvalues_bom_and_zone_offsets():
    m = parse(b"<34>1 2026-11-28T16:03:09-02:00 - - - - - \xef\xbb\xbfbom-prefixed")
    assert m.ts == ts(2026, 11, 28, 18, 3, 9)
    assert (m.hostname, m.app_name, m.procid, m.msgid, m.structured_data) == (None, None, None, None, {})
    assert m.message == "bom-prefixed" and m.host == "192.0.2.7"


def test_rfc5424_nil_timestamp_and_missing_message():
    m = parse(b"<14>1 - host app - - -")
    assert m.ts == NOW and m.message == "" and m.hostname == "host" and not m.problems


def test_rfc5424_missing_header_fields_are_noted_not_fatal():
    m = parse(b"<14>1 2026-11-28T14:03:09Z host")
    assert m.hostname == "host" and m.app_name is None and m.message == ""
    assert m.problems == ("RFC 5424 header has 3 of 6 fields",)


def test_rfc5424_bad_timestamp_falls_back_to_the_receiver_clock():
    m = parse(b"<14>1 2026-02-30T14:03:09Z host app - - - text")
    assert m.ts == NOW and m.message == "text" and "unreadable TIMESTAMP" in m.problems[0]


def test_structured_data_escapes():
    data, end = parse_structured_data(r'[a@1 p="q\"uote" b="back\\slash" c="close\]" d="lit\eral"] rest')
    assert data == {"a@1": {"p": 'q"uote', "b": "back\\slash", "c": "close]", "d": "lit\\eral"}}
    assert end == len(r'[a@1 p="q\"uote" b="back\\slash" c="close\]" d="lit\eral"]')


@pytest.mark.parametrize("sd", [b'[id p="unterminated] msg', b"[id p=bare] msg", b"[id", b'[ p="v"] msg'])
def test_malformed_structured_data_keeps_the_text_as_message(sd):
    m = parse(b"<14>1 2026-11-28T14:03:09Z host app - - " + sd)
    assert m.structured_data == {} and m.message == sd.decode()
    assert m.problems[0].startswith("malformed STRUCTURED-DATA")


@pytest.mark.parametrize("raw", [b"<999>Nov 28 14:03:09 h a: x", b"<abc>hello", b"<>hello", b"hello", b"<1"])
def test_malformed_priority_is_user_notice_with_the_whole_text(raw):
    m = parse(raw)
    assert (m.facility, m.severity) == (1, 5)
    assert m.message == raw.decode() and m.ts == NOW
    assert "no valid PRI; taken as user.notice" in m.problems


def test_invalid_utf8_is_replaced_not_rejected():
    m = parse(b"<13>Nov 28 14:03:09 h app: caf\xe9 \xff")
    assert m.message == "caf\ufffd \ufffd" and m.raw_length == 33
    assert "not valid UTF-8" in m.problems[0]


def test_trailing_line_end_and_nul_are_not_part_of_the_message():
    assert parse(b"<13>Nov 28 14:03:09 h app: x\r\n\x00").message == "x"


def test_priority_zero_and_maximum():
    assert (parse(b"<0>Nov 28 14:03:09 h k: panic").facility, parse(b"<0>x").severity) == (0, 0)
    top = parse(b"<191>Nov 28 14:03:09 h a: x")
    assert (top.facility_name, top.severity_name) == ("local7", "debug")
