"""What the manifests promise the code: every setting is given, secrets come from the
Secret, pods run as the images' non-root user on a read-only root filesystem, probes hit
real endpoints, and nothing starts on an unmigrated database."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr

from bot import ops
from settings import Settings, variables_of
from tests.ops.manifests import (
    DEPLOY,
    ROOT,
    Manifest,
    containers,
    documents,
    find,
    pod_spec,
    render,
    render_all,
)

APP = render("app")
ALL = render_all()
EXAMPLE_SECRET = documents(DEPLOY / "secret.example.yaml")[0]
CONFIG = find(APP, "ConfigMap", "tsunagu-config")["data"]
# Every variable the settings read (DATABASE_URL fills settings.database.url).
SETTINGS = {variable: field for variable, _path, field in variables_of(Settings)}
# Keys of the Secret that are not settings of the bot: Redis's own password (for the
# Redis pod and KEDA's TriggerAuthentication; the bot takes it inside REDIS_URL).
SECRET_ONLY_KEYS = {"REDIS_PASSWORD"}
WORKLOADS = [manifest for manifest in ALL if pod_spec(manifest) is not None]


def _explicit_env() -> dict[str, str]:
    return {
        env["name"]: env.get("value", "")
        for manifest in APP
        for container in containers(manifest)
        for env in container.get("env", [])
    }


def test_every_setting_is_given_by_the_configmap_the_secret_or_a_container() -> None:
    secret_keys = set(EXAMPLE_SECRET["stringData"])
    given = set(CONFIG) | secret_keys | set(_explicit_env())
    assert set(SETTINGS) - given == set(), "add new settings to deploy/app/config.yaml"
    assert set(CONFIG) - set(SETTINGS) == set(), "not a setting of settings/"
    assert secret_keys - set(SETTINGS) == SECRET_ONLY_KEYS


def test_secrets_and_connection_urls_come_from_the_secret_only() -> None:
    secret_settings = {name for name, field in SETTINGS.items() if field.annotation is SecretStr}
    must_be_secret = secret_settings | {"DATABASE_URL", "REDIS_URL"}
    assert must_be_secret <= set(EXAMPLE_SECRET["stringData"])
    assert must_be_secret.isdisjoint(CONFIG)
    assert must_be_secret.isdisjoint(_explicit_env())


def test_the_example_secret_holds_placeholders_only() -> None:
    for key, value in EXAMPLE_SECRET["stringData"].items():
        assert "REPLACE_ME" in value, f"{key} must be a marked placeholder"
    for manifest in ALL:
        for container in containers(manifest, init=True):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in EXAMPLE_SECRET["stringData"]
    auth = find(APP, "TriggerAuthentication", "tsunagu-redis")
    for target in auth["spec"]["secretTargetRef"]:
        assert target["name"] == EXAMPLE_SECRET["metadata"]["name"]
        assert target["key"] in EXAMPLE_SECRET["stringData"]


def test_the_configuration_parses_into_the_bots_settings() -> None:
    values = {**CONFIG, **EXAMPLE_SECRET["stringData"], "IN_PROCESS_WORKERS": "0"}
    settings = Settings.from_variables({key: value for key, value in values.items() if key in SETTINGS}, env_file=None)
    assert settings.nlu.backend == "rasa" and not settings.dev_mode
    rasa = find(APP, "Service", "tsunagu-rasa")
    url = urlsplit(settings.nlu.rasa_url)
    assert (url.hostname, url.port) == (rasa["metadata"]["name"], rasa["spec"]["ports"][0]["port"])
    assert settings.web.port == find(APP, "Service", "tsunagu-web")["spec"]["ports"][0]["port"]


def test_web_handles_no_events_and_is_probed_on_real_endpoints() -> None:
    web = find(APP, "Deployment", "tsunagu-web")
    (container,) = containers(web)
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["IN_PROCESS_WORKERS"] == "0"
    routes = {route.path for route in ops.router.routes}  # type: ignore[attr-defined]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz" in routes
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz" in routes
    assert container["startupProbe"]["httpGet"]["path"] in routes


@pytest.mark.parametrize("name", ["tsunagu-web", "tsunagu-worker"])
def test_web_and_workers_wait_for_the_migration_job(name: str) -> None:
    spec = pod_spec(find(APP, "Deployment", name))
    assert spec is not None
    (wait,) = spec["initContainers"]
    assert wait["command"][:5] == ["python", "-m", "bot", "migrate", "--wait"]
    assert float(wait["command"][5]) > 0
    job = render("migrate")[0]
    (migrate,) = containers(job)
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    # The Job runs before deploy/app exists: it may read only the Secret.
    assert [source.get("secretRef", {}).get("name") for source in migrate["envFrom"]] == [
        EXAMPLE_SECRET["metadata"]["name"]
    ]


def test_workers_have_time_to_finish_what_they_hold() -> None:
    """The grace period covers a whole lock lease plus one XREADGROUP wait, and matches
    docker-compose's stop_grace_period."""
    worker = find(APP, "Deployment", "tsunagu-worker")
    grace = worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace >= float(CONFIG["WORKER_LOCK_LEASE_S"]) + int(CONFIG["WORKER_BLOCK_MS"]) / 1000
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["worker"]["stop_grace_period"] == f"{grace}s"


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda m: f"{m['kind']}/{m['metadata']['name']}")
def test_pods_run_restricted_non_root_with_a_read_only_root(workload: Manifest) -> None:
    spec = pod_spec(workload)
    assert spec is not None
    assert spec["automountServiceAccountToken"] is False
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True and pod_security["runAsUser"] > 0
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in containers(workload, init=True):
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]


