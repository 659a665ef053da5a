"""Read a Dapr run file (`dapr.yaml`) by the rules of the Dapr CLI 1.18.0, into daprd and app commands.

Mirrors dapr/cli `pkg/runfileconfig` (paths, precedence, merging) and `pkg/standalone/run.go`
(daprd flags in the CLI's order, the app's environment). `tests/launch/test_conformance.py` holds
it to argv and environments recorded from the real CLI.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPLICA_SEPARATOR = "."  # a replica's name: its app id, this, its number (pizza-kitchen.2)
SENTRY_ADDRESS = "localhost:50001"  # where the CLI points daprd when the configuration enables mTLS
LOG_DESTINATIONS = ("console", "file", "fileAndConsole")


class RunFileError(ValueError):
    """The run file is one the Dapr CLI would refuse."""


@dataclass
class AppSpec:
    """One app of a run file after the CLI's path rules and the merge with `common`."""

    app_id: str
    app_dir: Path
    shared: dict[str, Any]  # the SharedRunConfig fields, merged with common's
    own: dict[str, Any]  # the app's RunConfig fields (ports, command, ...)
    config_file: Path
    resources_paths: list[Path]
    env: dict[str, str] = field(default_factory=dict)
    replica: int = 1  # the instance of app_id, when PIZZA_REPLICAS runs several (pizza_run.replicas)

    @property
    def name(self) -> str:
        """Return the app id, or for a second or later replica the app id and its number."""
        return self.app_id if self.replica == 1 else f"{self.app_id}{REPLICA_SEPARATOR}{self.replica}"

    @property
    def command(self) -> list[str]:
        return [str(c) for c in self.own.get("command") or []]

    def log_destination(self, kind: str) -> str:
        """Return where the CLI sends daprd's or the app's output: console, file or fileAndConsole."""
        key = "daprdLogDestination" if kind == "daprd" else "appLogDestination"
        return str(self.shared.get(key) or ("file" if kind == "daprd" else "fileAndConsole"))

    def logs_dir(self) -> Path:
        """Return where the app's and daprd's logs go: the CLI's folder, a folder in it for a replica."""
        logs = self.app_dir / ".dapr" / "logs"
        return logs if self.replica == 1 else logs / f"replica-{self.replica}"


def dapr_dir(runtime_path: str | None, environ: Mapping[str, str]) -> Path:
    """Return the Dapr installation folder: runtimePath, DAPR_RUNTIME_PATH, then the home folder."""
    base = (runtime_path or "").strip() or environ.get("DAPR_RUNTIME_PATH", "").strip()
    return Path(base) / ".dapr" if base else Path(environ.get("HOME", str(Path.home()))) / ".dapr"


def _resolve(base: Path, value: str | None, what: str) -> Path | None:
    """Resolve a run-file path as the CLI does: ~ first, then relative to base; it must exist."""
    if not value:
        return None
    path = Path(os.path.normpath(base / Path(value).expanduser()))
    if not path.exists():
        raise RunFileError(f"error in getting the file info for {path}: no such file or directory ({what})")
    return path


def _paths(base: Path, section: dict[str, Any], where: str) -> tuple[Path | None, list[Path]]:
    """Resolve a section's paths; its runtimePath is resolved in place, as the CLI does."""
    config = _resolve(base, section.get("configFilePath"), f"{where}.configFilePath")
    many = [_resolve(base, p, f"{where}.resourcesPaths") for p in section.get("resourcesPaths") or []]
    one = _resolve(base, section.get("resourcesPath"), f"{where}.resourcesPath")
    runtime = _resolve(base, section.get("runtimePath"), f"{where}.runtimePath")
    if runtime:
        section["runtimePath"] = str(runtime)
    return config, [p for p in [*many, one] if p is not None]


