"""Who can reach whom under deploy/'s NetworkPolicies, worked out as Kubernetes does.

A connection is allowed when the source may send it (no policy isolates the source for
egress, or one of the policies selecting it allows that peer and port) and the target may
receive it (likewise for ingress). The evaluator below follows the NetworkPolicy API:
selectors with matchLabels and matchExpressions, namespaceSelector, ipBlock with except.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.ops.manifests import render_all

NAMESPACE = "tsunagu"
POLICIES = [m for m in render_all() if m["kind"] == "NetworkPolicy"]


@dataclass(frozen=True)
class Endpoint:
    namespace: str | None  # None: outside the cluster
    labels: dict[str, str] = field(default_factory=dict)
    ip: str = "10.1.2.3"  # pods use a private range


def _pod(component: str, name: str = "tsunagu") -> Endpoint:
    return Endpoint(NAMESPACE, {"app.kubernetes.io/name": name, "app.kubernetes.io/component": component})


WEB, WORKER, RASA, MIGRATE = (_pod(c) for c in ("web", "worker", "rasa", "migrate"))
REDIS = _pod("redis", "tsunagu-redis")
POSTGRES = Endpoint(NAMESPACE, {"cnpg.io/cluster": "tsunagu-pg", "cnpg.io/instanceRole": "primary"})
INGRESS_CONTROLLER = Endpoint("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
KEDA = Endpoint("keda", {"app": "keda-operator"})
DNS = Endpoint("kube-system", {"k8s-app": "kube-dns"})
OTHER_APP = Endpoint("another-team", {"app": "something"})
LINE_API = Endpoint(None, ip="147.92.150.193")  # a public address
CLOUD_METADATA = Endpoint(None, ip="169.254.169.254")


def _selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _peer_matches(peer: dict[str, Any], policy_namespace: str, endpoint: Endpoint) -> bool:
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        address = ipaddress.ip_address(endpoint.ip)
        if address not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(address in ipaddress.ip_network(cidr) for cidr in block.get("except", []))
    if endpoint.namespace is None:
        return False
    if "namespaceSelector" in peer:
        namespace_labels = {"kubernetes.io/metadata.name": endpoint.namespace}
        if not _selects(peer["namespaceSelector"], namespace_labels):
            return False
    elif endpoint.namespace != policy_namespace:
        return False
    return _selects(peer.get("podSelector"), endpoint.labels)


def _port_matches(rule: dict[str, Any], port: int) -> bool:
    ports = rule.get("ports")
    return not ports or any(item.get("port") in (None, port) for item in ports)


def _allowed(endpoint: Endpoint, peer: Endpoint, port: int, direction: str) -> bool:
    """May ``endpoint`` send to (Egress) / receive from (Ingress) ``peer`` on ``port``?"""
    if endpoint.namespace is None:
        return True  # outside the cluster: no policy applies
    selecting = [
        p for p in POLICIES
        if p["metadata"]["namespace"] == endpoint.namespace
        and _selects(p["spec"]["podSelector"], endpoint.labels)
        and direction in p["spec"].get("policyTypes", ["Ingress"])
    ]
    if not selecting:
        return True
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    return any(
        _port_matches(rule, port)
        and (not rule.get(peers_key) or any(
            _peer_matches(item, policy["metadata"]["namespace"], peer) for item in rule[peers_key]
        ))
        for policy in selecting
        for rule in policy["spec"].get(key) or []
    )


def reachable(source: Endpoint, target: Endpoint, port: int) -> bool:
    return _allowed(source, target, port, "Egress") and _allowed(target, source, port, "Ingress")


ALLOWED = [
    ("ingress controller -> web", INGRESS_CONTROLLER, WEB, 8000),
    ("web -> Redis", WEB, REDIS, 6379),
    ("web -> PostgreSQL", WEB, POSTGRES, 5432),
    ("web -> Rasa", WEB, RASA, 5005),
    ("web -> LINE (staff messages)", WEB, LINE_API, 443),
    ("worker -> Redis", WORKER, REDIS, 6379),
    ("worker -> PostgreSQL", WORKER, POSTGRES, 5432),
    ("worker -> Rasa", WORKER, RASA, 5005),
    ("worker -> LINE", WORKER, LINE_API, 443),
    ("worker -> DNS", WORKER, DNS, 53),
    ("migration -> PostgreSQL", MIGRATE, POSTGRES, 5432),
    ("KEDA -> Redis (stream length)", KEDA, REDIS, 6379),
]
DENIED = [
    ("ingress controller -> worker", INGRESS_CONTROLLER, WORKER, 8000),
    ("ingress controller -> Rasa", INGRESS_CONTROLLER, RASA, 5005),
    ("ingress controller -> Redis", INGRESS_CONTROLLER, REDIS, 6379),
    ("another namespace -> web", OTHER_APP, WEB, 8000),
    ("another namespace -> Redis", OTHER_APP, REDIS, 6379),
    ("another namespace -> Rasa", OTHER_APP, RASA, 5005),
    ("web -> LINE over plain http", WEB, LINE_API, 80),
    ("worker -> cloud metadata", WORKER, CLOUD_METADATA, 443),
    ("worker -> another namespace", WORKER, OTHER_APP, 443),
    ("Rasa -> internet", RASA, LINE_API, 443),
    ("Rasa -> Redis", RASA, REDIS, 6379),
    ("Rasa -> PostgreSQL", RASA, POSTGRES, 5432),
    ("migration -> Redis", MIGRATE, REDIS, 6379),
    ("migration -> internet", MIGRATE, LINE_API, 443),
    ("Redis -> internet", REDIS, LINE_API, 443),
]


@pytest.mark.parametrize(("label", "source", "target", "port"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_what_the_system_needs_is_open(label: str, source: Endpoint, target: Endpoint, port: int) -> None:
    assert reachable(source, target, port), label


@pytest.mark.parametrize(("label", "source", "target", "port"), DENIED, ids=[d[0] for d in DENIED])
def test_everything_else_is_closed(label: str, source: Endpoint, target: Endpoint, port: int) -> None:
    assert not reachable(source, target, port), label
