"""`pizza`: order pizzas and follow them live from a terminal, through pizza-order's shop API."""
