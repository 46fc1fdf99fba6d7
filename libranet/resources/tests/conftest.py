"""What the collections' import tests share: a small collection tree and an image to attach."""

import io

import pytest
from PIL import Image

from libranet.resources.services import collection_create


@pytest.fixture
def collections():
    power = collection_create(actor=None, code="power", name_ru="Государственная власть")
    collection_create(actor=None, code="presidents", name_ru="Президенты", parent=power)
    collection_create(actor=None, code="territory", name_ru="Территория России")


def png(color="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buffer, "PNG")
    return buffer.getvalue()
