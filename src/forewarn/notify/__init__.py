"""notify area (later issues)."""
