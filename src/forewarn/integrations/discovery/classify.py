"""What a discovered device probably is, from what its SNMP agent says about itself.

A device is proposed as a `network_device` when its sysObjectID belongs to a network, printer or
UPS vendor branch, or its sysDescr names such a thing; everything else (including every device
without an SNMP answer) is proposed as a `host`. It is a proposal: the user edits the file.

Raw input, as `snmpget … sysDescr.0 sysObjectID.0` shows a switch::

    SNMPv2-MIB::sysDescr.0 = STRING: Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE
    SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.9.1.1208

gives ("network_device", "sysObjectID is in Cisco's branch (1.3.6.1.4.1.9)").
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["host", "network_device"]

_ENTERPRISES = "1.3.6.1.4.1."
# Enterprise branches (IANA numbers) of vendors that make only, or here mainly, network gear,
# printers and UPSes. HP (11) is narrowed to its printer and networking subtrees.
_BRANCHES: tuple[tuple[str, str], ...] = (
    ("1.3.6.1.2.1.33", "UPS-MIB"), (_ENTERPRISES + "9", "Cisco"), (_ENTERPRISES + "2636", "Juniper"),
    (_ENTERPRISES + "14988", "MikroTik"), (_ENTERPRISES + "12356", "Fortinet"),
    (_ENTERPRISES + "25461", "Palo Alto Networks"), (_ENTERPRISES + "30065", "Arista"),
    (_ENTERPRISES + "41112", "Ubiquiti"), (_ENTERPRISES + "4526", "Netgear"), (_ENTERPRISES + "890", "Zyxel"),
    (_ENTERPRISES + "318", "APC"), (_ENTERPRISES + "534", "Eaton/Powerware"), (_ENTERPRISES + "705", "MGE UPS"),
    (_ENTERPRISES + "2435", "Brother"), (_ENTERPRISES + "1602", "Canon"), (_ENTERPRISES + "1347", "Kyocera"),
    (_ENTERPRISES + "367", "Ricoh"), (_ENTERPRISES + "253", "Xerox"), (_ENTERPRISES + "641", "Lexmark"),
    (_ENTERPRISES + "11.2.3.9", "HP printers"), (_ENTERPRISES + "11.2.3.7", "HP networking"),
)
_WORDS = re.compile(
    r"\b(switch|router|routeros|firewall|gateway|access point|cisco ios|ios-xe|nx-os|junos|procurve|aruba"
    r"|edgeos|edgeswitch|unifi|mikrotik|fortigate|fortios|pan-os|sonicwall|catalyst|pfsense|opnsense|vyos"
    r"|openwrt|printer|print server|jetdirect|laserjet|officejet|ups|smart-ups|powerware|pdu"
    r"|management card)\b",
    re.IGNORECASE,
)


def propose_kind(sys_descr: str | None, sys_object_id: str | None) -> tuple[Kind, str]:
    """The proposed asset kind and, in words, why."""
    if sys_object_id is None and sys_descr is None:
        return "host", "no SNMP answer; assumed a host"
    for prefix, vendor in _BRANCHES:
        if sys_object_id and (sys_object_id == prefix or sys_object_id.startswith(prefix + ".")):
            return "network_device", f"sysObjectID is in {vendor}'s branch ({prefix})"
    match = _WORDS.search(sys_descr or "")
    if match:
        return "network_device", f"sysDescr mentions {match.group(1)!r}"
    return "host", "SNMP describes no switch, router, printer or UPS"
