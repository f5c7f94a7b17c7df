"""LinkedIn's insights reader against the emulated REST API (member post analytics, organisation share
statistics, follower counts)."""

from __future__ import annotations

import dataclasses
from urllib.parse import unquote

import httpx

from socialpub.adapters.insights.linkedin import Insights
from socialpub.adapters.publishers.http import NetworkHttp
from tests.publishing import PublishHarness, Signed

NET = "linkedin"
PAGE = "2414183"


def recorded(harness: PublishHarness) -> tuple[Insights, list[httpx.Request]]:
    """The reader, with every request it sends to the emulator kept."""
    sent: list[httpx.Request] = []
    client = httpx.Client(event_hooks={"request": [sent.append]}, timeout=30)
    return Insights(NetworkHttp(http=client, emulator=harness.emulator.url)), sent


def page_of(harness: PublishHarness) -> Signed:
    """A page the member administers, with the organisation permissions LinkedIn grants on request."""
    signed = harness.sign_in(NET)
    state = harness.emulator.state
    with state.lock:
        family = next(f for f in state.families if signed.token in f.access_tokens)
        family.scope = "w_organization_social rw_organization_admin"
    page = dataclasses.replace(signed.account, external_id=PAGE, type="organization")
    return Signed(account=page, token=signed.token)


def test_linkedin_insights__a_members_post__five_total_queries_mapped(harness: PublishHarness) -> None:
    # Given a member's post whose figures on LinkedIn are set
    signed = harness.sign_in(NET)
    post = harness.publish(harness.job(NET, signed, "Figures, please")).post_id
    figures = {"IMPRESSION": 800, "MEMBERS_REACHED": 500, "RESHARE": 6, "REACTION": 40, "COMMENT": 9}
    harness.set_figures(NET, post, figures)
    reader, sent = recorded(harness)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post])[post]

    # Then one TOTAL query per figure, for the post's entity, with LinkedIn's version header
    assert [r.url.params["queryType"] for r in sent] == list(figures)
    for request in sent:
        assert request.url.path.endswith("/rest/memberCreatorPostAnalytics")
        assert request.url.params["q"] == "entity"
        assert request.url.params["aggregation"] == "TOTAL"
        assert unquote(request.url.params["entity"]) == f"(share:{post})"
        assert request.headers["LinkedIn-Version"]
    # And the figures are kept under readable names and mapped
    assert insight.native == {"impressions": 800, "members_reached": 500, "reshares": 6, "reactions": 40, "comments": 9}
    m = insight.metrics
    assert (m.impressions, m.reach, m.shares, m.likes, m.comments, m.clicks) == (800, 500, 6, 40, 9, None)
    assert m.engagement == 40 + 9 + 6


def test_linkedin_insights__a_pages_posts__one_share_statistics_call_for_the_batch(harness: PublishHarness) -> None:
    # Given a post of a page, and one the page deleted
    page = page_of(harness)
    text = harness.publish(harness.job(NET, page, "From the page")).post_id
    figures = {
        "impressionCount": 1000,
        "uniqueImpressionsCount": 700,
        "clickCount": 30,
        "likeCount": 50,
        "commentCount": 5,
        "shareCount": 4,
    }
    harness.set_figures(NET, text, figures)
    gone = "urn:li:share:7000000000000000001"
    reader, sent = recorded(harness)

    # When their insights are read
    insights = reader.post_insights(page.account, page.token, [text, gone])

    # Then one organizationalEntityShareStatistics call named the page and both shares
    (request,) = sent
    assert request.url.path.endswith("/rest/organizationalEntityShareStatistics")
    assert unquote(request.url.params["organizationalEntity"]) == f"urn:li:organization:{PAGE}"
    assert unquote(request.url.params["shares"]) == f"List({text},{gone})"
    # And the page's figures are mapped (clicks too); LinkedIn's engagement rate is not a count and is not kept
    assert insights[text].native == {
        "impressions": 1000,
        "unique_impressions": 700,
        "clicks": 30,
        "likes": 50,
        "comments": 5,
        "shares": 4,
    }
    m = insights[text].metrics
    assert (m.impressions, m.reach, m.clicks, m.likes, m.comments, m.shares) == (1000, 700, 30, 50, 5, 4)
    assert m.engagement == 50 + 5 + 4
    assert not insights[gone].available


