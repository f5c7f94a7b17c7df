"""What a file is, from its bytes: the format from its signature, image size and a thumbnail (Pillow),
video duration and size from the ISO-BMFF boxes of MP4/MOV.

Reads go through a ByteSource in ranges, so an S3 object of gigabytes is probed with a handful of
small ranged GETs (a video's ``moov`` box may sit after the media data, so boxes are walked by their
headers rather than by reading the file).
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, UnidentifiedImageError

from socialpub.domain.media import (
    KIND_OF_MIME,
    MAX_BYTES,
    MAX_IMAGE_PIXELS,
    BytesSource,
    Inspection,
    MediaTooLarge,
    UnsupportedMediaType,
)
from socialpub.domain.ports import ByteSource
from socialpub.domain.post_content import MediaKind

THUMBNAIL_SIZE = (400, 400)
# Pillow warns above this many pixels and refuses above twice as many; both are refused here (413).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
_SNIFF_BYTES = 64
_MAX_MOOV_BYTES = 64 * 1024 * 1024  # a moov box larger than this is not a video we can take


def sniff(head: bytes) -> str | None:
    """The MIME type a file's first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith((b"heic", b"heix", b"mif1", b"msf1", b"avif")):
            return None  # HEIF/AVIF images: no network in the catalog takes them
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM or Matroska, told apart by the DocType
        return "video/webm" if b"webm" in head else "video/x-matroska"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


class MediaProbe:
    def inspect(self, source: ByteSource) -> Inspection:
        mime_type = sniff(source.read(0, _SNIFF_BYTES))
        if mime_type is None or mime_type not in KIND_OF_MIME:
            raise UnsupportedMediaType(
                "The file's content is not a supported image, video or document",
                details={"supported": sorted(KIND_OF_MIME)},
            )
        kind = KIND_OF_MIME[mime_type]
        if source.size > MAX_BYTES[kind]:
            raise MediaTooLarge(
                f"{kind.value.capitalize()}s are accepted up to {MAX_BYTES[kind]} bytes; this file has {source.size}",
                details={"max_bytes": MAX_BYTES[kind], "size": source.size, "type": kind.value},
            )
        if kind is MediaKind.IMAGE:
            return _image(source, mime_type)
        if mime_type in ("video/mp4", "video/quicktime"):
            return _iso_video(source, mime_type)
        return Inspection(mime_type=mime_type, kind=kind)


def _image(source: ByteSource, mime_type: str) -> Inspection:
    data = source.read(0, source.size)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            image.seek(0)  # the first frame of an animation
            preview = image.convert("RGB")
            preview.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            preview.save(out, "JPEG", quality=80)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaTooLarge(
            f"Images are accepted up to {MAX_IMAGE_PIXELS} pixels", details={"max_pixels": MAX_IMAGE_PIXELS}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedMediaType(
            f"The file starts like {mime_type} but is not a readable image", details={"mime_type": mime_type}
        ) from exc
    return Inspection(mime_type=mime_type, kind=MediaKind.IMAGE, width=width, height=height, thumbnail=out.getvalue())


def _boxes(source: ByteSource, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload end) of each box between ``start`` and ``end``."""
    found = []
    offset = start
    while offset + 8 <= end:
        header = source.read(offset, 16)
        if len(header) < 8:
            break
        size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if size == 1:
            if len(header) < 16:
                break
            size = struct.unpack(">Q", header[8:16])[0]
            header_size = 16
        elif size == 0:
            size = end - offset
        if size < header_size or offset + size > end:
            break  # a box running past its parent: the file is truncated or corrupt
        found.append((box_type, offset + header_size, offset + size))
        offset += size
    return found


def _iso_video(source: ByteSource, mime_type: str) -> Inspection:
    """Duration from ``moov/mvhd``, frame size from the first video track's ``tkhd``."""
    moov = next(((s, e) for t, s, e in _boxes(source, 0, source.size) if t == b"moov"), None)
    if moov is None or moov[1] - moov[0] > _MAX_MOOV_BYTES:
        raise UnsupportedMediaType(
            f"The file starts like {mime_type} but has no readable movie header (moov)",
            details={"mime_type": mime_type},
        )
    data = source.read(moov[0], moov[1] - moov[0])
    buffer = BytesSource(data)
    duration = width = height = None
    for box_type, start, end in _boxes(buffer, 0, len(data)):
        if box_type == b"mvhd":
            duration = _mvhd_duration(data[start:end])
        elif box_type == b"trak" and width is None:
            for inner, s, e in _boxes(buffer, start, end):
                if inner == b"tkhd":
                    width, height = _tkhd_size(data[s:e])
                    if not width:
                        width = height = None
    if duration is None:
        raise UnsupportedMediaType(
            f"The file starts like {mime_type} but its movie header has no duration", details={"mime_type": mime_type}
        )
    return Inspection(mime_type=mime_type, kind=MediaKind.VIDEO, duration=duration, width=width, height=height)


def _mvhd_duration(payload: bytes) -> float | None:
    try:
        if payload[0] == 1:
            timescale, duration = struct.unpack(">IQ", payload[20:32])
        else:
            timescale, duration = struct.unpack(">II", payload[12:20])
    except (IndexError, struct.error):
        return None
    return round(duration / timescale, 3) if timescale else None


def _tkhd_size(payload: bytes) -> tuple[int | None, int | None]:
    # Width and height are the last 8 bytes, 16.16 fixed point, in both versions of the box.
    try:
        width, height = struct.unpack(">II", payload[-8:])
    except struct.error:
        return None, None
    return width >> 16, height >> 16
