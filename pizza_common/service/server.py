"""Serve a service with gunicorn, so that `python3 app.py` runs as production does."""

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from pizza_common.service.settings import Settings

log = logging.getLogger(__name__)
_AT_WORKER_EXIT: list[Callable[[], None]] = []


class RefusedStart(SystemExit):
    """The app must not start: its worker exits with gunicorn's "App failed to load" code, on which
    the master stops too (on any other code it would start the worker again, and again)."""

    def __init__(self, message: str) -> None:
        super().__init__(Arbiter.APP_LOAD_ERROR)
        self.message = message
        log.critical(message)  # an exit code says nothing: the log says why

    def __str__(self) -> str:
        return self.message


def at_worker_exit(stop: Callable[[], None]) -> None:
    """Run `stop` when a gunicorn worker stops, before Python waits for the threads it would stop."""
    _AT_WORKER_EXIT.append(stop)


def _worker_exit(_server: Any, _worker: Any) -> None:
    for stop in reversed(_AT_WORKER_EXIT):
        stop()


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
        "worker_exit": _worker_exit,
        "loglevel": settings.log_level.lower(),
    }
    _Server(factory, options).run()
