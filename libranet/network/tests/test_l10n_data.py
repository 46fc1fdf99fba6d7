"""The ``localized`` filter: data in the page's language, the other language marked."""

from django.template import Context, Template
from django.utils import translation

from libranet.network.models import Center, Institution


def render(obj: object, field: str, language: str) -> str:
    with translation.override(language):
        template = Template('{% load l10n_data %}{{ obj|localized:"' + field + '" }}')
        return template.render(Context({"obj": obj}))


def test_english_page_shows_the_english_value():
    center = Center(address="г. Тверь, ул. Советская, 1", address_en="1 Sovetskaya St, Tver")
    assert render(center, "address", "en") == "1 Sovetskaya St, Tver"
    assert render(center, "address", "ru") == "г. Тверь, ул. Советская, 1"


def test_english_page_marks_the_russian_fallback():
    center = Center(hours="Пн–Пт 9:00–18:00 <b>", hours_en="")
    html = render(center, "hours", "en")
    assert html == (
        '<span class="fallback" title="in Russian"><span lang="ru">Пн–Пт 9:00–18:00 &lt;b&gt;'
        '</span> <small class="muted">(in Russian)</small></span>'
    )


def test_russian_page_marks_the_english_fallback():
    institution = Institution(name_ru="", name_en="National Library")
    html = render(institution, "name", "ru")
    assert '<span lang="en">National Library</span>' in html
    assert "(на английском)" in html


def test_nothing_in_either_language_is_empty():
    assert render(Center(), "address", "en") == ""
    assert render(None, "address", "ru") == ""


def test_model_localized_reads_the_plain_russian_field():
    center = Center(address="ул. Мира, 3", address_en="")
    with translation.override("en"):
        assert center.localized("address") == "ул. Мира, 3"
    center.address_en = "3 Mira St"
    with translation.override("en"):
        assert center.localized("address") == "3 Mira St"
