"""JPEG copies of PNG and WebP images, for networks that take only JPEG (Instagram): made by the
publisher when a post first goes to such a network (domain/services/publishing.py ``_jpeg_copy``).

Pillow is imported on the first conversion, not with the module: the publisher function loads this
adapter at every cold start, and most of its runs convert nothing.
"""

from __future__ import annotations

import io
import warnings

from socialpub.domain.media import MAX_IMAGE_PIXELS, MediaTooLarge, UnsupportedMediaType

QUALITY = 90  # Pillow's default of 75 shows artefacts on text and flat colours, common in PNGs
BACKGROUND = (255, 255, 255)  # transparent pixels become white, as most viewers show them


class JpegConverter:
    def to_jpeg(self, data: bytes) -> bytes:
        from PIL import Image, ImageOps, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                opened = Image.open(io.BytesIO(data))
                opened.seek(0)  # the first frame of an animated WebP
                image = ImageOps.exif_transpose(opened) or opened
                icc = image.info.get("icc_profile")
                if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                    rgba = image.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, BACKGROUND)
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                else:
                    flat = image.convert("RGB")
                out = io.BytesIO()
                flat.save(out, "JPEG", quality=QUALITY, **({"icc_profile": icc} if icc else {}))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaTooLarge(
                f"Images are converted up to {MAX_IMAGE_PIXELS} pixels", details={"max_pixels": MAX_IMAGE_PIXELS}
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise UnsupportedMediaType("The file is not a readable image") from exc
        return out.getvalue()
