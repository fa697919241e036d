"""DNS check against a loopback DNS server: expected answers, NXDOMAIN, no answer, timeouts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from forewarn.integrations.dns import DnsCheck, DnsConfig
from forewarn.integrations.dns.probe import DnsLookup
from forewarn.integrations.dns.result import evaluate, normalise
from forewarn.plugins.v1 import CheckStatus

TIMEOUT = 0.5  # seconds: short keeps the timeout cases fast, still ample on loopback


@pytest.fixture
def zone(dns_server):
    dns_server.add("www.example.test", "A", "192.0.2.1", "192.0.2.2")
    dns_server.add("www.example.test", "AAAA", "2001:db8::1")
    dns_server.add("shop.example.test", "CNAME", "www.example.test")
    dns_server.add("example.test", "MX", "10 mail.example.test", "20 backup.example.test")
    dns_server.add("example.test", "TXT", '"v=spf1 " "ip4:192.0.2.0/24 -all"')
    return dns_server


def ask(server, name: str, **fields) -> DnsConfig:
    return DnsConfig(name=name, nameserver="127.0.0.1", port=server.port, **fields)


async def test_a_record_matching_an_expected_address_is_ok(make_ctx, zone) -> None:
    outcome = await DnsCheck().run(ask(zone, "www.example.test", expect=("192.0.2.2",)), make_ctx())

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith("www.example.test A → 192.0.2.1, 192.0.2.2 in ")
    assert [m.name for m in outcome.metrics] == ["resolve_ms"]
    assert outcome.metrics[0].value > 0
    assert zone.queries == [("www.example.test.", "A")]


async def test_answer_mismatch_is_critical(make_ctx, zone) -> None:
    outcome = await DnsCheck().run(ask(zone, "www.example.test", expect=("198.51.100.7",)), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.endswith("; expected one of 198.51.100.7")


async def test_any_mode_needs_one_and_all_mode_needs_every_expected_answer(make_ctx, zone) -> None:
    wanted = ("192.0.2.1", "192.0.2.9")

    any_of = await DnsCheck().run(ask(zone, "www.example.test", expect=wanted), make_ctx())
    all_of = await DnsCheck().run(ask(zone, "www.example.test", expect=wanted, expect_mode="all"), make_ctx())

    assert any_of.status is CheckStatus.OK
    assert all_of.status is CheckStatus.CRITICAL
    assert all_of.summary.endswith("; missing expected 192.0.2.9")


async def test_nxdomain_is_critical(make_ctx, zone) -> None:
    outcome = await DnsCheck().run(ask(zone, "nope.example.test"), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"nope.example.test does not exist (NXDOMAIN from 127.0.0.1:{zone.port})"


async def test_name_without_the_record_type_is_critical(make_ctx, zone) -> None:
    outcome = await DnsCheck().run(ask(zone, "www.example.test", record_type="MX"), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"www.example.test has no MX records (127.0.0.1:{zone.port})"


async def test_silent_server_times_out(make_ctx, zone) -> None:
    zone.silent = True

    outcome = await DnsCheck().run(ask(zone, "www.example.test"), make_ctx(timeout=TIMEOUT))

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == (
        f"no DNS answer for www.example.test from 127.0.0.1:{zone.port} within {TIMEOUT:g} s"
    )


async def test_cname_mx_and_txt_answers_compare_after_normalising(make_ctx, zone) -> None:
    cases = [
        ask(zone, "shop.example.test", record_type="CNAME", expect=("WWW.Example.test.",)),
        ask(zone, "shop.example.test", record_type="A", expect=("192.0.2.1",)),
        ask(zone, "example.test", record_type="MX", expect=("10 mail.example.test.",)),
        ask(zone, "example.test", record_type="TXT", expect=("v=spf1 ip4:192.0.2.0/24 -all",)),
        ask(zone, "www.example.test", record_type="AAAA", expect=("2001:db8::1",)),
    ]

    outcomes = [await DnsCheck().run(config, make_ctx()) for config in cases]

    assert [o.status for o in outcomes] == [CheckStatus.OK] * len(cases), [o.summary for o in outcomes]


async def test_name_defaults_to_the_asset_address(make_ctx, zone) -> None:
    config = DnsConfig(nameserver="127.0.0.1", port=zone.port)

    outcome = await DnsCheck().run(config, make_ctx(asset_address="www.example.test"))

    assert outcome.status is CheckStatus.OK


async def test_no_name_is_unknown(make_ctx) -> None:
    outcome = await DnsCheck().run(DnsConfig(nameserver="127.0.0.1"), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.UNKNOWN, "no name configured")


def test_normalise_keeps_txt_and_folds_names() -> None:
    assert normalise("MX", "10 Mail.Example.TEST.") == "10 mail.example.test"
    assert normalise("CNAME", "www.example.test.") == "www.example.test"
    assert normalise("TXT", "Hello World") == "Hello World"


def test_evaluate_docstring_example() -> None:
    outcome = evaluate(DnsLookup(("192.0.2.1",), 1.2), "www.example.test", "A", ["192.0.2.1"], "any")

    assert (outcome.status, outcome.summary) == (CheckStatus.OK, "www.example.test A → 192.0.2.1 in 1.2 ms")


def test_config_rejects_a_hostname_as_nameserver_and_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="nameserver must be an IP address, got 'ns1.example.test'"):
        DnsConfig(nameserver="ns1.example.test")
    with pytest.raises(ValidationError, match=r"type\n  Extra inputs are not permitted"):
        DnsConfig(name="www.example.test", type="A")
    with pytest.raises(ValidationError, match="record_type"):
        DnsConfig(record_type="AXFR")
