"""The workflow's rules, from the environment (PIZZA_*) or the WORKFLOW_SETTINGS config key."""

from flask import current_app
from pydantic_settings import BaseSettings, SettingsConfigDict

from pizza_workflow.types import Rules


class WorkflowSettings(Rules, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIZZA_", extra="ignore")


def workflow_settings() -> WorkflowSettings:
    """Return the current app's workflow settings."""
    settings: WorkflowSettings = current_app.config["WORKFLOW_SETTINGS"]
    return settings
