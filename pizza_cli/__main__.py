"""Run the terminal client as `python -m pizza_cli`."""

from pizza_cli.main import app

app()
