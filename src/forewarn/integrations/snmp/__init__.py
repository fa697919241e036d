"""SNMP check: v2c/v3 polling of system, interfaces (with rates), host resources and UPS battery."""

from forewarn.integrations.snmp.check import SnmpCheck
from forewarn.integrations.snmp.config import SnmpConfig

__all__ = ["SnmpCheck", "SnmpConfig"]
