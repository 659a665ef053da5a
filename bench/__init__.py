"""Benchmark of the pizza suite: the Dapr workflow against plain service invocation."""
