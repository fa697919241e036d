"""Which asset a host name or address seen in foreign data (a syslog sender, an inbound alert) belongs to."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.core.hosts import host_part
from forewarn.inventory.enums import AssetKind
from forewarn.inventory.models import AssetRow

EXTERNAL_ALERTS_ASSET = "external alerts"


@dataclass(frozen=True, slots=True)
class AssetRef:
    tenant_id: str
    asset_id: str
    name: str


@dataclass(slots=True)
class AssetMatcher:
    """An index from lower-cased names, short names and addresses to assets.

    A key that two assets share is ambiguous and matches nothing: attributing a syslog line or an
    alert to the wrong client would be worse than leaving it unattributed.
    """

    _by_key: dict[tuple[str | None, str], AssetRef | None] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str, str | None]]) -> AssetMatcher:
        """Build from (tenant_id, asset_id, name, address) rows."""
        matcher = cls()
        for tenant_id, asset_id, name, address in rows:
            ref = AssetRef(tenant_id, asset_id, name)
            for key in _keys(name, address):
                matcher._add((None, key), ref)
                matcher._add((tenant_id, key), ref)
        return matcher

    def _add(self, key: tuple[str | None, str], ref: AssetRef) -> None:
        if key in self._by_key and self._by_key[key] != ref:
            self._by_key[key] = None  # two assets claim it: ambiguous
        else:
            self._by_key[key] = ref

    def match(self, hint: str | None, tenant_id: str | None = None) -> AssetRef | None:
        """The one asset `hint` names (inside `tenant_id` when given), else None."""
        if not hint:
            return None
        for key in _hint_keys(hint):
            ref = self._by_key.get((tenant_id, key))
            if ref is not None:
                return ref
        return None


def load_matcher(session: Session, tenant_id: str | None = None) -> AssetMatcher:
    stmt = select(AssetRow.tenant_id, AssetRow.id, AssetRow.name, AssetRow.address)
    if tenant_id is not None:
        stmt = stmt.where(AssetRow.tenant_id == tenant_id)
    return AssetMatcher.of(session.execute(stmt).all())


def external_alerts_asset(session: Session, tenant_id: str) -> AssetRef:
    """The tenant's catch-all asset for alerts that name no known asset, created on first use.

    Such alerts still reach correlation and the incident list (and keep their hint in the evidence)
    instead of being refused: the sender would only retry the same unknown name forever.
    """
    row = session.scalar(select(AssetRow).where(AssetRow.tenant_id == tenant_id,
                                                AssetRow.name == EXTERNAL_ALERTS_ASSET))
    if row is None:
        row = AssetRow(tenant_id=tenant_id, name=EXTERNAL_ALERTS_ASSET, kind=AssetKind.OTHER.value,
                       description="alerts from other tools whose host matched no asset of this tenant",
                       tags=["inbound-alerts"], attributes={})
        session.add(row)
        session.flush()
    return AssetRef(tenant_id, row.id, row.name)


def _keys(name: str, address: str | None) -> set[str]:
    keys = {name.strip().lower()}
    if "." in name and not _is_ip(name):
        keys.add(name.split(".", 1)[0].strip().lower())  # "srv1.acme.local" is also "srv1"
    if address:
        host = _host_of(address)
        keys.update(k for k in (address.strip().lower(), host) if k)
        if host and "." in host and not _is_ip(host):
            keys.add(host.split(".", 1)[0])
    keys.discard("")
    return keys


def _hint_keys(hint: str) -> list[str]:
    """The exact hint first, then its host part, then its short name."""
    text = hint.strip().lower()
    out = [text]
    host = _host_of(text)
    if host and host != text:
        out.append(host)
    if host and "." in host and not _is_ip(host):
        out.append(host.split(".", 1)[0])
    return out


def _host_of(target: str) -> str:
    return host_part(target.strip().lower())


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
