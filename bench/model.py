"""What one order of a run did, as the paths record it."""

import time
from dataclasses import dataclass, field
from typing import Any, Final

PATHS: Final = ("workflow", "baseline")


@dataclass
class OrderRun:
    """One order's progress: where it is, how long it took, and how it ended."""

    order_id: str
    phase: str = "queued"
    started: float | None = None
    finished: float | None = None
    ok: bool = False
    lost: bool = False
    error: str | None = None
    retries: int = 0
    calls_s: dict[str, float] = field(default_factory=dict)
    view: dict[str, Any] | None = None

    def start(self) -> None:
        """Mark the order as sent."""
        self.started = time.perf_counter()

    def succeed(self) -> None:
        """Mark the order as done as it should be."""
        self.finished = time.perf_counter()
        self.ok = True
        self.phase = "done"

    def fail(self, error: str) -> None:
        """Mark the order as ended wrongly, saying why."""
        self.finished = time.perf_counter()
        self.error = f"{error} (while {self.phase})"

    @property
    def latency_s(self) -> float | None:
        """Return the seconds from sending the order to its end, once it ended well."""
        if not self.ok or self.started is None or self.finished is None:
            return None
        return self.finished - self.started
