"""Batch ingest: column arrays of samples for named series, stored durably before the 2xx."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from forewarn.auth import Principal
from forewarn.bus import SAMPLES
from forewarn.core.errors import ValidationFailed
from forewarn.inventory import asset_row
from forewarn.monitoring import labels_key
from forewarn.runtime import Platform
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(tags=["ingest"])
MAX_SERIES = 100_000


@router.post("/ingest", status_code=202)
async def ingest(request: Request, who: Who, session: SessionDep, platform: PlatformDep) -> dict:
    """Body: `{"series": [{"asset", "name", "labels"?, "unit"?}], "samples": {"series": [index…],
    "timestamps": [unix s…], "values": [float…]}}`. Indexes point into `series`."""
    who.require_write()
    body = await request.body()
    # Parsing and the durable append block: keep them off the event loop.
    return await run_in_threadpool(_ingest, body, who, session, platform)


def _ingest(body: bytes, who: Principal, session: Session, platform: Platform) -> dict:
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"body is not valid JSON: {exc}", where="body") from exc
    if not isinstance(doc, dict):
        raise ValidationFailed("body must be a JSON object with series and samples", where="body")
    series = _series_list(doc.get("series"))
    index, ts, values = _columns(doc.get("samples"), len(series))
    ids = np.empty(len(series), dtype=np.int64)
    assets = {ref: asset_row(session, who, ref) for ref in _by_asset(series)}
    # The registry writes in its own transaction: end ours first so SQLite's one writer is free.
    session.commit()
    for asset_ref, members in _by_asset(series).items():
        asset = assets[asset_ref]
        resolved = platform.registry.resolve(asset.tenant_id, asset.id,
                                             [(s["name"], labels_key(s["labels"]), s["unit"]) for _, s in members])
        ids[[i for i, _ in members]] = resolved
    stored = platform.ingest.append_columns(ids[index], ts, values)
    platform.publish_from_thread(SAMPLES, stored)  # analysis sees pushed data like collected data
    return {"accepted": len(stored), "rejected": len(values) - len(stored)}


def _series_list(raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_SERIES:
        raise ValidationFailed(f"series must be a list of 1 to {MAX_SERIES} entries", where="series")
    out = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or not isinstance(s.get("asset"), str) or not isinstance(s.get("name"), str):
            raise ValidationFailed("each series needs string fields asset and name", where=f"series.{i}")
        unknown = set(s) - {"asset", "name", "labels", "unit"}
        if unknown:
            raise ValidationFailed(f"unknown field {sorted(unknown)[0]!r}", where=f"series.{i}")
        labels = s.get("labels") or {}
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise ValidationFailed("labels must map names to strings", where=f"series.{i}.labels")
        if not 0 < len(s["name"]) <= 200:
            raise ValidationFailed("name must be 1 to 200 characters", where=f"series.{i}.name")
        out.append({"asset": s["asset"], "name": s["name"], "labels": labels, "unit": str(s.get("unit", ""))})
    return out


def _columns(raw: Any, n_series: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(raw, dict):
        raise ValidationFailed("samples must be an object with series, timestamps and values", where="samples")
    try:
        index = np.asarray(raw.get("series"), dtype=np.int64)
        ts = np.asarray(raw.get("timestamps"), dtype=np.float64)
        values = np.asarray(raw.get("values"), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"sample columns must be arrays of numbers: {exc}", where="samples") from exc
    if index.ndim != 1 or ts.shape != index.shape or values.shape != index.shape:
        raise ValidationFailed("samples.series, timestamps and values must be flat arrays of one length",
                               where="samples")
    if len(index) and (index.min() < 0 or index.max() >= n_series):
        raise ValidationFailed(f"sample series index out of range 0..{n_series - 1}", where="samples.series")
    return index, ts, values


def _by_asset(series: list[dict]) -> dict[str, list[tuple[int, dict]]]:
    groups: dict[str, list[tuple[int, dict]]] = {}
    for i, s in enumerate(series):
        groups.setdefault(s["asset"], []).append((i, s))
    return groups
