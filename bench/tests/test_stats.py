"""Percentiles, summaries and ratios of a run."""

import pytest

from bench.stats import median_or_none, percentile, ratio, summarize


def test_percentile_interpolates_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(list(map(float, range(1, 101))), 99) == pytest.approx(99.01)


def test_percentile_refuses_no_values_and_bad_ranks() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_summary_counts_only_delivered_orders_in_throughput_and_latency() -> None:
    s = summarize([0.1, 0.2, 0.3, 0.4], orders=5, failed=1, lost=0, elapsed_s=2.0)
    assert (s.ok, s.failed, s.lost, s.orders_per_s) == (4, 1, 0, 2.0)
    assert s.p50_ms == 250.0
    assert s.max_ms == 400.0
    assert not s.valid


def test_summary_of_a_clean_level_is_valid_and_of_nothing_is_empty() -> None:
    assert summarize([0.5], orders=1, failed=0, lost=0, elapsed_s=0.5).valid
    empty = summarize([], orders=3, failed=0, lost=3, elapsed_s=1.0)
    assert empty.p50_ms is None
    assert empty.orders_per_s == 0.0
    assert not empty.valid


def test_ratio_and_median_skip_missing_values() -> None:
    assert ratio(10.0, 40.0) == 0.25
    assert ratio(None, 1.0) is None
    assert ratio(1.0, 0.0) is None
    assert median_or_none([None, 3.0, 1.0, None, 2.0]) == 2.0
    assert median_or_none([None]) is None
