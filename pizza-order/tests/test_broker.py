"""The SSE broker: who gets which event, bounded streams, heartbeats and deadlines."""

import itertools
import json

import pytest

from pizza_order.broker import QUEUE_SIZE, Broker, TooManyStreams, sse, stream


def ev(order_id: str, status: str) -> dict[str, str]:
    return {"order_id": order_id, "status": status, "event_id": f"{order_id}:{status}"}


def test_an_event_reaches_its_order_and_the_all_orders_streams_only() -> None:
    broker = Broker(max_streams=4)
    mine, other, everyone = (
        broker.subscribe(frozenset({"o1"})),
        broker.subscribe(frozenset({"o2"})),
        broker.subscribe(None),
    )
    assert broker.publish(ev("o1", "cooked")) == 2
    assert mine.events.get_nowait() == everyone.events.get_nowait() == ev("o1", "cooked")
    assert other.events.empty()


def test_a_stream_of_some_statuses_gets_only_those() -> None:
    broker = Broker(max_streams=4)
    kitchen = broker.subscribe(None, statuses=frozenset({"pending_validation"}))
    assert broker.publish(ev("o1", "cooked")) == 0
    assert broker.publish(ev("o1", "pending_validation")) == 1
    assert kitchen.events.get_nowait() == ev("o1", "pending_validation")
    assert kitchen.events.empty()


def test_streams_are_bounded_and_a_closed_one_frees_its_slot() -> None:
    broker = Broker(max_streams=1)
    sub = broker.subscribe(None)
    with pytest.raises(TooManyStreams):
        broker.subscribe(frozenset({"o1"}))
    broker.unsubscribe(sub)
    assert broker.subscribe(frozenset({"o1"})) is not None
    assert broker.open_streams == 1


def test_a_stream_that_lags_too_far_is_closed() -> None:
    broker = Broker(max_streams=2)
    slow = broker.subscribe(None)
    for i in range(QUEUE_SIZE + 1):
        broker.publish(ev("o1", f"s{i}"))
    assert broker.open_streams == 0
    assert slow.events.get_nowait() is None  # the stream ends, the client reconnects


def test_sse_names_the_event_and_its_id() -> None:
    text = sse(ev("o1", "cooked"))
    assert text.startswith("id: o1:cooked\nevent: status\ndata: ")
    assert text.endswith("\n\n")
    assert json.loads(text.splitlines()[2].removeprefix("data: "))["status"] == "cooked"


def test_stream_sends_backlog_then_live_events_once_with_heartbeats_until_its_deadline() -> None:
    broker = Broker(max_streams=2)
    sub = broker.subscribe(frozenset({"o1"}))
    ticks = itertools.count()
    frames = stream(broker, sub, [ev("o1", "validating")], heartbeat_s=0.01, max_s=5, now=lambda: next(ticks))
    assert next(frames).startswith("retry: ")
    assert "o1:validating" in next(frames)
    broker.publish(ev("o1", "validating"))  # merged again: already sent in the backlog
    broker.publish(ev("o1", "processing"))
    rest = list(frames)
    assert sum("o1:processing" in f for f in rest) == 1
    assert not any("o1:validating" in f for f in rest)
    assert ": keep-alive\n\n" in rest
    assert broker.open_streams == 0


def test_stream_unsubscribes_when_the_client_goes_away() -> None:
    broker = Broker(max_streams=1)
    frames = stream(broker, broker.subscribe(None), [], heartbeat_s=0.01, max_s=60)
    next(frames)
    frames.close()  # what the server does when a write to a gone client fails
    assert broker.open_streams == 0
