"""The shape of the code: imports run from services down to shared, never up; the test kit stays out
of the product; a service's domain modules stay pure; modules stay small enough to read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from testkit.machine import REPOSITORY

LONGEST_MODULE = 300  # lines; migrations are history, not reading, and are exempt


def _modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (REPOSITORY / folder).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def _is_test(path: Path) -> bool:
    return "tests" in path.relative_to(REPOSITORY).parts


@pytest.mark.parametrize("path", _modules("shared"), ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_nothing_in_shared_imports_a_service(path: Path) -> None:
    assert "services" not in _top_level(_imported(path))


def test_no_product_module_imports_the_test_kit() -> None:
    product = [p for p in _modules("shared", "services") if not _is_test(p)]
    assert len(product) > 50
    offenders = [str(p.relative_to(REPOSITORY)) for p in product if _top_level(_imported(p)) & {"testkit", "tests"}]
    assert offenders == []


def test_no_service_reaches_into_another() -> None:
    offenders = []
    for path in _modules("services"):
        own = path.relative_to(REPOSITORY / "services").parts[0]
        others = {
            name.split(".")[1] for name in _imported(path) if name.startswith("services.") and name.count(".") >= 1
        }
        if own.endswith(".py"):  # the command line and the service list see every service by name
            continue
        offenders += [f"{path.relative_to(REPOSITORY)} imports services.{o}" for o in others - {own}]
    assert offenders == []


def test_modules_stay_small() -> None:
    long = {
        str(path.relative_to(REPOSITORY)): lines
        for path in _modules("shared", "services", "testkit", "tests", "bench")
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}, f"split these modules (over {LONGEST_MODULE} lines): {long}"


# What a domain module may not reach: the database, the broker, the web, or its own service's adapters.
IMPURE = {"sqlalchemy", "asyncpg", "faststream", "aio_pika", "aiormq", "fastapi", "starlette", "httpx", "uvicorn"}
IMPURE_SHARED = ("shared.messaging", "shared.persistence", "shared.http", "shared.service")


@pytest.mark.parametrize(
    "path", sorted(REPOSITORY.glob("services/*/domain/**/*.py")), ids=lambda p: str(p.relative_to(REPOSITORY))
)
def test_domain_modules_stay_pure(path: Path) -> None:
    """A service's rules are pure functions of values: they read no database and publish nothing, so they
    are tested without either, and the service's adapters carry out what they decide."""
    imported = _imported(path)
    offenders = {name for name in imported if name.split(".")[0] in IMPURE or name.startswith(IMPURE_SHARED)}
    offenders |= {name for name in imported if name.startswith("services.") and ".domain" not in name}
    assert offenders == set()