# The run-file keys of the CLI's SharedRunConfig: what `common` may set for every app.
SHARED_KEYS = (
    "configFilePath",
    "appProtocol",
    "apiListenAddresses",
    "enableProfiling",
    "logLevel",
    "appMaxConcurrency",
    "placementHostAddress",
    "resourcesPath",
    "resourcesPaths",
    "appSSL",
    "maxBodySize",
    "readBufferSize",
    "enableAppHealthCheck",
    "appHealthCheckPath",
    "appHealthProbeInterval",
    "appHealthProbeTimeout",
    "appHealthThreshold",
    "enableApiLogging",
    "runtimePath",
    "env",
    "daprdLogDestination",
    "appLogDestination",
    "schedulerHostAddress",
)


def load(run_file: Path, environ: Mapping[str, str] | None = None) -> list[AppSpec]:
    """Return the apps of a run file (or of the dapr.yaml in a folder) as the CLI resolves them."""
    environ = os.environ if environ is None else environ
    run_file = run_file / "dapr.yaml" if run_file.is_dir() else run_file
    spec = yaml.safe_load(run_file.read_text()) or {}
    if not spec.get("version"):
        raise RunFileError("required field 'version' not found in the provided run template file")
    base = run_file.resolve().parent
    common = dict(spec.get("common") or {})
    common_config, common_resources = _paths(base, common, "common")
    apps = []
    for i, raw in enumerate(spec.get("apps") or []):
        if not raw.get("appDirPath"):
            raise RunFileError("required field 'appDirPath' not found in the provided app config file")
        app_dir = _resolve(base, raw["appDirPath"], f"apps[{i}].appDirPath")
        assert app_dir is not None
        # An app's own paths are relative to its appDirPath, not to the run file.
        entry = dict(raw)
        config, resources = _paths(app_dir, entry, f"apps[{i}]")
        shared = {k: entry[k] for k in SHARED_KEYS if entry.get(k)}
        shared |= {k: common[k] for k in SHARED_KEYS if common.get(k) and not shared.get(k)}
        home = dapr_dir(shared.get("runtimePath"), environ)
        apps.append(
            AppSpec(
                app_id=str(entry.get("appID") or app_dir.name),
                app_dir=app_dir,
                shared=shared,
                own={k: v for k, v in entry.items() if k not in SHARED_KEYS},
                config_file=config
                or _local(app_dir / ".dapr" / "config.yaml")
                # Precedence: the app's, <appDirPath>/.dapr, common's, the installation's.
                or common_config
                or home / "config.yaml",
                resources_paths=resources
                or [p for p in [_local(app_dir / ".dapr" / "resources")] if p]
                or common_resources
                or [home / "components"],
                env={
                    str(k): str(v)
                    for k, v in {**(common.get("env") or {}), **(entry.get("env") or {})}.items()
                },
            )
        )
    for app in apps:
        for kind in ("daprd", "app"):
            if app.log_destination(kind) not in LOG_DESTINATIONS:
                raise RunFileError(f"invalid log destination type: {app.log_destination(kind)}")
    return apps


def _local(path: Path) -> Path | None:
    return path if path.exists() else None


def mtls_enabled(config: Path) -> bool:
    """Return whether a Dapr configuration turns mTLS on, which the CLI reads to add the mTLS flags."""
    try:
        spec = (yaml.safe_load(config.read_text()) or {}).get("spec") or {}
    except (OSError, yaml.YAMLError):
        return False  # the CLI ignores a configuration it cannot read here
    return bool((spec.get("mtls") or {}).get("enabled"))


@dataclass(frozen=True)
class Ports:
    """The ports one sidecar gets: the run file's, else free ones, as the CLI picks them."""

    app: int
    http: int
    grpc: int
    metrics: int
    internal_grpc: int

    @classmethod
    def of(cls, app: AppSpec, free: Callable[[], int]) -> "Ports":
        def pick(key: str) -> int:
            value = int(app.own.get(key) or 0)
            return value if value > 0 else free()

        return cls(
            app=max(int(app.own.get("appPort") or 0), 0),
            http=pick("daprHTTPPort"),
            grpc=pick("daprGRPCPort"),
            metrics=pick("metricsPort"),
            internal_grpc=pick("daprInternalGRPCPort"),
        )


def _host_port(value: str | None, default_host: str, port: int) -> str:
    value = (value or default_host).strip()
    return value if ":" in value else f"{value}:{port}"


