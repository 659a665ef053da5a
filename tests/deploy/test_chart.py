"""The Kubernetes chart (deploy/pizza): helm lint, and what it renders, against the suite's own files."""

from typing import Any

import pytest
import yaml

from pizza_common.contract.names import ORDERS_SUB_ROUTE, ORDERS_TOPIC, PORTS, PUBSUB, STATE_STORE
from tests.deploy.chart import CHART, NAMESPACE, ROOT, SCALE_VALUES, Tools, of_kind

SHAPES = {"default": (), "scale": ("-f", str(SCALE_VALUES))}
WORKFLOW_ONLY = {"pizza-kitchen", "pizza-delivery"}
SECRET_ENV = {"DAPR_API_TOKEN", "APP_API_TOKEN", "PIZZA_STAFF_TOKEN", "PIZZA_SECRET_KEY"}


def env_of(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the app container's environment, by name."""
    return {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}


def resource(name: str) -> dict[str, Any]:
    """Return one of the suite's own Dapr resources (resources/)."""
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "resources" / name).read_text())
    return loaded


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_helm_lint_passes(tools: Tools, shape: str) -> None:
    done = tools.helm_run("lint", "--strict", str(CHART), "--namespace", NAMESPACE, *SHAPES[shape])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in done.stdout


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_rendered_object_passes_the_kubernetes_and_dapr_schemas(tools: Tools, shape: str) -> None:
    done = tools.check(tools.render(*SHAPES[shape]))
    assert done.returncode == 0, done.stderr
    print(done.stdout.strip())  # noqa: T201 - the figures: objects per kind
    assert "0 refused" in done.stdout
    for part in (
        "5 Deployment",
        "2 Service",
        "2 Component",
        "1 Subscription",
        "1 Resiliency",
        "2 Configuration",
    ):
        assert part in done.stdout
    assert ("1 Ingress" in done.stdout) == (shape == "scale")


def test_each_service_has_its_sidecar_with_its_app_id_port_and_configuration(tools: Tools) -> None:
    manifests = tools.render()
    deployments, configs = of_kind(manifests, "Deployment"), of_kind(manifests, "Configuration")
    assert set(deployments) == set(PORTS)
    for app_id, (app_port, _) in PORTS.items():
        notes = deployments[app_id]["spec"]["template"]["metadata"]["annotations"]
        want = "pizza-workflow-only-config" if app_id in WORKFLOW_ONLY else "pizza-config"
        assert notes["dapr.io/enabled"] == "true"
        assert (notes["dapr.io/app-id"], notes["dapr.io/app-port"]) == (app_id, str(app_port))
        assert (notes["dapr.io/app-protocol"], notes["dapr.io/config"]) == ("http", want)
        assert want in configs
        assert notes["dapr.io/enable-app-health-check"] == "true"
        assert notes["dapr.io/app-health-check-path"] == "/healthz"
        assert notes["dapr.io/log-level"] == "info"
        assert (
            notes["dapr.io/api-token-secret"]
            == env_of(deployments[app_id])["DAPR_API_TOKEN"]["valueFrom"]["secretKeyRef"]["name"]
        )


def test_only_the_workflow_may_invoke_the_kitchen_and_delivery(tools: Tools) -> None:
    configs = of_kind(tools.render(), "Configuration")
    acl = configs["pizza-workflow-only-config"]["spec"]["accessControl"]
    assert acl["defaultAction"] == "deny"
    assert acl["policies"] == [
        {"appId": "pizza-workflow", "defaultAction": "allow", "trustDomain": "public", "namespace": NAMESPACE}
    ]
    assert "accessControl" not in configs["pizza-config"]["spec"]


def test_components_are_the_suites_own_with_the_password_from_a_secret(tools: Tools) -> None:
    manifests = tools.render()
    components = of_kind(manifests, "Component")
    assert set(components) == {STATE_STORE, PUBSUB}
    for name, file in ((STATE_STORE, "statestore.yaml"), (PUBSUB, "pubsub.yaml")):
        local = resource(file)
        assert components[name]["spec"]["type"] == local["spec"]["type"]
        assert components[name]["scopes"] == local["scopes"]
        fields = {m["name"]: m for m in components[name]["spec"]["metadata"]}
        assert fields["redisPassword"] == {
            "name": "redisPassword",
            "secretKeyRef": {"name": "pizza-redis", "key": "password"},
        }
    assert {"name": "actorStateStore", "value": "true"} in components[STATE_STORE]["spec"]["metadata"]
    subscription = of_kind(manifests, "Subscription")["orders-subscription"]
    assert subscription["spec"] == {
        "pubsubname": PUBSUB,
        "topic": ORDERS_TOPIC,
        "routes": {"default": ORDERS_SUB_ROUTE},
    }
    assert subscription["scopes"] == resource("subscription.yaml")["scopes"]
    resiliency = of_kind(manifests, "Resiliency")["pizza-resiliency"]
    assert (resiliency["spec"], resiliency["scopes"]) == (
        resource("resiliency.yaml")["spec"],
        resource("resiliency.yaml")["scopes"],
    )


