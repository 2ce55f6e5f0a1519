"""deploy/ is valid Kubernetes: every object against the API's JSON schemas (strict: an
unknown or misspelt field fails), KEDA's objects against models generated from KEDA's
CRDs, and the kustomizations render what this repo's checks read.

Schemas come from PyPI packages (pyproject.toml, dev extras): ``kubernetes-validate``
bundles the Kubernetes OpenAPI schemas of 1.25 to 1.37; ``cloudcoil.models.keda`` holds
pydantic models generated from KEDA's CRDs (ScaledObject, TriggerAuthentication).
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from typing import Any

import kubernetes_validate
import pytest
from cloudcoil.models.keda.v1alpha1 import ScaledObject, TriggerAuthentication

from tests.ops.manifests import (
    DEPLOY,
    KUSTOMIZATIONS,
    SUPPORTED_KUSTOMIZE_FIELDS,
    Manifest,
    documents,
    find,
    kustomization,
    manifest_files,
    render,
)

# The oldest Kubernetes the manifests are written for, and the newest schemas at hand.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.latest_version())
KEDA_MODELS: dict[str, Any] = {"ScaledObject": ScaledObject, "TriggerAuthentication": TriggerAuthentication}


def validate(manifest: Manifest) -> None:
    """Raise if ``manifest`` is not valid for its kind."""
    if manifest["apiVersion"].startswith("keda.sh/"):
        validate_keda(manifest)
        return
    for version in KUBERNETES_VERSIONS:
        kubernetes_validate.validate(manifest, version, strict=True)


def validate_keda(manifest: Manifest) -> None:
    """Parse with the CRD's model; a field the model drops or a value it changes is an error
    (the models accept and ignore unknown fields, the API server would prune them)."""
    model = KEDA_MODELS[manifest["kind"]].model_validate(manifest)
    dumped = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    problems = list(_differences(manifest, dumped, ""))
    if problems:
        raise ValueError(f"{manifest['kind']} {manifest['metadata']['name']}: {problems}")


def _differences(given: Any, parsed: Any, path: str) -> Any:
    if isinstance(given, dict) and isinstance(parsed, dict):
        for key, value in given.items():
            if key not in parsed:
                yield f"{path}.{key}: not in the schema"
            else:
                yield from _differences(value, parsed[key], f"{path}.{key}")
    elif isinstance(given, list) and isinstance(parsed, list) and len(given) == len(parsed):
        for index, (item, parsed_item) in enumerate(zip(given, parsed, strict=True)):
            yield from _differences(item, parsed_item, f"{path}[{index}]")
    elif given != parsed or type(given) is not type(parsed):
        yield f"{path}: {given!r} read as {parsed!r}"


@pytest.mark.parametrize(
    "path", list(manifest_files()), ids=lambda path: str(path.relative_to(DEPLOY))
)
def test_every_object_is_valid_for_its_kind(path: Any) -> None:
    manifests = documents(path)
    assert manifests, f"{path} holds no object"
    for manifest in manifests:
        validate(manifest)


def test_the_validation_catches_a_misspelt_field() -> None:
    """The checks above are strict: a probe under a wrong name, or a KEDA field under the
    HPA's name, fails instead of being ignored as the API server would ignore it."""
    web = copy.deepcopy(find(render("app"), "Deployment", "tsunagu-web"))
    container = web["spec"]["template"]["spec"]["containers"][0]
    container["readinessprobe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(web)
    scaled = copy.deepcopy(find(render("app"), "ScaledObject", "tsunagu-worker"))
    scaled["spec"]["minReplicas"] = scaled["spec"].pop("minReplicaCount")
    with pytest.raises(ValueError, match="minReplicas"):
        validate(scaled)
    scaled = copy.deepcopy(find(render("app"), "ScaledObject", "tsunagu-worker"))
    scaled["spec"]["pollingInterval"] = "5"  # a string where the CRD wants an integer
    with pytest.raises(ValueError, match="pollingInterval"):
        validate(scaled)


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_each_kustomization_lists_every_file_beside_it(name: str) -> None:
    spec = kustomization(name)
    assert set(spec) <= SUPPORTED_KUSTOMIZE_FIELDS, "tests/ops/manifests.py renders only these"
    listed = set(spec["resources"])
    present = {path.name for path in (DEPLOY / name).glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_the_example_secret_is_applied_by_no_kustomization() -> None:
    for name in KUSTOMIZATIONS:
        assert all("secret" not in resource for resource in kustomization(name)["resources"])


def test_app_and_migration_job_run_the_same_release() -> None:
    def bot_image(name: str) -> dict[str, str]:
        return next(rule for rule in kustomization(name)["images"] if rule["name"] == "tsunagu-bot")

    assert bot_image("app") == bot_image("migrate")
    job_image = render("migrate")[0]["spec"]["template"]["spec"]["containers"][0]["image"]
    web = find(render("app"), "Deployment", "tsunagu-web")
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == job_image


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl not installed")
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_kubectl_kustomize_renders_the_same_objects(name: str) -> None:
    import yaml

    result = subprocess.run(
        ["kubectl", "kustomize", str(DEPLOY / name)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    by_kubectl = {_key(doc): doc for doc in yaml.safe_load_all(result.stdout) if doc}
    by_us = {_key(doc): doc for doc in render(name)}
    assert by_kubectl == by_us


def _key(manifest: Manifest) -> tuple[str, str]:
    return manifest["kind"], manifest["metadata"]["name"]
