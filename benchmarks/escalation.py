"""Escalation tick cost: N new unacknowledged incidents, one policy (rota then a person), on SQLite.

Prints seconds for the tick that starts every escalation and pages the on-call person (one outbox
row each), for the idle tick right after (nothing due), and for the tick that runs step 2.
Run: .venv/bin/python benchmarks/escalation.py [N]

Before the tick was batched (commit 916e54f, ~17 small queries per step), measured on the same 2-core
machine under the same load, N=1000: start + step 1 26.8 s (37 steps/s), idle 0.009 s, step 2 14.3 s
(70 steps/s). The batched tick reads through one per-tick cache and writes events, pages and progress
with executemany. Objects made at import and setup are frozen out of the garbage collector's scans
first (gc.freeze, as a long-running server would after start-up), so a full collection over them does
not land inside a measured tick.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from datetime import date

from forewarn.auth import Principal, Role, ensure_tenant, set_email
from forewarn.auth.models import UserRow
from forewarn.db import Database, migrate
from forewarn.incidents.models import IncidentRow
from forewarn.notify import ChannelIn, PolicyIn, RotaIn, create_channel, create_policy, create_rota, tick
from forewarn.notify.escalation_schemas import StepIn

T0 = 1_700_000_000.0
BEFORE = {"start + step 1": 37, "step 2": 70}  # steps/s of the per-step tick, N=1000 (see the docstring)


def main(n: int) -> None:
    db = Database(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    migrate(db.engine)
    system = Principal.system()
    with db.session() as s:
        tenant = ensure_tenant(s, "acme", "Acme").id
        for name in ("alice", "bob"):
            s.add(UserRow(username=name, password_hash="-", role=Role.TECHNICIAN.value))
            s.flush()
            set_email(s, system, name, f"{name}@msp.example")
        create_channel(s, system, "acme", ChannelIn(name="mail", kind="email", events=["resolved"], config={
            "host": "127.0.0.1", "port": 25, "security": "none", "from_addr": "f@msp.example",
            "to": ["ops@msp.example"]}), T0)
        create_rota(s, system, "acme", RotaIn(name="primary", start_date=date(2023, 1, 1), members=["alice"]), T0)
        create_policy(s, system, "acme", PolicyIn(name="default", steps=[StepIn(rota="primary", wait_minutes=5),
                                                                           StepIn(user="bob")]), T0)
        s.add_all(IncidentRow(tenant_id=tenant, title=f"incident {i}", status="new", severity="critical",
                              proactive=False, flapping=False, signal_count=1, opened_at=T0, analysis={})
                  for i in range(n))
    gc.freeze()
    for label, at in (("start + step 1", T0), ("idle (nothing due)", T0 + 60), ("step 2", T0 + 300)):
        started = time.perf_counter()
        with db.session() as s:
            report = tick(s, at, limit=n)
        took = time.perf_counter() - started
        before = f"; before batching {BEFORE[label]} steps/s" if label in BEFORE else ""
        print(f"{label:>20}: {took:7.3f} s  ({report.started} started, {report.steps} steps"
              f"{f', {report.steps / took:,.0f} steps/s' if report.steps else ''}{before})")
    db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
