"""TLS check against loopback HTTPS servers with certificates from a throwaway CA."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError

from forewarn.core import FakeClock
from forewarn.integrations.tls import TlsCheck, TlsConfig
from forewarn.integrations.tls.probe import TlsHandshake
from forewarn.integrations.tls.result import CertInfo, evaluate, parse_certificate
from forewarn.plugins.v1 import CheckStatus

TIMEOUT = 0.5  # seconds: short keeps the timeout cases fast, still ample on loopback
NAME = "www.example.test"


def trusted(server, **fields) -> TlsConfig:
    """A config that reaches `server` on loopback, asks for NAME and trusts the test CA."""
    return TlsConfig(host="127.0.0.1", port=server.port, server_name=NAME, ca_file=server.ca_file, **fields)


def days(outcome) -> float:
    (point,) = outcome.metrics
    assert point.name == "days_to_expiry"
    return point.value


async def test_valid_trusted_certificate_is_ok_with_days_to_expiry(make_ctx, make_https_server) -> None:
    server = make_https_server(days_after=90)

    outcome = await TlsCheck().run(trusted(server), make_ctx())

    assert outcome.status is CheckStatus.OK, outcome.summary
    end = server.leaf.not_after.date().isoformat()
    assert outcome.summary == f"certificate for {NAME} expires in 90.0 days ({end})"
    assert 89.9 < days(outcome) <= 90.0


@pytest.mark.parametrize(
    ("days_after", "status"),
    [(30, CheckStatus.OK), (12.3, CheckStatus.WARNING), (3, CheckStatus.CRITICAL)],
)
async def test_default_thresholds_are_21_and_7_days(make_ctx, make_https_server, days_after, status) -> None:
    server = make_https_server(days_after=days_after)

    outcome = await TlsCheck().run(trusted(server), make_ctx())

    assert outcome.status is status
    assert f"expires in {days_after:.1f} days" in outcome.summary


async def test_configured_thresholds_replace_the_defaults(make_ctx, make_https_server) -> None:
    server = make_https_server(days_after=45)

    outcome = await TlsCheck().run(trusted(server, warn_days=60, crit_days=30), make_ctx())

    assert outcome.status is CheckStatus.WARNING


async def test_expired_certificate_is_critical(make_ctx, make_https_server) -> None:
    server = make_https_server(days_before=30, days_after=-2)

    outcome = await TlsCheck().run(trusted(server), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.startswith(f"certificate for {NAME} expired 2.0 days ago (")
    assert days(outcome) < 0


async def test_expiry_is_measured_on_the_context_clock(make_ctx, make_https_server) -> None:
    server = make_https_server(days_after=90)
    clock = FakeClock(start=server.leaf.not_after.timestamp() - 5 * 86400)

    outcome = await TlsCheck().run(trusted(server), make_ctx(clock=clock))

    assert outcome.status is CheckStatus.CRITICAL
    assert days(outcome) == pytest.approx(5.0, abs=1e-3)  # certificates drop microseconds


async def test_hostname_mismatch_is_critical_and_names_the_certificate(make_ctx, make_https_server) -> None:
    server = make_https_server(hostnames=("intranet.example.test", "intra.example.test"))

    outcome = await TlsCheck().run(trusted(server), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == (
        f"hostname mismatch: cert is for intranet.example.test, intra.example.test, not {NAME}"
    )
    assert days(outcome) > 80  # the certificate was still read


async def test_ip_address_not_in_the_certificate_is_a_mismatch(make_ctx, make_https_server) -> None:
    server = make_https_server(hostnames=(NAME,))
    config = TlsConfig(host="127.0.0.1", port=server.port, ca_file=server.ca_file)  # checks the IP

    outcome = await TlsCheck().run(config, make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"hostname mismatch: cert is for {NAME}, not 127.0.0.1"


async def test_untrusted_ca_is_critical(make_ctx, make_https_server) -> None:
    server = make_https_server()
    config = TlsConfig(host="127.0.0.1", port=server.port, server_name=NAME)  # system CAs only

    outcome = await TlsCheck().run(config, make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == (
        f"certificate for {NAME} not trusted: unable to get local issuer certificate "
        "(issued by forewarn test CA)"
    )


async def test_server_name_defaults_to_the_host(make_ctx, make_https_server) -> None:
    server = make_https_server(hostnames=("127.0.0.1",))
    config = TlsConfig(port=server.port, ca_file=server.ca_file)

    outcome = await TlsCheck().run(config, make_ctx(asset_address="127.0.0.1"))

    assert outcome.status is CheckStatus.OK, outcome.summary


async def test_closed_port_is_critical(make_ctx, closed_port) -> None:
    outcome = await TlsCheck().run(TlsConfig(host="127.0.0.1", port=closed_port), make_ctx())

    assert (outcome.status, outcome.summary) == (
        CheckStatus.CRITICAL, f"connection refused to 127.0.0.1:{closed_port}",
    )


async def test_server_that_never_starts_tls_times_out(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server()  # accepts and stays silent

    outcome = await TlsCheck().run(
        TlsConfig(host="127.0.0.1", port=listener.port), make_ctx(timeout=TIMEOUT)
    )

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"no TLS handshake with 127.0.0.1:{listener.port} within {TIMEOUT:g} s"


async def test_plain_text_server_fails_the_handshake(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server(banner="220 mail.example.test ESMTP\r\n")

    outcome = await TlsCheck().run(TlsConfig(host="127.0.0.1", port=listener.port), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.startswith(f"TLS handshake with 127.0.0.1:{listener.port} failed: ")


async def test_unreadable_ca_file_is_unknown(make_ctx, tmp_path) -> None:
    outcome = await TlsCheck().run(TlsConfig(host="127.0.0.1", ca_file=str(tmp_path / "x.pem")), make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary.startswith("cannot load ca_file")


async def test_no_host_is_unknown(make_ctx) -> None:
    outcome = await TlsCheck().run(TlsConfig(), make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN


def test_parse_certificate_reads_names_and_validity(cert_authority) -> None:
    leaf = cert_authority.issue(("api.example.test", "192.0.2.10"), days_after=10)
    der = x509.load_pem_x509_certificate(leaf.cert_file.read_bytes()).public_bytes(Encoding.DER)

    info = parse_certificate(der)

    assert info.subject_cn == "api.example.test"
    assert info.names == ("api.example.test", "192.0.2.10")
    assert info.issuer_cn == "forewarn test CA"
    assert info.not_after == leaf.not_after.replace(microsecond=0)


def test_evaluate_docstring_example() -> None:
    ends = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    info = CertInfo(NAME, (NAME,), "Example CA", datetime(2026, 9, 1, tzinfo=UTC), ends)
    now = ends.timestamp() - 12.3 * 86400

    outcome = evaluate(info, TlsHandshake(b""), now, NAME, warn_days=21, crit_days=7)

    assert (outcome.status, outcome.summary) == (
        CheckStatus.WARNING, f"certificate for {NAME} expires in 12.3 days (2026-12-10)",
    )


def test_config_rejects_crit_above_warn_and_unknown_fields() -> None:
    with pytest.raises(ValidationError, match=r"crit_days \(30\) must not exceed warn_days \(21\)"):
        TlsConfig(crit_days=30)
    with pytest.raises(ValidationError, match=r"sni\n  Extra inputs are not permitted"):
        TlsConfig(sni=NAME)
