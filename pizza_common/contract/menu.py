"""The menu: pizzas, sizes, prices and the ingredients each pizza consumes. Defined once."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

CURRENCY: Final = "USD"


@dataclass(frozen=True)
class Pizza:
    name: str
    ingredients: tuple[str, ...]
    prices_cents: dict[str, int]


MENU: Final[dict[str, Pizza]] = {
    "margherita": Pizza(
        "Margherita",
        ("dough", "tomato_sauce", "mozzarella", "basil"),
        {"small": 900, "medium": 1200, "large": 1500},
    ),
    "pepperoni": Pizza(
        "Pepperoni",
        ("dough", "tomato_sauce", "mozzarella", "pepperoni"),
        {"small": 1100, "medium": 1400, "large": 1800},
    ),
    "hawaiian": Pizza(
        "Hawaiian",
        ("dough", "tomato_sauce", "mozzarella", "ham", "pineapple"),
        {"small": 1200, "medium": 1500, "large": 1900},
    ),
    "veggie": Pizza(
        "Veggie",
        ("dough", "tomato_sauce", "mozzarella", "peppers", "mushrooms", "olives"),
        {"small": 1100, "medium": 1400, "large": 1700},
    ),
}
SIZES: Final = ("small", "medium", "large")
INGREDIENTS: Final = tuple(sorted({i for pizza in MENU.values() for i in pizza.ingredients}))

# Enums so that a wrong choice is refused with the valid ones named.
PizzaType = StrEnum("PizzaType", {name: name for name in MENU})  # type: ignore[misc]
Size = StrEnum("Size", {name: name for name in SIZES})  # type: ignore[misc]


def price_cents(pizza_type: str, size: str, quantity: int) -> int:
    """Return what an order costs, in cents: the shop's price, never the client's."""
    return MENU[pizza_type].prices_cents[size] * quantity


def ingredients_for(pizza_type: str, quantity: int) -> dict[str, int]:
    """Return the units of each ingredient that `quantity` pizzas of a type consume."""
    return {ingredient: quantity for ingredient in MENU[pizza_type].ingredients}


def format_cents(cents: int) -> str:
    """Return an amount as a customer reads it, e.g. 18.00 USD."""
    return f"{cents // 100}.{cents % 100:02d} {CURRENCY}"
