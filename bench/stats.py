"""Pure maths of a run: percentiles, latency summaries and ratios."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], pct: float) -> float:
    """Return the pct-th percentile of values, interpolated linearly between ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile {pct} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """Throughput and latency of one path at one concurrency level."""

    orders: int
    ok: int
    failed: int
    lost: int
    elapsed_s: float
    orders_per_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    max_ms: float | None

    @property
    def valid(self) -> bool:
        """Say whether every order completed as it should."""
        return self.failed == 0 and self.lost == 0 and self.ok == self.orders


def summarize(latencies_s: Sequence[float], orders: int, failed: int, lost: int, elapsed_s: float) -> Summary:
    """Summarize the latencies of the successful orders of a level that took elapsed_s."""

    def ms(value: float) -> float:
        return round(value * 1000, 1)

    has = bool(latencies_s)
    return Summary(
        orders=orders,
        ok=len(latencies_s),
        failed=failed,
        lost=lost,
        elapsed_s=round(elapsed_s, 3),
        orders_per_s=round(len(latencies_s) / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        p50_ms=ms(percentile(latencies_s, 50)) if has else None,
        p95_ms=ms(percentile(latencies_s, 95)) if has else None,
        p99_ms=ms(percentile(latencies_s, 99)) if has else None,
        mean_ms=ms(statistics.fmean(latencies_s)) if has else None,
        max_ms=ms(max(latencies_s)) if has else None,
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator / denominator rounded, or None when either is missing or zero."""
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def median_or_none(values: Sequence[float | None]) -> float | None:
    """Return the median of the values that are known, or None when none is."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None
