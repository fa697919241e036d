"""Discovery: which addresses are swept, what answers on loopback, what SNMP says, and the kind proposed."""

from __future__ import annotations

import asyncio
import socket

import pytest

from forewarn.core import ValidationFailed
from forewarn.integrations.discovery import (
    DiscoveredHost,
    NetworkProber,
    SnmpIdentity,
    discover,
    propose_kind,
    sweep_addresses,
)
from forewarn.testing.loopback import LoopbackTcpServer, free_port


def reverse_name(address: str) -> str | None:
    try:
        return socket.getnameinfo((address, 0), socket.NI_NAMEREQD)[0]
    except OSError:
        return None


# --- which addresses ------------------------------------------------------------------------

@pytest.mark.parametrize(("cidr", "expected"), [
    ("127.0.0.0/29", [f"127.0.0.{i}" for i in range(1, 7)]),  # no network or broadcast address
    ("127.0.0.1/32", ["127.0.0.1"]),
    ("127.0.0.1", ["127.0.0.1"]),
    ("10.0.0.0/31", ["10.0.0.0", "10.0.0.1"]),  # RFC 3021 point-to-point: both are hosts
    ("::1/128", ["::1"]),
    ("fd00::/126", ["fd00::1", "fd00::2", "fd00::3"]),
])
def test_sweep_addresses(cidr, expected):
    assert sweep_addresses(cidr) == expected


def test_a_slash_16_is_swept_but_a_slash_15_is_refused_with_advice():
    assert len(sweep_addresses("10.1.0.0/16")) == 65_534
    with pytest.raises(ValidationFailed) as caught:
        sweep_addresses("10.0.0.0/15")
    assert caught.value.where == "cidr"
    assert "131,072 addresses" in caught.value.message and "at most 65,536 (a /16 for IPv4)" in caught.value.message
    with pytest.raises(ValidationFailed, match="a /112 for IPv6"):
        sweep_addresses("fd00::/64")


def test_the_bound_is_configurable():
    with pytest.raises(ValidationFailed, match="256 addresses; a sweep covers at most 100"):
        sweep_addresses("192.168.1.0/24", max_addresses=100)


@pytest.mark.parametrize("cidr", ["192.168.1.5/24", "not-a-network", "300.1.1.0/24", ""])
def test_bad_networks_are_refused_before_anything_is_sent(cidr):
    with pytest.raises(ValidationFailed, match="CIDR notation"):
        sweep_addresses(cidr)


# --- what the device is ---------------------------------------------------------------------

@pytest.mark.parametrize(("descr", "object_id", "kind", "why"), [
    ("Cisco IOS Software, C2960", "1.3.6.1.4.1.9.1.1208", "network_device", "Cisco"),
    ("Linux gw 5.10", "1.3.6.1.4.1.14988.1", "network_device", "MikroTik"),
    ("APC Web/SNMP Management Card", None, "network_device", "'Management Card'"),
    ("Smart-UPS 1500 RM", "1.3.6.1.4.1.99999", "network_device", "'Smart-UPS'"),
    ("HP ETHERNET MULTI-ENVIRONMENT", "1.3.6.1.4.1.11.2.3.9.1", "network_device", "HP printers"),
    ("Made-up UPS-MIB agent", "1.3.6.1.2.1.33", "network_device", "UPS-MIB"),
    ("Brother NC-8300h, Firmware Ver.1.05", "1.3.6.1.4.1.2435.2.3.9.1", "network_device", "Brother"),
    ("Linux cray 2.6.21.5-smp #2 SMP Tue Jun 19 14:58:11 CDT 2007 i686", "1.3.6.1.4.1.8072.3.2.10", "host",
     "describes no switch"),
    ("Hardware: x86 Family 6 - Software: Windows 2000 Version 5.1", "1.3.6.1.4.1.311.1.1.3.1.1", "host", "no switch"),
    ("Linux backup-groups 6.1", None, "host", "no switch"),  # 'ups' inside a word is not a UPS
    (None, None, "host", "no SNMP answer"),
])
def test_proposed_kind(descr, object_id, kind, why):
    proposed, reason = propose_kind(descr, object_id)
    assert proposed == kind and why in reason


# --- sweeping loopback ----------------------------------------------------------------------

async def test_sweep_of_loopback_finds_every_address_and_the_one_open_port():
    closed = free_port()
    progress: list[tuple[int, int]] = []
    with LoopbackTcpServer() as listener:
        hosts = await discover("127.0.0.0/29", ports=(listener.port, closed), timeout=1.0, concurrency=4,
                               progress=lambda done, total: progress.append((done, total)))
    assert [h.address for h in hosts] == [f"127.0.0.{i}" for i in range(1, 7)]
    assert hosts[0].open_ports == (listener.port,)  # the listener is bound to 127.0.0.1 only
    assert all(h.open_ports == () for h in hosts[1:])
    assert all("tcp" in h.answered_by for h in hosts)  # a refused connect proves the host is up
    assert progress == [(i, 6) for i in range(1, 7)]
    assert hosts[0].dns_name == reverse_name("127.0.0.1") and hosts[0].kind == "host"
    assert hosts[0].name == (reverse_name("127.0.0.1") or "127.0.0.1")


