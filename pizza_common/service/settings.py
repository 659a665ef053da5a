"""Typed configuration: defaults, then the environment (PIZZA_*, DAPR_*), then test overrides."""

from functools import cache
from typing import Literal

from flask import current_app, has_app_context
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pizza_common.contract.names import ZIPKIN_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIZZA_", extra="ignore")

    time_scale: float = Field(default=1.0, ge=0, le=100)
    """Multiplier of the workshop's stage durations: 1 as written, 0.1 ten times faster, 0 none."""
    host: str = "127.0.0.1"
    app_port: int | None = Field(default=None, validation_alias="APP_PORT")
    """Set by `dapr run`; otherwise the workshop's port of the app."""
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024
    invoke_timeout_s: float = 120.0
    workers: int = 1
    threads: int = 16
    app_api_token: str | None = Field(default=None, validation_alias="APP_API_TOKEN")
    """The token the sidecar sends on its calls to the app; routes for Dapr only require it when set."""
    staff_token: str | None = None
    """The staff's credential (PIZZA_STAFF_TOKEN): kitchen, manager and operator actions need it when set."""
    secret_key: str | None = None
    """Signs pizza-order's staff sessions and each order's customer token (PIZZA_SECRET_KEY)."""
    profile: Literal["development", "locked"] = "development"
    """How the suite runs: dapr.yaml says development (tokens optional), dapr.locked.yaml locked."""
    allowed_hosts: str = "127.0.0.1,localhost,[::1]"
    """The Host values the apps answer to, comma-separated; any other is refused (DNS rebinding)."""
    health_timeout_s: float = 0.3
    """How long /healthz waits for the sidecar: less than daprd's app health probe timeout (0.5 s)."""
    tracing: Literal["on", "off"] = "on"
    """Whether the app records spans: off marks every request unsampled, for the sidecars too (the bench)."""
    zipkin_url: str = f"{ZIPKIN_URL}/api/v2/spans"
    """Where the app sends its spans: the Zipkin the sidecars send theirs to (config/*.yaml)."""
    retention_s: int = Field(default=7 * 24 * 3600, ge=1)
    """How long an order's keys live after their last write (PIZZA_RETENTION_S): far longer than an
    order waits on anyone (a quality check an hour, a manager 200 s), so only finished orders lose them."""


class DaprSettings(BaseSettings):
    """Sidecar address, as `dapr run` sets it for the app."""

    model_config = SettingsConfigDict(env_prefix="DAPR_", extra="ignore")

    http_port: int = 3500
    api_token: str | None = None
    runtime_host: str = "127.0.0.1"

    @property
    def base_url(self) -> str:
        return f"http://{self.runtime_host}:{self.http_port}/v1.0"


@cache
def _environment() -> Settings:
    return Settings()


def retention_s() -> int:
    """Return how long an order's keys live after their last write: the app's setting, or outside an
    app (the workflow's activities) the environment's."""
    settings = current_app.config["SETTINGS"] if has_app_context() else _environment()
    return int(settings.retention_s)
