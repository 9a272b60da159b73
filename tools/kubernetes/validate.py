"""Render deploy/kubernetes with kustomize and validate every object without a cluster.

    uv run python tools/kubernetes/validate.py [deploy/kubernetes]

Kubernetes' own kinds are checked against the API schemas of KUBERNETES_VERSION (the
kubernetes-validate package carries them), strictly: an unknown field is an error, as the API server
would refuse it. The operators' custom resources are checked against their CRDs' schemas kept in
deploy/kubernetes/crds, as strictly. Prints each problem and exits 1 if there is any.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.34.0"
REPOSITORY = Path(__file__).parents[2]
CRDS = REPOSITORY / "deploy" / "kubernetes" / "crds"


def rendered(directory: Path) -> list[dict[str, Any]]:
    """The objects `kubectl kustomize` makes of the directory."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise SystemExit("kubectl is needed to render deploy/kubernetes (kustomize is built into it)")
    command = [kubectl, "kustomize", str(directory)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603 - ours
    return [document for document in yaml.safe_load_all(output) if document]


def custom_resource_schemas(directory: Path = CRDS) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the operator's schema for it, made strict."""
    schemas = {}
    for path in sorted(directory.glob("*.json")):
        crd = json.loads(path.read_text())
        for api_version, schema in crd["versions"].items():
            schemas[api_version, crd["kind"]] = _strict(schema)
    return schemas


def problems(objects: list[dict[str, Any]], version: str = KUBERNETES_VERSION) -> list[str]:
    custom = custom_resource_schemas()
    found: list[str] = []
    for item in objects:
        name = f"{item.get('kind')} {item.get('metadata', {}).get('name')}"
        key = (item.get("apiVersion", ""), item.get("kind", ""))
        if key in custom:
            validator = jsonschema.Draft7Validator(custom[key])
            found += [f"{name}: {_where(e)}: {e.message}" for e in validator.iter_errors(item)]
            continue
        try:
            kubernetes_validate.validate(item, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            found.append(f"{name}: {'.'.join(str(p) for p in error.path)}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            found.append(f"{name}: no schema for {key[0]} {key[1]} (neither Kubernetes {version} nor crds/)")
    return found


def _strict(node: Any) -> Any:
    """An OpenAPI schema of a CRD as the API server applies it: fields it does not name are refused
    (unless it keeps unknown fields), and `int-or-string` is either."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    strict = {key: _strict(value) for key, value in node.items()}
    if strict.pop("x-kubernetes-int-or-string", False):
        strict.pop("type", None)
        strict["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if strict.pop("nullable", False) and "type" in strict:
        strict["type"] = [strict["type"], "null"]
    keeps_unknown = strict.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in strict and "additionalProperties" not in strict and not keeps_unknown:
        strict["additionalProperties"] = False
    return strict


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "<root>"


def _objects_of(argument: list[str]) -> Iterator[dict[str, Any]]:
    yield from rendered(Path(argument[0]) if argument else REPOSITORY / "deploy" / "kubernetes")


if __name__ == "__main__":
    objects = list(_objects_of(sys.argv[1:]))
    found = problems(objects)
    for problem in found:
        sys.stderr.write(problem + "\n")
    sys.stdout.write(f"{len(objects)} objects rendered, {len(found)} problems (Kubernetes {KUBERNETES_VERSION})\n")
    sys.exit(1 if found else 0)
