"""LinkedIn: a lost answer for a post without text (media or a link alone). The account's posts can be
read back only with r_member_social (restricted to few partners) or r_organization_social; without it a
post with text is resent and caught by LinkedIn's duplicate check, which compares the text, so a post
without text is never resent blind."""

import pytest

from socialpub.domain.publishing import OutcomeUnknown, Retryable
from tests.integration.publishers.test_linkedin import grant
from tests.media_files import image
from tests.publishing import PublishHarness

NET = "linkedin"


def test_linkedin__image_only_post_answer_lost_posts_not_readable__outcome_unknown_and_no_second_post(
    harness: PublishHarness,
) -> None:
    # Given an image post without text, whose answer was lost, by an app that may not read the member's posts
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "", media=[harness.media(image(), "image/png")])
    steps = harness.steps(job)
    harness.fault(NET, "posts", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    with pytest.raises(OutcomeUnknown) as failure:
        harness.publish(job, steps)

    # Then it fails with an unknown outcome that says why and what to do, and LinkedIn holds one post only
    assert failure.value.code == "OUTCOME_UNKNOWN"
    assert "no text" in failure.value.message
    assert "Look at the account before publishing again" in failure.value.message
    assert len(harness.posts(NET)) == 1


def test_linkedin__image_only_post_answer_lost_posts_readable__found_by_its_image_not_sent_again(
    harness: PublishHarness,
) -> None:
    # Given an app allowed to read the member's posts, another image-only post made meanwhile, and our
    # image-only post whose answer was lost
    signed = harness.sign_in(NET)
    grant(harness, signed, "w_member_social r_member_social")
    job = harness.job(NET, signed, "", media=[harness.media(image(), "image/png")])
    steps = harness.steps(job)
    harness.fault(NET, "posts", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    other = harness.publish(harness.job(NET, signed, "", media=[harness.media(image("JPEG"), "image/jpeg")]))

    # When the target runs again while any new post would fail
    harness.fault(NET, "posts", 503)
    published = harness.publish(job, steps)

    # Then our post was found by the image it carries (not the other one without text), not sent again
    assert len(harness.posts(NET)) == 2
    assert published.post_id != other.post_id
    (ours,) = [p for p in harness.posts(NET) if p.id == published.post_id]
    assert ours.extra["content"]["media"]["id"] == steps.target.steps["media.0"]
