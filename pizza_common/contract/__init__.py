"""What crosses a service boundary: the names and ports, the statuses, the typed messages, the menu,
the inventory and payment contracts."""
