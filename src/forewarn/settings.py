"""The one typed Settings object; the only reader of the environment (FOREWARN_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOREWARN_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="where the SQLite and DuckDB files live")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    base_url: str | None = Field(default=None, description="URL users reach the UI at, for links in notifications")
    notify_enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8080
    admin_user: str = "admin"
    admin_password: str | None = None
    secret_key: str | None = Field(default=None, description="signs session cookies; generated if unset")
    remediation_key: str | None = Field(default=None, description="encrypts runbook secrets; generated if unset")
    runbooks_dir: Path | None = Field(default=None, description="runbook YAML files loaded at start")
    agent_interval: float = 10.0
    agent_enabled: bool = True
    forecast_interval: float = Field(default=300.0, description="seconds between forecast rounds")
    syslog_host: str = Field(default="127.0.0.1", description="address the syslog receiver listens on")
    syslog_port: int | None = Field(default=None, ge=0, le=65535,
                                    description="UDP and TCP port of the syslog receiver (0: any free); unset: off")
    scheduler_concurrency: int = 64
    scheduler_jitter: float = 0.1
    max_request_bytes: int = 8 * 1024 * 1024
    login_attempts_per_minute: int = 10
    require_services: bool = False
    log_level: str = "INFO"

    @property
    def public_url(self) -> str:
        return self.base_url or f"http://{self.host}:{self.port}"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "forewarn.db"

    @property
    def series_path(self) -> Path:
        return self.data_dir / "series.duckdb"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path.resolve()}"
