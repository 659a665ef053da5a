"""The suite as `make run` locks it down: API tokens both ways, loopback only, scoped components,
mTLS between sidecars and an access-control policy on the kitchen and delivery."""

import contextlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess

import httpx
import pytest

from pizza_common.auth import signin
from pizza_common.contract.menu import INGREDIENTS
from pizza_common.contract.names import (
    DELIVERY_APP,
    KITCHEN_APP,
    ORDER_APP,
    PORTS,
    STOREFRONT_APP,
    WORKFLOW_APP,
)
from pizza_common.release import VERSION
from pizza_run.http import app_url as app_base
from pizza_run.http import sidecar_url
from pizza_run.ports import CONTROL_PLANE
from tests.support.orders import sample_order
from tests.support.signin import expired_token

pytestmark = pytest.mark.e2e
DAPR_ONLY = [
    (STOREFRONT_APP, "/order"),
    (STOREFRONT_APP, "/pay"),
    (STOREFRONT_APP, "/refund"),
    (KITCHEN_APP, "/cook"),
    (KITCHEN_APP, "/reserve"),
    (KITCHEN_APP, "/release"),
    (KITCHEN_APP, "/inventory/restock"),
    (DELIVERY_APP, "/deliver"),
    (ORDER_APP, "/orders-sub"),
]
CUSTOMER = [
    (STOREFRONT_APP, "/menu", 200),
    (KITCHEN_APP, "/inventory", 200),
    (WORKFLOW_APP, "/get-status/nobody", 404),
]
# What only staff may do under `make run`, each sent as anyone on the machine (or a web page) could.
STAFF_ONLY = [
    ("POST", WORKFLOW_APP, "/terminate-order", {"order_id": "{oid}"}),
    ("POST", WORKFLOW_APP, "/cancel-order", {"order_id": "{oid}"}),
    ("POST", WORKFLOW_APP, "/pause-order", {"order_id": "{oid}"}),
    ("POST", WORKFLOW_APP, "/validate-pizza", {"order_id": "{oid}", "approved": False}),
    ("POST", WORKFLOW_APP, "/purge-orders", {}),
    ("GET", WORKFLOW_APP, "/orders", None),
    ("GET", ORDER_APP, "/order/{oid}", None),
    ("DELETE", ORDER_APP, "/order/{oid}", None),
    ("GET", ORDER_APP, "/api/orders", None),
    ("GET", ORDER_APP, "/api/events", None),
    ("POST", ORDER_APP, "/api/orders/{oid}/validate", {"approved": False}),
    ("POST", ORDER_APP, "/api/orders/{oid}/cancel", {}),
]


def sidecar(app: str, path: str) -> str:
    return sidecar_url(app) + path


def app_url(app: str, path: str) -> str:
    return app_base(app) + path


@pytest.fixture
def bare() -> httpx.Client:
    """A client with no token, as anyone on the machine could send."""
    return httpx.Client(timeout=30)


@pytest.mark.parametrize("app", list(PORTS))
def test_each_sidecar_requires_the_dapr_api_token_but_for_its_health(app: str, suite, bare) -> None:  # type: ignore[no-untyped-def]
    assert bare.get(sidecar(app, "/metadata")).status_code == 401
    assert bare.get(sidecar(app, "/metadata"), headers={"dapr-api-token": "wrong"}).status_code == 401
    assert suite.http.get(sidecar(app, "/metadata")).json()["id"] == app
    assert bare.get(sidecar(app, "/healthz")).status_code == 204
    assert bare.get(sidecar(app, "/healthz/outbound")).status_code == 204


@pytest.mark.parametrize(("app", "path"), DAPR_ONLY)
def test_routes_for_dapr_only_refuse_a_call_without_the_app_token(app: str, path: str, suite, bare) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"dapr-api-token": "wrong"}, {"dapr-api-token": suite.tokens["DAPR_API_TOKEN"]}):
        resp = bare.post(app_url(app, path), json=sample_order(), headers=headers)
        assert resp.status_code == 401, resp.text
        assert "Dapr only" in resp.json()["error"]


def test_service_invocation_through_the_sidecars_passes_the_app_token(suite) -> None:  # type: ignore[no-untyped-def]
    order = sample_order()
    via = sidecar(WORKFLOW_APP, f"/invoke/{DELIVERY_APP}/method/deliver")
    resp = suite.http.post(via, json=order)
    assert (resp.status_code, resp.json()["status"]) == (200, "delivered"), resp.text
    assert httpx.post(via, json=order, timeout=30).status_code == 401  # the caller's sidecar wants its token


