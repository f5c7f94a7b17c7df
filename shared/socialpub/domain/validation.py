"""Per-network content rules, all read from the platform catalog (the limits GET /api/platforms
serves), so a limit lives in exactly one place. Every failing rule of every network is reported."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum

from pydantic import BaseModel

from socialpub.domain.platforms import Platform
from socialpub.domain.post_content import MediaFacts, MediaKind, PostContent
from socialpub.domain.text_length import length

WARNING_RATIO = 0.9  # warn above 90% of a limit

# Rules a draft may still fail: later steps (attaching media, picking a board) satisfy them, so they
# are enforced when a post is scheduled or published, not each time it is saved.
REQUIREMENT_RULES = frozenset({"media_required", "text_required", "title_required", "setting_required"})


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Finding(BaseModel):
    rule: str
    message: str
    field: str
    severity: Severity = Severity.ERROR
    limit: float | None = None
    actual: float | None = None


class PlatformReport(BaseModel):
    platform: str
    valid: bool
    characters: list[int]  # the counted length of each text part, as the network counts it
    max_characters: int
    errors: list[Finding]
    warnings: list[Finding]


def validate(post: PostContent, platforms: Iterable[Platform]) -> dict[str, PlatformReport]:
    reports = {}
    for platform in platforms:
        findings = list(_check(post, platform))
        errors = [f for f in findings if f.severity is Severity.ERROR]
        reports[platform.id] = PlatformReport(
            platform=platform.id,
            valid=not errors,
            characters=[_length(post, index, part, platform) for index, part in enumerate(_sent(post, platform))],
            max_characters=platform.limits.max_characters,
            errors=errors,
            warnings=[f for f in findings if f.severity is Severity.WARNING],
        )
    return reports


def blocking(reports: dict[str, PlatformReport], *, final: bool) -> dict[str, list[Finding]]:
    """The errors that refuse the operation, by network: all of them when the post is about to go
    out (``final``), the broken limits only when a draft is saved."""
    refused = {
        platform: [f for f in report.errors if final or f.rule not in REQUIREMENT_RULES]
        for platform, report in reports.items()
    }
    return {platform: errors for platform, errors in refused.items() if errors}


def _over(rule: str, field: str, limit: float | None, actual: float, message: str) -> Iterator[Finding]:
    """One error when ``actual`` exceeds a set ``limit``."""
    if limit and actual > limit:
        yield Finding(rule=rule, field=field, message=message, limit=limit, actual=actual)


def _sent(post: PostContent, platform: Platform) -> list[str]:
    """The text parts this network will receive (the first part alone where it has no threads)."""
    return post.parts_for(platform.id, threads=platform.capabilities.supports_threads)


def _length(post: PostContent, index: int, text: str, platform: Platform) -> int:
    """The counted length of the ``index``-th part; a content warning goes out with the first part
    only (the Mastodon publisher sends it there) and counts toward that part's limit."""
    warning = post.settings_for(platform.id).get("spoiler_text") if index == 0 else None
    limits = platform.limits
    return length(text, limits.character_counting, limits.url_length, warning if isinstance(warning, str) else "")


def _check(post: PostContent, p: Platform) -> Iterator[Finding]:
    yield from _text(post, p)
    yield from _media(post.media, p)
    yield from _extras(post, p)


