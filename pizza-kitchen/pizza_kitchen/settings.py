"""Typed configuration of the kitchen, from the environment (PIZZA_*) or the KITCHEN_SETTINGS config key."""

from flask import current_app
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KitchenSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIZZA_", extra="ignore")

    initial_stock: int = Field(default=100, ge=0, le=1_000_000)
    """Units of every ingredient on the shelf when the inventory was never written."""
    finished_order_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    """How long a finished order's own key (`kitchen_order_<id>`) lives: its tombstone for late calls.

    A late reserve, cook or release comes from its workflow's retries, which end within minutes; the
    state of a failed or terminated workflow itself is kept 7 days (config/).
    """


def kitchen_settings() -> KitchenSettings:
    """Return the current app's kitchen settings."""
    settings: KitchenSettings = current_app.config["KITCHEN_SETTINGS"]
    return settings
