"""Runs a scenario on a throwaway embedded pipeline (temp dir, simulated clock) and stores it as a tenant's run.

The CLI's `forewarn simulate` and the comparison page's "run comparison" button both come through here; the
page's runs go on a background thread that writes its progress to the run's row as it goes.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from forewarn.auth import Principal, get_tenant
from forewarn.core.clock import FakeClock
from forewarn.core.errors import ForewarnError, ValidationFailed
from forewarn.db import Database
from forewarn.runtime.demo import DEFAULT_SCENARIO, DEMO_TENANT
from forewarn.runtime.platform import Platform
from forewarn.settings import Settings
from forewarn.simulation import Scenario, SimulationResult, load_scenario, run_simulation, simulation_store
from forewarn.simulation.comparison import document
from forewarn.simulation.store import (
    RUNNING,
    RunOut,
    fail_run,
    finish_run,
    known_scenario_path,
    latest_run,
    set_progress,
    start_run,
)

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
PROGRESS_STEP = 0.02  # write progress to the row at most every 2 % (one small UPDATE each)
_active: dict[str, threading.Thread] = {}  # run id → the thread working on it, in this process
_lock = threading.Lock()


async def simulate_isolated(scenario: Scenario, days: float | None = None, progress: Progress | None = None,
                            every_result: bool = False) -> SimulationResult:
    """Both policies on a fresh pipeline in a temporary directory; nothing of it outlives the call."""
    with tempfile.TemporaryDirectory(prefix="forewarn-sim-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, agent_enabled=False, notify_enabled=False,
                            admin_password="simulation-only-" + str(scenario.seed))
        platform = Platform(settings, clock=FakeClock(scenario.start), store=simulation_store(), inline_stages=True)
        try:
            return await run_simulation(scenario, platform, days, progress, every_result)
        finally:
            await platform.stop()


def save_result(db: Database, who: Principal, tenant: str, result: SimulationResult, scenario_path: str,
                seconds: float) -> RunOut:
    """Store a finished run (the CLI's --save)."""
    with db.session() as session:
        run = start_run(session, who, tenant, result.scenario, scenario_path, result.seed, result.days,
                        time.time())
        finish_run(session, run.id, document(result, seconds), seconds, time.time())
    with db.session() as session:
        return latest_run(session, who, tenant) or run


def scenario_for(db: Database, who: Principal, tenant: str) -> Path:
    """The scenario file a tenant's comparison runs: its last run's, else the dental one for Demo Dental."""
    with db.session() as session:
        slug = get_tenant(session, who, tenant).slug
        known = known_scenario_path(session, who, tenant)
    if known and Path(known).is_file():
        return Path(known)
    if slug == DEMO_TENANT["slug"] and DEFAULT_SCENARIO.is_file():
        return DEFAULT_SCENARIO
    raise ValidationFailed("no scenario is known for this tenant; store a run once with "
                           "`forewarn simulate SCENARIO --save --tenant SLUG`", where="scenario")


def start_comparison(db: Database, who: Principal, tenant: str, days: float | None = None) -> RunOut:
    """Start a background run of the tenant's scenario, or return the one already running."""
    with db.session() as session:
        running = latest_run(session, who, tenant, status=RUNNING)
    with _lock:
        if running is not None and running.id in _active and _active[running.id].is_alive():
            return running
        if running is not None:  # its thread died with an earlier server process
            with db.session() as session:
                fail_run(session, running.id, "interrupted: the server stopped during the run", time.time())
        path = scenario_for(db, who, tenant)
        scenario = load_scenario(path)  # a broken file fails here, before a run row exists
        with db.session() as session:
            run = start_run(session, who, tenant, scenario.name, str(path), scenario.seed,
                            scenario.days if days is None else days, time.time())
        thread = threading.Thread(target=_work, args=(db, run.id, scenario, run.days), daemon=True,
                                  name=f"comparison-{run.id}")
        _active[run.id] = thread
        thread.start()
    return run


def _work(db: Database, run_id: str, scenario: Scenario, days: float) -> None:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        share = done / max(total, 1)
        if share - last[0] >= PROGRESS_STEP:
            last[0] = share
            with db.session() as session:
                set_progress(session, run_id, share)

    started = time.perf_counter()
    try:
        result = asyncio.run(simulate_isolated(scenario, days, progress))
        seconds = time.perf_counter() - started
        with db.session() as session:
            finish_run(session, run_id, document(result, seconds), seconds, time.time())
    except (ForewarnError, ValueError) as exc:
        with db.session() as session:
            fail_run(session, run_id, str(exc), time.time())
    except Exception as exc:  # the thread must record why, or the page would wait forever
        log.exception("comparison run %s failed", run_id)
        with db.session() as session:
            fail_run(session, run_id, f"internal error: {type(exc).__name__}", time.time())
    finally:
        with _lock:
            _active.pop(run_id, None)


def wait_for(run_id: str, timeout: float | None = None) -> bool:
    """Join a background run of this process (tests, shutdown); True when it is no longer running."""
    thread = _active.get(run_id)
    if thread is not None:
        thread.join(timeout)
    return thread is None or not thread.is_alive()
