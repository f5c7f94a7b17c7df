"""What a file is, from its bytes alone."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime

import pytest
from PIL import Image

from socialpub.adapters.media_probe import MediaProbe, sniff
from socialpub.domain.media import BytesSource, MediaTooLarge, UnsupportedMediaType
from socialpub.domain.posts import Post, PostStatus, counter_deltas, sort_key
from tests import media_files


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (media_files.image("JPEG")[:64], "image/jpeg"),
        (media_files.image("PNG")[:64], "image/png"),
        (media_files.image("GIF")[:64], "image/gif"),
        (media_files.image("WEBP")[:64], "image/webp"),
        (media_files.video()[:64], "video/mp4"),
        (media_files.video(brand=b"qt  ")[:64], "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", None),  # HEIC: no network takes it
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, mime: str | None) -> None:
    assert sniff(head) == mime


def test_image__dimensions_and_thumbnail() -> None:
    inspection = MediaProbe().inspect(BytesSource(media_files.image("PNG", (1600, 400))))
    assert (inspection.mime_type, inspection.width, inspection.height) == ("image/png", 1600, 400)
    assert inspection.thumbnail is not None
    assert Image.open(io.BytesIO(inspection.thumbnail)).size == (400, 100)


def test_image__too_many_pixels_is_413_before_decoding() -> None:
    # A few hundred bytes of PNG announcing 10,000 x 10,000 pixels (a decompression bomb)
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(MediaTooLarge):
        MediaProbe().inspect(BytesSource(bomb))


def test_video__moov_after_mdat_read_in_ranges() -> None:
    reads: list[tuple[int, int]] = []

    class Counting(BytesSource):
        def read(self, offset: int, length: int) -> bytes:
            reads.append((offset, length))
            return super().read(offset, length)

    data = media_files.video(61.5, (720, 1280), padding=10_000_000)
    inspection = MediaProbe().inspect(Counting(data))
    assert (inspection.duration, inspection.width, inspection.height) == (61.5, 720, 1280)
    # The 10 MB of media data were skipped, not read
    assert sum(length for _, length in reads) < 10_000


def test_video_without_movie_header_is_415() -> None:
    broken = media_files.video()[:-200]
    with pytest.raises(UnsupportedMediaType):
        MediaProbe().inspect(BytesSource(broken))


def test_counters_move_with_the_status_networks_and_media() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    draft = Post(id="p", workspace_id="w", content="x", platforms=["twitter"], created_at=now, updated_at=now)
    scheduled = draft.model_copy(update={"status": PostStatus.SCHEDULED, "platforms": ["twitter", "mastodon"]})
    published = scheduled.model_copy(update={"status": PostStatus.PUBLISHED})
    # A new post also counts as created in its UTC month (the plan's monthly posts, never moved back)
    assert counter_deltas(None, draft) == {
        "posts_count": 1,
        "posts_draft": 1,
        "posts_on_twitter": 1,
        "posts_created_2026_01": 1,
    }
    assert counter_deltas(draft, scheduled) == {
        "posts_draft": -1,
        "posts_on_mastodon": 1,
        "posts_scheduled": 1,
        "scheduled_posts": 1,
    }
    assert counter_deltas(scheduled, published) == {
        "posts_published": 1,
        "posts_scheduled": -1,
        "published_posts": 1,
        "scheduled_posts": -1,
    }
    assert counter_deltas(published, None) == {
        "posts_count": -1,
        "posts_on_mastodon": -1,
        "posts_on_twitter": -1,
        "posts_published": -1,
        "published_posts": -1,
    }
    assert counter_deltas(draft, draft) == {}


def test_sort_keys_sort_by_time_across_zones() -> None:
    from datetime import datetime

    early = sort_key(datetime.fromisoformat("2026-03-02T10:00:00+02:00"), "post_b")
    late = sort_key(datetime.fromisoformat("2026-03-02T09:30:00+00:00"), "post_a")
    assert early < late
    assert early == "2026-03-02T08:00:00.000000Z#post_b"
