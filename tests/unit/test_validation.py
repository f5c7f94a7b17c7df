"""Per-network rules, read from the catalog; every failing rule of every network is reported."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from socialpub.domain.platforms import Platform, catalog
from socialpub.domain.post_content import MediaFacts, MediaKind, PlatformOverride, PostContent
from socialpub.domain.validation import validate

C = catalog()
JPEG = MediaFacts(kind=MediaKind.IMAGE, mime_type="image/jpeg", size=100_000)
MP4 = MediaFacts(kind=MediaKind.VIDEO, mime_type="video/mp4", size=5_000_000, duration=30)


def rules(post: PostContent, *platforms: str) -> dict[str, list[str]]:
    return {pid: [e.rule for e in r.errors] for pid, r in validate(post, [C[p] for p in platforms]).items()}


def test_bluesky_301_graphemes_fails_300_passes_and_bytes_cap() -> None:
    assert rules(PostContent(content="a" * 301), "bluesky") == {"bluesky": ["text_too_long"]}
    assert rules(PostContent(content="a" * 300), "bluesky") == {"bluesky": []}
    # 150 family emoji: 150 graphemes but 3,750 bytes
    assert rules(PostContent(content="👨‍👩‍👧‍👦" * 150), "bluesky") == {"bluesky": ["text_too_many_bytes"]}


def test_x_url_counts_23_so_a_long_link_fits() -> None:
    post = PostContent(content="a" * 250 + " https://example.com/" + "p" * 29)
    assert rules(post, "twitter") == {"twitter": []}
    assert rules(PostContent(content="日" * 141), "twitter") == {"twitter": ["text_too_long"]}


def test_threads_500_with_emoji_as_bytes() -> None:
    # An emoji counts 4 here: 497 + 4 = 501 is over, 496 + 4 = 500 is exactly the limit
    assert rules(PostContent(content="a" * 497 + "😀"), "threads") == {"threads": ["text_too_long"]}
    assert rules(PostContent(content="a" * 496 + "😀"), "threads") == {"threads": []}
    assert rules(PostContent(content="a" * 499 + "é"), "threads") == {"threads": []}


def test_media_requirements_per_network() -> None:
    text_only = PostContent(content="hello")
    assert rules(text_only, "instagram", "tiktok", "youtube", "pinterest", "linkedin") == {
        "instagram": ["media_required"],
        "tiktok": ["media_required"],
        "youtube": ["media_required", "title_required"],
        "pinterest": ["media_required", "setting_required"],
        "linkedin": [],
    }


def test_farcaster_two_images_and_a_link_are_three_embeds_of_two() -> None:
    # Given Farcaster's 2 embeds, which its images and the post's link share
    image = MediaFacts(kind=MediaKind.IMAGE, mime_type="image/png", size=1000)
    # Then two images, or one image and a link, fit; two images and a link are refused, naming the rule
    assert rules(PostContent(content="gm", media=[image, image]), "farcaster") == {"farcaster": []}
    assert rules(PostContent(content="gm", media=[image], link="https://example.com"), "farcaster") == {"farcaster": []}
    both = PostContent(content="gm", media=[image, image], link="https://example.com")
    assert rules(both, "farcaster") == {"farcaster": ["too_many_embeds"]}
    # And networks that put the link in the text are not concerned
    assert rules(both, "bluesky") == {"bluesky": []}


def test_reddit_image_or_link_post__its_text_not_sent__a_warning_says_so() -> None:
    # Given posts to Reddit with a title, text, and an image or a link
    image = JPEG
    settings = {"reddit": PlatformOverride(settings={"subreddit": "socialpub"})}
    with_image = PostContent(content="Our launch", title="Launch", media=[image], platform_content=settings)
    with_link = PostContent(content="Our launch", title="Launch", link="https://example.com", platform_content=settings)
    text_only = PostContent(content="Our launch", title="Launch", platform_content=settings)

    # Then the image and link posts are valid, with a warning that the text stays behind; a text post has none
    for post in (with_image, with_link):
        report = validate(post, [C["reddit"]])["reddit"]
        assert report.valid
        assert [w.rule for w in report.warnings] == ["text_not_sent"]
    assert validate(text_only, [C["reddit"]])["reddit"].warnings == []
    # And networks that send text with an image are not concerned
    assert validate(with_image, [C["mastodon"]])["mastodon"].warnings == []


def test_pinterest_carousel_with_different_alt_texts__a_warning_says_only_the_first_is_sent() -> None:
    # Given Pinterest carousels: one whose images have different alt texts, one whose images share one
    settings = {"pinterest": PlatformOverride(settings={"board_id": "1"})}
    first, second = JPEG.model_copy(update={"alt_text": "A cat"}), JPEG.model_copy(update={"alt_text": "A dog"})
    different = PostContent(content="Pets", media=[first, second], platform_content=settings)
    same = PostContent(content="Pets", media=[first, first], platform_content=settings)

    # When they are validated
    report = validate(different, [C["pinterest"]])["pinterest"]

    # Then the carousel is valid, with a warning that only the first alt text is sent; one shared alt text is fine
    assert report.valid
    assert [w.rule for w in report.warnings] == ["alt_text_first_only"]
    assert validate(same, [C["pinterest"]])["pinterest"].warnings == []
    # And networks that take an alt text per image are not concerned
    assert validate(different, [C["mastodon"]])["mastodon"].warnings == []


def test_youtube_needs_one_video_and_a_title_of_100() -> None:
    assert rules(PostContent(content="d", media=[JPEG], title="t"), "youtube") == {"youtube": ["images_not_supported"]}
    assert rules(PostContent(content="d", media=[MP4, MP4], title="t"), "youtube") == {"youtube": ["too_many_videos"]}
    assert rules(PostContent(content="d", media=[MP4], title="t" * 101), "youtube") == {"youtube": ["title_too_long"]}
    assert rules(PostContent(content="d", media=[MP4], title="t" * 100), "youtube") == {"youtube": []}


def test_pinterest_needs_an_image_and_a_board() -> None:
    with_board = {"pinterest": PlatformOverride(settings={"board_id": "123"})}
    assert rules(PostContent(content="p", media=[JPEG], platform_content=with_board), "pinterest") == {"pinterest": []}
    assert rules(PostContent(content="p", media=[JPEG]), "pinterest") == {"pinterest": ["setting_required"]}


def test_counts_types_and_mixing() -> None:
    # X takes up to 4 images in one post (not a "carousel" in the seed's sense, but allowed)
    assert rules(PostContent(content="x", media=[JPEG] * 4), "twitter") == {"twitter": []}
    assert rules(PostContent(content="x", media=[JPEG] * 5), "twitter") == {"twitter": ["too_many_images"]}
    assert rules(PostContent(content="x", media=[JPEG, MP4]), "twitter") == {"twitter": ["mixed_media_not_allowed"]}
    assert rules(PostContent(content="x", media=[JPEG] * 21), "linkedin") == {"linkedin": ["too_many_images"]}
    gif = MediaFacts(kind=MediaKind.IMAGE, mime_type="image/gif")
    assert rules(PostContent(content="x", media=[gif]), "tiktok") == {"tiktok": ["media_type_not_allowed"]}
    long_video = MP4.model_copy(update={"duration": 200})
    assert rules(PostContent(content="x", media=[long_video]), "twitter") == {"twitter": ["video_too_long"]}


def test_tiktok_takes_video_or_photos_not_both() -> None:
    assert rules(PostContent(content="x", media=[MP4]), "tiktok") == {"tiktok": []}
    assert rules(PostContent(content="x", media=[JPEG] * 35), "tiktok") == {"tiktok": []}
    assert rules(PostContent(content="x", media=[JPEG, MP4]), "tiktok") == {"tiktok": ["mixed_media_not_allowed"]}


def test_threads_and_first_comments_only_where_supported() -> None:
    # A thread shared with networks without threads: they get the first part, with a warning
    post = PostContent(content="1/2", thread=["2/2"], first_comment="more")
    assert rules(post, "twitter", "linkedin", "telegram") == {
        "twitter": [],
        "linkedin": [],
        "telegram": ["first_comment_not_supported"],
    }
    reports = validate(post, [C["twitter"], C["linkedin"]])
    assert (reports["twitter"].characters, reports["linkedin"].characters) == ([3, 3], [3])
    assert [w.rule for w in reports["linkedin"].warnings] == ["thread_first_part_only"]
    assert post.parts_for("linkedin", threads=False) == ["1/2"]
    # The unsent parts are not held against the network's limits
    assert rules(PostContent(content="ok", thread=["b" * 70_000]), "linkedin") == {"linkedin": []}
    # A thread written for that network itself is refused
    own = PostContent(content="1/2", platform_content={"linkedin": PlatformOverride(thread=["2/2"])})
    assert rules(own, "linkedin") == {"linkedin": ["threads_not_supported"]}
    assert rules(PostContent(content="ok", thread=["b" * 301]), "bluesky") == {"bluesky": ["text_too_long"]}


def test_a_capability_a_network_lacks_is_refused_even_where_a_count_would_allow_it() -> None:
    # Reddit's publisher cannot upload videos, so the catalog says so and validation refuses one
    subreddit = {"reddit": PlatformOverride(settings={"subreddit": "socialpub"})}
    video = PostContent(content="x", title="t", media=[MP4], platform_content=subreddit)
    assert rules(video, "reddit") == {"reddit": ["videos_not_supported"]}
    assert rules(video.model_copy(update={"media": [JPEG]}), "reddit") == {"reddit": []}
    # And a catalog entry whose claims and counts disagree does not load
    entry = C["reddit"].model_dump(mode="json")
    entry["capabilities"]["supports_videos"] = True
    with pytest.raises(ValidationError, match="supports_videos is True but max_videos is 0"):
        Platform.model_validate(entry)


def test_link_and_hashtags_are_counted_where_they_are_appended() -> None:
    post = PostContent(content="a" * 280, hashtags=["#x"])
    assert rules(post, "twitter") == {"twitter": ["text_too_long"]}
    assert post.parts_for("twitter")[0].endswith("\n\n#x")


def test_overrides_apply_per_network() -> None:
    post = PostContent(content="a" * 400, platform_content={"twitter": PlatformOverride(content="short")})
    assert rules(post, "twitter", "bluesky") == {"twitter": [], "bluesky": ["text_too_long"]}


def test_warning_over_90_percent() -> None:
    report = validate(PostContent(content="a" * 260), [C["twitter"]])["twitter"]
    assert report.valid
    assert [w.rule for w in report.warnings] == ["text_near_limit"]
    assert report.characters == [260]


def test_file_size_and_alt_text_limits() -> None:
    big = JPEG.model_copy(update={"size": 6_000_000})  # X takes images up to 5 MB
    report = validate(PostContent(content="x", media=[big]), [C["twitter"]])["twitter"]
    assert [(e.rule, e.field, e.limit, e.actual) for e in report.errors] == [("image_too_large", "media.0", 5.0, 6.0)]
    long_alt = JPEG.model_copy(update={"alt_text": "a" * 1501})  # Mastodon: 1,500
    assert rules(PostContent(content="x", media=[long_alt]), "mastodon") == {"mastodon": ["alt_text_too_long"]}
    assert rules(PostContent(content="x", media=[long_alt.model_copy(update={"alt_text": "ok"})]), "mastodon") == {
        "mastodon": []
    }


def test_documents_only_where_the_catalog_says() -> None:
    pdf = MediaFacts(kind=MediaKind.DOCUMENT, mime_type="application/pdf", size=1_000_000)
    assert C["linkedin"].capabilities.supports_documents
    assert rules(PostContent(content="deck", media=[pdf]), "linkedin", "twitter") == {
        "linkedin": [],
        "twitter": ["documents_not_supported"],
    }


def test_linkedin_takes_one_document_alone() -> None:
    pdf = MediaFacts(kind=MediaKind.DOCUMENT, mime_type="application/pdf", size=1_000_000)
    assert rules(PostContent(content="deck", media=[pdf]), "linkedin") == {"linkedin": []}
    assert rules(PostContent(content="deck", media=[pdf, pdf]), "linkedin") == {"linkedin": ["too_many_documents"]}
    assert rules(PostContent(content="deck", media=[pdf, JPEG]), "linkedin") == {
        "linkedin": ["mixed_media_not_allowed"]
    }
    assert rules(PostContent(content="deck", media=[pdf]), "twitter") == {"twitter": ["documents_not_supported"]}


def test_saving_a_draft_is_refused_only_for_broken_limits() -> None:
    from socialpub.domain.validation import blocking

    reports = validate(PostContent(content="x" * 301), [C["instagram"], C["bluesky"]])
    # Instagram lacks media (pending until publishing); Bluesky's limit is broken (refused now)
    assert {p: [f.rule for f in fs] for p, fs in blocking(reports, final=False).items()} == {
        "bluesky": ["text_too_long"]
    }
    assert set(blocking(reports, final=True)) == {"instagram", "bluesky"}


def test_per_network_settings_follow_the_catalog() -> None:
    def with_settings(platform: str, **settings: object) -> PostContent:
        return PostContent(content="hi", platform_content={platform: PlatformOverride(settings=settings)})

    # Known settings with good values pass
    assert rules(with_settings("youtube", privacy="unlisted", made_for_kids=False), "youtube")["youtube"] == [
        "media_required",
        "title_required",
    ]
    assert rules(with_settings("linkedin", visibility="CONNECTIONS"), "linkedin") == {"linkedin": []}
    # A value outside the network's list, a wrong type, a blank, an unknown name: each refused
    assert rules(with_settings("tiktok", privacy_level="FRIENDS"), "tiktok")["tiktok"][-1] == "invalid_setting"
    assert rules(with_settings("twitter", reply_settings=3), "twitter") == {"twitter": ["invalid_setting"]}
    assert "invalid_setting" in rules(with_settings("pinterest", board_id=" "), "pinterest")["pinterest"]
    report = validate(with_settings("linkedin", visibilty="PUBLIC"), [C["linkedin"]])["linkedin"]
    assert [(e.rule, e.field) for e in report.errors] == [
        ("unknown_setting", "platform_content.linkedin.settings.visibilty")
    ]
    assert "visibility" in report.errors[0].message


def test_png_and_webp_to_a_network_taking_only_jpeg__a_conversion_note_instead_of_an_error() -> None:
    # Given a PNG and a WebP image for Instagram (JPEG only), X (takes both) and a GIF for Instagram
    png = MediaFacts(kind=MediaKind.IMAGE, mime_type="image/png")
    webp = MediaFacts(kind=MediaKind.IMAGE, mime_type="image/webp")
    gif = MediaFacts(kind=MediaKind.IMAGE, mime_type="image/gif")

    # When they are validated
    reports = validate(PostContent(content="x", media=[png, webp]), [C["instagram"], C["twitter"]])

    # Then Instagram is valid, with a note per converted file; X gets the originals, with no note
    assert reports["instagram"].valid
    notes = [(w.rule, w.field, w.message) for w in reports["instagram"].warnings]
    assert [n[:2] for n in notes] == [("media_converted_to_jpeg", "media.0"), ("media_converted_to_jpeg", "media.1")]
    assert notes[0][2].startswith("converted image/png to image/jpeg for instagram")
    assert notes[1][2].startswith("converted image/webp to image/jpeg for instagram")
    assert reports["twitter"].valid
    assert reports["twitter"].warnings == []
    # And an animated format is not converted (its frames would be lost): still refused
    assert rules(PostContent(content="x", media=[gif]), "instagram") == {"instagram": ["media_type_not_allowed"]}


def test_mastodon_refuses_a_bare_domain_text_of_510_and_accepts_family_emoji() -> None:
    # Given 470 letters and a bare domain (510 for Mastodon, which links only http(s) URLs)
    bare = PostContent(content="a" * 470 + " averyveryverylongdomainname.example.com")
    # When it is validated for Mastodon
    report = validate(bare, [C["mastodon"]])["mastodon"]
    # Then it is too long, counted 510
    assert [(e.rule, e.actual) for e in report.errors] == [("text_too_long", 510)]
    # And 500 family emoji (500 graphemes) are within Mastodon's 500
    assert rules(PostContent(content="👨‍👩‍👧‍👦" * 500), "mastodon") == {"mastodon": []}


def test_mastodon_counts_the_content_warning_with_the_first_part() -> None:
    # Given 490 characters and a 20-character content warning for Mastodon
    warned = {"mastodon": PlatformOverride(settings={"spoiler_text": "w" * 20})}
    post = PostContent(content="a" * 490, thread=["b" * 490], platform_content=warned)
    # When it is validated
    report = validate(post, [C["mastodon"]])["mastodon"]
    # Then the first part (sent with the warning) counts 510 and is refused; the reply is not
    assert report.characters == [510, 490]
    assert [(e.rule, e.field) for e in report.errors] == [("text_too_long", "content")]