@pytest.mark.parametrize(
    ("image", "dockerfile"), [("/bot:", "Dockerfile"), ("/rasa:", "nlu/rasa/Dockerfile")]
)
def test_our_pods_run_as_the_images_user_with_a_writable_tmp(image: str, dockerfile: str) -> None:
    text = (ROOT / dockerfile).read_text()
    user = re.search(r"^USER (\d+)$", text, re.MULTILINE)
    assert user, f"{dockerfile} must name a numeric non-root USER"
    pods = [m for m in WORKLOADS if any(image in c["image"] for c in containers(m, init=True))]
    assert pods
    for workload in pods:
        spec = pod_spec(workload)
        assert spec is not None and spec["securityContext"]["runAsUser"] == int(user.group(1))
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in containers(workload, init=True):
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]]


def test_rasa_is_served_where_the_bot_looks_for_it() -> None:
    rasa = find(APP, "Deployment", "tsunagu-rasa")
    (container,) = containers(rasa)
    port = container["ports"][0]["containerPort"]
    assert f'"--port", "{port}"' in (ROOT / "nlu/rasa/Dockerfile").read_text()
    assert "model_file" in " ".join(container["readinessProbe"]["exec"]["command"])
    assert container["livenessProbe"]["httpGet"]["path"] == "/"


def test_every_selector_and_target_names_a_real_workload() -> None:
    deployments = {m["metadata"]["name"]: m for m in ALL if m["kind"] in {"Deployment", "StatefulSet"}}

    def pod_labels(name: str) -> dict[str, Any]:
        labels: dict[str, Any] = deployments[name]["spec"]["template"]["metadata"]["labels"]
        return labels

    def selected(selector: dict[str, str]) -> list[str]:
        return [name for name in deployments if selector.items() <= pod_labels(name).items()]

    for manifest in ALL:
        kind, spec = manifest["kind"], manifest.get("spec", {})
        if kind == "Service":
            assert selected(spec["selector"]), manifest["metadata"]["name"]
        elif kind == "PodDisruptionBudget":
            assert selected(spec["selector"]["matchLabels"]), manifest["metadata"]["name"]
        elif kind in {"Deployment", "StatefulSet"}:
            assert spec["selector"]["matchLabels"].items() <= pod_labels(manifest["metadata"]["name"]).items()
        elif kind in {"HorizontalPodAutoscaler", "ScaledObject"}:
            target = spec["scaleTargetRef"]["name"]
            assert target in deployments
            # The autoscaler owns the count: a replicas field would fight it on each apply.
            assert "replicas" not in deployments[target]["spec"]
