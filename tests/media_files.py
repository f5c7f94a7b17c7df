"""Real files for media tests: images drawn with Pillow, and ISO-BMFF (MP4/MOV) files assembled box by
box, with the movie header after the media data as cameras write it."""

from __future__ import annotations

import io
import struct

from PIL import Image


def image(fmt: str = "PNG", size: tuple[int, int] = (1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(out, fmt)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def video(
    seconds: float = 12.5, size: tuple[int, int] = (1280, 720), brand: bytes = b"isom", padding: int = 0
) -> bytes:
    timescale = 1000
    mvhd = struct.pack(">B3xIIII", 0, 0, 0, timescale, int(seconds * timescale)) + b"\0" * 80
    tkhd = (
        struct.pack(">B3xIIIIII", 0, 0, 0, 1, 0, int(seconds * timescale), 0)
        + b"\0" * 52
        + struct.pack(">II", size[0] << 16, size[1] << 16)
    )
    audio_tkhd = struct.pack(">B3xIIIIII", 0, 0, 0, 2, 0, 0, 0) + b"\0" * 52 + struct.pack(">II", 0, 0)
    moov = _box(
        b"moov", _box(b"mvhd", mvhd) + _box(b"trak", _box(b"tkhd", audio_tkhd)) + _box(b"trak", _box(b"tkhd", tkhd))
    )
    ftyp = _box(b"ftyp", brand + b"\0\0\0\0" + brand)
    mdat = _box(b"mdat", b"\x00" * (1024 + padding))
    return ftyp + mdat + moov