def _text(post: PostContent, p: Platform) -> Iterator[Finding]:
    limits, name = p.limits, p.name
    parts = _sent(post, p)
    unsent = len(post.parts_for(p.id)) - len(parts)
    if unsent and post.thread_given_for(p.id):
        # A thread written for this very network cannot go out as written: refuse it.
        yield Finding(
            rule="threads_not_supported",
            field=f"platform_content.{p.id}.thread",
            message=f"{name} does not support threads; remove platform_content.{p.id}.thread",
        )
    elif unsent:
        # The post's thread, shared with networks that have threads: those get it, this one the first
        # part alone (what users expect from a network without threads), and the client is told.
        yield Finding(
            rule="thread_first_part_only",
            field="thread",
            severity=Severity.WARNING,
            message=f"{name} does not support threads: it gets the first part only, as a single post "
            f"({unsent} further part(s) not sent there)",
        )
    yield from _over(
        "too_many_thread_parts",
        "thread",
        limits.max_thread_parts,
        len(parts),
        f"{name} accepts at most {limits.max_thread_parts} parts in a thread",
    )
    for index, part in enumerate(parts):
        field = "content" if index == 0 else f"thread.{index - 1}"
        if not part.strip() and not post.media:
            yield Finding(rule="text_required", field=field, message=f"{name} needs text or media")
            continue
        counted = _length(post, index, part, p)
        if counted > limits.max_characters:
            yield Finding(
                rule="text_too_long",
                field=field,
                message=f"{name} allows {limits.max_characters} characters ({limits.character_counting.value}); "
                f"this text counts {counted}",
                limit=limits.max_characters,
                actual=counted,
            )
        elif counted > WARNING_RATIO * limits.max_characters:
            yield Finding(
                rule="text_near_limit",
                field=field,
                severity=Severity.WARNING,
                message=f"{counted} of {name}'s {limits.max_characters} characters used",
                limit=limits.max_characters,
                actual=counted,
            )
        size = len(part.encode())
        yield from _over(
            "text_too_many_bytes",
            field,
            limits.max_bytes,
            size,
            f"{name} allows {limits.max_bytes} bytes of UTF-8 text; this text has {size}",
        )
        tags = sum(1 for word in part.split() if word.startswith("#") and len(word) > 1)
        yield from _over(
            "too_many_hashtags",
            field,
            limits.max_hashtags,
            tags,
            f"{name} allows {limits.max_hashtags} hashtags; this text has {tags}",
        )


def _media(media: list[MediaFacts], p: Platform) -> Iterator[Finding]:
    limits, name = p.limits, p.name
    images = [m for m in media if m.kind is MediaKind.IMAGE]
    videos = [m for m in media if m.kind is MediaKind.VIDEO]
    if limits.requires_media and not media:
        yield Finding(rule="media_required", field="media", message=f"{name} needs at least one image or video")
    caps = p.capabilities
    for items, supported, cap, plural, counted in (
        (images, caps.supports_images, limits.max_images, "images", "images"),
        (videos, caps.supports_videos, limits.max_videos, "videos", "video(s)"),
    ):
        if items and (not supported or cap == 0):
            yield Finding(rule=f"{plural}_not_supported", field="media", message=f"{name} does not take {plural}")
        else:
            yield from _over(
                f"too_many_{plural}",
                "media",
                cap,
                len(items),
                f"{name} takes at most {cap} {counted}; {len(items)} attached",
            )
    documents = [m for m in media if m.kind is MediaKind.DOCUMENT]
    if sum(bool(kind) for kind in (images, videos, documents)) > 1 and not limits.allow_mixed_media:
        yield Finding(
            rule="mixed_media_not_allowed",
            field="media",
            message=f"{name} cannot mix images, videos and documents in one post",
        )
    if documents and not p.capabilities.supports_documents:
        yield Finding(rule="documents_not_supported", field="media", message=f"{name} does not take documents")
    elif documents:
        yield from _over(
            "too_many_documents",
            "media",
            limits.max_documents,
            len(documents),
            f"{name} takes at most {limits.max_documents} document(s); {len(documents)} attached",
        )
    for index, item in enumerate(media):
        yield from _media_item(item, f"media.{index}", p)


