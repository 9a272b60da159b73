"""Detects contract changes that would break a consumer or a message already in flight.

Old and new JSON Schemas of one contract version are compared. Allowed within a version: a new
optional field, changed descriptions or titles. Breaking: a field removed or renamed, a field that
became required (old messages lack it) or optional (old consumers need it), a changed type, enum,
format or constraint (old messages may fail the new model, or new messages the old one).

A new schema version may read the payloads of an earlier one as they are (`Contract.reads_versions`):
then `unreadable_changes` must find nothing by which a payload valid under the earlier schema fails the
new one. Widening an enum is such a change: it breaks consumers of the earlier version (they may meet
the new value), so it takes a new version, whose consumers still read every earlier message.

A bound added where there was none (`maxLength`, `maxItems`, `maxProperties`) is breaking too, but of
its own kind: it is safe when every producer already kept its values within it, which only people can
judge. `write_snapshots(accept_added_bounds=True)` records such bounds, and nothing else, deliberately.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated"})
_STRUCTURAL = frozenset(
    {"properties", "required", "items", "additionalProperties", "propertyNames", "anyOf", "oneOf", "allOf", "$defs"}
)
_BOUNDS = frozenset({"maxLength", "maxItems", "maxProperties"})
BOUND_ADDED = "bound added"


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every incompatibility between two versions of one contract, as readable sentences."""
    return _compare(_inline(old, old), _inline(new, new), "$")


def unreadable_changes(old: Schema, new: Schema) -> list[str]:
    """The changes by which a payload valid under `old` may fail `new`: a widened enum, a field that
    became optional, and a value that may now also be something else (one of `anyOf`) are readable;
    everything else `breaking_changes` finds is not."""
    return _compare(_inline(old, old), _inline(new, new), "$", reading=True)


def _inline(node: Any, root: Schema, depth: int = 0) -> Any:
    if depth > 32:
        raise ValueError("schema nests too deeply or refers to itself")
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = root["$defs"][ref.removeprefix("#/$defs/")]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _inline(merged, root, depth + 1)
        return {k: _inline(v, root, depth + 1) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(item, root, depth + 1) for item in node]
    return node


def _compare(old: Any, new: Any, path: str, *, reading: bool = False) -> list[str]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else [f"{path}: changed from {old!r} to {new!r}"]
    # Read as it was: one of the new alternatives (e.g. the old type, or none) takes every old value.
    alternatives = new.get("anyOf")
    readable_as_one = isinstance(alternatives, list) and any(
        not _compare(old, branch, path, reading=True) for branch in alternatives
    )
    if reading and "anyOf" not in old and readable_as_one:
        return []

    problems = [
        f"{path}: {BOUND_ADDED}: '{keyword}' {new[keyword]!r}"
        if keyword in _BOUNDS and keyword not in old
        else f"{path}: '{keyword}' changed from {old.get(keyword)!r} to {new.get(keyword)!r}"
        for keyword in sorted((old.keys() | new.keys()) - _ANNOTATIONS - _STRUCTURAL)
        if old.get(keyword) != new.get(keyword) and not (reading and keyword == "enum" and _widened(old, new))
    ]

    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    old_required = set(old.get("required", []))
    new_required = set(new.get("required", []))
    problems += [f"{path}.{name}: field removed (or renamed)" for name in sorted(old_props.keys() - new_props.keys())]
    problems += [
        f"{path}.{name}: new required field"
        for name in sorted(new_props.keys() - old_props.keys())
        if name in new_required
    ]
    for name in sorted(old_props.keys() & new_props.keys()):
        if name in new_required and name not in old_required:
            problems.append(f"{path}.{name}: field became required")
        if name in old_required and name not in new_required and not reading:
            problems.append(f"{path}.{name}: field became optional")
        problems += _compare(old_props[name], new_props[name], f"{path}.{name}", reading=reading)

    if "items" in old or "items" in new:
        problems += _compare(old.get("items"), new.get("items"), f"{path}[]", reading=reading)
    if "additionalProperties" in old or "additionalProperties" in new:
        problems += _compare(
            old.get("additionalProperties"), new.get("additionalProperties"), f"{path}{{}}", reading=reading
        )
    if "propertyNames" in old or "propertyNames" in new:  # absent and {} both admit any key
        problems += _compare(
            old.get("propertyNames", {}), new.get("propertyNames", {}), f"{path}{{keys}}", reading=reading
        )

    for keyword in ("anyOf", "oneOf", "allOf"):
        old_branches, new_branches = old.get(keyword), new.get(keyword)
        if old_branches is None and new_branches is None:
            continue
        if old_branches is None or new_branches is None or len(old_branches) != len(new_branches):
            problems.append(f"{path}: alternatives ({keyword}) changed")
            continue
        for index, (old_branch, new_branch) in enumerate(zip(old_branches, new_branches, strict=True)):
            problems += _compare(old_branch, new_branch, f"{path}<{keyword}{index}>", reading=reading)
    return problems


def _widened(old: Schema, new: Schema) -> bool:
    return (
        isinstance(old.get("enum"), list) and isinstance(new.get("enum"), list) and set(old["enum"]) <= set(new["enum"])
    )


def only_added_bounds(problems: list[str]) -> bool:
    """True when every breaking change listed is a bound added where there was none."""
    return all(f": {BOUND_ADDED}: " in problem for problem in problems)
