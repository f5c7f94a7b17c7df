"""The HTTP edge is one folder per surface (docs/architecture.md), so that any endpoint is found in a minute."""

from __future__ import annotations

import ast

import pytest

from socialpub.api.registry import ROUTERS
from socialpub.local.template import ROOT

API = ROOT / "shared/socialpub/api"


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_each_router_lives_in_a_surface_folder_with_its_error_table(name: str) -> None:
    # Given a router of the registry (a router module, or a surface package such as postsider)
    package, _, rest = ROUTERS[name].__name__.removeprefix("socialpub.api.").partition(".")
    # Then it lives in a surface folder of the edge: api/<surface>/routers/<name>.py, or the package itself
    assert rest in ("", f"routers.{name}"), ROUTERS[name].__name__
    surface = API / package
    # And that folder has its one error table and says, first thing, what the surface is
    assert (surface / "errors.py").is_file()
    assert ast.get_docstring(ast.parse((surface / "__init__.py").read_text()))


def test_the_edge_itself_holds_only_what_every_surface_shares() -> None:
    # Given the modules at the top of api/, beside the surface folders
    shared = {p.stem for p in API.glob("*.py")}
    # Then they are the shared edge, no router, schema or error table of one surface
    assert shared == {"__init__", "app_factory", "container", "lambda_entry", "middleware", "registry", "surfaces"}
