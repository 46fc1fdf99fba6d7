"""The IIIF Image API 3.0 over a resource's page images: parse a request's region, size,
rotation, quality and format, make the derivative with Pillow and keep it on disk.

Compliance is level 1 (``regionByPx``, ``regionSquare``, ``sizeByW``, ``sizeByH``, ``sizeByWh``)
with the extra features listed in ``EXTRA_FEATURES`` (percent regions and sizes, ``!w,h``,
``^`` upscaling, rotation by 90°, mirroring) and PNG besides JPEG. Who may have the pixels is
not decided here: the public face asks ``libranet.resources.access.decide`` first.

Memory stays bounded: a JPEG is decoded at the smallest power-of-two reduction that still
covers the asked size (``Image.draft``), so a tile of an overview of a 10,000-pixel scan never
holds the full scan; and no answer is larger than ``MAX_SIDE`` on either side.

Derivatives, and each page's size, are kept in the ``derivatives`` storage (the folder
``LIBRANET_IIIF_CACHE_DIR``, or the object store's ``iiif-cache/``, which all servers share),
keyed by the source's identity (its name, size and time) and the canonical request, so that the
spellings of one request share one file and a replaced source is never answered from an old
derivative.
"""

import hashlib
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from libranet import storage

from .models import ResourceFile

MAX_SIDE = 4096  # the largest answer on either side (info.json's maxWidth and maxHeight)
TILE_SIZE = 512
JPEG_QUALITY = 85
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}
QUALITIES = ("default", "color", "gray")
EXTRA_FEATURES = [
    "regionByPct",
    "sizeByPct",
    "sizeByConfinedWh",
    "sizeUpscaling",
    "rotationBy90s",
    "mirroring",
]
_NUMBER = r"\d+(?:\.\d+)?"
_PIXELS = re.compile(r"(\d+),(\d+),(\d+),(\d+)")
_PERCENT = re.compile(rf"pct:({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})")
_SIZE = re.compile(r"(\^)?(!)?(\d*),(\d*)")
_SIZE_PCT = re.compile(rf"(\^)?pct:({_NUMBER})")


class ImageRequestError(Exception):
    """A request the service cannot answer (400), naming the parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class ImagePlan:
    """What to make: the region of the source (x, y, w, h), the answer's size, and how."""

    region: tuple[int, int, int, int]
    width: int
    height: int
    rotation: int
    mirror: bool
    quality: str
    format: str

    @property
    def canonical(self) -> str:
        x, y, w, h = self.region
        turn = f"{'!' if self.mirror else ''}{self.rotation}"
        return f"{x},{y},{w},{h}/{self.width},{self.height}/{turn}/{self.quality}.{self.format}"

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][1]


# --- the request ----------------------------------------------------------------------------


def _bad(parameter: str, value: str) -> ImageRequestError:
    return ImageRequestError(
        parameter,
        _("The {parameter} “{value}” is not one this image service understands.").format(
            parameter=parameter, value=value
        ),
    )


