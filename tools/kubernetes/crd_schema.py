"""Keep the schema of an operator's custom resource in the repo, for validating our manifests offline.

    uv run python tools/kubernetes/crd_schema.py <the operator's CRD YAML> deploy/kubernetes/crds/<name>.json

Takes the served versions' `openAPIV3Schema` from a CustomResourceDefinition, drops the descriptions
(most of its size; validation does not read them), and writes it as JSON with where it came from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_descriptions(v) for k, v in node.items() if k != "description" or not isinstance(v, str)}
    if isinstance(node, list):
        return [without_descriptions(item) for item in node]
    return node


def main(source: str, target: str, origin: str) -> None:
    crd = yaml.safe_load(Path(source).read_text())
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    versions = {
        f"{group}/{version['name']}": without_descriptions(version["schema"]["openAPIV3Schema"])
        for version in crd["spec"]["versions"]
        if version.get("served")
    }
    document = {"kind": kind, "origin": origin, "versions": versions}
    Path(target).write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
