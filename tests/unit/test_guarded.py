"""The one read-decide-write-at-ETag loop every service's state goes through."""

import logging
import threading
from typing import Any

import pytest

from pizza_common.sidecar import guarded
from pizza_common.sidecar.dapr_io import DaprUnavailable, ETagMismatch
from pizza_common.sidecar.guarded import Outcome, StateBusy


class Store:
    """A key with an etag, whose first `races` writes lose to another writer."""

    def __init__(self, races: int = 0) -> None:
        self.value: int | None = None
        self.etag: str | None = None
        self.races, self.reads, self.writes = races, 0, 0

    def read(self) -> tuple[int | None, str | None]:
        self.reads += 1
        return self.value, self.etag

    def write(self, value: int, etag: str | None) -> None:
        if self.races:
            self.races -= 1
            self.etag = f"theirs-{self.races}"
            raise ETagMismatch("lost")
        assert etag == self.etag
        self.value, self.etag, self.writes = value, f"v{value}", self.writes + 1


def add_one(value: int | None) -> Outcome[str, int]:
    return Outcome("added", (value or 0) + 1)


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record each pause instead of taking it, refusing what time.sleep refuses."""
    taken: list[float] = []

    def sleep(seconds: float) -> None:
        if not isinstance(seconds, int | float) or seconds < 0:
            raise TypeError(f"time.sleep cannot take {seconds!r}")
        taken.append(seconds)

    monkeypatch.setattr(guarded.time, "sleep", sleep)
    return taken


def test_a_lost_race_reads_and_decides_again(pauses: list[float]) -> None:
    store = Store(races=3)
    assert guarded.update("k", store.read, add_one, store.write) == "added"
    assert (store.value, store.reads, store.writes) == (1, 4, 1)
    # One jittered pause after each lost race, within a bound that doubles from BACKOFF_S.
    assert len(pauses) == 3
    assert all(0 <= p <= guarded.BACKOFF_S * 2**n for n, p in enumerate(pauses))


def test_each_lost_race_is_logged_with_the_state_and_the_try(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=guarded.__name__)
    store = Store(races=2)
    guarded.update("order o-1", store.read, add_one, store.write)
    said = [r.getMessage() for r in caplog.records if r.name == guarded.__name__]
    assert said == ["order o-1: concurrent write, try 1", "order o-1: concurrent write, try 2"]


def test_the_pause_grows_to_at_most_20_ms(monkeypatch: pytest.MonkeyPatch, pauses: list[float]) -> None:
    monkeypatch.setattr(guarded.random, "uniform", lambda low, high: high)  # the longest pause each time
    store = Store(races=1000)
    with pytest.raises(StateBusy):
        guarded.update("k", store.read, add_one, store.write)
    assert pauses == [0.001, 0.002, 0.004, 0.008, 0.016, 0.02, 0.02, 0.02, 0.02, 0.02]


def test_a_first_write_wins_at_once_without_a_pause(pauses: list[float]) -> None:
    store = Store()
    assert guarded.update("k", store.read, add_one, store.write) == "added"
    assert (store.reads, store.writes, pauses) == (1, 1, [])


def test_a_decision_that_changes_nothing_writes_nothing() -> None:
    store = Store()
    assert guarded.update("k", store.read, lambda v: Outcome[str, int]("same"), store.write) == "same"
    assert store.writes == 0


def test_endless_races_end_in_a_retryable_busy_error_naming_the_state() -> None:
    store = Store(races=1000)
    with pytest.raises(StateBusy, match="order o-1: 10 concurrent writes in a row, try again") as err:
        guarded.update("order o-1", store.read, add_one, store.write)
    assert isinstance(err.value, DaprUnavailable)
    assert store.value is None


def test_the_lock_makes_threads_take_turns() -> None:
    store, lock, seen = Store(), threading.Lock(), []

    def decide(value: Any) -> Outcome[str, int]:
        seen.append(lock.locked())
        return add_one(value)

    threads = [
        threading.Thread(
            target=guarded.update, args=("k", store.read, decide, store.write), kwargs={"lock": lock}
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.value == 8 and all(seen)
