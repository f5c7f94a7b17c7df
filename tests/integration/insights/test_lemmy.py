"""Lemmy's insights reader: a post's counts read from the instance (GET /api/v3/post?id=), mapped."""

from tests.publishing import PublishHarness

INSTANCE = "lemmy.example"


def test_lemmy__post_counts__upvotes_as_likes_comments_as_comments_and_score_kept_native(
    harness: PublishHarness,
) -> None:
    # Given a post in a community, whose counts on the instance are set
    signed = harness.sign_in("lemmy", instance=INSTANCE)
    published = harness.publish(
        harness.job("lemmy", signed, "Counted", title="Counted", settings={"community": "socialpub"})
    )
    harness.set_figures("lemmy", published.post_id, {"score": 40, "upvotes": 45, "downvotes": 5, "comments": 6})

    # When its insights are read
    insight = harness.insights("lemmy").post_insights(signed.account, signed.token, [published.post_id])[
        published.post_id
    ]

    # Then Lemmy's four counts are kept under its names, upvotes are the likes, and nothing is invented
    assert insight.native == {"score": 40, "upvotes": 45, "downvotes": 5, "comments": 6}
    assert insight.metrics.figures() == {"likes": 45, "comments": 6, "engagement": 51}


def test_lemmy__account__no_figures_and_the_reason_without_a_call(harness: PublishHarness) -> None:
    signed = harness.sign_in("lemmy", instance=INSTANCE)
    harness.fault("lemmy", "account_insights", 500, count=10)

    insight = harness.insights("lemmy").account_insights(signed.account, signed.token)

    assert (insight.available, insight.reason) == (
        False,
        "Lemmy has no followers of a person (people subscribe to communities)",
    )
