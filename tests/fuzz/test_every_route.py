"""Every route of every app, as its url_map lists it (a new route is fuzzed without a line here), locked
down as `make run` runs it: random path values, query strings and bodies, sent with no credentials,
wrong ones and the right ones (the app token, the staff token, a signed-in browser, an order's token).

Never a 5xx; a route for Dapr refuses a call without the app token (401; one for Dapr and staff, without
either), and a staff route anyone who is not staff (403) before it reads the body.
"""

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask_openapi3 import OpenAPI
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import Rule

from pizza_common.auth import signin
from pizza_common.contract.names import ORDER_APP, PORTS, STAFF_HEADER
from pizza_common.service.web import TOKEN_HEADER
from pizza_order.staff import ORDER_HEADER, order_token
from tests.fuzz.apps import CASES, SETTINGS, build, repeatable
from tests.support.orders import sample_order

APP_TOKEN, STAFF, SECRET = "fuzz-app-token", "fuzz-staff-token", "fuzz-secret-" + "k" * 20
LOCKED = SETTINGS.model_copy(update={"app_api_token": APP_TOKEN, "staff_token": STAFF, "secret_key": SECRET})
APPS: dict[str, OpenAPI] = {service: build(service, SETTINGS=LOCKED) for service in PORTS}
ROUTES = [
    (service, rule, method)
    for service, app in APPS.items()
    for rule in app.url_map.iter_rules()
    for method in sorted((rule.methods or set()) - {"OPTIONS"})
]
EXAMPLES = 6  # per route, method and credential
# Who sends what: the right credential, a wrong one, or none.
CREDENTIALS = ["none", "wrong", "app token", "staff token", "signed in", "order token", "all"]
STAFF_CREDENTIALS = {"staff token", "signed in", "all"}
APP_CREDENTIALS = {"app token", "all"}

segment = st.one_of(
    st.sampled_from(["o1", "cancel", "pause", "resume", "style.css", "app.js"]),
    st.text(
        st.characters(exclude_characters="/", exclude_categories=("Cs",)), min_size=1, max_size=30
    ).filter(
        lambda s: s not in {".", ".."}  # a client resolves them away: another route, or none
    ),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
order_like = st.builds(
    lambda extra: sample_order() | extra,
    st.dictionaries(st.sampled_from([*sample_order(), "approved", "items"]), json_value, max_size=2),
)
body = st.one_of(
    st.tuples(st.just("application/json"), json_value | order_like | st.just({"approved": True})),
    st.tuples(st.sampled_from(["application/json", "text/plain", ""]), st.binary(max_size=200)),
)
query = st.dictionaries(
    st.sampled_from(["token", "order", "limit", "cursor", "status", "x"]), st.text(max_size=20)
)


def guarded(app: OpenAPI, rule: Rule, mark: str) -> bool:
    """Return whether the rule's view (or its blueprint) carries the mark."""
    view = app.view_functions[rule.endpoint]
    blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
    return bool(getattr(view, mark, False) or getattr(blueprint, mark, False))


def path_of(rule: Rule, values: dict[str, str]) -> str:
    """Return the rule's path with each argument replaced by its value, URL-quoted."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def signed_in_csrf(client: Any) -> str:
    """Sign the test client in with a one-time link; return its CSRF token."""
    assert client.get(f"/staff?token={signin.mint(SECRET)}").status_code == 303
    return str(client.get("/api/session").get_json()["csrf"])


def headers_for(app: OpenAPI, credential: str, order_id: str | None) -> dict[str, str]:
    """Return the headers that carry `credential`."""
    wrong = {TOKEN_HEADER: "wrong", STAFF_HEADER: "wrong", ORDER_HEADER: "wrong", "Cookie": "session=forged"}
    sent: dict[str, str] = {
        "none": {},
        "wrong": wrong,
        "app token": {TOKEN_HEADER: APP_TOKEN},
        "staff token": {STAFF_HEADER: STAFF},
        "signed in": {},
        "order token": {},
        "all": {TOKEN_HEADER: APP_TOKEN, STAFF_HEADER: STAFF},
    }[credential]
    if credential == "order token" and order_id is not None and app.name == "pizza_order":
        with app.app_context():
            sent = {ORDER_HEADER: order_token(order_id)}
    return sent


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize(
    ("service", "rule", "method"), ROUTES, ids=[f"{s} {m} {r.rule}" for s, r, m in ROUTES]
)
@repeatable(EXAMPLES)
@given(data=st.data())
def test_every_route_with_and_without_credentials_never_fails(
    service: str, rule: Rule, method: str, credential: str, data: st.DataObject
) -> None:
    app = APPS[service]
    values = {name: data.draw(segment, label=name) for name in rule.arguments}
    client = app.test_client()
    headers = headers_for(app, credential, values.get("order_id"))
    if credential == "signed in" and service == ORDER_APP:
        headers["X-CSRFToken"] = signed_in_csrf(client)
    content_type, payload = (
        data.draw(body, label="body") if method in {"POST", "PUT", "DELETE"} else ("", None)
    )
    kwargs: dict[str, Any] = (
        {"json": payload}
        if content_type == "application/json" and not isinstance(payload, bytes)
        else {"data": payload, "content_type": content_type or None}
    )
    resp = client.open(
        path_of(rule, values),
        method=method,
        query_string=data.draw(query, label="query"),
        headers=headers,
        buffered=False,  # an event stream answers at once and never ends: read only its status
        **kwargs,
    )
    status = resp.status_code
    resp.close()
    CASES[service] += 1
    assert status < 500, (method, rule.rule, credential, status)
    seen = (method, rule.rule, credential, status)
    if guarded(app, rule, "dapr_only"):
        callers = APP_CREDENTIALS | ({"staff token"} if guarded(app, rule, "or_staff") else set())
        assert (status == 401) == (credential not in callers), seen
    elif guarded(app, rule, "staff_only"):
        staff = credential in STAFF_CREDENTIALS and (credential != "signed in" or service == ORDER_APP)
        assert (status == 403) == (not staff), seen  # only pizza-order has sessions
