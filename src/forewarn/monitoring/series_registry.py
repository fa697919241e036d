"""Maps (asset, metric name, labels) to the integer series ids the series store works with."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forewarn.db import Database
from forewarn.monitoring.models import SeriesRow
from forewarn.monitoring.schemas import SeriesOut

SeriesKey = tuple[str, str, str]  # asset_id, name, labels_key


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """What analysis needs to know about a series id to name it in a signal."""

    id: int
    tenant_id: str
    asset_id: str
    name: str
    labels_key: str
    unit: str
    check_id: str | None

    @property
    def display(self) -> str:
        labels = parse_labels_key(self.labels_key)
        return self.name + ("{" + ",".join(f"{k}={v}" for k, v in labels.items()) + "}" if labels else "")


def labels_key(labels: Mapping[str, str]) -> str:
    """Canonical text for a label set: sorted JSON, so {"b":1,"a":2} and {"a":2,"b":1} are one series.

    JSON, not "k=v,k=v": label values (Prometheus' especially) contain commas and equals signs.
    """
    if not labels:
        return ""
    return json.dumps({str(k): str(labels[k]) for k in sorted(labels)}, separators=(",", ":"), ensure_ascii=False)


def parse_labels_key(key: str) -> dict[str, str]:
    return json.loads(key) if key else {}


class SeriesRegistry:
    """A write-through cache over the `series` table; ids are stable once created."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._ids: dict[SeriesKey, int] = {}
        self._info: dict[int, SeriesInfo] = {}
        self._lock = threading.Lock()

    def describe(self, series_ids: Iterable[int]) -> dict[int, SeriesInfo]:
        """Tenant, asset, name and labels of each id (unknown ids are left out)."""
        wanted = set(series_ids)
        with self._lock:
            missing = wanted - set(self._info)
            if missing:
                with self._db.session() as session:
                    for row in session.scalars(select(SeriesRow).where(SeriesRow.id.in_(missing))):
                        self._info[row.id] = SeriesInfo(row.id, row.tenant_id, row.asset_id, row.name,
                                                        row.labels_key, row.unit, row.check_id)
            return {i: self._info[i] for i in wanted if i in self._info}

    def resolve(self, tenant_id: str, asset_id: str, names: Iterable[tuple[str, str, str]],
                check_id: str | None = None) -> list[int]:
        """Ids for (name, labels_key, unit) triples of one asset, creating unknown series."""
        items = list(names)
        keys = [(asset_id, n, lk) for n, lk, _ in items]
        with self._lock:
            missing = [(k, item) for k, item in zip(keys, items, strict=True) if k not in self._ids]
            if missing:
                self._load_or_create(tenant_id, asset_id, missing, check_id)
            return [self._ids[k] for k in keys]

    def _load_or_create(self, tenant_id: str, asset_id: str, missing: list, check_id: str | None) -> None:
        for attempt in range(2):
            try:
                with self._db.session() as session:
                    for row in session.scalars(select(SeriesRow).where(SeriesRow.asset_id == asset_id)):
                        self._ids[(asset_id, row.name, row.labels_key)] = row.id
                    new = {k: item for k, item in missing if k not in self._ids}
                    rows = {k: SeriesRow(tenant_id=tenant_id, asset_id=asset_id, name=name, labels_key=lk,
                                         unit=unit, check_id=check_id) for k, (name, lk, unit) in new.items()}
                    session.add_all(rows.values())
                    session.flush()  # one multi-row INSERT for a whole new batch of series
                    self._ids.update({k: row.id for k, row in rows.items()})
                return
            except IntegrityError:  # another process created some meanwhile: reload and retry once
                if attempt:
                    raise

    def forget_asset(self, asset_id: str) -> None:
        with self._lock:
            self._ids = {k: v for k, v in self._ids.items() if k[0] != asset_id}


def series_out(row: SeriesRow) -> SeriesOut:
    return SeriesOut(id=row.id, tenant_id=row.tenant_id, asset_id=row.asset_id, name=row.name,
                     labels=parse_labels_key(row.labels_key), unit=row.unit)


def list_series(session: Session, asset_id: str) -> list[SeriesOut]:
    rows = session.scalars(select(SeriesRow).where(SeriesRow.asset_id == asset_id)
                           .order_by(SeriesRow.name, SeriesRow.labels_key))
    return [series_out(r) for r in rows]


def series_row(session: Session, series_id: int) -> SeriesRow | None:
    return session.get(SeriesRow, series_id)
