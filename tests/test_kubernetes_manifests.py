"""What deploy/kubernetes promises, checked on the objects kustomize renders (no cluster needed): they
validate, every image is pinned, every service container is probed and bounded, dispatch scales on its
queue, no service holds another's credentials, each reaches only what it needs, and the one-shot steps
come before the services."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy import text
from typer.testing import CliRunner

import services
from services.cli import app
from shared.persistence import migrations
from shared.persistence.database import create_engine
from testkit.world import World
from tools.kubernetes import manifests
from tools.kubernetes.validate import problems, rendered

REPOSITORY = Path(__file__).parents[1]
KUBERNETES = REPOSITORY / "deploy" / "kubernetes"


@pytest.fixture(scope="module")
def objects(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The manifests as an operator renders them, with credentials made by the operator's script."""
    copy = tmp_path_factory.mktemp("kubernetes") / "kubernetes"
    shutil.copytree(KUBERNETES, copy, ignore=shutil.ignore_patterns("*.env"))
    subprocess.run([REPOSITORY / "scripts" / "kubernetes-secrets", copy / "secrets"], check=True, capture_output=True)
    return rendered(copy)


def _of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        f"{o['kind']} {o['metadata']['name']}": o["spec"]["template"]["spec"]
        for o in objects
        if o["kind"] in ("Deployment", "Job")
    }


def test_the_services_file_is_written_from_the_current_definitions() -> None:
    assert (KUBERNETES / "base" / "services.yaml").read_text() == manifests.render(), (
        "run `uv run python tools/kubernetes/manifests.py`"
    )


def test_every_object_validates_against_kubernetes_and_the_operators_schemas(objects: list[dict[str, Any]]) -> None:
    assert problems(objects) == []
    kinds = {o["kind"] for o in objects}
    assert {"RabbitmqCluster", "Cluster", "ScaledObject", "Deployment", "Job", "NetworkPolicy"} <= kinds


def test_every_image_is_pinned_to_a_release(objects: list[dict[str, Any]]) -> None:
    images = [
        c["image"] for spec in _pod_specs(objects).values() for c in spec["containers"] + spec.get("initContainers", [])
    ]
    images += [_of_kind(objects, "RabbitmqCluster")["aftercare-broker"]["spec"]["image"]]
    images += [_of_kind(objects, "Cluster")["aftercare-db"]["spec"]["imageName"]]
    for image in images:
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", image), f"{image} has no tag"
        assert not image.endswith(":latest"), image
    operators = yaml.safe_load((KUBERNETES / "operators" / "kustomization.yaml").read_text())["resources"]
    assert len(operators) == 3
    assert all(re.search(r"/v\d+\.\d+\.\d+/", url) and "latest" not in url for url in operators), operators


def test_every_service_container_is_probed_and_bounded(objects: list[dict[str, Any]]) -> None:
    deployments = _of_kind(objects, "Deployment")
    assert set(deployments) == {manifests.name_of(s) for s in services.NAMES}
    for spec in _pod_specs(objects).values():
        for container in spec["containers"] + spec.get("initContainers", []):
            assert container["resources"]["requests"].keys() >= {"cpu", "memory"}, container["name"]
            assert container["resources"]["limits"].keys() >= {"cpu", "memory"}, container["name"]
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
    budgets = _of_kind(objects, "PodDisruptionBudget")
    assert set(budgets) == set(deployments)


def test_dispatch_scales_on_its_queue_and_the_others_run_two_each(objects: list[dict[str, Any]]) -> None:
    scaled = _of_kind(objects, "ScaledObject")["aftercare-dispatch"]["spec"]
    assert scaled["scaleTargetRef"]["name"] == "aftercare-dispatch"
    assert 2 <= scaled["minReplicaCount"] < scaled["maxReplicaCount"]
    [trigger] = scaled["triggers"]
    assert (trigger["type"], trigger["metadata"]["queueName"]) == ("rabbitmq", "dispatch.inbox")
    deployments = _of_kind(objects, "Deployment")
    assert "replicas" not in deployments["aftercare-dispatch"]["spec"]  # the autoscaler's to set
    assert all(d["spec"]["replicas"] >= 2 for n, d in deployments.items() if n != "aftercare-dispatch")


