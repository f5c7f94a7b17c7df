"""The network emulator is an independent witness of each network: its limits, counting and sign-in are
its own (constants in each network module, from the network's docs), and it imports nothing of the
product, so a mistake in the product's catalog or text counting is caught by it instead of shared with it.
The rule is held here by reading every emulator module's imports with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from socialpub.domain.platforms import catalog
from socialpub.local.emulator.networks import sign_ins
from socialpub.local.template import ROOT

EMULATOR = ROOT / "shared" / "socialpub" / "local" / "emulator"
PACKAGE = "socialpub.local.emulator"
PRODUCT = ("socialpub.domain", "socialpub.adapters", "socialpub.api")


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT / "shared").with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The module an ``ImportFrom`` names, relative imports resolved against ``module``."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imported(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every module a source imports: import statements (relative ones resolved, and each name of a
    ``from`` import, which may be a module) and ``importlib.import_module`` / ``__import__`` of a constant."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            origin = _absolute(module, node, is_package)
            found += [origin, *(f"{origin}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append(node.args[0].value)
    return found


def product_imports(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The imports of the product (its domain, adapters or API) in a source: what the emulator may not use."""
    return sorted(
        {
            name
            for name in imported(source, module, is_package=is_package)
            if any(name == product or name.startswith(product + ".") for product in PRODUCT)
        }
    )


def _emulator_modules() -> list[Path]:
    return sorted(EMULATOR.rglob("*.py"))


def test_the_emulator_has_modules_to_check() -> None:
    # Given the emulator package; Then the walk finds its app, state and each network's module
    names = {_module_name(p) for p in _emulator_modules()}
    assert {f"{PACKAGE}.app", f"{PACKAGE}.state", f"{PACKAGE}.networks.twitter"} <= names


@pytest.mark.parametrize("path", _emulator_modules(), ids=lambda p: str(p.relative_to(EMULATOR)))
def test_no_emulator_module_imports_the_product(path: Path) -> None:
    # Given a module of the network emulator
    source = path.read_text()

    # When its imports are read
    found = product_imports(source, _module_name(path), is_package=path.name == "__init__.py")

    # Then none is of the product's domain, adapters or API: the emulator keeps its own limits,
    # counting and sign-in (docs/adding-a-network.md)
    assert found == [], f"{path.relative_to(ROOT)} imports the product: {', '.join(found)}"


X = f"{PACKAGE}.networks.x"


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        (
            "from socialpub.domain.platforms import catalog",
            X,
            ["socialpub.domain.platforms", "socialpub.domain.platforms.catalog"],
        ),
        ("import socialpub.adapters.aws as aws", f"{PACKAGE}.app", ["socialpub.adapters.aws"]),
        ("from socialpub import api", f"{PACKAGE}.app", ["socialpub.api"]),
        ("from ....domain import text_length", X, ["socialpub.domain", "socialpub.domain.text_length"]),
        ("importlib.import_module('socialpub.domain.platforms')", f"{PACKAGE}.app", ["socialpub.domain.platforms"]),
        ("from socialpub.local.emulator.state import EmulatorState", X, []),
        ("from ..state import digest\nfrom . import facebook", X, []),
        ("import regex\nfrom fastapi import APIRouter", f"{PACKAGE}.app", []),
    ],
)
def test_the_check_finds_product_imports_however_written(source: str, module: str, expected: list[str]) -> None:
    # Given a source importing the product in one of the ways Python allows (or not at all)
    # When the check reads it
    # Then it finds exactly the product modules imported, and nothing in the emulator's own package
    assert product_imports(source, module) == expected


def test_every_network_signing_in_through_the_emulator_describes_its_own_sign_in() -> None:
    # Given the product's networks whose sign-in the emulator's app answers (OAuth, a session, a bot token)
    signing_in = {
        p.id
        for p in catalog().values()
        if p.auth.authorization_url or p.auth.token_url or p.auth.session_url or p.auth.auth_type == "BOT_TOKEN"
    }

    # When the emulator's own sign-in descriptions are gathered
    described = set(sign_ins())

    # Then each of those networks has its SIGN_IN in emulator/networks/<id>.py, from the network's docs
    assert signing_in - described == set()
