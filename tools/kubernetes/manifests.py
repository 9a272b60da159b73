"""The services' Kubernetes objects, written from their definitions: a Deployment, a Service, a
PodDisruptionBudget and a NetworkPolicy each, into deploy/kubernetes/base/services.yaml.

    uv run python tools/kubernetes/manifests.py      # after changing a service's name, port or needs

A test checks that the committed file is current.

The broker, the database, the one-shot jobs and the autoscaler are written by hand beside it
(deploy/kubernetes/base): they are few and each is unlike the others.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

import services

TARGET = Path(__file__).parents[2] / "deploy" / "kubernetes" / "base" / "services.yaml"

PART_OF = "aftercare"
IMAGE = "aftercare"  # the tag is set once, in kustomization.yaml's `images`
BROKER_PODS = {"app.kubernetes.io/name": "aftercare-broker"}  # the RabbitMQ operator's pod label
DATABASE_PODS = {"cnpg.io/cluster": "aftercare-db"}  # CloudNativePG's pod label
REPLICAS = 2

# From the load benchmark (docs/performance): CPU per ticket at 10 tickets/s is archive 62 ms (with
# typesetting), dispatch and sla 21, intake 14, webhooks 13, console 4. A request of that share at
# about 4 tickets/s each, a limit of one core; memory peaked at 105-140 MiB per process under load.
CPU_REQUESTS = {"archive": "250m", "dispatch": "100m", "sla": "100m", "intake": "100m", "webhooks": "100m"}
CPU_REQUEST = "50m"
MEMORY_REQUEST = "192Mi"
MEMORY_LIMIT = "512Mi"
CPU_LIMIT = "1"

# Whom a service calls beyond the broker and the database: the console calls every service's API;
# notify sends e-mail, robot messages and text messages and webhooks deliver to customers' systems,
# outside.
CALLS_SERVICES = {"console"}
CALLS_OUTSIDE = {"notify", "webhooks"}
# Outside means the internet: not the cluster's own ranges, nor the cloud's metadata service (link-local)
# or carrier-grade NAT, which a customer's webhook address must never reach.
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"]
TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}  # noqa: S108 - the pod's own memory volume, nothing shared


def name_of(service: str) -> str:
    return f"aftercare-{service}"


def labels(service: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name_of(service), "app.kubernetes.io/part-of": PART_OF}


def port_of(service: str) -> int:
    return services.definition(service).settings_class.default_http_port


def manifests() -> list[dict[str, Any]]:
    """Every service's objects, in the order of services.NAMES."""
    return [made for service in services.NAMES for made in _objects(service)]


def render() -> str:
    header = "# Written by `uv run python tools/kubernetes/manifests.py` from the services' definitions; do not edit.\n"
    return header + yaml.safe_dump_all(manifests(), sort_keys=False, width=120)


def _objects(service: str) -> list[dict[str, Any]]:
    return [_deployment(service), _service(service), _disruption_budget(service), _network_policy(service)]


def _meta(service: str) -> dict[str, Any]:
    return {"name": name_of(service), "labels": labels(service)}


def _deployment(service: str) -> dict[str, Any]:
    port = port_of(service)
    security = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    environment = [{"configMapRef": {"name": "aftercare-common"}}, {"secretRef": {"name": name_of(service)}}]
    container = {
        "name": service,
        "image": IMAGE,
        "args": ["run", service],
        "envFrom": environment,
        "env": _service_environment(service),
        "ports": [{"name": "http", "containerPort": port}],
        "startupProbe": _probe("/healthz", period=2, failures=30),
        "livenessProbe": _probe("/healthz", period=10, failures=3),
        "readinessProbe": _probe("/readyz", period=5, failures=2),
        "resources": {
            "requests": {"cpu": CPU_REQUESTS.get(service, CPU_REQUEST), "memory": MEMORY_REQUEST},
            "limits": {"cpu": CPU_LIMIT, "memory": MEMORY_LIMIT},
        },
        "securityContext": security,
        "volumeMounts": [TMP_MOUNT],
    }
    # A new release's service starts once the migration job brought its schema to the release's head.
    waiting = {
        "name": "wait-for-schema",
        "image": IMAGE,
        "args": ["wait-for-schema", service],
        "envFrom": environment,
        "resources": {"requests": {"cpu": "10m", "memory": "96Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": security,
        "volumeMounts": [TMP_MOUNT],
    }
    pod = {
        "metadata": {"labels": labels(service)},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "runAsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            # A service finishes the messages in hand and its outbox within 15 s of SIGTERM.
            "terminationGracePeriodSeconds": 30,
            "initContainers": [waiting],
            "containers": [container],
            "volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}],
            "topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "topologyKey": "kubernetes.io/hostname",
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": labels(service)},
                }
            ],
        },
    }
    spec: dict[str, Any] = {
        "selector": {"matchLabels": labels(service)},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": pod,
    }
    if service != "dispatch":  # dispatch's replicas are the autoscaler's (dispatch-scaling.yaml)
        spec = {"replicas": REPLICAS, **spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(service), "spec": spec}


def _service_environment(service: str) -> list[dict[str, str]]:
    if service != "console":
        return []
    return [
        {"name": f"CONSOLE_{other.upper()}_URL", "value": f"http://{name_of(other)}:{port_of(other)}"}
        for other in services.NAMES
        if other != "console"
    ]


def _probe(path: str, *, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 1,
        "failureThreshold": failures,
    }


def _service(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(service),
        "spec": {
            "selector": labels(service),
            "ports": [{"name": "http", "port": port_of(service), "targetPort": "http"}],
        },
    }


def _disruption_budget(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(service),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(service)}},
    }


def _network_policy(service: str) -> dict[str, Any]:
    """In: its HTTP port. Out: the broker, the database, the cluster's DNS, and what the service calls."""
    egress: list[dict[str, Any]] = [
        {"to": [{"podSelector": {"matchLabels": BROKER_PODS}}], "ports": [{"port": 5672, "protocol": "TCP"}]},
        {"to": [{"podSelector": {"matchLabels": DATABASE_PODS}}], "ports": [{"port": 5432, "protocol": "TCP"}]},
        {
            "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        },
    ]
    if service in CALLS_SERVICES:
        egress += [
            {
                "to": [{"podSelector": {"matchLabels": labels(other)}}],
                "ports": [{"port": port_of(other), "protocol": "TCP"}],
            }
            for other in services.NAMES
            if other != service
        ]
    if service in CALLS_OUTSIDE:
        egress.append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": PRIVATE_RANGES}}]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(service),
        "spec": {
            "podSelector": {"matchLabels": labels(service)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": [{"port": port_of(service), "protocol": "TCP"}]}],
            "egress": egress,
        },
    }


if __name__ == "__main__":
    TARGET.write_text(render())
    sys.stdout.write(f"wrote {TARGET}\n")
