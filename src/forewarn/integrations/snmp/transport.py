"""The outside effect of the SNMP check: GET and GETBULK over UDP with pysnmp 7 (numeric OIDs only).

`SnmpTransport` is the seam: the check and the table walker talk to it, tests may hand in a fake
agent. `PysnmpTransport` is the real one; it converts pysnmp's objects into plain `Varbind`s and
its error indications into `SnmpError`s.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pyasn1.type import univ
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch import asyncio as hlapi
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902, rfc1905

from forewarn.integrations.snmp.config import SnmpConfig
from forewarn.integrations.snmp.varbinds import Oid, Tag, Varbind

ErrorKind = Literal["timeout", "auth", "agent", "malformed", "address"]


class SnmpError(Exception):
    """A request without a usable answer; `kind` decides the outcome, the message is one line."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class SnmpTransport(Protocol):
    async def get(self, oids: Sequence[Oid]) -> list[Varbind]:
        """One GET; a missing object comes back as a noSuchObject/noSuchInstance varbind."""

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> list[Varbind]:
        """One GETBULK with no non-repeaters: up to max_repetitions successors of each OID, row-major."""

    def close(self) -> None: ...


_AUTH = {
    "none": hlapi.USM_AUTH_NONE, "MD5": hlapi.USM_AUTH_HMAC96_MD5, "SHA": hlapi.USM_AUTH_HMAC96_SHA,
    "SHA224": hlapi.USM_AUTH_HMAC128_SHA224, "SHA256": hlapi.USM_AUTH_HMAC192_SHA256,
    "SHA384": hlapi.USM_AUTH_HMAC256_SHA384, "SHA512": hlapi.USM_AUTH_HMAC384_SHA512,
}
_PRIV = {"none": hlapi.USM_PRIV_NONE, "DES": hlapi.USM_PRIV_CBC56_DES, "AES": hlapi.USM_PRIV_CFB128_AES}

# Answers from the security layer: the agent is there but refuses these credentials.
_AUTH_ERRORS: dict[type[errind.ErrorIndication], str] = {
    errind.WrongDigest: "authentication failed (wrong auth_key or auth_protocol)",
    errind.UnknownUserName: "the agent does not know this user",
    errind.UnsupportedSecurityLevel: "the agent does not accept this security level for the user",
    errind.UnknownCommunityName: "the agent does not know this community",
    errind.DecryptionError: "decryption failed (wrong priv_key or priv_protocol)",
    errind.AuthenticationError: "authentication failed",
    errind.NotInTimeWindow: "the agent's engine time does not match (not in time window)",
}

# Most specific classes first: Gauge32 and Counter64 are Integers, IpAddress is an OctetString.
_TAGS: tuple[tuple[type, Tag], ...] = (
    (rfc1905.NoSuchObject, Tag.NO_SUCH_OBJECT), (rfc1905.NoSuchInstance, Tag.NO_SUCH_INSTANCE),
    (rfc1905.EndOfMibView, Tag.END_OF_MIB_VIEW), (rfc1902.Counter64, Tag.COUNTER64),
    (rfc1902.Counter32, Tag.COUNTER32), (rfc1902.Unsigned32, Tag.GAUGE32), (rfc1902.TimeTicks, Tag.TIMETICKS),
    (rfc1902.IpAddress, Tag.IPADDRESS), (rfc1902.Opaque, Tag.OPAQUE), (univ.Integer, Tag.INTEGER),
    (univ.OctetString, Tag.OCTETS), (univ.ObjectIdentifier, Tag.OID), (univ.Null, Tag.NULL),
)


def to_varbind(oid: Any, value: Any) -> Varbind:
    """A pysnmp (ObjectName, value) pair as a plain Varbind."""
    tag = next((tag for cls, tag in _TAGS if isinstance(value, cls)), None)
    if tag is None:
        raise SnmpError("malformed", f"unexpected value type {type(value).__name__} at {oid}")
    if tag in (Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW, Tag.NULL):
        plain: int | bytes | Oid | None = None
    elif isinstance(value, univ.Integer):
        plain = int(value)
    elif isinstance(value, univ.OctetString):
        plain = value.asOctets()
    else:
        plain = tuple(value)
    return Varbind(tuple(oid), tag, plain)


