"""worker area (later issues)."""
