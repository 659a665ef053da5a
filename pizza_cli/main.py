"""The `pizza` command: order, follow, decide and steer pizzas from a terminal."""

from typing import Annotated, Any

import typer

from pizza_cli import render, steer
from pizza_cli.api import ApiError, Shop, SuiteDown
from pizza_common.auth import signin
from pizza_common.release import VERSION
from pizza_run.layout import saved_token

DEFAULT_URL = "http://127.0.0.1:8001"  # pizza-order, where `make run` serves the shop
EXIT_BAD_INPUT, EXIT_SUITE_DOWN = 1, 2

cli = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
OrderId = Annotated[str, typer.Argument(help="The order's id.")]


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"pizza {VERSION}")
        raise typer.Exit()


@cli.callback()
def main(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(envvar="PIZZA_URL", help="Base URL of pizza-order.")] = DEFAULT_URL,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the release.")
    ] = False,
) -> None:
    """Order pizzas and follow them live, through pizza-order's shop API."""
    ctx.obj = Shop(url, staff_token=saved_token("PIZZA_STAFF_TOKEN"))


def _shop(ctx: typer.Context) -> Shop:
    shop: Shop = ctx.obj
    return shop


@cli.command()
def menu(ctx: typer.Context) -> None:
    """Show the menu with the shop's prices."""
    render.menu(_shop(ctx).get("/api/menu"))


@cli.command()
def order(
    ctx: typer.Context,
    pizza_type: Annotated[str, typer.Argument(help="margherita, pepperoni, ... (see `pizza menu`)")],
    size: Annotated[str, typer.Argument(help="small, medium or large")],
    name: Annotated[str, typer.Option(help="Who the pizza is for.")],
    address: Annotated[str, typer.Option(help="Where to deliver it.")],
    phone: Annotated[str, typer.Option(help="A phone number, e.g. 555-0100.")],
    quantity: Annotated[int, typer.Option(help="How many pizzas.")] = 1,
    order_id: Annotated[
        str | None, typer.Option("--id", help="An order id; the shop picks one if omitted.")
    ] = None,
    follow: Annotated[bool, typer.Option(help="Follow the order live until it ends.")] = True,
) -> None:
    """Place an order, then follow it stage by stage until it is delivered or stopped."""
    body: dict[str, Any] = {
        "pizza_type": pizza_type,
        "size": size,
        "quantity": quantity,
        "customer": {"name": name, "address": address, "phone": phone},
    }
    if order_id is not None:
        body["order_id"] = order_id
    placed = _shop(ctx).place(body)
    render.out.print(f"order {placed['order_id']} placed", markup=False)
    if follow:
        steer.follow(_shop(ctx), placed["order_id"])


@cli.command("follow")
def follow_order(ctx: typer.Context, order_id: OrderId) -> None:
    """Follow an order live until it is delivered or stopped."""
    steer.follow(_shop(ctx), order_id)


@cli.command()
def approve(ctx: typer.Context, order_id: OrderId) -> None:
    """Approve the order's pizza (quality check) or, for a large order, the order (manager)."""
    steer.decide(_shop(ctx), order_id, approved=True)


@cli.command()
def reject(ctx: typer.Context, order_id: OrderId) -> None:
    """Reject the order's pizza (quality check) or refuse a large order (manager)."""
    steer.decide(_shop(ctx), order_id, approved=False)


@cli.command()
def status(ctx: typer.Context, order_id: OrderId) -> None:
    """Show an order's workflow status, stage and status history."""
    render.status(_shop(ctx).get(f"/api/orders/{order_id}"))


@cli.command("list")
def list_orders(
    ctx: typer.Context,
    runtime_status: Annotated[
        list[str] | None, typer.Option("--status", help="Only RUNNING, COMPLETED, ... (repeat for several).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Orders per page, 1 to 200.")] = 50,
    after: Annotated[str | None, typer.Option(help="Start after the cursor a page ended with.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every page, not only the first.")] = False,
) -> None:
    """List the orders, by id, with their workflow status and stage, a page at a time."""
    query: dict[str, Any] = {"status": runtime_status or [], "limit": limit, "cursor": after}
    page = _shop(ctx).get("/api/orders", query)
    while every and page["next"]:
        more = _shop(ctx).get("/api/orders", {**query, "cursor": page["next"]})
        page = {"orders": page["orders"] + more["orders"], "next": more["next"]}
    render.orders(page)


@cli.command()
def pause(ctx: typer.Context, order_id: OrderId) -> None:
    """Pause an order's workflow."""
    steer.act(_shop(ctx), order_id, "pause")


@cli.command()
def resume(ctx: typer.Context, order_id: OrderId) -> None:
    """Resume a paused order."""
    steer.act(_shop(ctx), order_id, "resume")


@cli.command()
def cancel(ctx: typer.Context, order_id: OrderId) -> None:
    """Cancel an order: its payment is refunded and its ingredients released."""
    steer.act(_shop(ctx), order_id, "cancel")


@cli.command("staff-link")
def staff_link(ctx: typer.Context) -> None:
    """Print a one-time link that signs a browser in as staff (for an hour, once)."""
    secret = saved_token("PIZZA_SECRET_KEY")
    if not secret:
        render.err.print("no PIZZA_SECRET_KEY in the environment or .data/tokens.env: run `make setup`")
        raise SystemExit(EXIT_BAD_INPUT)
    render.out.print(signin.link(secret, _shop(ctx).url), markup=False, soft_wrap=True)


def app() -> None:
    """Run the command, turning a stopped suite and refused input into one line and an exit code."""
    try:
        cli(standalone_mode=True)
    except SuiteDown as exc:
        render.err.print(
            f"the pizza suite is not running on {exc.url}: start it with `make run`", markup=False
        )
        raise SystemExit(EXIT_SUITE_DOWN) from None
    except ApiError as exc:
        render.problem(exc)
        raise SystemExit(EXIT_BAD_INPUT) from None
