"""The schema check refuses what an API server would: a typo in a chart is caught here, offline."""

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.chart import CHART, SCALE_VALUES, Tools, dump, objects, of_kind

Object = dict[str, Any]


def container(o: Object) -> None:
    o["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"


def component_field(o: Object) -> None:
    o["spec"]["metadata"][0]["valueFrom"] = o["spec"]["metadata"][0].pop("value")


def component_spec(o: Object) -> None:
    o["spec"]["versoin"] = o["spec"].pop("version")


def subscription_route(o: Object) -> None:
    o["spec"]["routes"]["default"] = ["/orders-sub"]


def resiliency_retries(o: Object) -> None:
    o["spec"]["policies"]["retries"]["redeliver"]["maxRetries"] = "forever"


def configuration_policy(o: Object) -> None:
    o["spec"]["accessControl"]["policies"][0]["appID"] = o["spec"]["accessControl"]["policies"][0].pop(
        "appId"
    )


def unknown_kind(o: Object) -> None:
    o["kind"] = "Deploymnet"


def selector(o: Object) -> None:
    o["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = "pizza-oven"


# (kind, name, the typo, what the checker must say)
TYPOS: list[tuple[str, str, Callable[[Object], None], str]] = [
    (
        "Deployment",
        "pizza-kitchen",
        container,
        'unknown field "spec.template.spec.containers[0].imagePullPolcy"',
    ),
    ("Component", "pizzastatestore", component_field, 'unknown field "spec.metadata[0].valueFrom"'),
    ("Component", "pizzapubsub", component_spec, 'unknown field "spec.versoin"'),
    ("Subscription", "orders-subscription", subscription_route, "spec.routes.default: Invalid value"),
    ("Resiliency", "pizza-resiliency", resiliency_retries, "must be of type integer"),
    ("Configuration", "pizza-workflow-only-config", configuration_policy, "appId: Required value"),
    ("Deployment", "pizza-order", unknown_kind, 'unknown kind: no kind "Deploymnet"'),
    ("Deployment", "pizza-workflow", selector, "spec.selector does not match"),
]


@pytest.mark.parametrize(("kind", "name", "typo", "said"), TYPOS, ids=[t[2].__name__ for t in TYPOS])
def test_a_typo_in_a_rendered_object_is_refused(
    tools: Tools, kind: str, name: str, typo: Callable[[Object], None], said: str
) -> None:
    docs = objects(tools.render())
    broken = next(o for o in docs if (o["kind"], o["metadata"]["name"]) == (kind, name))
    typo(broken)
    done = tools.check(dump(docs))
    assert done.returncode == 1
    assert said in done.stderr
    assert ", 1 refused" in done.stdout


@pytest.mark.parametrize(
    ("template", "right", "wrong", "said"),
    [
        (
            "deployments.yaml",
            "containerPort:",
            "containerPrt:",
            'unknown field "spec.template.spec.containers[0]',
        ),
        (
            "components.yaml",
            "secretKeyRef:",
            "secretKeyref:",
            'unknown field "spec.metadata[1].secretKeyref"',
        ),
    ],
    ids=["deployment", "component"],
)
def test_a_typo_in_the_chart_renders_and_is_refused(
    tools: Tools, tmp_path: Path, template: str, right: str, wrong: str, said: str
) -> None:
    chart = tmp_path / "pizza"
    shutil.copytree(CHART, chart)
    path = chart / "templates" / template
    path.write_text(path.read_text().replace(right, wrong))
    done = tools.check(tools.render(chart=chart))
    assert done.returncode == 1
    assert said in done.stderr


def test_a_duplicated_field_and_an_empty_input_are_refused(tools: Tools) -> None:
    manifests = tools.render()
    duplicated = manifests.replace("  replicas: 1\n", "  replicas: 1\n  replicas: 2\n", 1)
    assert duplicated != manifests
    done = tools.check(duplicated)
    assert done.returncode == 1
    assert 'key "replicas" already set' in done.stderr
    assert tools.check("# nothing\n").returncode == 1


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("services.pizza-kitchn.replicas=2", "additional properties 'pizza-kitchn' not allowed"),
        ("services.pizza-kitchen.replica=2", "additional properties 'replica' not allowed"),
        ("redis.passwordSecret.nmae=x", "additional properties 'nmae' not allowed"),
        ("logLevel=verbose", "value must be one of"),
    ],
    ids=["service", "replicas", "secret", "level"],
)
def test_a_typo_in_the_values_is_refused_by_the_charts_schema(tools: Tools, setting: str, said: str) -> None:
    done = tools.helm_run("template", "pizza", str(CHART), "--set", setting)
    assert done.returncode != 0
    assert said in done.stderr


def test_every_dapr_annotation_is_one_daprs_sidecar_injector_reads(tools: Tools) -> None:
    # Annotations are free-form to Kubernetes: a misspelt one would be ignored in silence. The names
    # Dapr 1.18.3's injector reads are its struct tags (pkg/injector/patcher/sidecar.go of its module).
    source = Path(tools.dapr_crds).parents[2] / "pkg" / "injector" / "patcher" / "sidecar.go"
    known = set(re.findall(r'annotation:"(dapr\.io/[a-z-]+)"', source.read_text()))
    assert len(known) > 40
    for deployment in of_kind(tools.render("-f", str(SCALE_VALUES)), "Deployment").values():
        notes = deployment["spec"]["template"]["metadata"]["annotations"]
        assert {n for n in notes if n.startswith("dapr.io/")} <= known
