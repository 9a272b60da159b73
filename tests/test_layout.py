"""The shape of the code: imports run from services down to shared, never up; the test kit stays out
of the product; modules stay small enough to read in one sitting; rules (domain modules) do no I/O;
dispatch is split by area, and no area reads another's tables."""

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


# What a service's rules may not import: no database, broker, web framework or network client, and of
# the services only other rules (domain modules), so that they run and are tested without any I/O.
IMPURE = {"sqlalchemy", "alembic", "asyncpg", "fastapi", "starlette", "faststream", "aio_pika", "httpx", "aiosmtplib"}
IMPURE_SHARED = ("shared.persistence", "shared.messaging", "shared.http", "shared.background", "shared.service")


def _is_domain(module: str) -> bool:
    return "domain" in module.split(".")


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in _modules("services")
        if not _is_test(p) and _is_domain(".".join(p.relative_to(REPOSITORY).with_suffix("").parts))
    ],
    ids=lambda p: str(p.relative_to(REPOSITORY)),
)
def test_domain_modules_stay_pure(path: Path) -> None:
    imported = _imported(path)
    assert not _top_level(imported) & IMPURE
    assert not {name for name in imported if name.startswith(IMPURE_SHARED)}
    assert {name for name in imported if name.startswith("services.") and not _is_domain(name)} == set()


# Dispatch, split by area: each area a sub-package with its handlers, use cases, rules and tables; what
# they share in common/; the service's wiring at the top; its one Alembic history in db/.
DISPATCH = REPOSITORY / "services" / "dispatch"
DISPATCH_AREAS = ("tickets", "roster", "followups", "quality", "inspections", "notices")
WITHOUT_TABLES = {"notices"}  # it decides whom to tell; notify keeps the people and what they were told
DISPATCH_WIRING = {"__init__", "app", "access", "routes", "settings", "seed", "recurring"}


def test_dispatch_is_split_by_area() -> None:
    for area in DISPATCH_AREAS:
        expected = {"__init__.py", "handlers.py"} | (set() if area in WITHOUT_TABLES else {"tables.py"})
        assert expected <= {p.name for p in (DISPATCH / area).glob("*.py")}, area
    assert {p.stem for p in DISPATCH.glob("*.py")} == DISPATCH_WIRING
    folders = {p.name for p in DISPATCH.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {*DISPATCH_AREAS, "common", "db", "tests"}


def _dispatch_area(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["services", "dispatch"] and len(parts) > 2 and parts[2] in DISPATCH_AREAS else None


def _imported_modules(path: Path) -> set[str]:
    """Every module imported, `from package import module` included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = _imported(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("area", DISPATCH_AREAS)
def test_no_dispatch_area_reads_another_areas_tables(area: str) -> None:
    """An area reads another's rows only through that area's functions (its lookups.py or repository):
    the tables, and the SQL on them, stay with the area that owns them."""
    offenders = [
        f"{path.relative_to(REPOSITORY)} imports {name}"
        for path in _modules(f"services/dispatch/{area}")
        for name in _imported_modules(path)
        if name.endswith(".tables") and _dispatch_area(name) not in (None, area)
    ]
    assert offenders == []


def test_notices_need_no_other_dispatch_area() -> None:
    """The notices decided import no other area: a ticket's facts and an engineer's duty come through
    the functions app.py gives them."""
    offenders = [
        f"{path.relative_to(REPOSITORY)} imports {name}"
        for path in _modules("services/dispatch/notices")
        for name in _imported_modules(path)
        if _dispatch_area(name) not in (None, "notices") or name.startswith("services.dispatch.common")
    ]
    assert offenders == []
