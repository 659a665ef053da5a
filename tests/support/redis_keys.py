"""What the running suite keeps in Redis, read with redis-cli and the suite's password."""

import os
import subprocess

from tests.suite import Suite


def redis(suite: Suite, *args: str) -> list[str]:
    """Run a redis-cli command against the suite's Redis; return the words it printed."""
    env = {"PATH": os.environ["PATH"], "REDISCLI_AUTH": suite.tokens["PIZZA_REDIS_PASSWORD"]}
    cmd = ["redis-cli", "-p", "6379", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.split()


def keys(suite: Suite, pattern: str) -> list[str]:
    """Return the keys that match a glob."""
    return redis(suite, "--scan", "--pattern", pattern)


def size(suite: Suite, found: list[str]) -> tuple[int, int]:
    """Return how many of the keys still exist, and their bytes (Redis' MEMORY USAGE)."""
    sizes = [redis(suite, "MEMORY", "USAGE", key) for key in found]
    return sum(1 for s in sizes if s), sum(int(s[0]) for s in sizes if s)


def stored(suite: Suite, oid: str) -> tuple[int, int]:
    """Return how many Redis keys hold something of the order, and their bytes."""
    return size(suite, keys(suite, f"*{oid}*"))
