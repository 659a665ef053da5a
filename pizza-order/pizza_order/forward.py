"""Reach the other services for the shop page through Dapr service invocation."""

from typing import Any

from flask import jsonify

from pizza_common.service.web import Reply
from pizza_common.sidecar.dapr_io import Invocation, gateway
from pizza_order import staff


def relay(answer: Invocation) -> Reply:
    """Return another service's answer as it is: its status code and its JSON body."""
    return jsonify(answer.body), answer.status_code


def get(app_id: str, method: str) -> Reply:
    """Relay a GET to another app, with the staff's authority (the caller's was checked here)."""
    return relay(gateway().invoke_get(app_id, method, staff.headers()))


def post(app_id: str, method: str, data: Any) -> Reply:
    """Relay a JSON POST to another app, with the staff's authority (the caller's was checked here)."""
    return relay(gateway().invoke(app_id, method, data, staff.headers()))
