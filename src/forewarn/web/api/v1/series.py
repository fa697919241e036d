"""Series API: which series an asset has, and their samples over a range, downsampled."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query

from forewarn.alerting import recent_signals_for_series
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.inventory import asset_row
from forewarn.monitoring import SamplesOut, SeriesOut, list_series, series_row
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/series", tags=["series"])
MaxPoints = Annotated[int, Query(ge=2, le=10_000, description="downsample to at most this many points")]


def _range(start: float | None, end: float | None) -> tuple[float, float]:
    end = end if end is not None else time.time()
    start = start if start is not None else end - 3600
    if start >= end:
        raise ValidationFailed("start must be before end", where="start")
    return start, end


@router.get("", response_model=list[SeriesOut])
def list_(asset: str, who: Who, session: SessionDep) -> list[SeriesOut]:
    return list_series(session, asset_row(session, who, asset).id)


@router.get("/samples", response_model=list[SamplesOut])
def asset_samples(asset: str, who: Who, session: SessionDep, platform: PlatformDep, start: float | None = None,
                  end: float | None = None, max_points: MaxPoints = 500) -> list[SamplesOut]:
    """Every series of one asset over the range, in one store query (the asset page charts)."""
    asset_id = asset_row(session, who, asset).id
    series = list_series(session, asset_id)
    start, end = _range(start, end)
    ranges = platform.store.read_many([s.id for s in series], start, end, max_points)
    out = [_samples(s.id, s.name + _label_suffix(s.labels), s.unit, ranges.get(s.id)) for s in series]
    _add_overlays(out, recent_signals_for_series(session, who, asset_id, start), platform)
    return out


def _add_overlays(out: list[SamplesOut], signals: list, platform) -> None:  # noqa: ANN001
    """Anomaly windows as shaded bands and open forecasts as dashed projections on the charts."""
    by_id = {s.series_id: s for s in out}
    for sig in signals:
        target = by_id.get(sig.evidence.get("series_id"))
        if target is None:
            continue
        if sig.kind == "anomaly":
            target.anomalies.append([sig.first_seen, sig.last_seen if sig.state == "resolved" else sig.last_seen
                                     + 60.0])
        elif sig.kind == "forecast" and sig.state == "firing":
            forecast = platform.forecasts.latest.get(target.series_id)
            points = [[p.ts, p.value, p.lo, p.hi] for p in forecast.projection] if forecast else \
                sig.evidence.get("projection")
            target.projection, target.limit = points, sig.evidence.get("limit")


@router.get("/{series_id}/samples", response_model=SamplesOut)
def samples(series_id: int, who: Who, session: SessionDep, platform: PlatformDep, start: float | None = None,
            end: float | None = None, max_points: MaxPoints = 500) -> SamplesOut:
    row = series_row(session, series_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"series {series_id} not found")
    start, end = _range(start, end)
    return _samples(row.id, row.name, row.unit, platform.store.read(row.id, start, end, max_points))


def _label_suffix(labels: dict[str, str]) -> str:
    return "{" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())) + "}" if labels else ""


def _samples(series_id: int, name: str, unit: str, rng) -> SamplesOut:  # noqa: ANN001
    if rng is None or len(rng.timestamps) == 0:
        return SamplesOut(series_id=series_id, name=name, unit=unit, timestamps=[], values=[])
    mins = getattr(rng, "min", None)
    maxs = getattr(rng, "max", None)
    return SamplesOut(series_id=series_id, name=name, unit=unit, timestamps=rng.timestamps.tolist(),
                      values=rng.values.tolist(), min=None if mins is None else mins.tolist(),
                      max=None if maxs is None else maxs.tolist())
