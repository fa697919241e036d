"""TCP check: connect time to a port, with an optional send/expect banner check."""

from forewarn.integrations.tcp.check import TcpCheck
from forewarn.integrations.tcp.config import TcpConfig

__all__ = ["TcpCheck", "TcpConfig"]
