"""The outside effects of a discovery sweep: ICMP echo, TCP connects, reverse DNS, SNMP system group.

`Prober` is the seam; `NetworkProber` is the real one. Its SNMP reads go through the SNMP check's
transport (pysnmp 7, numeric OIDs) so both speak to agents the same way.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Literal, Protocol

import icmplib

from forewarn.integrations.snmp.config import SnmpConfig
from forewarn.integrations.snmp.oids import SYSTEM
from forewarn.integrations.snmp.system import parse_system
from forewarn.integrations.snmp.transport import EnginePool, PysnmpTransport, SnmpError

PortState = Literal["open", "refused", "silent"]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SnmpIdentity:
    """What an agent says about itself (the SNMPv2-MIB system group)."""

    descr: str | None
    name: str | None
    object_id: str | None


class Prober(Protocol):
    async def echo(self, address: str, timeout: float) -> bool:
        """True when an ICMP echo reply came back within `timeout`."""

    async def tcp(self, address: str, port: int, timeout: float) -> PortState:
        """"open" (handshake done), "refused" (RST: the host is up, the port closed) or "silent"."""

    async def reverse_dns(self, address: str, timeout: float) -> str | None: ...

    async def snmp_system(self, address: str, port: int, community: str, timeout: float) -> SnmpIdentity | None:
        """The agent's system group through SNMPv2c `community`; None when nothing usable answers."""

    def close(self) -> None: ...


class NetworkProber:
    """Probes over the real network. ICMP needs root or `net.ipv4.ping_group_range`; without either
    `echo` is always False and liveness rests on the TCP answers (a refusal proves a host is up)."""

    def __init__(self) -> None:
        self._icmp_modes: list[bool] = [False, True]  # unprivileged first; dropped when the OS refuses
        self._engines = EnginePool()

    async def echo(self, address: str, timeout: float) -> bool:
        while self._icmp_modes:
            privileged = self._icmp_modes[0]
            try:
                host = await icmplib.async_ping(address, count=1, timeout=timeout, privileged=privileged)
            except icmplib.SocketPermissionError:
                if self._icmp_modes and self._icmp_modes[0] == privileged:
                    self._icmp_modes.pop(0)
                    log.debug("discovery icmp privileged=%s not permitted", privileged)
                continue
            except (icmplib.ICMPLibError, OSError) as exc:  # unreachable network, bad address family
                log.debug("discovery icmp address=%s error=%s", address, exc)
                return False
            return host.is_alive
        return False

    async def tcp(self, address: str, port: int, timeout: float) -> PortState:
        try:
            async with asyncio.timeout(timeout):
                _, writer = await asyncio.open_connection(address, port)
        except ConnectionRefusedError:
            return "refused"
        except (TimeoutError, OSError):
            return "silent"
        writer.close()
        return "open"

    async def reverse_dns(self, address: str, timeout: float) -> str | None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                name, _ = await loop.getnameinfo((address, 0), socket.NI_NAMEREQD)
        except (TimeoutError, OSError):  # socket.gaierror and herror are OSErrors
            return None
        return name.rstrip(".") or None

    async def snmp_system(self, address: str, port: int, community: str, timeout: float) -> SnmpIdentity | None:
        cfg = SnmpConfig(host=address, port=port, community=community, retries=0, timeout=timeout)
        try:
            async with asyncio.timeout(timeout * 2):  # pysnmp's own timeout should fire first
                transport = await PysnmpTransport.open(cfg, address, timeout, self._engines.engine_for(cfg))
                varbinds = await transport.get(SYSTEM)
        except (SnmpError, TimeoutError) as exc:
            log.debug("discovery snmp address=%s port=%d error=%s", address, port, exc)
            return None
        info = parse_system(varbinds)
        if info.descr is None and info.name is None and info.object_id is None:
            return None
        return SnmpIdentity(info.descr, info.name, info.object_id)

    def close(self) -> None:
        self._engines.close()
