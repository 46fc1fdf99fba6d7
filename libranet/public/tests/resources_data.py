"""Resources and files for the tests of the reading doors (record pages, files, the API),
made with the models directly so that these tests do not depend on the resources' services.

Files are saved through the default storage; each test module points ``MEDIA_ROOT`` at a
temporary folder (the ``media`` fixture below, imported by the modules that need it)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from libranet.accounts.models import EsiaIdentity
from libranet.resources.models import Resource, ResourceFile

CENTER_ADDRESS = "192.0.2.10"  # inside tver_rc's 192.0.2.0/26
OUTSIDE_ADDRESS = "203.0.113.5"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRANET_IIIF_CACHE_DIR = tmp_path / "iiif-cache"
    settings.LIBRANET_TRUSTED_PROXIES = []
    settings.LIBRANET_X_ACCEL_REDIRECT_PREFIX = ""
    return settings.MEDIA_ROOT


def make_resource(identifier: str = "pl:test/1", *, access_level: str = "open", **fields):
    fields.setdefault("title_ru", "Тестовая книга")
    fields.setdefault("title_en", "Test book")
    fields.setdefault("type", Resource.Type.BOOK)
    return Resource.objects.create(
        identifier=identifier, access_level=access_level, modified_at=timezone.now(), **fields
    )


def add_file(
    resource,
    *,
    kind: str = ResourceFile.Kind.PDF,
    name: str = "book.pdf",
    content: bytes = PDF,
    content_type: str = "application/pdf",
    label: str = "",
    position: int = 0,
):
    stored = default_storage.save(f"resources/{resource.pk}/{name}", ContentFile(content))
    return ResourceFile.objects.create(
        resource=resource,
        kind=kind,
        file=stored,
        content_type=content_type,
        size=len(content),
        position=position,
        label=label,
    )


def png(width: int = 60, height: int = 90, color: str = "#884422") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def confirm_reader(user, *, confirmed: bool = True):
    """Give ``user`` an ESIA identity (confirmed or simplified), consent accepted."""
    now = timezone.now()
    EsiaIdentity.objects.create(
        user=user,
        oid=f"9{user.pk:09d}",
        confirmed=confirmed,
        confirmed_checked_at=now,
        consent_accepted_at=now,
    )
    return user
