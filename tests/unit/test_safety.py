"""Other web sites are kept out: a foreign Host is refused, and every answer carries strict headers."""

import re

import pytest

from pizza_common.contract.names import ORDER_APP, WORKFLOW_APP
from tests.fuzz.apps import FACTORIES, build


@pytest.mark.parametrize("service", sorted(FACTORIES))
def test_a_request_for_another_host_is_refused_before_any_view_runs(service: str) -> None:
    client = build(service).test_client()
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8001"}).status_code == 200
    refused = client.get("/healthz", headers={"Host": "attacker.example"})
    assert refused.status_code == 400
    assert refused.is_json and refused.json["error"]


@pytest.mark.parametrize("service", [ORDER_APP, WORKFLOW_APP])
def test_every_answer_carries_the_security_headers(service: str) -> None:
    headers = build(service).test_client().get("/healthz").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_shop_page_needs_no_inline_script_or_style() -> None:
    page = build(ORDER_APP).test_client().get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script: the CSP blocks it"
    assert not re.search(r"\s(style|on[a-z]+)=", page), "an inline style or handler: the CSP blocks it"
