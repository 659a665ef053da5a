"""What keeps other web sites out: the Host values a service answers to, and strict security headers."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from flask_talisman import Talisman
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Only this origin's own files; no inline script or style, no framing, no plugins.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask, allowed_hosts: list[str]) -> None:
    """Refuse requests for any other Host (DNS rebinding) and send the security headers."""
    # Werkzeug answers any other Host with a 400 before a view runs. (Flask's default is None.)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = allowed_hosts
    Talisman(
        app,
        force_https=False,  # served on loopback over plain HTTP, as Dapr's sidecars call it
        strict_transport_security=False,
        session_cookie_secure=False,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="no-referrer",
        permissions_policy={},
    )


def refuse_other_hosts(app: Flask) -> None:
    """Answer a request for any other Host with a 400 before anything else reads it (tracing does)."""
    inner: WsgiApp = app.wsgi_app
    trusted = app.config["TRUSTED_HOSTS"]

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            get_host(environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), None, trusted)
        except SecurityError:
            body = json.dumps({"error": f"this shop does not answer to Host {environ.get('HTTP_HOST')!r}"})
            start_response("400 BAD REQUEST", [("Content-Type", "application/json")])
            return [body.encode()]
        return inner(environ, start_response)

    app.wsgi_app = guarded  # type: ignore[method-assign]