@pytest.mark.parametrize(("app", "path", "code"), CUSTOMER)
def test_customer_routes_and_health_need_no_token(app: str, path: str, code: int, suite, bare) -> None:  # type: ignore[no-untyped-def]
    assert bare.get(app_url(app, path)).status_code == code
    health = {"status": "ok", "app": app, "dapr": "ok", "mode": "locked", "missing": [], "version": VERSION}
    assert bare.get(app_url(app, "/healthz")).json() == health


def test_staff_actions_sent_without_the_staff_token_are_refused_and_change_nothing(suite, bare) -> None:  # type: ignore[no-untyped-def]
    order = suite.start()
    oid = order["order_id"]
    suite.wait_stage(oid, "pending_validation", timeout=120)
    before = suite.status(oid)
    for method, app, path, body in STAFF_ONLY:
        filled = {k: (v.format(oid=oid) if isinstance(v, str) else v) for k, v in (body or {}).items()}
        sent = bare.request(
            method, app_url(app, path.format(oid=oid)), json=filled if body is not None else None
        )
        assert sent.status_code == 403, (method, path, sent.text)
        assert "staff only" in sent.json()["error"] or "token" in sent.json()["error"]
    after = suite.status(oid)
    assert (after["runtime_status"], after["stage"]) == (before["runtime_status"], before["stage"])
    assert suite.get(ORDER_APP, f"/order/{oid}").json()["status"] == "pending_validation"
    assert bare.get(app_url(ORDER_APP, "/staff?token=guess")).status_code == 403
    assert bare.get(app_url(ORDER_APP, "/"), headers={"Host": "attacker.example"}).status_code == 400


def test_a_staff_link_signs_in_one_browser_once(suite) -> None:  # type: ignore[no-untyped-def]
    secret = suite.tokens["PIZZA_SECRET_KEY"]
    link = signin.link(secret, app_base(ORDER_APP))
    orders = app_url(ORDER_APP, "/api/orders")
    with httpx.Client(timeout=30) as first, httpx.Client(timeout=30) as second:
        signed_in = first.get(link)
        assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/#kitchen")
        assert first.get(orders).status_code == 200
        again = second.get(link)  # the same link in another browser: the nonce is stored as used
        assert again.status_code == 403 and "used already" in again.json()["error"], again.text
        old = second.get(app_url(ORDER_APP, f"/staff?token={expired_token(secret)}"))
        assert old.status_code == 403 and "expired" in old.json()["error"], old.text
        # The long-lived staff token goes in a header (the CLI, Endpoints.http), never in a link.
        staff = suite.tokens["PIZZA_STAFF_TOKEN"]
        assert second.get(app_url(ORDER_APP, f"/staff?token={staff}")).status_code == 403
        assert second.get(orders).status_code == 403
        assert second.get(orders, headers={"X-Staff-Token": staff}).status_code == 200


def test_an_app_outside_a_components_scope_cannot_use_it(suite) -> None:  # type: ignore[no-untyped-def]
    item = [{"key": "intruder", "value": "x"}]
    refused = suite.http.post(sidecar(DELIVERY_APP, "/state/pizzastatestore"), json=item)
    assert refused.status_code >= 400, refused.text
    assert "pizzastatestore" in refused.text
    components = {c["name"] for c in suite.http.get(sidecar(DELIVERY_APP, "/metadata")).json()["components"]}
    assert components == {"pizzapubsub"}


# Dapr 1.18.3's control plane parses --healthz-listen-address but never uses it (the healthz server
# listens on ":port"): only their health answers there, on the ports scripts/controlplane.sh sets.
UPSTREAM_HEALTHZ = {str(s.healthz): name for name, s in CONTROL_PLANE.items() if s.healthz}


def test_every_process_of_the_suite_listens_on_loopback_only(suite) -> None:  # type: ignore[no-untyped-def]
    if not shutil.which("ss"):
        pytest.skip("no ss (iproute2) to list the listening sockets")
    ours = {str(p) for ports in PORTS.values() for p in ports}
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    exposed = []
    for line in out.splitlines():
        address, port = line.split()[3].rsplit(":", 1)
        dapr = re.search(r'"(daprd|placement|scheduler|sentry)"', line)
        if address in {"127.0.0.1", "[::1]"} or not (port in ours or dapr):
            continue
        if not (dapr and UPSTREAM_HEALTHZ.get(port) == dapr.group(1)):
            exposed.append(line)
    assert not exposed, "\n".join(exposed)


SWITCHED_OFF = ["/secrets/any/key", "/shutdown", "/actors/any/id/state/key", "/bindings/any"]


