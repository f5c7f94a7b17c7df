"""The Postiz provider id ("identifier") of each of the product's networks, as PostSider clients
expect it in GET /public/v1/integrations (wire contract 2.6), and back (GET /social/:integration)."""

from __future__ import annotations

from socialpub.domain.accounts import Account
from socialpub.domain.platforms import catalog

# Where the product's platform id is not Postiz's provider id.
PROVIDER_OF_PLATFORM: dict[str, str] = {
    "twitter": "x",
    "google_business": "gmb",
}
# LinkedIn company pages are a provider of their own in Postiz.
LINKEDIN_PAGE_TYPES = frozenset({"page", "organization", "company"})
LINKEDIN_PAGE = "linkedin-page"


def identifier_of(account: Account) -> str:
    if account.platform == "linkedin" and account.type in LINKEDIN_PAGE_TYPES:
        return LINKEDIN_PAGE
    return PROVIDER_OF_PLATFORM.get(account.platform, account.platform)


def platform_of(provider: str) -> str | None:
    """The product's network for a Postiz provider id, or None when the product has none. The
    product's own ids that Postiz spells otherwise (twitter, google_business) are not provider ids.
    LinkedIn pages connect through LinkedIn's one sign-in, as the product has no separate page connect."""
    if provider == LINKEDIN_PAGE:
        return "linkedin"
    renamed = {p: platform for platform, p in PROVIDER_OF_PLATFORM.items()}
    if provider in renamed:
        return renamed[provider]
    return provider if provider in catalog() and provider not in PROVIDER_OF_PLATFORM else None
