"""remediation area (later issues)."""