def test_no_service_holds_another_services_credentials(objects: list[dict[str, Any]]) -> None:
    secrets = _of_kind(objects, "Secret")
    for service in services.NAMES:
        name = manifests.name_of(service)
        keys = set(secrets[name]["data"])
        assert all(k.startswith(f"{service.upper()}_") for k in keys), keys
        spec = _of_kind(objects, "Deployment")[name]["spec"]["template"]["spec"]
        for container in spec["containers"] + spec["initContainers"]:
            used = {e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e}
            used |= {e["valueFrom"]["secretKeyRef"]["name"] for e in container.get("env", []) if "valueFrom" in e}
            assert used == {name}, f"{name}/{container['name']} uses {used}"
    authentication = _of_kind(objects, "TriggerAuthentication")["aftercare-dispatch-queue"]["spec"]
    assert {ref["name"] for ref in authentication["secretTargetRef"]} == {"aftercare-dispatch"}


def test_each_service_reaches_only_the_broker_the_database_and_what_it_calls(objects: list[dict[str, Any]]) -> None:
    policies = _of_kind(objects, "NetworkPolicy")
    for service in services.NAMES:
        policy = policies[manifests.name_of(service)]["spec"]
        assert policy["podSelector"]["matchLabels"] == manifests.labels(service)
        assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
        ports = {p["port"] for rule in policy["egress"] for p in rule.get("ports", [])}
        others = {manifests.port_of(s) for s in services.NAMES if s != service} if service == "console" else set()
        assert ports == {5672, 5432, 53} | others, service
        outside = [rule for rule in policy["egress"] if "ports" not in rule]
        assert bool(outside) == (service in manifests.CALLS_OUTSIDE), service


def test_the_one_shot_steps_come_before_the_services(objects: list[dict[str, Any]]) -> None:
    """In Argo CD's order of sync waves: what the jobs need, then provision, then migrate, then the
    services; the jobs made anew at each sync (a Job cannot change once made)."""

    def wave(item: dict[str, Any]) -> int:
        return int(item["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", "0"))

    jobs = _of_kind(objects, "Job")
    assert {name: wave(job) for name, job in jobs.items()} == {"aftercare-provision": -2, "aftercare-migrate": -1}
    for job in jobs.values():
        annotations = job["metadata"]["annotations"]
        assert annotations["argocd.argoproj.io/hook"] == "Sync"
        assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
    needed = [o for o in objects if o["kind"] in ("Namespace", "Secret", "ConfigMap", "RabbitmqCluster", "Cluster")]
    assert needed
    assert all(wave(o) < -2 for o in needed), [(o["kind"], wave(o)) for o in needed]
    assert all(wave(o) >= 0 for o in objects if o["kind"] in ("Deployment", "ScaledObject"))
    for name, deployment in _of_kind(objects, "Deployment").items():
        [waiting] = deployment["spec"]["template"]["spec"]["initContainers"]
        assert waiting["args"] == ["wait-for-schema", name.removeprefix("aftercare-")]


def test_waiting_for_a_schema_ends_when_it_is_at_head_and_gives_up_when_it_is_not(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", world.database_url)
    ready = CliRunner().invoke(app, ["wait-for-schema", "intake", "--timeout", "5"])
    assert ready.exit_code == 0, ready.output
    monkeypatch.setenv("INTAKE_DATABASE_URL", world.database_url.rsplit("/", 1)[0] + "/postgres")
    waiting = CliRunner().invoke(app, ["wait-for-schema", "intake", "--timeout", "1"])
    assert waiting.exit_code == 1
    assert "not at this release's head" in waiting.output


def test_a_schema_a_later_release_migrated_counts_as_ready_for_this_one(world: World) -> None:
    """A pod of the release before, rescheduled after the migration step ran (or rolled back to), must
    not wait for ever: migrations add before they remove, so the older code works on the newer schema."""
    intake = services.definition("intake")
    scratch = f"wait_probe_{uuid.uuid4().hex[:8]}"

    async def at_head_with(revision: str) -> bool:
        engine = create_engine(world.database_url, pool_size=1)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{scratch}"'))
                await connection.execute(
                    text(f'CREATE TABLE IF NOT EXISTS "{scratch}".alembic_version (version_num text)')
                )
                await connection.execute(text(f'DELETE FROM "{scratch}".alembic_version'))
                await connection.execute(text(f'INSERT INTO "{scratch}".alembic_version VALUES (:r)'), {"r": revision})
            return await migrations.at_head(intake.migrations_dir, world.database_url, scratch)
        finally:
            async with engine.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
            await engine.dispose()

    scripts = ScriptDirectory.from_config(migrations.alembic_config(intake.migrations_dir, world.database_url))
    [head] = scripts.get_heads()
    first = next(r.revision for r in scripts.walk_revisions() if r.down_revision is None)
    assert asyncio.run(at_head_with(head)) is True
    assert asyncio.run(at_head_with(first)) is False  # behind: the migration step has not run yet
    assert asyncio.run(at_head_with("f00dfeedbeef")) is True  # ahead: a revision of a later release