def test_no_secret_is_rendered_every_token_comes_from_a_secret(tools: Tools) -> None:
    manifests = tools.render()
    assert of_kind(manifests, "Secret") == {}
    for deployment in of_kind(manifests, "Deployment").values():
        env = env_of(deployment)
        assert env["PIZZA_PROFILE"]["value"] == "locked"
        for name in SECRET_ENV & set(env):
            assert set(env[name]) == {"name", "valueFrom"}, name


def test_ready_only_with_the_sidecar_alive_without_it(tools: Tools) -> None:
    for deployment in of_kind(tools.render(), "Deployment").values():
        app = deployment["spec"]["template"]["spec"]["containers"][0]
        ready = app["readinessProbe"]["httpGet"]
        # The apps refuse an unknown Host (the pod's address): the probe names one they answer to.
        assert (ready["path"], ready["httpHeaders"]) == ("/healthz", [{"name": "Host", "value": "localhost"}])
        assert "httpGet" not in app["livenessProbe"]
        assert app["livenessProbe"]["tcpSocket"] == {"port": "http"}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_the_shop_page_answers_behind_its_service(tools: Tools, shape: str) -> None:
    manifests = tools.render(*SHAPES[shape])
    order = of_kind(manifests, "Deployment")["pizza-order"]
    service = of_kind(manifests, "Service")["pizza-order"]
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"].items() <= order["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    hosts = env_of(order)["PIZZA_ALLOWED_HOSTS"]["value"].split(",")
    assert {"pizza-order", f"pizza-order.{NAMESPACE}.svc.cluster.local", "localhost"} <= set(hosts)
    ingresses = of_kind(manifests, "Ingress")
    assert ("pizza.example.org" in hosts) == (shape == "scale") == ("pizza-order" in ingresses)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_the_workshops_api_answers_behind_its_service(tools: Tools, shape: str) -> None:
    manifests = tools.render(*SHAPES[shape])
    workflow = of_kind(manifests, "Deployment")["pizza-workflow"]
    service = of_kind(manifests, "Service")["pizza-workflow"]
    assert service["spec"]["selector"].items() <= workflow["spec"]["template"]["metadata"]["labels"].items()
    hosts = env_of(workflow)["PIZZA_ALLOWED_HOSTS"]["value"].split(",")
    assert {"pizza-workflow", f"pizza-workflow.{NAMESPACE}.svc.cluster.local", "localhost"} <= set(hosts)
    assert "pizza.example.org" not in hosts


def test_replicas_are_set_per_service(tools: Tools) -> None:
    deployments = of_kind(tools.render("-f", str(SCALE_VALUES)), "Deployment")
    replicas = {name: d["spec"]["replicas"] for name, d in deployments.items()}
    assert replicas == {
        "pizza-order": 1,
        "pizza-storefront": 2,
        "pizza-kitchen": 2,
        "pizza-delivery": 2,
        "pizza-workflow": 3,
    }
    assert env_of(deployments["pizza-kitchen"])["PIZZA_INITIAL_STOCK"]["value"] == "500"


def test_pizza_order_refuses_a_second_replica(tools: Tools) -> None:
    done = tools.helm_run("template", "pizza", str(CHART), "--set", "services.pizza-order.replicas=2")
    assert done.returncode != 0
    assert "pizza-order runs as one replica" in done.stderr


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_the_network_policy_lets_in_only_sidecars_and_the_two_services(tools: Tools, shape: str) -> None:
    policies = of_kind(tools.render(*SHAPES[shape]), "NetworkPolicy")
    if shape == "default":
        assert policies == {}
        return
    rules = policies["pizza"]["spec"]["ingress"]
    assert [rule["ports"] for rule in rules] == [
        [{"port": 50002, "protocol": "TCP"}],
        [{"port": PORTS[app][0], "protocol": "TCP"} for app in ("pizza-order", "pizza-workflow")],
    ]
