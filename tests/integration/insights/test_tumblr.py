"""Tumblr's insights reader: a post's notes (GET /v2/blog/{uuid}/posts?id=) and the blog's followers."""

from tests.publishing import PublishHarness


def test_tumblr__notes__kept_as_notes_and_as_engagement_nothing_invented(harness: PublishHarness) -> None:
    # Given a post whose note count on Tumblr is set
    signed = harness.sign_in("tumblr")
    published = harness.publish(harness.job("tumblr", signed, "Counted"))
    harness.set_figures("tumblr", published.post_id, {"note_count": 42})

    # When its insights are read
    insight = harness.insights("tumblr").post_insights(signed.account, signed.token, [published.post_id])[
        published.post_id
    ]

    # Then the notes are the engagement (Tumblr does not split them), and nothing else is reported
    assert insight.native == {"notes": 42}
    assert insight.metrics.figures() == {"engagement": 42}


def test_tumblr__account__the_blogs_followers_and_posts(harness: PublishHarness) -> None:
    signed = harness.sign_in("tumblr", pick=1)
    harness.set_figures("tumblr", signed.account.external_id, {"followers": 310, "posts": 77})

    insight = harness.insights("tumblr").account_insights(signed.account, signed.token)

    assert (insight.followers, insight.posts, insight.native) == (310, 77, {"followers": 310, "posts": 77})
