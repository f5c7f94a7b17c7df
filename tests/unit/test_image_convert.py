"""JPEG copies for networks that take only JPEG (adapters/image_convert.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from socialpub.adapters.image_convert import JpegConverter
from socialpub.domain.media import UnsupportedMediaType


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp__a_jpeg_of_the_same_size_and_colours(fmt: str) -> None:
    # Given a red PNG or WebP image
    original = encoded(Image.new("RGB", (320, 200), (200, 30, 90)), fmt)

    # When it is converted
    copy = JpegConverter().to_jpeg(original)

    # Then it is a JPEG of the same size and (near enough) colour
    assert copy.startswith(b"\xff\xd8\xff")
    decoded = Image.open(io.BytesIO(copy))
    assert (decoded.format, decoded.size) == ("JPEG", (320, 200))
    pixel = decoded.getpixel((10, 10))
    assert isinstance(pixel, tuple)
    assert all(abs(a - b) <= 3 for a, b in zip(pixel, (200, 30, 90), strict=True))


def test_a_transparent_png__transparency_becomes_white_not_black() -> None:
    # Given a fully transparent PNG
    original = encoded(Image.new("RGBA", (64, 64), (0, 0, 0, 0)), "PNG")

    # When it is converted
    decoded = Image.open(io.BytesIO(JpegConverter().to_jpeg(original)))

    # Then its pixels are white
    pixel = decoded.getpixel((32, 32))
    assert isinstance(pixel, tuple)
    assert all(channel >= 250 for channel in pixel)


def test_the_same_image_twice__the_same_bytes() -> None:
    # Given one PNG converted twice (two runs at once may both convert it)
    original = encoded(Image.new("RGB", (100, 80), (1, 2, 3)), "PNG")

    # Then both copies are identical, so a retry sends what the first run sent
    assert JpegConverter().to_jpeg(original) == JpegConverter().to_jpeg(original)


def test_bytes_that_are_not_an_image__unsupported_media_type() -> None:
    with pytest.raises(UnsupportedMediaType):
        JpegConverter().to_jpeg(b"\x89PNG\r\n\x1a\n not really")