def test_linkedin_insights__the_accounts__member_followers_and_page_followers(harness: PublishHarness) -> None:
    # Given a member and a page whose follower counts are set
    member = harness.sign_in(NET)
    page = page_of(harness)
    harness.set_figures(NET, member.account.external_id, {"memberFollowersCount": 321})
    harness.set_figures(NET, PAGE, {"firstDegreeSize": 4567})
    reader, sent = recorded(harness)

    # When both accounts' insights are read
    mine = reader.account_insights(member.account, member.token)
    pages = reader.account_insights(page.account, page.token)

    # Then the member's come from memberFollowersCount, the page's from networkSizes
    assert sent[0].url.path.endswith("/rest/memberFollowersCount")
    assert sent[0].url.params["q"] == "me"
    assert unquote(sent[1].url.path).endswith(f"/rest/networkSizes/urn:li:organization:{PAGE}")
    assert sent[1].url.params["edgeType"] == "COMPANY_FOLLOWED_BY_MEMBER"
    assert (mine.followers, mine.native) == (321, {"followers": 321})
    assert (pages.followers, pages.native) == (4567, {"followers": 4567})


def test_linkedin_insights__a_page__followers_top_countries_in_percent(harness: PublishHarness) -> None:
    # Given a page with 4,567 followers
    page = page_of(harness)
    harness.set_figures(NET, PAGE, {"firstDegreeSize": 4567})
    reader, sent = recorded(harness)

    # When its insights are read
    insight = reader.account_insights(page.account, page.token)

    # Then its lifetime follower statistics were asked for the page
    request = sent[1]
    assert request.url.path.endswith("/rest/organizationalEntityFollowerStatistics")
    assert request.url.params["q"] == "organizationalEntity"
    assert unquote(request.url.params["organizationalEntity"]) == f"urn:li:organization:{PAGE}"
    assert "timeIntervals" not in request.url.params
    # And the five largest countries, by geo urn, in percent of the followers counted by country
    answer = httpx.get(request.url, headers=dict(request.headers)).json()
    by_country = {
        e["geo"]: e["followerCounts"]["organicFollowerCount"] + e["followerCounts"]["paidFollowerCount"]
        for e in answer["elements"][0]["followerCountsByGeoCountry"]
    }
    total = sum(by_country.values())
    top = sorted(by_country, key=lambda geo: -by_country[geo])[:5]
    demographics = insight.demographics
    assert demographics is not None
    assert demographics.top_locations == [
        {"country": geo, "percentage": round(100 * by_country[geo] / total, 1)} for geo in top
    ]
    assert all(str(loc["country"]).startswith("urn:li:geo:") for loc in demographics.top_locations)
    # And LinkedIn has no ages or genders; the follower count is as before
    assert (demographics.age_groups, demographics.genders) == ({}, {})
    assert (insight.followers, insight.native) == (4567, {"followers": 4567})


def test_linkedin_insights__follower_statistics_refused__followers_kept_no_demographics(
    harness: PublishHarness,
) -> None:
    # Given a page whose token may read its follower count but whose follower statistics fail (500)
    page = page_of(harness)
    harness.set_figures(NET, PAGE, {"firstDegreeSize": 88})
    harness.fault(NET, "demographics", 500)

    # When its insights are read
    insight = Insights(harness.http).account_insights(page.account, page.token)

    # Then the follower count is kept, with no demographics
    assert insight.followers == 88
    assert insight.demographics is None


def test_linkedin_insights__a_member__no_follower_statistics_asked(harness: PublishHarness) -> None:
    # Given a member (LinkedIn gives follower statistics for organisations only)
    member = harness.sign_in(NET)
    reader, sent = recorded(harness)

    # When the member's insights are read
    insight = reader.account_insights(member.account, member.token)

    # Then only the follower count was asked, and there are no demographics
    assert [r.url.path.rsplit("/", 1)[-1] for r in sent] == ["memberFollowersCount"]
    assert insight.demographics is None
