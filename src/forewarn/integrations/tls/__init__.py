"""TLS check: certificate trust, hostname match and days to expiry."""

from forewarn.integrations.tls.check import TlsCheck
from forewarn.integrations.tls.config import TlsConfig

__all__ = ["TlsCheck", "TlsConfig"]
