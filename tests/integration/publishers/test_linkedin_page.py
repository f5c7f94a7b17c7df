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
