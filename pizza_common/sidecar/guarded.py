"""State written only at the ETag it was read at: read, decide, write; on a lost race, again."""

import logging
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from pizza_common.sidecar.dapr_io import DaprUnavailable, ETagMismatch

log = logging.getLogger(__name__)
A = TypeVar("A")
V = TypeVar("V")
ATTEMPTS: Final = 10
BACKOFF_S: Final = 0.001


class StateBusy(DaprUnavailable):
    """Every write lost its race to another writer: retryable, so answered like a sidecar fault."""


@dataclass(frozen=True)
class Outcome(Generic[A, V]):
    """What a decision answers, and the value to write: None when nothing changes."""

    answer: A
    write: V | None = None


def update(
    what: str,
    read: Callable[[], tuple[V | None, str | None]],
    decide: Callable[[V | None], Outcome[A, V]],
    write: Callable[[V, str | None], None],
    *,
    lock: AbstractContextManager[object] | None = None,
    attempts: int = ATTEMPTS,
) -> A:
    """Decide on what `read` returns and `write` the result at its ETag; raise StateBusy after `attempts`.

    `write` gets etag None for a value never stored: it must then create only if still absent,
    so that two first writers cannot both win. `lock` makes the threads of one process take turns.
    """
    with lock or nullcontext():
        for attempt in range(attempts):
            current, etag = read()
            outcome = decide(current)
            if outcome.write is None:
                return outcome.answer
            try:
                write(outcome.write, etag)
                return outcome.answer
            except ETagMismatch:
                log.debug("%s: concurrent write, try %d", what, attempt + 1)
                # Jittered, growing pause so that contending writers stop colliding in lockstep.
                time.sleep(random.uniform(0, min(0.02, BACKOFF_S * 2**attempt)))
    raise StateBusy(f"{what}: {attempts} concurrent writes in a row, try again")
