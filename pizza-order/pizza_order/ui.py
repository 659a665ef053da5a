"""The shop page: static HTML, CSS and JavaScript served by pizza-order, no build step."""

from flask import current_app
from flask_openapi3 import APIBlueprint

from pizza_common.service.web import Reply

bp = APIBlueprint("ui", __name__)


@bp.get("/", doc_ui=False)
def page() -> Reply:
    """Return the shop page: menu, order form, live trackers, kitchen, manager and orders views."""
    resp = current_app.send_static_file("index.html")
    resp.headers["Cache-Control"] = "no-cache"
    return resp