def _add(args: list[str], flag: str, value: Any) -> None:
    """Add a flag as the CLI does: a true bool alone, any other value unless empty."""
    if value is True:
        args.append(flag)
    elif value not in (None, "", False, 0):
        args += [flag, str(value)]


def _shared_args(app: AppSpec) -> list[str]:
    s = app.shared
    args = ["--config", str(app.config_file), "--app-protocol", str(s.get("appProtocol") or "http")]
    _add(args, "--dapr-listen-addresses", s.get("apiListenAddresses"))
    _add(args, "--enable-profiling", bool(s.get("enableProfiling")))
    _add(args, "--log-level", s.get("logLevel"))
    concurrency = int(s.get("appMaxConcurrency") or -1)
    args += ["--app-max-concurrency", str(concurrency if concurrency >= 1 else -1)]
    args += ["--placement-host-address", _host_port(s.get("placementHostAddress"), "localhost", 50005)]
    for path in app.resources_paths:
        args += ["--resources-path", str(path)]
    _add(args, "--app-ssl", bool(s.get("appSSL")))
    args += ["--max-body-size", str(s.get("maxBodySize") or "4Mi")]
    args += ["--read-buffer-size", str(s.get("readBufferSize") or "4Ki")]
    _add(args, "--enable-app-health-check", bool(s.get("enableAppHealthCheck")))
    _add(args, "--app-health-check-path", s.get("appHealthCheckPath"))
    _add(args, "--app-health-probe-interval", s.get("appHealthProbeInterval"))
    _add(args, "--app-health-probe-timeout", s.get("appHealthProbeTimeout"))
    _add(args, "--app-health-threshold", s.get("appHealthThreshold"))
    _add(args, "--enable-api-logging", bool(s.get("enableApiLogging")))
    args += ["--scheduler-host-address", _host_port(s.get("schedulerHostAddress"), "localhost", 50006)]
    return args


def daprd_args(app: AppSpec, ports: Ports) -> list[str]:
    """Return daprd's arguments in the CLI's order: shared fields, the app's own, then the mTLS flags."""
    args = [*_shared_args(app), "--app-id", app.app_id]
    channel = app.own.get("appChannelAddress")
    _add(args, "--app-channel-address", channel if channel != "127.0.0.1" else None)
    args += ["--app-port", str(ports.app), "--dapr-http-port", str(ports.http)]
    args += ["--dapr-grpc-port", str(ports.grpc), "--profile-port", str(app.own.get("profilePort") or -1)]
    args += ["--metrics-port", str(ports.metrics)]
    _add(args, "--unix-domain-socket", app.own.get("unixDomainSocket"))
    args += ["--dapr-internal-grpc-port", str(ports.internal_grpc)]
    if mtls_enabled(app.config_file):
        args += ["--enable-mtls", "--sentry-address", SENTRY_ADDRESS]
    return args


def daprd_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Return daprd's environment: the CLI's own, with DAPR_HOST_IP=127.0.0.1 unless it is set."""
    return {"DAPR_HOST_IP": "127.0.0.1", **environ}


def app_env(app: AppSpec, ports: Ports, environ: Mapping[str, str]) -> dict[str, str]:
    """Return the app's environment: the CLI's own, the sidecar's addresses, then the run file's env."""
    added = {
        "APP_ID": app.app_id,
        "APP_CHANNEL_ADDRESS": str(app.own.get("appChannelAddress") or ""),
        "APP_PORT": str(ports.app),
        "DAPR_HTTP_PORT": str(ports.http),
        "DAPR_GRPC_PORT": str(ports.grpc),
        "DAPR_METRICS_PORT": str(ports.metrics),
        "APP_PROTOCOL": str(app.shared.get("appProtocol") or "http").lower(),
    }
    if ports.app <= 0:
        del added["APP_PORT"]
    return {**environ, **added, **app.env}


def app_argv(app: AppSpec) -> list[str]:
    """Return how the CLI runs the app's command: through `sh -c 'exec "$@"'`, so it is not forked."""
    return ["sh", "-c", 'exec "$@"', "sh", *app.command] if app.command else []
