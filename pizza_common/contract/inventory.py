"""Contract of the kitchen's ingredient inventory: stock, reservations, restock."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictInt, field_validator

from pizza_common.contract.menu import INGREDIENTS, PizzaType
from pizza_common.contract.models import Contract, Order, OrderId


class ReservationStatus(StrEnum):
    """Where the ingredients of one attempt at an order stand in the kitchen."""

    RESERVED = "reserved"
    CONSUMED = "consumed"
    RELEASED = "released"
    OUT_OF_STOCK = "out_of_stock"


# The attempt has its ingredients.
HELD = frozenset({ReservationStatus.RESERVED, ReservationStatus.CONSUMED})


class ReserveRequest(Contract):
    order_id: OrderId
    pizza_type: PizzaType
    quantity: StrictInt = Field(default=1, ge=1, le=20)
    attempt: StrictInt = Field(default=0, ge=0, le=10)


class CookRequest(Order):
    """An order to cook, and which attempt (remake) this is: its reservation is consumed."""

    attempt: StrictInt = Field(default=0, ge=0, le=10)


class Reservation(Contract):
    """The answer of reserve and release: HTTP 200, or 409 when out of stock or released."""

    order_id: str
    attempt: int = 0
    status: ReservationStatus
    items: dict[str, int] = {}
    missing: dict[str, int] = {}
    error: str | None = None


Units = Annotated[StrictInt, Field(gt=0, le=100_000)]


class RestockRequest(Contract):
    items: dict[str, Units] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _known(cls, items: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(items) - set(INGREDIENTS))
        if unknown:
            raise ValueError(f"unknown ingredients {unknown}; known: {list(INGREDIENTS)}")
        return items


class StockLevel(Contract):
    on_hand: int
    reserved: int
    available: int


class InventoryView(Contract):
    ingredients: dict[str, StockLevel]
