"""The news' pages in Russian show no string of the English source (the site-wide check of
libranet/tests/test_russian_pages.py, on the news' populated pages)."""

import pytest

from conftest import with_authenticator
from libranet.network.models import StaffRole
from libranet.news.services import article_submit
from libranet.tests.test_russian_pages import english_messages, english_on  # noqa: F401


@pytest.fixture
def pages(make_article, png):
    # English texts in a textarea are data the check cannot tell from interface: none here.
    published = make_article(slug="bortenev", cover=png(), lead_en="", body_en="")
    review = make_article(publish=False, title_ru="На рассмотрении")
    article_submit(actor=None, article=review)
    return [
        "/ru/news/",
        "/ru/news/?section=regional&year=2026",
        "/ru/news/bortenev/",
        f"/ru/office/news/{published.pk}/",
        "/ru/office/news/",
        "/ru/office/news/new/",
        f"/ru/office/news/{review.pk}/review/",
    ]


def test_news_pages_in_russian(client, now, pages, make_staff, english_messages):  # noqa: F811
    # A username the header shows as it is, and that no check mistakes for English.
    staff = make_staff("net.staff", StaffRole.Role.NETWORK_DEPARTMENT)
    client.force_login(with_authenticator(staff))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_on(response.content.decode(), english_messages) == [], url
