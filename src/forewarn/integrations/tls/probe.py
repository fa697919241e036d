"""The outside effect of the TLS check: handshakes that verify the peer and fetch its certificate."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TlsHandshake:
    """The server's leaf certificate (DER) and, when verification failed, OpenSSL's reason."""

    der: bytes
    verify_code: int | None = None  # an X509_V_ERR_* number
    verify_message: str | None = None


def trust_context(ca_file: str | None) -> ssl.SSLContext:
    """A verifying client context: the system CAs, or only those in `ca_file`.

    Raises OSError or ssl.SSLError when the file cannot be read.
    """
    return ssl.create_default_context(cafile=ca_file)


def _insecure_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _peer_der(host: str, port: int, context: ssl.SSLContext, server_name: str) -> bytes:
    _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=server_name)
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
    if not der:
        raise ssl.SSLError("the server sent no certificate")
    return der


async def handshake(
    host: str, port: int, server_name: str, trust: ssl.SSLContext, timeout: float
) -> TlsHandshake:
    """Verify chain and hostname; when that fails, shake hands again unverified to see the cert.

    The second handshake exists so a failing check can still say what the certificate is and
    when it expires. Raises OSError, TimeoutError or ssl.SSLError when no handshake completes.
    """
    async with asyncio.timeout(timeout):
        try:
            return TlsHandshake(await _peer_der(host, port, trust, server_name))
        except ssl.SSLCertVerificationError as exc:
            der = await _peer_der(host, port, _insecure_context(), server_name)
            return TlsHandshake(der, exc.verify_code, exc.verify_message)
