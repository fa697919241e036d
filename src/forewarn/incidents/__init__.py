"""Incident (ticket) state machine and timeline."""
