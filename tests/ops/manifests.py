"""The Kubernetes manifests under deploy/, loaded and rendered as ``kubectl apply -k`` would.

The kustomizations use only ``namespace``, ``resources`` (files) and ``images``, so this
small renderer gives what kustomize gives (tests/ops/test_manifests.py holds them to that
subset, and compares with ``kubectl kustomize`` where kubectl is installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUSTOMIZATIONS = ("app", "migrate", "redis")
SUPPORTED_KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED_KINDS = {"Namespace"}

Manifest = dict[str, Any]


def documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def kustomization(name: str) -> Manifest:
    loaded: Manifest = yaml.safe_load((DEPLOY / name / "kustomization.yaml").read_text())
    return loaded


def render(name: str) -> list[Manifest]:
    """The objects ``kubectl kustomize deploy/<name>`` prints (in file order)."""
    spec = kustomization(name)
    rendered: list[Manifest] = []
    for resource in spec.get("resources", []):
        for manifest in documents(DEPLOY / name / resource):
            if spec.get("namespace") and manifest["kind"] not in CLUSTER_SCOPED_KINDS:
                manifest["metadata"]["namespace"] = spec["namespace"]
            for container in containers(manifest, init=True):
                container["image"] = _set_image(container["image"], spec.get("images", []))
            rendered.append(manifest)
    return rendered


def render_all() -> list[Manifest]:
    return [manifest for name in KUSTOMIZATIONS for manifest in render(name)]


def manifest_files() -> Iterator[Path]:
    """Every YAML file under deploy/ that holds Kubernetes objects (not kustomizations)."""
    for path in sorted(DEPLOY.rglob("*.yaml")):
        if path.name != "kustomization.yaml":
            yield path


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    for manifest in manifests:
        if manifest["kind"] == kind and manifest["metadata"]["name"] == name:
            return manifest
    raise LookupError(f"no {kind} {name}")


def pod_spec(manifest: Manifest) -> dict[str, Any] | None:
    if manifest["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}:
        spec: dict[str, Any] = manifest["spec"]["template"]["spec"]
        return spec
    return None


def containers(manifest: Manifest, *, init: bool = False) -> list[dict[str, Any]]:
    spec = pod_spec(manifest)
    if spec is None:
        return []
    found = list(spec.get("containers", []))
    return found + list(spec.get("initContainers", [])) if init else found


def _set_image(image: str, rules: list[dict[str, str]]) -> str:
    name = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
    for rule in rules:
        if rule["name"] == name:
            new_name = rule.get("newName", name)
            return f"{new_name}:{rule['newTag']}" if "newTag" in rule else new_name
    return image
