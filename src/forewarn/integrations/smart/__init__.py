"""SMART check: drive health (ATA attributes, NVMe health log, SCSI error counters) from smartctl --json."""

from forewarn.integrations.smart.check import SmartCheck
from forewarn.integrations.smart.config import SmartConfig

__all__ = ["SmartCheck", "SmartConfig"]
