"""What ships imports only what ships: the standard library, socialpub's product code, and the
distributions of layers/deps/requirements.txt, which is exactly uv.lock's runtime dependencies.

The shipped code is shared/socialpub without its development code (local/, cli.py:
shared/Makefile leaves them out of the SharedLayer) plus functions/. tests/infra/test_artifact.py proves the same by
running the build; this check is static, covers every import (also those inside functions that the
events do not reach), and names the file and line.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from socialpub.local.template import ROOT

REQUIREMENTS = ROOT / "layers" / "deps" / "requirements.txt"
PACKAGE = ROOT / "shared" / "socialpub"
DEVELOPMENT = (PACKAGE / "local", PACKAGE / "api" / "local.py", PACKAGE / "cli.py")  # not shipped (shared/Makefile)
DEVELOPMENT_MODULES = ("socialpub.local", "socialpub.cli")


def shipped_files() -> list[Path]:
    product = [p for p in PACKAGE.rglob("*.py") if not any(p == d or d in p.parents for d in DEVELOPMENT)]
    return sorted(product + list((ROOT / "functions").rglob("*.py")))


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(source: str) -> Iterator[tuple[str, int]]:
    """(absolute module name, line) of every import that runs: at module level or inside functions,
    but not under ``if TYPE_CHECKING:``. ``from a import b`` yields ``a.b`` too (b may be a module)."""

    def visit(node: ast.AST) -> Iterator[tuple[str, int]]:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for branch in node.orelse:
                yield from visit(branch)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(ast.parse(source))


# Modules the Lambda Python runtime provides itself (not a distribution of the layer): shipped code may
# import them only under ``try: ... except ImportError``, so that it still runs where they are absent.
RUNTIME_PROVIDED = {"snapshot_restore_py"}  # SnapStart's runtime hooks (socialpub/snapstart.py)


def guarded_lines(source: str) -> set[int]:
    """Lines of the imports that sit in a ``try`` whose handler catches ImportError."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in node.handlers
        ):
            lines |= {
                n.lineno for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)
            }
    return lines


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def runtime_distributions(requirements: str) -> set[str]:
    """The distributions pinned by an exported requirements file (``name==version ; markers``)."""
    names = set()
    for line in requirements.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            names.add(_normalise(re.split(r"[=<>!~;\[ ]", line, maxsplit=1)[0]))
    return names


def unshipped_imports(files: list[Path], runtime: set[str]) -> list[str]:
    """Each import of ``files`` that the Lambda runtime could not satisfy, as ``path:line: module``."""
    providers = {module: {_normalise(d) for d in dists} for module, dists in packages_distributions().items()}
    problems = []
    for path in files:
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        source = path.read_text()
        guarded = guarded_lines(source)
        for module, line in imported_modules(source):
            top = module.split(".")[0]
            if any(module == dev or module.startswith(f"{dev}.") for dev in DEVELOPMENT_MODULES):
                problems.append(f"{where}:{line}: {module} is development code, not shipped")
            elif top in sys.stdlib_module_names or top in ("socialpub", "__future__"):
                continue
            elif top in RUNTIME_PROVIDED:
                if line not in guarded:
                    problems.append(f"{where}:{line}: {module} is the Lambda runtime's: import it under try/except")
            elif not providers.get(top, set()) & runtime:
                problems.append(f"{where}:{line}: {module} is not provided by layers/deps/requirements.txt")
    return sorted(set(problems))


def test_shipped_code_imports_only_runtime_dependencies() -> None:
    # Given the product code that the layers and functions ship, and the runtime requirements
    runtime = runtime_distributions(REQUIREMENTS.read_text())
    # When every import is resolved to the distribution that provides it
    problems = unshipped_imports(shipped_files(), runtime)
    # Then each is the standard library, socialpub itself, or a runtime dependency; never dev code
    assert problems == [], "\n".join(problems)


def test_the_check_catches_a_dev_only_module_and_development_code(tmp_path: Path) -> None:
    # Given product code that imports a dev dependency (pyyaml), and the local stack
    module = tmp_path / "product.py"
    module.write_text(
        "import json\nimport yaml\nfrom socialpub.domain import posts\nfrom socialpub import local\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import moto\n"
        "def later():\n    import uvicorn\n"
    )
    # When the check reads it against the runtime requirements
    problems = unshipped_imports([module], runtime_distributions(REQUIREMENTS.read_text()))
    # Then the dev module, the lazy import and the development code are named; typing-only imports are not
    assert [p.split(":", 2)[1:] for p in problems] == [
        ["2", " yaml is not provided by layers/deps/requirements.txt"],
        ["4", " socialpub.local is development code, not shipped"],
        ["9", " uvicorn is not provided by layers/deps/requirements.txt"],
    ]


def _uv() -> str:
    local = ROOT / ".tools" / "bin" / "uv"
    if not local.exists():
        pytest.fail("uv is missing: run `make install` (it installs .tools/bin/uv)")
    return str(local)


def test_layer_requirements_are_exported_from_the_lock() -> None:
    # Given uv.lock, the one place versions are decided
    exported = subprocess.run(
        [_uv(), "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    ).stdout

    # When it is exported as `make deps` does
    def pins(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("#")]

    # Then the layer's requirements are exactly that (run `make deps` after changing dependencies)
    assert pins(REQUIREMENTS.read_text()) == pins(exported)
