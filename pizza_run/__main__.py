"""`python -m pizza_run run|list|stop`: the stand-in for `dapr run -f`, `dapr list` and `dapr stop`."""

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from pizza_run import multirun
from pizza_run.replicas import ReplicaError
from pizza_run.runfile import RunFileError

cli = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)


@cli.command()
def run(
    run_file: Annotated[
        Path, typer.Option("--run-file", "-f", help="the run file, or a folder with dapr.yaml")
    ] = Path("."),
    app: Annotated[
        list[str] | None, typer.Option(help="run only this app-id (repeatable): one terminal each")
    ] = None,
) -> None:
    """Run the run file's apps behind their sidecars in the foreground; Ctrl+C stops them."""
    try:
        code = multirun.run(run_file, app)
    except RunFileError as exc:  # the CLI's words for the same mistake
        typer.echo(f"Error getting apps from config file: {exc}", err=True)
        code = 1
    except ReplicaError as exc:
        typer.echo(str(exc), err=True)
        code = 2
    raise typer.Exit(code)


@cli.command("list")
def list_() -> None:
    """List the apps that run, with their ports and pids, as `dapr list` does."""
    sys.stdout.write(multirun.listing())


@cli.command()
def metrics(
    run_file: Annotated[
        Path, typer.Option("--run-file", "-f", help="the run file, or a folder with dapr.yaml")
    ] = Path("."),
) -> None:
    """Print where each sidecar of the run file serves its Prometheus metrics."""
    try:
        sys.stdout.write(multirun.metrics_urls(run_file))
    except RunFileError as exc:
        typer.echo(f"Error getting apps from config file: {exc}", err=True)
        raise typer.Exit(1) from None
    except ReplicaError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@cli.command()
def stop() -> None:
    """Stop every app the runner started, in any terminal."""
    multirun.stop_all()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="== multirun == %(message)s")
    cli()
