"""The simulation area's table: stored comparison runs per tenant, with their result document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType


class SimulationRunRow(Base):
    """One break-fix vs managed run for a tenant; `result` holds every number and series the page shows."""

    __tablename__ = "simulation_runs"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    scenario: Mapped[str] = mapped_column(String(200))
    # Where the scenario was read from, so the page can run it again; empty when it came from elsewhere.
    scenario_path: Mapped[str] = mapped_column(String(1000), default="")
    seed: Mapped[int] = mapped_column(Integer)
    days: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running, done, failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # share of simulated minutes done, 0…1
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[float] = mapped_column(Float, index=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # wall time the run took
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
