"""What staff write for the public site (news, events, videos): markup kept to an allow-list,
and pictures checked to be pictures.

``clean_markup`` keeps paragraphs, line breaks, emphasis, lists, quotes, headings and links
(``http``, ``https`` and ``mailto`` only, opened with ``rel="noopener noreferrer"``) and drops
everything else, scripts and event attributes with their content, so stored text can be shown
with ``|safe``. Services clean every text field before they save it; nothing else may mark text
safe. ``check_image`` reads an upload with Pillow: an image of a known format within
``LIBRANET_IMAGE_MAX_BYTES`` and ``LIBRANET_IMAGE_MAX_PIXELS``, or a message naming what is
wrong.
"""

from typing import IO

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def clean_markup(text: str) -> str:
    """``text`` with only the allowed elements and attributes left (see the module)."""
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style"},
    ).strip()


def plain_text(text: str) -> str:
    """``text`` with every element removed (titles, names, short fields)."""
    return nh3.clean(text or "", tags=set(), clean_content_tags={"script", "style"}).strip()


def check_image(upload: IO[bytes], *, size: int) -> str:
    """The content type of the image in ``upload`` (JPEG, PNG or WebP), or ``ValidationError``
    naming what is wrong: too large, not an image, another format, too many pixels."""
    limit = settings.LIBRANET_IMAGE_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The image is {size} MB; the limit is {limit} MB.").format(
                size=round(size / 1_048_576, 1), limit=round(limit / 1_048_576, 1)
            ),
            code="image_too_large",
        )
    try:
        with Image.open(upload) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not an image (JPEG, PNG or WebP)."), code="not_an_image"
        ) from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(
            _("Images are accepted as JPEG, PNG or WebP, not {format}.").format(format=fmt),
            code="image_format",
        )
    if width * height > settings.LIBRANET_IMAGE_MAX_PIXELS:
        raise ValidationError(
            _(
                "The image is {width} × {height} pixels; take one of at most {limit} megapixels."
            ).format(width=width, height=height, limit=settings.LIBRANET_IMAGE_MAX_PIXELS // 10**6),
            code="image_too_many_pixels",
        )
    return IMAGE_FORMATS[fmt]
