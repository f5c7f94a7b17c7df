"""docs/networks.md is written from the catalog by scripts/networks_doc.py, so it cannot say of a network
what its catalog file does not: a catalog change without the page written again fails here."""

from __future__ import annotations

from scripts.networks_doc import DOC, main, render
from socialpub.domain.platforms import AuthType, catalog
from socialpub.domain.services.accounts import SIGN_IN_FIELDS


def test_networks_doc__is_what_the_catalog_says() -> None:
    # Given the catalog files as they are now
    # When the networks page is written from them
    written = render()

    # Then docs/networks.md is exactly that page (else: run .venv/bin/python scripts/networks_doc.py)
    assert DOC.read_text() == written, "docs/networks.md is out of date: run .venv/bin/python scripts/networks_doc.py"
    assert main(["--check"]) == 0


def test_networks_doc__lists_every_network_with_its_limits_settings_sign_in_and_caveats() -> None:
    # Given the page written from the catalog
    page = render()

    # Then each network has its row, its section, its character limit, every setting, what a user
    # sends to connect, and every caveat of its catalog file
    networks = catalog().values()
    assert f"these {len(networks)} networks" in page
    for p in networks:
        start = page.index(f"## {p.name} (`{p.id}`)\n")
        end = page.find("\n## ", start + 1)
        section = page[start : end if end != -1 else None]
        assert f"| `{p.id}` |" in page, p.id
        assert f"at most {p.limits.max_characters:,} characters" in section, p.id
        for name in p.settings:
            assert f"- `{name}` (" in section, (p.id, name)
        for note in p.notes:
            assert f"- {note}\n" in section, (p.id, note)
        if p.auth.auth_type in SIGN_IN_FIELDS:
            for field in SIGN_IN_FIELDS[p.auth.auth_type][0]:
                assert f"`{field}`" in section, (p.id, field)
        elif p.auth.auth_type in (AuthType.OAUTH1, AuthType.OAUTH2):
            assert all(f"`{scope}`" in section for scope in p.auth.scopes), p.id
