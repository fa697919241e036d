"""A tenant's dependency graph held in memory for correlation: integer-indexed adjacency, bounded-distance
neighbourhoods and transitive closures, each computed once per asset and topology version."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np
from sqlalchemy.orm import Session

from forewarn.inventory import asset_briefs, tenant_edges, topology_version

GROUP_DISTANCE = 3  # a related problem is at most this many dependency hops away (either direction)


class TenantGraph:
    """Assets as integers 0..n-1; `deps[i]` are what i depends on, `users[i]` what depends on i."""

    def __init__(self, version: tuple, ids: list[str], names: list[str], edges: np.ndarray) -> None:
        self.version = version
        self.ids = ids
        self.names = names
        self.index = {a: i for i, a in enumerate(ids)}
        self.deps = _adjacency(len(ids), edges[:, 0], edges[:, 1])
        self.users = _adjacency(len(ids), edges[:, 1], edges[:, 0])
        self._near: dict[int, dict[int, int]] = {}
        self._down: dict[int, frozenset[int]] = {}
        self._up: dict[int, frozenset[int]] = {}

    @classmethod
    def load(cls, session: Session, tenant_id: str, version: tuple | None = None) -> TenantGraph:
        version = version if version is not None else topology_version(session, tenant_id)
        pairs = tenant_edges(session, tenant_id)
        ids = sorted({a for pair in pairs for a in pair})
        names = asset_briefs(session, set(ids))
        index = {a: i for i, a in enumerate(ids)}
        edges = np.array([(index[a], index[b]) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
        return cls(version, ids, [names.get(a, (a, None))[0] for a in ids], edges)

    def node(self, asset_id: str, name: str | None = None) -> int:
        """The asset's index; an asset without dependencies becomes an isolated node on first sight."""
        i = self.index.get(asset_id)
        if i is None:
            i = len(self.ids)
            self.index[asset_id] = i
            self.ids.append(asset_id)
            self.names.append(name or asset_id)
            self.deps.append(())
            self.users.append(())
        return i

    def near(self, i: int) -> dict[int, int]:
        """Hops to what it depends on and to what depends on it, within GROUP_DISTANCE.

        Siblings (two servers behind one healthy switch) are not related: a failure travels along
        dependencies, never sideways, so only a shared failing dependency ties siblings together.
        """
        out = self._near.get(i)
        if out is None:
            out = {**_bounded(self.users, i, GROUP_DISTANCE), **_bounded(self.deps, i, GROUP_DISTANCE)}
            self._near[i] = out
        return out

    def dependencies(self, i: int) -> frozenset[int]:
        """Everything it depends on, directly or not."""
        out = self._down.get(i)
        if out is None:
            out = self._down[i] = _closure(self.deps, i)
        return out

    def dependants(self, i: int) -> frozenset[int]:
        """Everything depending on it, directly or not."""
        out = self._up.get(i)
        if out is None:
            out = self._up[i] = _closure(self.users, i)
        return out

    def edges_within(self, nodes: Iterable[int]) -> list[tuple[str, str]]:
        """(dependant name, dependency name) for every edge among `nodes`."""
        keep = set(nodes)
        names = self.names
        return [(names[a], names[b]) for a in keep for b in self.deps[a] if b in keep]


def _adjacency(n: int, src: np.ndarray, dst: np.ndarray) -> list[tuple[int, ...]]:
    """CSR built with one sort, then one tuple per node: BFS in Python reads tuples fastest."""
    order = np.argsort(src, kind="stable")
    indptr = np.searchsorted(src[order], np.arange(n + 1))
    targets = dst[order].tolist()
    bounds = indptr.tolist()
    return [tuple(targets[bounds[k]:bounds[k + 1]]) for k in range(n)]


def _bounded(adj: list[tuple[int, ...]], start: int, cutoff: int) -> dict[int, int]:
    seen = {start: 0}
    frontier = [start]
    for depth in range(1, cutoff + 1):
        nxt = []
        for u in frontier:
            for v in adj[u]:
                if v not in seen:
                    seen[v] = depth
                    nxt.append(v)
        if not nxt:
            break
        frontier = nxt
    return seen


def _closure(adj: list[tuple[int, ...]], start: int) -> frozenset[int]:
    seen: set[int] = set()
    queue = deque(adj[start])
    while queue:
        v = queue.popleft()
        if v not in seen:
            seen.add(v)
            queue.extend(adj[v])
    seen.discard(start)  # a cycle must not make an asset its own dependant
    return frozenset(seen)
