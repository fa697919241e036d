"""reports area (later issues)."""