@pytest.mark.parametrize("path", SWITCHED_OFF)
def test_apis_no_service_uses_are_switched_off(path: str, suite) -> None:  # type: ignore[no-untyped-def]
    method = "POST" if path in {"/shutdown", "/bindings/any"} else "GET"
    resp = suite.http.request(method, sidecar(KITCHEN_APP, path), json={})
    assert resp.status_code in {403, 404, 405}, resp.text
    assert suite.http.get(sidecar(KITCHEN_APP, "/healthz")).status_code == 204  # not shut down


# Only pizza-workflow's sidecar may invoke the kitchen and delivery (config/workflow-only-config.yaml).
# (A sidecar calling its own app is local: no policy applies.)
RESTRICTED = {KITCHEN_APP: "inventory", DELIVERY_APP: "healthz"}
DENIED = [(c, t) for t in RESTRICTED for c in PORTS if c not in {t, WORKFLOW_APP}]


@pytest.mark.parametrize(("caller", "target"), DENIED)
def test_only_the_workflow_may_invoke_the_kitchen_and_delivery(caller: str, target: str, suite) -> None:  # type: ignore[no-untyped-def]
    method = f"/invoke/{target}/method/{RESTRICTED[target]}"
    assert suite.http.get(sidecar(WORKFLOW_APP, method)).status_code == 200
    denied = suite.http.get(sidecar(caller, method))
    assert denied.status_code == 403, denied.text
    assert "access control policy has denied" in denied.text
    assert f"spiffe://public/ns/default/{caller}" in denied.text  # judged by its mTLS identity


def test_a_denied_call_has_no_effect(suite) -> None:  # type: ignore[no-untyped-def]
    ingredient = next(iter(INGREDIENTS))
    restock = {"items": {ingredient: 5}}
    method = f"/invoke/{KITCHEN_APP}/method/inventory/restock"

    def stock() -> int:
        return int(suite.get(KITCHEN_APP, "/inventory").json()["ingredients"][ingredient]["on_hand"])

    before = stock()
    denied = suite.http.post(sidecar(ORDER_APP, method), json=restock)
    assert denied.status_code == 403, denied.text
    assert stock() == before
    assert suite.http.post(sidecar(WORKFLOW_APP, method), json=restock).status_code == 200
    assert stock() == before + 5  # the same call from the workflow's sidecar does restock


def _internal_port(suite, app: str) -> int:  # type: ignore[no-untyped-def]
    runs = sorted((suite.data / "run").glob("multirun-*.json"))
    if not runs:
        pytest.skip("the Dapr CLI started the sidecars: no record of their internal ports")
    apps = [a for r in runs for a in json.loads(r.read_text())]
    return next(int(a["internal_grpc_port"]) for a in apps if a["app_id"] == app)


@pytest.mark.parametrize("app", [KITCHEN_APP, WORKFLOW_APP])
def test_sidecars_speak_mtls_with_certificates_from_sentry(app: str, suite) -> None:  # type: ignore[no-untyped-def]
    anchors = ssl.create_default_context(cafile=str(suite.data / "certs" / "ca.crt"))
    anchors.check_hostname = False  # a SPIFFE identity, not a host name: checked below
    with (
        socket.create_connection(("127.0.0.1", _internal_port(suite, app)), timeout=5) as raw,
        anchors.wrap_socket(raw) as tls,  # fails unless the certificate chains to Sentry's root
    ):
        names = dict(tls.getpeercert()["subjectAltName"])  # type: ignore[arg-type,index]
    assert names["URI"] == f"spiffe://public/ns/default/{app}"
    with socket.create_connection(("127.0.0.1", _internal_port(suite, app)), timeout=5) as raw:
        raw.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")  # the preface of plain-text gRPC
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            answer = raw.recv(64)
    assert answer == b"" or answer[0] == 0x15, answer  # closed, or a TLS alert: no HTTP/2 SETTINGS


def test_redis_refuses_a_client_without_the_suites_password(suite) -> None:  # type: ignore[no-untyped-def]
    """Any local process could otherwise rewrite stock, payments, orders or workflow state."""

    def cli(*args: str, password: str | None = None) -> str:
        env = {"PATH": os.environ["PATH"]} | ({"REDISCLI_AUTH": password} if password else {})
        cmd = ["redis-cli", "-p", "6379", *args]
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, timeout=10)
        return done.stdout.strip()

    assert "NOAUTH" in cli("SET", "pizza-kitchen||inventory", "{}")
    assert "NOAUTH" in cli("KEYS", "*")
    assert cli("PING", password=suite.tokens["PIZZA_REDIS_PASSWORD"]) == "PONG"
    assert suite.get(KITCHEN_APP, "/inventory").status_code == 200  # the sidecars hold it
