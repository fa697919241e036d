"""What one run asks the agent, section by section, through the transport seam."""

from __future__ import annotations

from dataclasses import dataclass

from forewarn.integrations.snmp import oids
from forewarn.integrations.snmp.config import SnmpConfig
from forewarn.integrations.snmp.host_resources import PROCESSOR_COLUMNS, STORAGE_COLUMNS
from forewarn.integrations.snmp.interfaces import WALK_COLUMNS as INTERFACE_COLUMNS
from forewarn.integrations.snmp.transport import SnmpError, SnmpTransport
from forewarn.integrations.snmp.varbinds import Oid, Varbind
from forewarn.integrations.snmp.walk import Walk, walk_columns


@dataclass(slots=True)
class Collected:
    """Raw answers per section; a section that was not asked for stays None."""

    system: list[Varbind]
    interfaces: Walk | None = None
    storage: Walk | None = None
    processors: Walk | None = None
    ups: list[Varbind] | None = None


class Collector:
    """Asks for the enabled sections in turn; `stage` names the one in progress, for error messages."""

    def __init__(self, transport: SnmpTransport, cfg: SnmpConfig) -> None:
        self._transport = transport
        self._cfg = cfg
        self.stage = "the system group"

    async def collect(self) -> Collected:
        # The system group is always read: it proves the agent answers and gives sysUpTime, which
        # tells counter wraps from restarts.
        result = Collected(system=await self._get(oids.SYSTEM))
        sections = self._cfg.sections
        if "interfaces" in sections:
            result.interfaces = await self._walk("the interface table (ifTable/ifXTable)", INTERFACE_COLUMNS)
        if "storage" in sections:
            result.storage = await self._walk("hrStorageTable", STORAGE_COLUMNS)
        if "processors" in sections:
            result.processors = await self._walk("hrProcessorTable", PROCESSOR_COLUMNS)
        if "ups" in sections:
            self.stage = "the UPS battery group"
            result.ups = await self._get(oids.UPS_SCALARS + oids.XUPS_SCALARS)
        return result

    async def _get(self, wanted: tuple[Oid, ...]) -> list[Varbind]:
        found = await self._transport.get(wanted)
        if len(found) != len(wanted):
            raise SnmpError("malformed", f"{len(found)} values in the answer to a GET of {len(wanted)}")
        return found

    async def _walk(self, stage: str, columns: tuple[Oid, ...]) -> Walk:
        self.stage = stage
        return await walk_columns(self._transport, columns, self._cfg.max_repetitions, self._cfg.max_rows)
