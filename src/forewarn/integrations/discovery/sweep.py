"""A discovery sweep: which addresses of a network answer, and what each one seems to be."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forewarn.integrations.discovery.classify import Kind, propose_kind
from forewarn.integrations.discovery.probes import NetworkProber, Prober, SnmpIdentity
from forewarn.integrations.discovery.targets import MAX_ADDRESSES, sweep_addresses

DEFAULT_PORTS: tuple[int, ...] = (22, 80, 443, 445, 3389)
Progress = Callable[[int, int], None]
_USABLE_NAME = re.compile(r"^[^\x00-\x1f/]{1,200}$")  # what an asset name may be


@dataclass(frozen=True, slots=True)
class DiscoveredHost:
    address: str
    answered_by: tuple[str, ...]  # "icmp", "tcp", in that order
    open_ports: tuple[int, ...]
    dns_name: str | None
    snmp: SnmpIdentity | None
    kind: Kind
    kind_reason: str

    @property
    def name(self) -> str:
        """A proposed asset name: sysName, else the DNS name, else the address."""
        for candidate in (self.snmp.name if self.snmp else None, self.dns_name):
            if candidate and _USABLE_NAME.match(candidate.strip()):
                return candidate.strip()
        return self.address


async def discover(
    cidr: str,
    ports: Sequence[int] = DEFAULT_PORTS,
    snmp_communities: Sequence[str] = (),
    *,
    concurrency: int = 64,
    timeout: float = 1.0,
    snmp_port: int = 161,
    reverse_dns: bool = True,
    max_addresses: int = MAX_ADDRESSES,
    progress: Progress | None = None,
    prober: Prober | None = None,
) -> list[DiscoveredHost]:
    """Every address of `cidr` that answers an ICMP echo or a TCP connect, in address order.

    Each address gets one echo and a connect to each of `ports`, all at once, `timeout` seconds
    each; `concurrency` addresses are probed at a time. For the ones that answer, the reverse DNS
    name and the SNMP system group (through each community in turn until one answers) are read.
    `progress(done, total)` is called after each address. Raises `ValidationFailed` for a bad
    or too large network before sending anything.
    """
    if concurrency < 1 or timeout <= 0:
        raise ValueError("concurrency must be at least 1 and timeout positive")
    addresses = sweep_addresses(cidr, max_addresses)
    own = prober is None
    probe: Prober = prober if prober is not None else NetworkProber()
    found: list[DiscoveredHost] = []
    pending = iter(addresses)
    done = 0

    async def worker() -> None:
        nonlocal done
        for address in pending:  # one shared iterator: each address is taken by exactly one worker
            host = await _probe(probe, address, tuple(ports), tuple(snmp_communities), timeout, snmp_port,
                                reverse_dns)
            if host is not None:
                found.append(host)
            done += 1
            if progress is not None:
                progress(done, len(addresses))

    try:
        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(addresses)))))
    finally:
        if own:
            probe.close()
    return sorted(found, key=lambda h: ipaddress.ip_address(h.address))


async def _probe(prober: Prober, address: str, ports: tuple[int, ...], communities: tuple[str, ...],
                 timeout: float, snmp_port: int, reverse_dns: bool) -> DiscoveredHost | None:
    echoed, *states = await asyncio.gather(
        prober.echo(address, timeout), *(prober.tcp(address, port, timeout) for port in ports))
    answered_by = tuple(how for how, yes in (("icmp", echoed), ("tcp", any(s != "silent" for s in states))) if yes)
    if not answered_by:
        return None
    dns_name, snmp = await asyncio.gather(
        prober.reverse_dns(address, timeout) if reverse_dns else _nothing(),
        _snmp(prober, address, snmp_port, communities, timeout))
    kind, reason = propose_kind(snmp.descr, snmp.object_id) if snmp else propose_kind(None, None)
    open_ports = tuple(port for port, state in zip(ports, states, strict=True) if state == "open")
    return DiscoveredHost(address, answered_by, open_ports, dns_name, snmp, kind, reason)


async def _snmp(prober: Prober, address: str, port: int, communities: tuple[str, ...],
                timeout: float) -> SnmpIdentity | None:
    for community in communities:
        identity = await prober.snmp_system(address, port, community, timeout)
        if identity is not None:
            return identity
    return None


async def _nothing() -> None:
    return None
