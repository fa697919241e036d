"""DNS check: resolution time and expected answers for a name and record type."""

from forewarn.integrations.dns.check import DnsCheck
from forewarn.integrations.dns.config import DnsConfig

__all__ = ["DnsCheck", "DnsConfig"]
