"""Typed configuration of the kitchen, from the environment (PIZZA_*) or the KITCHEN_SETTINGS config key."""

from flask import current_app
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KitchenSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIZZA_", extra="ignore")

    initial_stock: int = Field(default=100, ge=0, le=1_000_000)
    """Units of every ingredient on the shelf when the inventory was never written."""


def kitchen_settings() -> KitchenSettings:
    """Return the current app's kitchen settings."""
    settings: KitchenSettings = current_app.config["KITCHEN_SETTINGS"]
    return settings
