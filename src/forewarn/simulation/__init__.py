"""simulation area (later issues)."""
