"""The numeric OIDs the SNMP check reads; names follow the MIBs so they can be looked up.

No MIB is compiled or loaded at run time: these constants are all the check knows.
"""

from __future__ import annotations

from forewarn.integrations.snmp.varbinds import Oid

# SNMPv2-MIB system group (RFC 3418)
SYS_DESCR: Oid = (1, 3, 6, 1, 2, 1, 1, 1, 0)
SYS_OBJECT_ID: Oid = (1, 3, 6, 1, 2, 1, 1, 2, 0)
SYS_UPTIME: Oid = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_NAME: Oid = (1, 3, 6, 1, 2, 1, 1, 5, 0)
SYSTEM = (SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME)

# IF-MIB ifTable / ifXTable entries (RFC 2863); columns are the numbers after the entry.
IF_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IF_DESCR, IF_SPEED, IF_ADMIN_STATUS, IF_OPER_STATUS = 2, 5, 7, 8
IF_IN_OCTETS, IF_IN_DISCARDS, IF_IN_ERRORS = 10, 13, 14
IF_OUT_OCTETS, IF_OUT_DISCARDS, IF_OUT_ERRORS = 16, 19, 20
IFX_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
IFX_NAME, IFX_HC_IN_OCTETS, IFX_HC_OUT_OCTETS, IFX_HIGH_SPEED = 1, 6, 10, 15

# HOST-RESOURCES-MIB (RFC 2790)
HR_STORAGE_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 25, 2, 3, 1)
HR_STORAGE_TYPE, HR_STORAGE_DESCR, HR_STORAGE_UNITS, HR_STORAGE_SIZE, HR_STORAGE_USED = 2, 3, 4, 5, 6
HR_STORAGE_TYPES: Oid = (1, 3, 6, 1, 2, 1, 25, 2, 1)  # hrStorageTypes.N, N below
STORAGE_TYPE_NAMES = {
    1: "other", 2: "ram", 3: "virtualMemory", 4: "fixedDisk", 5: "removableDisk", 6: "floppyDisk",
    7: "compactDisc", 8: "ramDisk", 9: "flashMemory", 10: "networkDisk",
}
HR_PROCESSOR_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 25, 3, 3, 1)
HR_PROCESSOR_FRW_ID, HR_PROCESSOR_LOAD = 1, 2

# UPS-MIB (RFC 1628)
UPS_MIB: Oid = (1, 3, 6, 1, 2, 1, 33, 1)
UPS_MANUFACTURER: Oid = UPS_MIB + (1, 1, 0)
UPS_MODEL: Oid = UPS_MIB + (1, 2, 0)
UPS_BATTERY_STATUS: Oid = UPS_MIB + (2, 1, 0)
UPS_SECONDS_ON_BATTERY: Oid = UPS_MIB + (2, 2, 0)
UPS_MINUTES_REMAINING: Oid = UPS_MIB + (2, 3, 0)
UPS_CHARGE_REMAINING: Oid = UPS_MIB + (2, 4, 0)
UPS_BATTERY_VOLTAGE: Oid = UPS_MIB + (2, 5, 0)  # 0.1 V DC
UPS_BATTERY_TEMPERATURE: Oid = UPS_MIB + (2, 7, 0)  # °C
UPS_OUTPUT_SOURCE: Oid = UPS_MIB + (4, 1, 0)

# XUPS-MIB (Eaton / Powerware, enterprise 534): Eaton cards such as the 9PX's often serve
# this and not the standard UPS-MIB.
XUPS: Oid = (1, 3, 6, 1, 4, 1, 534, 1)
XUPS_MANUFACTURER: Oid = XUPS + (1, 1, 0)
XUPS_MODEL: Oid = XUPS + (1, 2, 0)
XUPS_BAT_TIME_REMAINING: Oid = XUPS + (2, 1, 0)  # seconds
XUPS_BAT_VOLTAGE: Oid = XUPS + (2, 2, 0)  # V DC
XUPS_BAT_CAPACITY: Oid = XUPS + (2, 4, 0)  # percent
XUPS_BATTERY_ABM_STATUS: Oid = XUPS + (2, 5, 0)
XUPS_OUTPUT_LOAD: Oid = XUPS + (4, 1, 0)  # percent
XUPS_OUTPUT_SOURCE: Oid = XUPS + (4, 5, 0)

UPS_SCALARS = (
    UPS_MANUFACTURER, UPS_MODEL, UPS_BATTERY_STATUS, UPS_SECONDS_ON_BATTERY, UPS_MINUTES_REMAINING,
    UPS_CHARGE_REMAINING, UPS_BATTERY_VOLTAGE, UPS_BATTERY_TEMPERATURE, UPS_OUTPUT_SOURCE,
)
XUPS_SCALARS = (
    XUPS_MANUFACTURER, XUPS_MODEL, XUPS_BAT_TIME_REMAINING, XUPS_BAT_VOLTAGE, XUPS_BAT_CAPACITY,
    XUPS_BATTERY_ABM_STATUS, XUPS_OUTPUT_LOAD, XUPS_OUTPUT_SOURCE,
)
