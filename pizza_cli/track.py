"""Follow an order live in the terminal: a progress bar through its stages until it ends."""

from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from pizza_cli.api import Shop
from pizza_cli.render import clock, label, out


def follow(shop: Shop, order_id: str) -> str:
    """Show the order's stages as they happen; return the status it ended at."""
    journey = shop.get("/api/journey")
    steps: list[str] = [s["status"] for s in journey["steps"]]
    ends = set(journey["ends"])
    waiting: dict[str, str] = journey["waiting_for"]
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=out) as progress:
        task = progress.add_task(f"order {order_id}", total=len(steps))
        events: list[dict[str, Any]] = []
        for event in shop.events(order_id):
            events.append(event)
            events.sort(key=lambda e: str(e["timestamp"]))
            status = event["status"]
            said = event.get("message") or event.get("error") or ""
            progress.console.print(f"{clock(event['timestamp'])} {label(status)}: {said}", markup=False)
            if status in waiting:
                who = "the kitchen's quality check" if waiting[status] == "kitchen" else "a manager"
                progress.console.print(
                    f"  waiting for {who}: `pizza approve {order_id}` or `pizza reject {order_id}`"
                )
            at = [steps.index(e["status"]) + 1 for e in events if e["status"] in steps]
            progress.update(
                task, completed=at[-1] if at else 0, description=f"order {order_id}: {label(status)}"
            )
            if status in ends:
                if status == journey["delivered"]:
                    progress.update(task, completed=len(steps))
                return str(status)
    return ""
