"""Tables of the remediation area (runbooks, runs, approvals); filled in by its own migration."""