def _media_item(item: MediaFacts, field: str, p: Platform) -> Iterator[Finding]:
    limits, name = p.limits, p.name
    allowed = limits.image_types if item.kind is MediaKind.IMAGE else limits.video_types
    if item.kind is MediaKind.IMAGE and limits.sent_as_jpeg(item.mime_type):
        # Not refused: the publisher sends this network a JPEG copy (the original goes to the others).
        yield Finding(
            rule="media_converted_to_jpeg",
            field=field,
            severity=Severity.WARNING,
            message=f"converted {item.mime_type} to image/jpeg for {p.id}: {name} takes only "
            f"{', '.join(allowed)}; the other networks get the original",
        )
    elif item.kind is not MediaKind.DOCUMENT and allowed and item.mime_type not in allowed:
        yield Finding(
            rule="media_type_not_allowed",
            field=field,
            message=f"{name} does not take {item.mime_type}; it takes {', '.join(allowed)}",
        )
    cap = limits.max_image_size_mb if item.kind is MediaKind.IMAGE else limits.max_video_size_mb
    if cap is not None and item.size is not None:
        megabytes = round(item.size / 1e6, 3)
        yield from _over(
            f"{item.kind.value}_too_large",
            field,
            cap,
            megabytes,
            f"{name} takes {item.kind.value}s up to {cap:g} MB; this one has {megabytes:.1f} MB",
        )
    if item.kind is MediaKind.VIDEO and item.duration is not None:
        yield from _over(
            "video_too_long",
            field,
            limits.max_video_duration,
            item.duration,
            f"{name} takes videos up to {limits.max_video_duration} s; this one lasts {item.duration:g} s",
        )
        if limits.min_video_duration and item.duration < limits.min_video_duration:
            yield Finding(
                rule="video_too_short",
                field=field,
                message=f"{name} needs videos of at least {limits.min_video_duration} s",
                limit=limits.min_video_duration,
                actual=item.duration,
            )
    yield from _over(
        "alt_text_too_long",
        f"{field}.alt_text",
        limits.max_alt_text_length,
        len(item.alt_text or ""),
        f"{name} allows alt text of {limits.max_alt_text_length} characters",
    )


def _extras(post: PostContent, p: Platform) -> Iterator[Finding]:
    limits, name = p.limits, p.name
    title = post.title_for(p.id)
    if limits.requires_title and not (title and title.strip()):
        yield Finding(rule="title_required", field="title", message=f"{name} needs a title")
    yield from _over(
        "title_too_long",
        "title",
        limits.max_title_length,
        len(title or ""),
        f"{name} allows titles of {limits.max_title_length} characters; this one has {len(title or '')}",
    )
    images = sum(1 for m in post.media if m.kind is MediaKind.IMAGE)
    embeds = images + (1 if post.link else 0)
    yield from _over(
        "too_many_embeds",
        "media",
        limits.max_embeds,
        embeds,
        f"{name} attaches at most {limits.max_embeds} images and links together; this post has {embeds}",
    )
    override = post.override(p.id).content
    text = (override if override is not None else post.content).strip()
    if text and not limits.text_with_media_or_link and (images or post.link):
        # Sent anyway, without the text: the title and the image or link are a whole post there.
        yield Finding(
            rule="text_not_sent",
            field="content",
            severity=Severity.WARNING,
            message=f"{name} posts an image or a link with its title only: the text is not sent there "
            "(a first comment can carry it)",
        )
    alt_texts = {(m.alt_text or "").strip() for m in post.media if m.kind is MediaKind.IMAGE} - {""}
    if images > 1 and len(alt_texts) > 1 and not limits.alt_text_per_image:
        # Sent anyway: the first image's alt text stands for the whole carousel there.
        yield Finding(
            rule="alt_text_first_only",
            field="media",
            severity=Severity.WARNING,
            message=f"{name} takes one alt text for a carousel: only the first image's alt text is sent",
        )
    if post.first_comment_for(p.id) and not p.capabilities.supports_first_comment:
        yield Finding(rule="first_comment_not_supported", field="first_comment", message=f"{name} has no first comment")
    settings = post.settings_for(p.id)
    for key, value in settings.items():
        spec = p.settings.get(key)
        field = f"platform_content.{p.id}.settings.{key}"
        if spec is None:
            known = ", ".join(p.settings) or "none"
            yield Finding(
                rule="unknown_setting", field=field, message=f"{name} has no setting '{key}' (it has: {known})"
            )
        elif (problem := spec.problem(value)) is not None:
            yield Finding(rule="invalid_setting", field=field, message=f"{name}'s {key} {problem}")
    for key, spec in p.settings.items():
        if spec.required and key not in settings:
            yield Finding(
                rule="setting_required",
                field=f"platform_content.{p.id}.settings.{key}",
                message=f"{name} needs settings.{key}",
            )
