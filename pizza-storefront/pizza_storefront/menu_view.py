"""The menu as customers read it, built from the one definition in pizza_common.contract.menu."""

from pizza_common.contract.menu import CURRENCY, MENU, SIZES, format_cents
from pizza_common.contract.models import Contract


class MenuPizza(Contract):
    type: str
    name: str
    ingredients: list[str]
    prices_cents: dict[str, int]
    prices: dict[str, str]


class Menu(Contract):
    currency: str
    sizes: list[str]
    pizzas: list[MenuPizza]


def build_menu() -> Menu:
    """Return the menu: every pizza with its ingredients and its price in each size."""
    pizzas = [
        MenuPizza(
            type=pizza_type,
            name=pizza.name,
            ingredients=list(pizza.ingredients),
            prices_cents={size: pizza.prices_cents[size] for size in SIZES},
            prices={size: format_cents(pizza.prices_cents[size]) for size in SIZES},
        )
        for pizza_type, pizza in MENU.items()
    ]
    return Menu(currency=CURRENCY, sizes=list(SIZES), pizzas=pizzas)
