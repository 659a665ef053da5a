"""The workflow's rules, from the environment (PIZZA_*) or the WORKFLOW_SETTINGS config key."""

from flask import current_app
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pizza_workflow.types import Rules


class WorkflowSettings(Rules, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIZZA_", extra="ignore")

    cancel_wait_s: float = Field(default=10.0, gt=0)
    """How long /cancel-order waits for the workflow to take a cancel before it answers 202."""

    sweep_interval_s: float = Field(default=300.0, gt=0)
    """How often the safety net looks for failed orders that may still hold money or stock."""

    def rules(self) -> Rules:
        """Return the rules an order runs under, as its workflow's input carries them."""
        return Rules.model_validate(self.model_dump(include=set(Rules.model_fields)))


def workflow_settings() -> WorkflowSettings:
    """Return the current app's workflow settings."""
    settings: WorkflowSettings = current_app.config["WORKFLOW_SETTINGS"]
    return settings
