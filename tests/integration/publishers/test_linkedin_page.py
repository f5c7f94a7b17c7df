"""LinkedIn organisation pages against the emulated LinkedIn: what only pages do (the organisation as the
author, the page scopes checked at connect). The rest is the contract suite's, as for every network."""

import pytest

from socialpub.domain.accounts import NetworkRejected
from tests.publishing import PublishHarness

PAGE_SCOPES = "w_organization_social r_organization_social rw_organization_admin"


def test_linkedin_page__post__made_as_the_chosen_organisation(harness: PublishHarness) -> None:
    # Given the second page the member administers, connected with the page scopes
    signed = harness.sign_in("linkedin_page", pick=1, scope=PAGE_SCOPES)

    # When a post is published there
    published = harness.publish(harness.job("linkedin_page", signed, "News from the lab"))

    # Then LinkedIn holds one post whose author is that organisation, not the member
    (post,) = harness.posts("linkedin_page")
    assert post.extra["author"] == f"urn:li:organization:{signed.account.external_id}"
    assert (published.post_id, post.text) == (post.id, "News from the lab")


def test_linkedin_page__without_the_admin_scope__pages_cannot_be_listed(harness: PublishHarness) -> None:
    # Given a member who granted posting but not rw_organization_admin
    # When the pages are read at connect, then LinkedIn refuses with its 403, and no page is offered
    with pytest.raises(NetworkRejected) as refused:
        harness.sign_in("linkedin_page", scope="w_organization_social")
    assert "organizationAcls" in str(refused.value.details) or "403" in str(refused.value)


def test_linkedin_page__token_from_the_shared_consent_page__its_post_is_the_pages(harness: PublishHarness) -> None:
    # Given a page token issued through LinkedIn's one consent page, which files it under the member's app
    # (both apps sign in at the same endpoints), granted the page scopes
    signed = harness.sign_in("linkedin_page", scope=PAGE_SCOPES)
    with harness.emulator.state.lock:
        family = next(f for f in harness.emulator.state.families if signed.token in f.access_tokens)
        family.network = "linkedin"

    # When a post is published to the page
    harness.publish(harness.job("linkedin_page", signed, "Filed right"))

    # Then LinkedIn holds it as the page network's post, none as the member's
    assert [p.text for p in harness.posts("linkedin_page")] == ["Filed right"]
    assert harness.posts("linkedin") == []
