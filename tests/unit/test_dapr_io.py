"""The Dapr gateway: what it sends the sidecar, and how it reads each kind of answer."""

import json
from typing import Any

import pytest
import urllib3

from pizza_common.service.settings import DaprSettings
from pizza_common.sidecar.dapr_io import DaprGateway, DaprUnavailable, ETagMismatch
from tests.support.dapr_double import CannedPool

SETTINGS = DaprSettings(http_port=3599, api_token="t0ken")


def gateway(*answers: tuple[int, Any] | Exception, etag: str | None = None) -> tuple[DaprGateway, CannedPool]:
    pool = CannedPool(*answers, headers={"etag": etag} if etag else None)
    return DaprGateway(SETTINGS, pool=pool), pool


def test_get_state_returns_the_value_and_its_etag_and_sends_the_token() -> None:
    gw, pool = gateway((200, {"a": 1}), etag="7")
    assert gw.get_state("k") == ({"a": 1}, "7")
    sent = pool.requests[0]
    assert (sent["method"], sent["url"]) == ("GET", "/v1.0/state/pizzastatestore/k")
    assert sent["headers"]["dapr-api-token"] == "t0ken"


def test_an_absent_key_reads_as_none() -> None:
    assert gateway((204, b""))[0].get_state("k") == (None, None)


def test_a_guarded_save_sends_the_etag_with_first_write() -> None:
    gw, pool = gateway((204, b""))
    gw.save_state("k", {"a": 1}, "7")
    gw.save_state("new", {"a": 2}, create=True)
    items = [json.loads(r["body"])[0] for r in pool.requests]
    assert items[0] == {"key": "k", "value": {"a": 1}, "etag": "7", "options": {"concurrency": "first-write"}}
    assert (items[1]["etag"], items[1]["options"]) == ("", {"concurrency": "first-write"})
    assert pool.requests[0]["headers"]["content-type"] == "application/json"


def test_a_save_with_a_ttl_asks_the_store_to_drop_the_key_after_it() -> None:
    gw, pool = gateway((204, b""))
    gw.save_state("used", {"used": True}, create=True, ttl_s=3600)
    assert json.loads(pool.requests[0]["body"])[0]["metadata"] == {"ttlInSeconds": "3600"}


SAVE_FAILED = (500, b'{"errorCode":"ERR_STATE_SAVE","message":"failed to set key"}')


@pytest.mark.parametrize(
    ("answers", "create", "error"),
    [
        ([(409, b"ERR_STATE_ETAG_MISMATCH")], False, ETagMismatch),
        # Redis says the same "failed to set key" for a lost race and for an outage: the key tells.
        ([SAVE_FAILED, (200, {"taken": True})], True, ETagMismatch),  # someone created it first
        ([SAVE_FAILED, (204, b"")], True, DaprUnavailable),  # still absent: the write itself failed
        ([SAVE_FAILED, (500, b"redis down")], True, DaprUnavailable),  # and the store does not answer
        ([(500, b'{"errorCode":"ERR_STATE_SAVE"}')], False, DaprUnavailable),  # unguarded: an outage
        ([(503, b"down")], True, DaprUnavailable),
        ([urllib3.exceptions.NewConnectionError(None, "refused")], True, DaprUnavailable),  # type: ignore[arg-type]
    ],
)
def test_a_failed_save_raises_what_the_caller_can_act_on(
    answers: list[tuple[int, Any] | Exception], create: bool, error: type[Exception]
) -> None:
    with pytest.raises(error):
        gateway(*answers, etag="9")[0].save_state("k", {}, create=create)


def test_a_guarded_save_that_lost_its_etag_race_is_a_mismatch_and_one_that_did_not_is_an_outage() -> None:
    with pytest.raises(ETagMismatch):
        gateway(SAVE_FAILED, (200, {"a": 2}), etag="8")[0].save_state("k", {}, "7")
    with pytest.raises(DaprUnavailable):
        gateway(SAVE_FAILED, (200, {"a": 1}), etag="7")[0].save_state("k", {}, "7")


def test_invoke_keeps_business_codes_and_raises_on_faults() -> None:
    gw, pool = gateway((409, {"error": "taken"}))
    answer = gw.invoke("pizza-kitchen", "/reserve", {"order_id": "o1"})
    assert (answer.status_code, answer.body, answer.ok) == (409, {"error": "taken"}, False)
    assert pool.requests[0]["url"] == "/v1.0/invoke/pizza-kitchen/method/reserve"
    with pytest.raises(DaprUnavailable, match="HTTP 500: boom"):
        gateway((500, b"boom"))[0].invoke("pizza-kitchen", "cook", {})


def test_publish_and_delete_check_the_answer() -> None:
    gw, pool = gateway((204, b""))
    gw.publish("orders", {"status": "cooked"})
    gw.delete_state("k", "7")
    assert pool.requests[0]["url"] == "/v1.0/publish/pizzapubsub/orders"
    assert pool.requests[1]["headers"]["If-Match"] == "7"
    with pytest.raises(DaprUnavailable):
        gateway((403, b"not allowed"))[0].publish("orders", {})


def test_a_fault_names_the_failure_without_the_order_it_carried() -> None:
    """A service's 5xx answer holds the order, customer included: none of it may reach the error."""
    body = {
        "order_id": "o1",
        "status": "delivery_failed",
        "error": "GET /state/x: connection refused",
        "customer": {"name": "Ada Lovelace", "address": "12 Analytical Way", "phone": "+44 20 7946 0000"},
    }
    with pytest.raises(DaprUnavailable) as fault:
        gateway((503, body))[0].invoke("pizza-delivery", "deliver", {})
    text = str(fault.value)
    assert "delivery_failed" in text and "connection refused" in text and "HTTP 503" in text
    assert not any(secret in text for secret in ("Ada", "Analytical", "7946"))
    dapr_error = {"errorCode": "ERR_DIRECT_INVOKE", "message": "failed to invoke, id: pizza-kitchen"}
    with pytest.raises(DaprUnavailable, match="ERR_DIRECT_INVOKE: failed to invoke, id: pizza-kitchen"):
        gateway((500, dapr_error))[0].invoke("pizza-kitchen", "cook", {})
