"""`pizza order` sends an order again when its answer is lost, under the same Idempotency-Key."""

from typing import Any

import httpx
import pytest

from pizza_cli.api import PLACE_ATTEMPTS, ApiError, Shop


def shop(answer: Any) -> tuple[Shop, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer(len(sent))  # type: ignore[no-any-return]

    client = Shop("http://shop.test")
    client.http = httpx.Client(base_url=client.url, transport=httpx.MockTransport(handle))
    return client, sent


def test_a_lost_answer_is_sent_again_with_the_same_key() -> None:
    def answer(n: int) -> httpx.Response:
        if n == 1:
            raise httpx.ReadTimeout("the shop took it, its answer never came")
        return httpx.Response(202, json={"order_id": "o1", "order_token": "t"})

    client, sent = shop(answer)
    assert client.place({"pizza_type": "veggie"})["order_id"] == "o1"
    keys = [r.headers["Idempotency-Key"] for r in sent]
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) >= 16


def test_a_refusal_is_not_sent_again_and_each_order_has_its_own_key() -> None:
    client, sent = shop(lambda n: httpx.Response(422, json={"error": "invalid request: size"}))
    with pytest.raises(ApiError, match="size"):
        client.place({"size": "huge"})
    with pytest.raises(ApiError):
        client.place({"size": "huge"})
    assert len(sent) == 2 and sent[0].headers["Idempotency-Key"] != sent[1].headers["Idempotency-Key"]


def test_it_gives_up_after_its_attempts() -> None:
    def answer(n: int) -> httpx.Response:
        raise httpx.ReadTimeout("lost")

    client, sent = shop(answer)
    with pytest.raises(ApiError):
        client.place({})
    assert len(sent) == PLACE_ATTEMPTS
