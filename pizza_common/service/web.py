"""Flask app factory shared by the services: JSON errors, input checks, health, serving."""

import hmac
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import Flask, Response, current_app, jsonify, request
from flask_openapi3 import APIBlueprint, Info, OpenAPI
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from pizza_common.auth.credentials import check_credentials
from pizza_common.contract.names import STAFF_HEADER
from pizza_common.service import healthz as health
from pizza_common.service import safety, tracing
from pizza_common.service.settings import DaprSettings, Settings
from pizza_common.sidecar import dapr_io
from pizza_common.sidecar.dapr_io import DaprUnavailable

log = logging.getLogger(__name__)
# What a view returns; real types, since flask-openapi3 evaluates view annotations.
Reply = Response | dict[str, Any] | tuple[Response | dict[str, Any], int]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
TOKEN_HEADER = "dapr-api-token"
Marked = TypeVar("Marked")
SIDECAR_OPEN = (
    "this app's routes for Dapr and its sidecar's API are open to every local process, and the sidecars "
    "talk without mTLS"
)


def error(code: int, message: str, /, **extra: Any) -> Reply:
    """Return a JSON error response naming the problem."""
    return jsonify({"error": message, **extra}), code


class Problem(BaseModel):
    field: str
    problem: str


class InvalidRequest(BaseModel):
    """The 422 answer, as published in each service's OpenAPI description."""

    error: str
    problems: list[Problem]


class _OpenAPI(OpenAPI):
    def generate_spec_json(self) -> None:
        super().generate_spec_json()  # type: ignore[no-untyped-call]
        # flask-openapi3 documents the 422 answer as a list of the model; it is one InvalidRequest.
        for path_item in self.spec_json["paths"].values():
            for operation in path_item.values():
                content = operation["responses"]["422"]["content"]["application/json"]
                content["schema"] = {"$ref": "#/components/schemas/InvalidRequest"}


def _validation_problems(exc: ValidationError) -> Response:
    # flask-openapi3 aborts with what this returns, so it must be a full Response.
    problems = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "problem": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    fields = ", ".join(p["field"] for p in problems)
    resp = jsonify({"error": f"invalid request: {fields}", "problems": problems})
    resp.status_code = 422
    return resp


def dapr_only(target: Marked) -> Marked:
    """Mark a view, or every route of a blueprint, as called by the sidecar only (it sends APP_API_TOKEN)."""
    target.dapr_only = True  # type: ignore[attr-defined]  # flask-openapi3's wrapper copies it (wraps)
    return target


def dapr_or_staff(target: Marked) -> Marked:
    """Mark a view as called by the sidecar (the app token) or by staff (their token), by no one else."""
    target.or_staff = True  # type: ignore[attr-defined]
    return dapr_only(target)


def staff_token() -> str | None:
    """Return the staff token this app checks, or None when staff routes are open to all."""
    token: str | None = current_app.config["SETTINGS"].staff_token
    return token


def sent_token() -> bool | None:
    """Return whether the request's staff header is right, or None when it sends none."""
    token, sent = staff_token(), request.headers.get(STAFF_HEADER)
    if sent is None or token is None:
        return None
    return hmac.compare_digest(sent.encode(), token.encode())


def check_app_token() -> Reply | None:
    """Refuse a route for Dapr only without the app token (when one is set), or staff's token if it may."""
    token = current_app.config["SETTINGS"].app_api_token
    view = current_app.view_functions.get(request.endpoint or "")
    blueprint = current_app.blueprints.get(request.blueprint or "")
    if not token or not (getattr(view, "dapr_only", False) or getattr(blueprint, "dapr_only", False)):
        return None
    # In constant time, on the bytes sent: WSGI decodes header bytes as latin-1 (PEP 3333).
    sent = request.headers.get(TOKEN_HEADER, "").encode("latin-1", "replace")
    if hmac.compare_digest(sent, token.encode()):
        return None
    if getattr(view, "or_staff", False):
        if sent_token():
            return None
        return error(401, f"this route is for Dapr and staff only: send {TOKEN_HEADER} or {STAFF_HEADER}")
    return error(401, f"this route is for Dapr only: send the app token in the {TOKEN_HEADER} header")


def _check_json_body() -> Reply | None:
    if request.method not in BODY_METHODS:
        return None
    if not request.is_json:
        return error(415, "request body must be JSON (Content-Type: application/json)")
    if request.get_json(silent=True) is None:
        return error(400, "request body is not valid JSON")
    return None


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Reply:
        return error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(DaprUnavailable)
    def dapr_down(exc: DaprUnavailable) -> Reply:
        log.error("Dapr call failed: %s", exc)
        return error(503, "a dependency is unavailable, try again", detail=str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Reply:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, "internal error")


# Loggers that say INFO on every request or workflow step: at load, writing those lines cost
# more CPU than the work they describe. Their warnings and errors still show.
CHATTY_LOGGERS = ("httpx", "durabletask-worker", "durabletask-client", "WorkflowRuntime")


def configure_logging(level: str) -> None:
    """Log to stderr in one format for every service."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().getEffectiveLevel() >= logging.INFO:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


def use_staff_guard(app: Flask, guard: Callable[[], Reply | None]) -> None:
    """Have the app run the staff's guard (auth.staff_guard) at its place among the request checks."""
    app.extensions["staff_guard"] = guard


def _check_staff() -> Reply | None:
    guard: Callable[[], Reply | None] | None = current_app.extensions.get("staff_guard")
    return guard() if guard else None


def create_service_app(
    name: str,
    import_name: str,
    blueprints: Iterable[APIBlueprint],
    test_config: Mapping[str, Any] | None = None,
) -> OpenAPI:
    """Build a service's app: the suite's defaults, then the environment, then `test_config`."""
    settings = Settings()
    configure_logging(settings.log_level)
    app = _OpenAPI(
        import_name,
        info=Info(title=name, version="1.0.0"),
        validation_error_status=422,
        validation_error_callback=_validation_problems,
        validation_error_model=InvalidRequest,
        # Declared, if only so that the description is valid OpenAPI (flask-openapi3 writes null).
        security_schemes={"daprAppToken": {"type": "apiKey", "in": "header", "name": TOKEN_HEADER}},
    )
    app.config.from_mapping(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    if test_config:
        app.config.update(test_config)
    # From the environment, as the sidecar has them, whatever SETTINGS a test passes.
    tokens = {"DAPR_API_TOKEN": DaprSettings().api_token, "APP_API_TOKEN": settings.app_api_token}
    check_credentials(app, settings.profile, tokens, SIDECAR_OPEN)
    safety.init_app(app, [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()])
    app.before_request(check_app_token)  # first: a caller without the token learns nothing else
    app.before_request(_check_staff)  # then staff's views: one who is not staff learns nothing more
    app.before_request(_check_json_body)
    _register_errors(app)
    tracing.init_app(app, name)
    safety.refuse_other_hosts(app)  # last, so outermost: before tracing reads the Host
    dapr_io.init_app(app)
    for bp in blueprints:
        app.register_api(bp)
    health.init_app(app, name)
    return app