async def test_sweep_of_ipv6_loopback():
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as listener:
        try:
            listener.bind(("::1", 0))
        except OSError as exc:
            pytest.skip(f"no IPv6 loopback here: {exc}")
        listener.listen()
        port = listener.getsockname()[1]
        [host] = await discover("::1/128", ports=(port,), timeout=1.0, reverse_dns=False)
    assert (host.address, host.open_ports, host.dns_name) == ("::1", (port,), None)


async def test_snmp_identity_through_the_first_community_that_answers(snmp_agent):
    [host] = await discover("127.0.0.1/32", ports=(), snmp_communities=("wrong-community", "linux-full-walk"),
                            snmp_port=snmp_agent.port, timeout=0.5)
    assert host.snmp is not None and host.snmp.name == "tt" and host.snmp.descr.startswith("Linux cray")
    assert host.snmp.object_id == "1.3.6.1.4.1.8072.3.2.10"
    assert (host.kind, host.name) == ("host", "tt")


@pytest.mark.parametrize(("community", "name", "why"), [
    ("made-up-switch", "core-sw1", "Cisco"), ("made-up-printer", "printer-2f", "'LaserJet'"),
])
async def test_network_devices_are_proposed_as_such(snmp_agent, community, name, why):
    [host] = await discover("127.0.0.1", ports=(), snmp_communities=(community,), snmp_port=snmp_agent.port,
                            timeout=0.5)
    assert (host.kind, host.name) == ("network_device", name) and why in host.kind_reason


async def test_an_agent_that_never_answers_leaves_snmp_empty():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        [host] = await discover("127.0.0.1/32", ports=(), snmp_communities=("public",),
                                snmp_port=silent.getsockname()[1], timeout=0.2)
    assert host.snmp is None and host.kind_reason == "no SNMP answer; assumed a host"


async def test_real_prober_reports_port_states():
    prober = NetworkProber()
    with LoopbackTcpServer() as listener:
        assert await prober.tcp("127.0.0.1", listener.port, 1.0) == "open"
    assert await prober.tcp("127.0.0.1", free_port(), 1.0) == "refused"
    prober.close()


# --- the sweep's logic, with a fake network -------------------------------------------------

class FakeNetwork:
    """Hosts .1 (echo, port 22 open, SNMP 'lab'), .2 (port 80 refused only) and .3 (SNMP only); rest silent."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0
        self.snmp_asked: list[tuple[str, str]] = []
        self.closed = False

    async def _busy(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1

    async def echo(self, address: str, timeout: float) -> bool:
        await self._busy()
        return address == "192.0.2.1"

    async def tcp(self, address: str, port: int, timeout: float):
        await self._busy()
        if address == "192.0.2.1" and port == 22:
            return "open"
        return "refused" if address == "192.0.2.2" else "silent"

    async def reverse_dns(self, address: str, timeout: float) -> str | None:
        return {"192.0.2.1": "fw.lab.example"}.get(address)

    async def snmp_system(self, address: str, port: int, community: str, timeout: float):
        self.snmp_asked.append((address, community))
        if address == "192.0.2.1" and community == "lab":
            return SnmpIdentity("RouterOS CCR1009", None, "1.3.6.1.4.1.14988.1")
        return None

    def close(self) -> None:
        self.closed = True


async def test_only_answering_addresses_are_reported_and_asked_about_snmp():
    network = FakeNetwork()
    hosts = await discover("192.0.2.0/28", ports=(22, 80), snmp_communities=("public", "lab"), prober=network,
                           concurrency=3)
    assert hosts == [
        DiscoveredHost("192.0.2.1", ("icmp", "tcp"), (22,), "fw.lab.example",
                       SnmpIdentity("RouterOS CCR1009", None, "1.3.6.1.4.1.14988.1"), "network_device",
                       "sysObjectID is in MikroTik's branch (1.3.6.1.4.1.14988)"),
        DiscoveredHost("192.0.2.2", ("tcp",), (), None, None, "host", "no SNMP answer; assumed a host"),
    ]
    assert hosts[0].name == "fw.lab.example"  # no sysName: the DNS name
    assert sorted(network.snmp_asked) == [("192.0.2.1", "lab"), ("192.0.2.1", "public"),
                                          ("192.0.2.2", "lab"), ("192.0.2.2", "public")]
    assert network.most_in_flight <= 3 * 3  # 3 addresses at a time, each one echo and two connects
    assert not network.closed  # a prober that was handed in belongs to the caller


async def test_reverse_dns_can_be_skipped_and_bad_options_are_refused():
    [first, _] = await discover("192.0.2.0/29", ports=(22,), prober=FakeNetwork(), reverse_dns=False)
    assert first.dns_name is None and first.name == "192.0.2.1"
    with pytest.raises(ValueError):
        await discover("192.0.2.0/29", prober=FakeNetwork(), concurrency=0)
    with pytest.raises(ValidationFailed):
        await discover("192.0.0.0/8", prober=FakeNetwork())
