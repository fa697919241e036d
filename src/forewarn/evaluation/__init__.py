"""Scorers for public benchmarks (NAB, Loghub, RCA cases)."""
