"""Network discovery: sweep a CIDR (ICMP, TCP, reverse DNS, SNMP) and propose assets with checks."""

from forewarn.integrations.discovery.classify import propose_kind
from forewarn.integrations.discovery.fragment import environment_fragment
from forewarn.integrations.discovery.probes import NetworkProber, PortState, Prober, SnmpIdentity
from forewarn.integrations.discovery.sweep import DEFAULT_PORTS, DiscoveredHost, Progress, discover
from forewarn.integrations.discovery.targets import MAX_ADDRESSES, sweep_addresses

__all__ = [
    "DEFAULT_PORTS", "DiscoveredHost", "MAX_ADDRESSES", "NetworkProber", "PortState", "Prober", "Progress",
    "SnmpIdentity", "discover", "environment_fragment", "propose_kind", "sweep_addresses",
]
