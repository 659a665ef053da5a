"""The staff's credential as every service checks it: the X-Staff-Token header against
PIZZA_STAFF_TOKEN. With no staff token set (the workshop's development mode) staff routes are open."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

from pizza_common.auth import credentials
from pizza_common.contract.names import STAFF_HEADER
from pizza_common.service import web
from pizza_common.service.web import Reply, error, sent_token, staff_token

View = TypeVar("View", bound=Callable[..., Any])
STAFF_OPEN = "anyone can act as the kitchen, the manager and the operator"


def forbidden() -> Reply:
    """Return the 403 that says how staff get in."""
    return error(403, f"staff only: sign in with the link `make run` prints, or send {STAFF_HEADER}")


def staff_only(view: View) -> View:
    """Mark a view as staff's: the guard `init_app` installs refuses anyone else before it runs."""
    view.staff_only = True  # type: ignore[attr-defined]  # flask-openapi3's wrapper copies it (wraps)
    return view


def init_app(app: Flask, *, signs: bool = False, also: Callable[[], bool] = lambda: False) -> None:
    """Check the staff's credentials, and answer 403 on a staff view unless staff routes are open,
    the staff header is right, or `also()` says yes."""
    settings = app.config["SETTINGS"]
    required = {"PIZZA_STAFF_TOKEN": settings.staff_token}
    if signs:
        required["PIZZA_SECRET_KEY"] = settings.secret_key
    # The locked profile refuses to start without them; the development one says loudly what is open.
    credentials.check_credentials(app, settings.profile, required, STAFF_OPEN)

    def guard() -> Reply | None:
        view = current_app.view_functions.get(request.endpoint or "")
        if not getattr(view, "staff_only", False) or staff_token() is None or sent_token() or also():
            return None
        return forbidden()

    web.use_staff_guard(app, guard)
