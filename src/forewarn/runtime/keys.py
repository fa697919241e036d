"""Keys that must survive restarts: taken from settings, else generated once and kept (0600) in the data dir."""

from __future__ import annotations

import secrets

from forewarn.settings import Settings


def persistent_key(settings: Settings, name: str, configured: str | None = None) -> str:
    if configured:
        return configured
    path = settings.data_dir / name
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
