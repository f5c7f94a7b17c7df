"""The Postiz provider id ("identifier") of each of the product's networks, as PostSider clients
expect it in GET /public/v1/integrations (wire contract 2.6)."""

from __future__ import annotations

from socialpub.domain.accounts import Account

# Where the product's platform id is not Postiz's provider id.
PROVIDER_OF_PLATFORM: dict[str, str] = {
    "twitter": "x",
    "google_business": "gmb",
}
# LinkedIn company pages are a provider of their own in Postiz.
LINKEDIN_PAGE_TYPES = frozenset({"page", "organization", "company"})


def identifier_of(account: Account) -> str:
    if account.platform == "linkedin" and account.type in LINKEDIN_PAGE_TYPES:
        return "linkedin-page"
    return PROVIDER_OF_PLATFORM.get(account.platform, account.platform)
