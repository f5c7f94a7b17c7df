"""Instagram's insights reader against the emulated Graph API: the multi-id read it makes, how a
media's figures map, the account's figures."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from tests.publishing import PublishHarness, Signed, any_media, signed_in

NETWORK = "instagram"
FIGURES = {
    "views": 900,
    "reach": 600,
    "likes": 40,
    "comments": 7,
    "shares": 5,
    "saved": 3,
    "total_interactions": 58,
}


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    platform = catalog()[NETWORK]
    signed, _ = signed_in(harness, platform)
    ids = [
        harness.publish(
            harness.job(NETWORK, signed, f"Post {n} of {count}", media=any_media(harness, platform))
        ).post_id
        for n in range(count)
    ]
    return signed, ids


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_instagram_insights__two_media__one_multi_id_read_asking_the_media_insights(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two media the account published
    signed, ids = _posts(harness, 2)
    sent.clear()

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then Graph is asked once, for both ids and the seven media metrics
    (request,) = sent
    assert request.method == "GET"
    assert request.url.path.endswith("/graph.facebook.com/v21.0/")
    query = _query(request)
    assert query["ids"].split(",") == ids
    assert query["fields"] == "insights.metric(views,reach,likes,comments,shares,saved,total_interactions)"
    assert reader.batch_size == 50
    assert all(insights[i].available and insights[i].metrics.reach is not None for i in ids)


def test_instagram_insights__figures__kept_under_instagrams_names_and_its_own_total_is_the_engagement(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a media whose figures on Instagram are known (its total_interactions counts more than the parts)
    signed, (media_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, media_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [media_id])[media_id]

    # Then Instagram's names are kept, and the engagement is Instagram's own total
    assert insight.native == FIGURES
    assert insight.metrics.figures() == {
        "impressions": 900,
        "reach": 600,
        "likes": 40,
        "comments": 7,
        "shares": 5,
        "saves": 3,
        "engagement": 58,
    }


def test_instagram_insights__one_media_deleted__only_that_one_not_available(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given two media, the first deleted on Instagram since
    signed, (gone, kept) = _posts(harness, 2)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != gone]

    # When both are read together
    insights = reader.post_insights(signed.account, signed.token, [gone, kept])

    # Then the deleted one says why it has no figures, the other has its figures
    assert not insights[gone].available
    assert "no longer" in (insights[gone].reason or "")
    assert insights[kept].available
    assert insights[kept].native


def test_instagram_insights__account__followers_follows_and_media_count(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a business account with known figures
    signed, _ = signed_in(harness, catalog()[NETWORK])
    figures = {"followers_count": 321, "follows_count": 12, "media_count": 44}
    harness.set_figures(NETWORK, signed.account.external_id, figures)
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then the Instagram user was read for the three counts, mapped to followers, following and posts
    request = sent[0]
    assert request.url.path.endswith(f"/{signed.account.external_id}")
    assert _query(request)["fields"] == "followers_count,follows_count,media_count"
    assert (insight.followers, insight.following, insight.posts) == (321, 12, 44)
    assert insight.native == {"followers": 321, "follows": 12, "media": 44}


def test_instagram_insights__account__follower_demographics_as_percentages_of_each_breakdown(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a business account with 1,000 followers
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(NETWORK, signed.account.external_id, {"followers_count": 1000})
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then follower_demographics was asked once per breakdown, lifetime totals
    asked = [_query(r) for r in sent[1:]]
    assert [q["breakdown"] for q in asked] == ["age", "gender", "country"]
    for request, query in zip(sent[1:], asked, strict=True):
        assert request.url.path.endswith(f"/{signed.account.external_id}/insights")
        assert query["metric"] == "follower_demographics"
        assert (query["period"], query["metric_type"]) == ("lifetime", "total_value")
    # And the shares are the counts Instagram gave, in percent of their sum; five countries at most
    demographics = insight.demographics
    assert demographics is not None
    counts = {breakdown: _counts(harness, signed, breakdown) for breakdown in ("age", "gender", "country")}
    ages = counts["age"]
    assert demographics.age_groups == {k: round(100 * v / sum(ages.values()), 1) for k, v in ages.items()}
    genders = counts["gender"]
    assert demographics.genders["female"] == round(100 * genders["F"] / sum(genders.values()), 1)
    assert set(demographics.genders) <= {"female", "male", "unknown"}
    assert 99 <= sum(demographics.genders.values()) <= 101
    countries = counts["country"]
    top = sorted(countries, key=lambda c: -countries[c])[:5]
    assert [loc["country"] for loc in demographics.top_locations] == top
    assert demographics.top_locations[0]["percentage"] == round(100 * countries[top[0]] / sum(countries.values()), 1)
    # And the follower count is as before, demographics kept out of the native figures
    assert insight.followers == 1000
    assert set(insight.native) == {"followers", "follows", "media"}


def _counts(harness: PublishHarness, signed: Signed, breakdown: str) -> dict[str, int]:
    """What the emulated Instagram answers for one breakdown, read back as a client would."""
    answer = httpx.get(
        f"{harness.emulator.url}/graph.facebook.com/v21.0/{signed.account.external_id}/insights",
        params={
            "metric": "follower_demographics",
            "period": "lifetime",
            "metric_type": "total_value",
            "breakdown": breakdown,
        },
        headers={"Authorization": f"Bearer {signed.token}"},
    ).json()
    (metric,) = answer["data"]
    (found,) = metric["total_value"]["breakdowns"]
    return {r["dimension_values"][0]: r["value"] for r in found["results"]}


def test_instagram_insights__under_100_followers__no_demographics_followers_kept(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a business account with 60 followers, for which Instagram refuses follower demographics
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(NETWORK, signed.account.external_id, {"followers_count": 60, "media_count": 3})

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then the account is read, with no demographics rather than a failure
    assert insight.available
    assert insight.followers == 60
    assert insight.demographics is None


def test_instagram_insights__demographics_call_fails__followers_kept(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a business account, and Instagram failing its follower demographics with a 500
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(NETWORK, signed.account.external_id, {"followers_count": 500})
    harness.fault(NETWORK, "demographics", 500)

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then the follower count is kept and the demographics are simply not there
    assert insight.followers == 500
    assert insight.demographics is None
