"""The bench's view of pizza-order's event stream: what it records, and waits on it."""

import asyncio
import contextlib
import json

import httpx

from bench.events import FOLLOWED, STREAM_URL, OrderEvents

PENDING = frozenset({"pending_validation"})


def test_a_wait_ends_when_the_status_arrives_or_at_its_timeout() -> None:
    async def scenario() -> tuple[bool, bool, bool, float]:
        events = OrderEvents()
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, events.note, "o1", "cooked")  # another status: no end of the wait yet
        loop.call_later(0.1, events.note, "o1", "pending_validation")
        started = loop.time()
        reached = await events.wait("o1", PENDING, 5.0)
        took = loop.time() - started
        again = await events.wait("o1", PENDING, 0.0)  # already reached: at once
        never = await events.wait("o2", PENDING, 0.05)
        return reached, again, never, took

    reached, again, never, took = asyncio.run(scenario())
    assert (reached, again, never) == (True, True, False)
    assert 0.09 <= took < 1.0


def test_follow_reads_each_data_line_of_the_stream() -> None:
    body = "retry: 3000\n\n: keep-alive\n\n" + "".join(
        f"data: {json.dumps({'order_id': 'o7', 'status': s, 'event_id': s})}\n\n"
        for s in ("validating", "pending_validation")
    )
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    async def scenario() -> tuple[bool, bool]:
        events = OrderEvents()
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            follow = asyncio.create_task(events.follow(http))
            reached = await events.wait("o7", PENDING, 5.0)
            follow.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follow
        return reached, events.reached("o7", frozenset({"validating"}))

    assert asyncio.run(scenario()) == (True, True)
    url = httpx.URL(asked[0])
    assert str(url.copy_with(query=None)) == STREAM_URL
    assert url.params.get_list("status") == FOLLOWED
    assert "pending_validation" in FOLLOWED and "delivered" in FOLLOWED


def test_follow_connects_again_after_a_refusal() -> None:
    answers = [
        httpx.Response(503),
        httpx.Response(200, text='data: {"order_id": "o8", "status": "delivered"}\n\n'),
    ]

    async def scenario() -> bool:
        events = OrderEvents()
        transport = httpx.MockTransport(lambda _: answers.pop(0) if len(answers) > 1 else answers[0])
        async with httpx.AsyncClient(transport=transport) as http:
            follow = asyncio.create_task(events.follow(http))
            reached = await events.wait("o8", frozenset({"delivered"}), 5.0)
            follow.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follow
        return reached

    assert asyncio.run(scenario())