class PysnmpTransport:
    """Requests to one agent through one pysnmp engine; `close()` releases its UDP socket.

    It drives pysnmp's command generators with raw numeric varbinds: the high-level
    `get_cmd`/`bulk_cmd` resolve every OID against a MIB view (and, with pysmi installed, build
    a MIB compiler), which this check neither needs nor wants at run time.
    """

    def __init__(self, engine: hlapi.SnmpEngine, target_name: str, context: bytes) -> None:
        self._engine, self._target_name, self._context = engine, target_name, context

    @classmethod
    async def open(cls, cfg: SnmpConfig, host: str, timeout: float, engine: hlapi.SnmpEngine) -> PysnmpTransport:
        """Resolve the host and register target and credentials with `engine`; nothing is sent yet."""
        target_cls = hlapi.Udp6TransportTarget if _is_ipv6(host) else hlapi.UdpTransportTarget
        try:
            target = await target_cls.create((host, cfg.port), timeout=timeout, retries=cfg.retries)
            target_name, _ = _LCD.configure(engine, _auth_data(cfg), target, cfg.context.encode())
        except PySnmpError as exc:
            raise SnmpError("address", f"cannot use {host}: {exc}") from exc
        return cls(engine, target_name, cfg.context.encode())

    async def get(self, oids: Sequence[Oid]) -> list[Varbind]:
        future = self._future()
        cmdgen.GetCommandGenerator().send_varbinds(
            self._engine, self._target_name, None, self._context, _request(oids), _resolve, future
        )
        return _varbinds(await future, oids)

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> list[Varbind]:
        future = self._future()
        cmdgen.BulkCommandGeneratorSingleRun().send_varbinds(
            self._engine, self._target_name, None, self._context, 0, max_repetitions, _request(oids),
            _resolve, future,
        )
        return _varbinds(await future, oids)

    def close(self) -> None:
        """Nothing to release per run: the engine (and its socket) belongs to the EnginePool."""

    @staticmethod
    def _future() -> asyncio.Future[tuple[Any, Any, Any, Any]]:
        return asyncio.get_running_loop().create_future()


_LCD = CommandGeneratorLcdConfigurator()


class EnginePool:
    """pysnmp engines reused across runs: one per event loop and set of credentials.

    Building an engine loads pysnmp's bundled MIB modules (~0.1 s of CPU), too much for every
    run of every check. Engines are split by credentials because pysnmp keeps one key set per
    v3 user name: two devices with the same user and different keys must not share an engine.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engines: dict[str, hlapi.SnmpEngine] = {}

    def engine_for(self, cfg: SnmpConfig) -> hlapi.SnmpEngine:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.close()  # engines are bound to the loop their sockets were opened on
            self._loop = loop
        key = _credentials_key(cfg)
        if key not in self._engines:
            self._engines[key] = hlapi.SnmpEngine()
        return self._engines[key]

    def close(self) -> None:
        for engine in self._engines.values():
            try:
                engine.close_dispatcher()
            except RuntimeError:  # its loop is already closed; the socket went with it
                pass
        self._engines.clear()


def _credentials_key(cfg: SnmpConfig) -> str:
    parts = (cfg.version, cfg.community, cfg.username, cfg.auth_protocol, cfg.auth_key, cfg.priv_protocol,
             cfg.priv_key)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _request(oids: Sequence[Oid]) -> list[tuple[rfc1902.ObjectName, univ.Null]]:
    return [(rfc1902.ObjectName(oid), univ.Null("")) for oid in oids]


def _resolve(engine: Any, handle: Any, indication: Any, status: Any, index: Any, varbinds: Any,
             future: asyncio.Future[tuple[Any, Any, Any, Any]]) -> None:
    """pysnmp's response callback: hand the answer to the awaiting request."""
    if not future.done():
        future.set_result((indication, status, index, varbinds))


def _auth_data(cfg: SnmpConfig) -> Any:
    if cfg.version == "2c":
        return hlapi.CommunityData(cfg.community or "", mpModel=1)
    return hlapi.UsmUserData(
        cfg.username or "",
        authKey=cfg.auth_key if cfg.auth_protocol != "none" else None,
        privKey=cfg.priv_key if cfg.priv_protocol != "none" else None,
        authProtocol=_AUTH[cfg.auth_protocol],
        privProtocol=_PRIV[cfg.priv_protocol],
    )


def _varbinds(reply: tuple[Any, Any, Any, Any], asked: Sequence[Oid]) -> list[Varbind]:
    indication, status, index, varbinds = reply
    if indication:
        raise _error_from(indication)
    if status and int(status) != 0:
        where = f" at {'.'.join(map(str, asked[int(index) - 1]))}" if 0 < int(index) <= len(asked) else ""
        raise SnmpError("agent", f"the agent answered {status.prettyPrint()}{where}")
    return [to_varbind(oid, value) for oid, value in varbinds]


def _error_from(indication: Any) -> SnmpError:
    if isinstance(indication, errind.RequestTimedOut):
        return SnmpError("timeout", "no SNMP response")
    for cls, text in _AUTH_ERRORS.items():
        if isinstance(indication, cls):
            return SnmpError("auth", text)
    return SnmpError("agent", f"SNMP request failed: {indication}")


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False
