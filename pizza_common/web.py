"""Flask app factory shared by the services: JSON errors, input checks, health, serving."""

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_openapi3 import APIBlueprint, Info, OpenAPI
from gunicorn.app.base import BaseApplication
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from pizza_common import dapr_io
from pizza_common.dapr_io import DaprUnavailable
from pizza_common.settings import Settings

log = logging.getLogger(__name__)
# What a view returns; real types, since flask-openapi3 evaluates view annotations.
Reply = Response | dict[str, Any] | tuple[Response | dict[str, Any], int]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def error(code: int, message: str, /, **extra: Any) -> Reply:
    """Return a JSON error response naming the problem."""
    return jsonify({"error": message, **extra}), code


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


def configure_logging(level: str) -> None:
    """Log to stderr in one format for every service."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def create_service_app(
    name: str,
    import_name: str,
    blueprints: Iterable[APIBlueprint],
    test_config: Mapping[str, Any] | None = None,
) -> OpenAPI:
    """Build a service's app: the suite's defaults, then the environment, then `test_config`."""
    settings = Settings()
    configure_logging(settings.log_level)
    app = OpenAPI(
        import_name,
        info=Info(title=name, version="1.0.0"),
        validation_error_status=422,
        validation_error_callback=_validation_problems,
    )
    app.config.from_mapping(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    if test_config:
        app.config.update(test_config)
    app.before_request(_check_json_body)
    _register_errors(app)
    dapr_io.init_app(app)
    for bp in blueprints:
        app.register_api(bp)

    @app.get("/healthz")
    def healthz() -> Reply:
        return {"status": "ok", "app": name}

    return app


class _Server(BaseApplication):  # type: ignore[misc]
    """gunicorn, embedded so that `python3 app.py` serves like production."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._factory()  # in the worker, after fork: gRPC must not cross a fork


def serve(factory: Callable[[], Flask], port: int, settings: Settings | None = None) -> None:
    """Serve the app from `factory` on settings.host:port with gunicorn's threaded workers."""
    settings = settings or Settings()
    options = {
        "bind": f"{settings.host}:{settings.app_port or port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        "graceful_timeout": 5,
        "loglevel": settings.log_level.lower(),
    }
    _Server(factory, options).run()
