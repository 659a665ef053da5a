"""The credentials an app needs: refused in the locked profile (or when only some are set), loud in
development, and recorded on the app for /healthz to report."""

import logging
from collections.abc import Mapping

from flask import Flask

from pizza_common.service.server import RefusedStart

log = logging.getLogger(__name__)
MISSING = "MISSING_CREDENTIALS"
"""The app's config key: the credentials it runs without (empty in the locked profile)."""


class MissingCredentials(RefusedStart):
    """The locked-down profile, or only some of a set of credentials: the app must not start open."""


def check_credentials(app: Flask, profile: str, required: Mapping[str, str | None], opens: str) -> list[str]:
    """Return the `required` credentials not set, recorded on the app; refuse to start in the locked
    profile without them, or with only some of them; warn that `opens` in development."""
    missing = [name for name, value in required.items() if not value]
    if missing and (profile == "locked" or len(missing) < len(required)):
        message = (
            f"refusing to start: {', '.join(missing)} not set (profile {profile}): `make run` sets "
            f"{', '.join(required)}; `dapr run -f .` (the development profile) runs with none of them"
        )
        raise MissingCredentials(message)
    if missing:
        log.warning(
            "development profile: no %s: %s; `make run` runs the locked-down suite",
            " or ".join(missing),
            opens,
        )
    app.config[MISSING] = [*app.config.get(MISSING, []), *missing]
    return missing


def missing(app: Flask) -> list[str]:
    """Return the credentials the app runs without: none means it runs locked down."""
    return list(app.config.get(MISSING, []))
