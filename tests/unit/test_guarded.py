"""The one read-decide-write-at-ETag loop every service's state goes through."""

import threading
from typing import Any

import pytest

from pizza_common import guarded
from pizza_common.dapr_io import DaprUnavailable, ETagMismatch
from pizza_common.guarded import Outcome, StateBusy


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
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guarded.time, "sleep", lambda _: None)


def test_a_lost_race_reads_and_decides_again() -> None:
    store = Store(races=3)
    assert guarded.update("k", store.read, add_one, store.write) == "added"
    assert (store.value, store.reads, store.writes) == (1, 4, 1)


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
