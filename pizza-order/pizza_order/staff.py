"""Who may do what through pizza-order: staff sign in (or send their token), and each customer
holds the token of their own order. With no staff token set (a plain `dapr run -f .`, the
workshop's development mode) every action is open, and the page says so."""

import base64
import hashlib
import hmac
import secrets
from typing import Any

from flask import Flask, current_app, redirect, request, session
from flask_openapi3 import APIBlueprint
from flask_wtf.csrf import CSRFProtect, generate_csrf
from pydantic import BaseModel

from pizza_common.auth import signin
from pizza_common.auth import staff_guard as shared
from pizza_common.auth.staff_guard import staff_only
from pizza_common.contract.names import STAFF_HEADER
from pizza_common.service.web import Reply, error, sent_token, staff_token
from pizza_common.sidecar.dapr_io import ETagMismatch, gateway

__all__ = ["staff_only"]  # the shared mark: this app's guard also lets a signed-in browser in

ORDER_HEADER = "X-Order-Token"
FOLLOWED = "follows"  # the session's list of the orders this browser may stream
MAX_FOLLOWED = 40  # the newest; a session cookie holds 4 KB, an order id up to 64 characters
NEW_LINK = "`pizza staff-link` prints a new one"
csrf = CSRFProtect()
bp = APIBlueprint("staff", __name__)


class SignIn(BaseModel):
    token: str = ""


def init_app(app: Flask) -> None:
    """Sign sessions with the suite's secret, and check CSRF on what a signed-in browser sends."""
    settings = app.config["SETTINGS"]
    shared.init_app(app, signs=True, also=is_staff)
    # Without a secret (development) sessions last as long as the process. (Flask's default is None.)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key or secrets.token_urlsafe(32)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # only requests that a cookie authorises
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    csrf.init_app(app)


def open_to_all() -> bool:
    """Return whether no staff token is set: the development mode, where anyone acts as staff."""
    return not staff_token()


def is_staff() -> bool:
    """Return whether this request comes from staff: their token, or a signed-in browser (CSRF-checked)."""
    if staff_token() is None:
        return True
    sent = sent_token()
    if sent is not None:  # a header no other site can make a browser send: no CSRF to fear
        return sent
    if not session.get("staff"):
        return False
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # raises a 400 naming the missing or wrong token
    return True


def order_token(order_id: str) -> str:
    """Return the customer's token of an order: unguessable without the suite's secret."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"order:{order_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def holds_order(order_id: str) -> bool:
    """Return whether the request may see and cancel this order: staff, or its customer's token (a header:
    never in a URL, which logs, spans and a browser's history keep)."""
    sent = request.headers.get(ORDER_HEADER)
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, so a 500).
    return is_staff() or (
        sent is not None and hmac.compare_digest(sent.encode(), order_token(order_id).encode())
    )


def not_yours(order_id: str) -> Reply:
    """Return the 403 for an order asked for without its token."""
    return error(403, f"order {order_id}: send its token ({ORDER_HEADER}), or sign in as staff")


def follow(order_id: str) -> None:
    """Let this browser stream the order's events: its session (signed, HttpOnly) holds the order's id."""
    followed = [o for o in session.get(FOLLOWED, []) if o != order_id]
    session[FOLLOWED] = [*followed, order_id][-MAX_FOLLOWED:]


def follows(order_id: str) -> bool:
    """Return whether this browser may stream the order's events: staff, or it showed the order's token."""
    return is_staff() or order_id in session.get(FOLLOWED, [])


def headers() -> dict[str, str]:
    """Return the headers that carry the staff's authority on to pizza-workflow."""
    token = staff_token()
    return {STAFF_HEADER: token} if token else {}


@bp.get("/staff", doc_ui=False)
def sign_in(query: SignIn) -> Any:
    """Sign this browser in as staff with the one-time link `make run` prints, then open the page."""
    if staff_token():
        try:
            used = signin.nonce(str(current_app.config["SECRET_KEY"]), query.token)
        except signin.SignatureExpired:
            return error(403, f"this sign-in link has expired: {NEW_LINK}")
        except signin.BadSignature:
            return error(403, f"not a sign-in link: {NEW_LINK}")
        try:  # first write wins: of two browsers with one link, one signs in
            # Kept as long as the link is good (it was made before this write), then dropped.
            gateway().save_state(f"staff_sign_in_{used}", {"used": True}, create=True, ttl_s=signin.MAX_AGE_S)
        except ETagMismatch:
            return error(403, f"this sign-in link was used already: {NEW_LINK}")
    session.clear()
    session["staff"] = True
    return redirect("/#kitchen", code=303)


@bp.post("/staff/sign-out", doc_ui=False)
def sign_out() -> Reply:
    """Sign this browser out."""
    if session.get("staff"):
        csrf.protect()
    session.clear()
    return {"staff": False}


@bp.get("/api/session", doc_ui=False)
def whoami() -> Reply:
    """Return whether this browser acts as staff, whether everyone does, and its CSRF token."""
    return {
        "staff": bool(session.get("staff")) or open_to_all(),
        "open": open_to_all(),
        "csrf": generate_csrf(),
    }