def parse_region(value: str, width: int, height: int) -> tuple[int, int, int, int]:
    if value == "full":
        return 0, 0, width, height
    if value == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if found := _PIXELS.fullmatch(value):
        x, y, w, h = (int(part) for part in found.groups())
    elif found := _PERCENT.fullmatch(value):
        px, py, pw, ph = (float(part) for part in found.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    else:
        raise _bad("region", value)
    if w <= 0 or h <= 0 or x >= width or y >= height:
        raise ImageRequestError(
            "region",
            _("The region “{value}” lies outside the image or is empty.").format(value=value),
        )
    return x, y, min(w, width - x), min(h, height - y)


def parse_size(value: str, region_width: int, region_height: int) -> tuple[int, int]:
    upscale = value.startswith("^")
    if value in ("max", "^max"):
        # The largest size the service gives: the region's own, within the limits (or up to
        # the limits with "^").
        width, height = region_width, region_height
        if upscale or max(width, height) > MAX_SIDE:
            width, height = _confined(MAX_SIDE, MAX_SIDE, region_width, region_height)
    elif found := _SIZE_PCT.fullmatch(value):
        percent = float(found.group(2))
        width = round(region_width * percent / 100)
        height = round(region_height * percent / 100)
    elif found := _SIZE.fullmatch(value):
        _caret, confined, w, h = found.groups()
        if not w and not h:
            raise _bad("size", value)
        if confined:
            if not (w and h):
                raise _bad("size", value)
            width, height = _confined(int(w), int(h), region_width, region_height)
        elif w and h:
            width, height = int(w), int(h)
        elif w:
            width = int(w)
            height = max(1, round(region_height * width / region_width))
        else:
            height = int(h)
            width = max(1, round(region_width * height / region_height))
    else:
        raise _bad("size", value)
    if width <= 0 or height <= 0:
        raise ImageRequestError("size", _("The size “{value}” is empty.").format(value=value))
    if not upscale and (width > region_width or height > region_height):
        raise ImageRequestError(
            "size",
            _(
                "The size “{value}” is larger than the region; ask for “^{value}” to enlarge it."
            ).format(value=value),
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ImageRequestError(
            "size",
            _("The size “{value}” is over the limit of {limit} pixels a side.").format(
                value=value, limit=MAX_SIDE
            ),
        )
    return width, height


def _confined(max_width: int, max_height: int, width: int, height: int) -> tuple[int, int]:
    """The largest size within ``max_width`` × ``max_height`` in the proportions of ``width``
    × ``height`` (the ``!w,h`` form)."""
    scale = min(max_width / width, max_height / height)
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def parse_rotation(value: str) -> tuple[int, bool]:
    mirror = value.startswith("!")
    degrees = value[1:] if mirror else value
    if degrees not in ("0", "90", "180", "270"):
        raise _bad("rotation", value)
    return int(degrees), mirror


def image_plan(
    *, region: str, size: str, rotation: str, quality_format: str, width: int, height: int
) -> ImagePlan:
    """The derivative asked by the URL's parameters, for a source of ``width`` × ``height``;
    raises ``ImageRequestError`` for a parameter the service cannot answer."""
    quality, dot, image_format = quality_format.rpartition(".")
    if not dot or quality not in QUALITIES:
        raise _bad("quality", quality or quality_format)
    if image_format not in FORMATS:
        raise _bad("format", image_format)
    box = parse_region(region, width, height)
    out_width, out_height = parse_size(size, box[2], box[3])
    degrees, mirror = parse_rotation(rotation)
    if degrees in (90, 270):
        out_width, out_height = out_height, out_width
    return ImagePlan(box, out_width, out_height, degrees, mirror, quality, image_format)


# --- the source and its derivatives ---------------------------------------------------------


def source_key(resource_file: ResourceFile) -> str:
    """The identity of a stored page image: it changes when the file is replaced."""
    name = resource_file.file.name
    try:
        found = storage.stat(default_storage, name)
        stamp = int(found.modified.timestamp()) if found.modified else 0
        size = found.size
    except OSError:
        stamp, size = 0, resource_file.size
    return hashlib.sha256(f"{name}:{size}:{stamp}".encode()).hexdigest()[:32]


def _kept_name(resource_file: ResourceFile, key: str, suffix: str) -> str:
    return f"{resource_file.pk}/{key}.{suffix}"


def image_size(resource_file: ResourceFile, key: str | None = None) -> tuple[int, int]:
    """The page image's width and height (read from its header once, then kept with the
    derivatives); raises ``OSError`` when the file is missing or is not an image."""
    key = key or source_key(resource_file)
    kept = _kept_name(resource_file, key, "size")
    derivatives = storages["derivatives"]
    try:
        width, height = (int(part) for part in storage.read_bytes(derivatives, kept).split())
        return width, height
    except (OSError, ValueError):
        pass
    with default_storage.open(resource_file.file.name, "rb") as stored:
        try:
            with Image.open(stored) as image:
                width, height = image.size
                if _turned(image):
                    width, height = height, width
        except Image.UnidentifiedImageError as exc:
            raise OSError(f"{resource_file.file.name} is not an image") from exc
    derivatives.save(kept, ContentFile(f"{width} {height}".encode()))
    return width, height


def _turned(image: Image.Image) -> bool:
    """Whether the camera's EXIF orientation turns the picture by 90° (width and height swap)."""
    return image.getexif().get(0x0112) in (5, 6, 7, 8)


def derivative(resource_file: ResourceFile, plan: ImagePlan, key: str) -> Iterable[bytes]:
    """The bytes answering ``plan`` for this page image, in chunks: made now (and kept) unless
    some server has made them before. Two servers making one derivative at once both write
    the same bytes; the last one wins."""
    digest = hashlib.sha256(plan.canonical.encode()).hexdigest()[:32]
    kept = _kept_name(resource_file, f"{key}-{digest}", plan.format)
    derivatives = storages["derivatives"]
    try:
        return storage.stream(derivatives, kept)
    except FileNotFoundError:
        pass
    made = render(resource_file, plan)
    derivatives.save(kept, ContentFile(made))
    return [made]


def render(resource_file: ResourceFile, plan: ImagePlan) -> bytes:
    # The region's box before any rotation (rotation turns the made picture at the end).
    width, height = plan.width, plan.height
    if plan.rotation in (90, 270):
        width, height = height, width
    x, y, w, h = plan.region
    box = (float(x), float(y), float(x + w), float(y + h))
    with default_storage.open(resource_file.file.name, "rb") as stored, Image.open(stored) as image:
        source: Image.Image = image
        if image.format == "JPEG" and image.getexif().get(0x0112, 1) == 1:
            # Decode at 1/2, 1/4 or 1/8 scale when that still covers the asked size.
            full_width, full_height = image.size
            scale = max(width / w, height / h)
            image.draft("RGB", (math.ceil(full_width * scale), math.ceil(full_height * scale)))
            factor = image.size[0] / full_width
            box = (box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor)
        else:
            source = ImageOps.exif_transpose(image)
        picture = source.convert("L" if plan.quality == "gray" else "RGB")
        picture = picture.resize(
            (width, height), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0
        )
    if plan.mirror:
        picture = ImageOps.mirror(picture)
    if plan.rotation:
        picture = picture.rotate(-plan.rotation, expand=True)
    out = io.BytesIO()
    pil_format = FORMATS[plan.format][0]
    options = {"quality": JPEG_QUALITY, "optimize": True} if pil_format == "JPEG" else {}
    picture.save(out, pil_format, **options)
    return out.getvalue()


def info_sizes(width: int, height: int) -> list[dict[str, int]]:
    """The whole image's preferred smaller sizes (halving down to about a thumbnail)."""
    sizes = []
    w, h = width, height
    while w > 150 and h > 150:
        w, h = math.ceil(w / 2), math.ceil(h / 2)
        sizes.append({"width": w, "height": h})
    return list(reversed(sizes))


def scale_factors(width: int, height: int) -> list[int]:
    """Powers of two until one tile holds the whole image."""
    factors = [1]
    while max(width, height) / factors[-1] > TILE_SIZE:
        factors.append(factors[-1] * 2)
    return factors
