"""Helm and the schema checker as the chart's tests run them (built by scripts/setup-k8s-tools.sh)."""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "pizza"
SCALE_VALUES = CHART / "ci" / "scale-values.yaml"
NAMESPACE = "shop"


@dataclass(frozen=True)
class Tools:
    helm: str
    k8scheck: str
    dapr_crds: str

    def helm_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run helm with `args`; its output and status, for the test to judge."""
        return subprocess.run([self.helm, *args], capture_output=True, text=True, timeout=60, check=False)

    def render(self, *args: str, chart: Path = CHART) -> str:
        """Return `helm template` of the chart in the test namespace; fail the test if helm refuses."""
        done = self.helm_run("template", "pizza", str(chart), "--namespace", NAMESPACE, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def check(self, manifests: str) -> subprocess.CompletedProcess[str]:
        """Check rendered manifests against the Kubernetes types and Dapr's CRD schemas."""
        return subprocess.run(
            [self.k8scheck, "-crds", self.dapr_crds],
            input=manifests,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def build_tools() -> Tools:
    """Build (once) or find Helm and the checker; skip the test without a Go toolchain."""
    if shutil.which("go") is None:
        pytest.skip("no Go toolchain: Helm and tools/k8scheck are built with Go (scripts/setup-k8s-tools.sh)")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup-k8s-tools.sh")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return Tools(helm=found["HELM"], k8scheck=found["K8SCHECK"], dapr_crds=found["DAPR_CRDS"])


def objects(manifests: str) -> list[dict[str, Any]]:
    """Return the rendered objects, in order."""
    return [doc for doc in yaml.safe_load_all(manifests) if doc]


def of_kind(manifests: str, kind: str) -> dict[str, dict[str, Any]]:
    """Return the rendered objects of one kind, by name."""
    return {o["metadata"]["name"]: o for o in objects(manifests) if o["kind"] == kind}


def dump(docs: list[dict[str, Any]]) -> str:
    """Return objects as one multi-document YAML stream."""
    return yaml.safe_dump_all(docs, sort_keys=False)
