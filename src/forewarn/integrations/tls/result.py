"""Pure parsing of a server certificate and evaluation of trust and expiry into an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from forewarn.integrations.tls.probe import TlsHandshake
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = {62, 64}


@dataclass(frozen=True, slots=True)
class CertInfo:
    subject_cn: str | None
    names: tuple[str, ...]  # subjectAltName DNS names and IP addresses
    issuer_cn: str | None
    not_before: datetime
    not_after: datetime

    @property
    def label(self) -> str:
        """The name a person knows the certificate by."""
        return self.subject_cn or (self.names[0] if self.names else "(no name)")


def _common_name(name: x509.Name) -> str | None:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else None


def parse_certificate(der: bytes) -> CertInfo:
    """The facts the check reports from a DER certificate; ValueError if it is not one."""
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName)) + tuple(
            str(ip) for ip in san.get_values_for_type(x509.IPAddress)
        )
    except x509.ExtensionNotFound:
        names = ()
    return CertInfo(
        subject_cn=_common_name(cert.subject),
        names=names,
        issuer_cn=_common_name(cert.issuer),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def evaluate(
    info: CertInfo,
    shake: TlsHandshake,
    now: float,
    server_name: str,
    warn_days: float,
    crit_days: float,
) -> CheckOutcome:
    """Expired or untrusted or wrong host → CRITICAL; else the expiry thresholds decide.

    For example a certificate for www.example.test ending 12.3 days after `now`, verified, with
    the defaults 21/7 gives WARNING "certificate for www.example.test expires in 12.3 days
    (2026-12-10)".
    """
    days = (info.not_after.timestamp() - now) / 86400.0
    metrics = [MetricPoint("days_to_expiry", days, "d")]
    ends = info.not_after.date().isoformat()
    subject = f"certificate for {info.label}"
    if days < 0:
        return CheckOutcome(CheckStatus.CRITICAL, f"{subject} expired {-days:.1f} days ago ({ends})", metrics)
    if now < info.not_before.timestamp():
        starts = info.not_before.date().isoformat()
        return CheckOutcome(CheckStatus.CRITICAL, f"{subject} is not valid before {starts}", metrics)
    if shake.verify_code in _NAME_MISMATCH:
        names = ", ".join(info.names) or info.label
        return CheckOutcome(
            CheckStatus.CRITICAL, f"hostname mismatch: cert is for {names}, not {server_name}", metrics
        )
    if shake.verify_code is not None:
        issuer = f" (issued by {info.issuer_cn})" if info.issuer_cn else ""
        return CheckOutcome(
            CheckStatus.CRITICAL, f"{subject} not trusted: {shake.verify_message}{issuer}", metrics
        )
    summary = f"{subject} expires in {days:.1f} days ({ends})"
    if days < crit_days:
        return CheckOutcome(CheckStatus.CRITICAL, summary, metrics)
    if days < warn_days:
        return CheckOutcome(CheckStatus.WARNING, summary, metrics)
    return CheckOutcome(CheckStatus.OK, summary, metrics)
