"""HTTP check: status, latency, body size and expected text of an HTTP(S) request."""

from forewarn.integrations.http.check import HttpCheck
from forewarn.integrations.http.config import HttpConfig

__all__ = ["HttpCheck", "HttpConfig"]
