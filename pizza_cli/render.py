"""How the terminal client shows menus, orders and errors, with rich."""

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from pizza_cli.api import ApiError
from pizza_common.contract.menu import format_cents
from pizza_common.contract.names import ZIPKIN_URL

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def label(status: str | None) -> str:
    """Return a status as a person reads it: cooking_making_dough -> making dough."""
    text = (status or "").removeprefix("cooking_").removeprefix("delivery_")
    return text.replace("_", " ")


def clock(timestamp: str) -> str:
    """Return the local time of day of an ISO timestamp."""
    return datetime.fromisoformat(timestamp).astimezone().strftime("%H:%M:%S")


def money(cents: int | None) -> str:
    return format_cents(cents) if cents is not None else ""


def problem(exc: ApiError) -> None:
    """Print why the shop refused a request, one line per field it names."""
    where = f" (HTTP {exc.status})" if exc.status else ""
    err.print(f"error: {exc}{where}", markup=False, style="bold red")
    for p in exc.problems:
        err.print(f"  {p.get('field')}: {p.get('problem')}", markup=False)


def menu(data: dict[str, Any]) -> None:
    table = Table(title="Menu")
    table.add_column("type")
    table.add_column("pizza")
    table.add_column("ingredients")
    for size in data["sizes"]:
        table.add_column(size, justify="right")
    for p in data["pizzas"]:
        prices = [p["prices"][s] for s in data["sizes"]]
        table.add_row(p["type"], p["name"], ", ".join(p["ingredients"]), *prices)
    out.print(table)


def orders(data: dict[str, Any]) -> None:
    table = Table(title="Orders")
    for column in ("order", "runtime status", "stage", "total", "created"):
        table.add_column(column)
    for o in data["orders"]:
        created = clock(o["created_at"]) if o.get("created_at") else ""
        table.add_row(
            o["order_id"], o["runtime_status"], label(o.get("stage")), money(o.get("total_cents")), created
        )
    out.print(table if data["orders"] else "no orders")
    if data.get("next"):
        out.print(f"more: pizza list --after {data['next']}", markup=False)


def status(view: dict[str, Any]) -> None:
    out.print(
        f"order {view['order_id']}: {view['runtime_status']}, stage {label(view.get('stage'))}", markup=False
    )
    if view.get("total_cents") is not None:
        out.print(f"total {money(view['total_cents'])}", markup=False)
    if view.get("output"):
        outcome = view["output"]
        reason = f" ({outcome['error']})" if outcome.get("error") else ""
        out.print(f"outcome: {outcome.get('status')}{reason}", markup=False)
    traces = [h["trace_id"] for h in view.get("history") or [] if h.get("trace_id")]
    if traces:
        out.print(f"trace {traces[0]}: {ZIPKIN_URL}/zipkin/traces/{traces[0]}", markup=False)
    history = Table(title="History")
    for column in ("time", "status", "message"):
        history.add_column(column)
    for h in view.get("history") or []:
        history.add_row(clock(h["timestamp"]), h["status"], h.get("message") or h.get("error") or "")
    if view.get("history"):
        out.print(history)
