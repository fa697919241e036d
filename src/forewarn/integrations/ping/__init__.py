"""Ping check: round-trip time and packet loss by ICMP echo, with a TCP-connect fallback."""

from forewarn.integrations.ping.check import PingCheck
from forewarn.integrations.ping.config import PingConfig

__all__ = ["PingCheck", "PingConfig"]
