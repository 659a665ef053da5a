"""What keeps other web sites out: the Host values a service answers to, and strict security headers."""

from flask import Flask
from flask_talisman import Talisman

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
