"""WordPress's insights readers: WordPress.com views and comments, a self-hosted site's comments alone."""

from tests.publishing import PublishHarness


def test_wordpress_com__views_as_impressions_and_comments__the_sites_subscribers(harness: PublishHarness) -> None:
    signed = harness.sign_in("wordpress")
    published = harness.publish(harness.job("wordpress", signed, "Counted", title="Counted"))
    harness.set_figures("wordpress", published.post_id, {"views": 120, "comments": 4})
    harness.set_figures("wordpress", signed.account.external_id, {"subscribers_count": 55, "post_count": 9})

    reader = harness.insights("wordpress")
    insight = reader.post_insights(signed.account, signed.token, [published.post_id])[published.post_id]
    account = reader.account_insights(signed.account, signed.token)

    assert insight.native == {"views": 120, "comments": 4}
    assert insight.metrics.figures() == {"impressions": 120, "comments": 4, "engagement": 4}
    assert (account.followers, account.posts) == (55, 9)


def test_wordpress_selfhosted__comments_only_and_no_account_figures(harness: PublishHarness) -> None:
    signed = harness.sign_in("wordpress_selfhosted", instance="blog.example")
    published = harness.publish(harness.job("wordpress_selfhosted", signed, "Counted", title="Counted"))
    harness.set_figures("wordpress_selfhosted", published.post_id, {"comments": 3})

    reader = harness.insights("wordpress_selfhosted")
    insight = reader.post_insights(signed.account, signed.token, [published.post_id])[published.post_id]

    assert (insight.native, insight.metrics.impressions) == ({"comments": 3}, None)
    assert not reader.account_insights(signed.account, signed.token).available
