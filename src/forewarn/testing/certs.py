"""A throwaway certificate authority that issues leaf certificates for loopback TLS servers."""

from __future__ import annotations

import ipaddress
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True, slots=True)
class LeafCert:
    """PEM files of one issued server certificate and its key, plus what it was issued for."""

    cert_file: Path
    key_file: Path
    hostnames: tuple[str, ...]
    not_before: datetime
    not_after: datetime


def _new_key() -> ec.EllipticCurvePrivateKey:
    # P-256 keys are generated in a millisecond; RSA keys would dominate test time.
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _san(hostnames: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for name in hostnames:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            names.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(names)


class CertAuthority:
    """A self-signed CA whose PEM file (`ca_file`) tests hand to a check as its trust anchor."""

    def __init__(self, directory: Path | None = None, common_name: str = "forewarn test CA") -> None:
        self.directory = Path(directory or tempfile.mkdtemp(prefix="forewarn-ca-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self._key = _new_key()
        now = datetime.now(UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=30))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_cert_sign=True, crl_sign=True,
                    content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = self.directory / "ca.pem"
        self.ca_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        self._issued = 0

    def issue(
        self,
        hostnames: tuple[str, ...] | list[str] = ("localhost", "127.0.0.1"),
        days_before: float = 1.0,
        days_after: float = 90.0,
    ) -> LeafCert:
        """A leaf valid from `days_before` days ago until `days_after` days from now.

        A negative `days_after` gives an already expired certificate.
        """
        hosts = tuple(hostnames)
        if not hosts:
            raise ValueError("a leaf certificate needs at least one hostname")
        key = _new_key()
        now = datetime.now(UTC)
        not_before, not_after = now - timedelta(days=days_before), now + timedelta(days=days_after)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(_san(hosts), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self._issued += 1
        cert_file = self.directory / f"leaf{self._issued}.pem"
        key_file = self.directory / f"leaf{self._issued}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(_key_pem(key))
        return LeafCert(cert_file, key_file, hosts, not_before, not_after)
