"""What the terminal client does to an order: follow it, decide on it, pause, resume or cancel it."""

import typer

from pizza_cli import render, track
from pizza_cli.api import Shop

EXIT_NOT_DELIVERED = 3
EXIT_INTERRUPTED = 130


def follow(shop: Shop, order_id: str) -> None:
    """Follow the order until it ends; exit non-zero unless it was delivered."""
    try:
        ended = track.follow(shop, order_id)
    except KeyboardInterrupt:
        render.err.print(f"stopped following order {order_id}; it goes on: `pizza follow {order_id}`")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    render.out.print(f"order {order_id}: {ended}", markup=False)
    if ended != shop.get("/api/journey")["delivered"]:
        raise typer.Exit(EXIT_NOT_DELIVERED)


def decide(shop: Shop, order_id: str, approved: bool) -> None:
    """Answer whoever the order waits for: the kitchen's quality check or a manager."""
    stage = shop.get(f"/api/orders/{order_id}").get("stage")
    who = shop.get("/api/journey")["waiting_for"].get(stage)
    action = "approve" if who == "manager" else "validate"
    answer = shop.post(f"/api/orders/{order_id}/{action}", {"approved": approved})
    decided = answer.get("validation_status") or answer.get("approval_status")
    render.out.print(f"order {order_id}: {decided} by the {who or 'kitchen'}", markup=False)


def act(shop: Shop, order_id: str, action: str) -> None:
    """Pause, resume or cancel the order."""
    answer = shop.post(f"/api/orders/{order_id}/{action}", {})
    render.out.print(f"order {order_id}: {answer.get('status', action)}", markup=False)
