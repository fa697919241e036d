"""When the correlator re-reads a tenant's topology version: at once after this process committed an
inventory change (assets or dependencies written through the ORM), otherwise at most every RECHECK_SECONDS.

The version query (a count and a max over all of a tenant's assets and dependencies) cost milliseconds per
batch at 10,000 assets; changes made by another process (the API in scale-out mode) wait at most the interval.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from forewarn.inventory.models import AssetRow, DependencyRow

RECHECK_SECONDS = 2.0
_WATCHED = (AssetRow, DependencyRow)
_FLAG = "forewarn.inventory_changed"


class TopologyWatch:
    """A process-wide count of committed inventory changes and, per tenant, when its version was last read."""

    def __init__(self) -> None:
        self.generation = 0
        self._checked: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.generation += 1

    def due(self, tenant_id: str) -> bool:
        """Whether the tenant's version must be read again before its next batch."""
        seen = self._checked.get(tenant_id)
        return seen is None or seen[0] != self.generation or time.monotonic() - seen[1] >= RECHECK_SECONDS

    def checked(self, tenant_id: str, generation: int) -> None:
        """The version was read; `generation` is the count taken before the read (a change during it counts)."""
        self._checked[tenant_id] = (generation, time.monotonic())

    def reset(self, tenant_id: str | None = None) -> None:
        if tenant_id is None:
            self._checked.clear()
        else:
            self._checked.pop(tenant_id, None)


WATCH = TopologyWatch()


def _touches_inventory(session: Session) -> bool:
    return any(isinstance(o, _WATCHED) for group in (session.new, session.dirty, session.deleted) for o in group)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    if _touches_inventory(session):
        session.info[_FLAG] = True
        WATCH.bump()  # visible to this session's own batches before the commit


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: object) -> None:
    # Bulk ORM statements (insert(AssetRow) with a list of rows, update/delete by criteria) skip the flush.
    if (state.is_insert or state.is_update or state.is_delete) and any(  # type: ignore[attr-defined]
            m.class_ in _WATCHED for m in state.all_mappers):  # type: ignore[attr-defined]
        state.session.info[_FLAG] = True  # type: ignore[attr-defined]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        WATCH.bump()  # other sessions see the change only now: read the version again after this
