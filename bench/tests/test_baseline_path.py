"""The baseline path's calls: in the workflow's order, and unsampled when tracing is off."""

import asyncio

import httpx

from bench import baseline_path
from bench.model import OrderRun, order_json


def _answers(seen: list[httpx.Request]) -> httpx.MockTransport:
    statuses = iter(expected for _, _, expected in baseline_path.CHAIN)

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": next(statuses)})

    return httpx.MockTransport(answer)


def _run(traced: bool) -> tuple[OrderRun, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    run = OrderRun("b-1")

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=_answers(seen)) as http:
            await baseline_path.runner(retry=False, traced=traced)(http, order_json("b-1"), run)

    asyncio.run(scenario())
    return run, seen


def test_an_order_calls_the_storefront_the_kitchen_and_delivery_in_turn() -> None:
    run, seen = _run(traced=True)
    assert run.ok
    assert [r.url.path.rsplit("/method/", 1)[1] for r in seen] == ["order", "cook", "deliver"]
    assert all("traceparent" not in r.headers for r in seen)


def test_with_tracing_off_each_order_carries_one_unsampled_trace() -> None:
    run, seen = _run(traced=False)
    assert run.ok
    parents = {r.headers["traceparent"] for r in seen}
    assert len(parents) == 1
    assert parents.pop().endswith("-00")
