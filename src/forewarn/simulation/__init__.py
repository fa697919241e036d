"""Digital twin scenarios, fault injection, and the break-fix vs managed comparison on the real pipeline."""

from forewarn.simulation.faults import KINDS as FAULT_MODELS
from forewarn.simulation.faults import FaultModel, Truth
from forewarn.simulation.outcome import FaultOutcome, PolicyResult
from forewarn.simulation.policies import Handling, IncidentView, ManagedDesk, break_fix
from forewarn.simulation.runner import Pipeline, SimulationResult, run_simulation, simulation_store
from forewarn.simulation.scenario import FAULT_KINDS, Scenario, load_scenario, parse_scenario
from forewarn.simulation.twin import Twin

__all__ = [
    "FAULT_KINDS", "FAULT_MODELS", "FaultModel", "FaultOutcome", "Handling", "IncidentView", "ManagedDesk",
    "Pipeline", "PolicyResult", "Scenario", "SimulationResult", "Truth", "Twin", "break_fix", "load_scenario",
    "parse_scenario", "run_simulation", "simulation_store",
]
