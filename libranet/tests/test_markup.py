"""Markup by an allow-list and pictures checked (libranet.markup)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from libranet.markup import check_image, clean_markup, plain_text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("<p>Конкурс <strong>итоги</strong></p>", "<p>Конкурс <strong>итоги</strong></p>"),
        ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
        ('<img src=x onerror="alert(1)">текст', "текст"),
        ('<a href="javascript:alert(1)">ссылка</a>', '<a rel="noopener noreferrer">ссылка</a>'),
        (
            '<a href="https://prlib.ru/" onclick="x()">ПБ</a>',
            '<a href="https://prlib.ru/" rel="noopener noreferrer">ПБ</a>',
        ),
        ("<iframe src=https://evil.example></iframe>после", "после"),
        ("<style>body{}</style>", ""),
    ],
)
def test_clean_markup_keeps_only_the_allow_list(text, kept):
    assert clean_markup(text) == kept


def test_plain_text_drops_every_element():
    assert plain_text("<b>Итоги</b> <script>x</script>конкурса") == "Итоги конкурса"


def _image(fmt="PNG", size=(4, 3)):
    data = io.BytesIO()
    Image.new("RGB", size, "white").save(data, fmt)
    data.seek(0)
    return data


def test_an_image_is_accepted_with_its_type():
    assert check_image(_image(), size=100) == "image/png"
    assert check_image(_image("JPEG"), size=100) == "image/jpeg"


@pytest.mark.parametrize(
    ("upload", "size", "code"),
    [
        (io.BytesIO(b"%PDF-1.4 not a picture"), 20, "not_an_image"),
        (_image(), 9 * 1024 * 1024, "image_too_large"),
        (_image("GIF"), 100, "image_format"),
    ],
)
def test_what_is_no_acceptable_image_is_named(upload, size, code):
    with pytest.raises(ValidationError) as caught:
        check_image(upload, size=size)
    assert caught.value.code == code


def test_too_many_pixels_are_refused(settings):
    settings.LIBRANET_IMAGE_MAX_PIXELS = 10
    with pytest.raises(ValidationError) as caught:
        check_image(_image(size=(4, 3)), size=100)
    assert caught.value.code == "image_too_many_pixels"
