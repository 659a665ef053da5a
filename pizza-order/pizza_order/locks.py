"""Locks by key, so that the threads of one process take turns on a key instead of racing for it."""

import threading
from typing import Final

STRIPES: Final = 64


class KeyLocks:
    """A fixed set of locks, one picked per key: threads writing the same key take turns.

    Two keys may share a lock, which only makes them take turns too; the set never grows.
    """

    def __init__(self, stripes: int = STRIPES) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def __call__(self, key: str) -> threading.Lock:
        """Return the lock of a key."""
        return self._locks[hash(key) % len(self._locks)]
