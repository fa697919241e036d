"""Nagios plugin check: run any monitoring-plugins style program and read its status and perfdata."""

from forewarn.integrations.nagios.check import NagiosCheck
from forewarn.integrations.nagios.config import NagiosConfig

__all__ = ["NagiosCheck", "NagiosConfig"]
