"""The news' populated pages in a browser at a phone's width and a desktop's: the public list
with covers and filters, an article in both languages (and one only in Russian), the back
office's list, form and review page. No page wider than the window, axe-core clean."""

from datetime import UTC, datetime

import pytest
import time_machine

from libranet.news.models import Section
from libranet.news.services import article_publish, article_save, article_submit
from libranet.tests.browser import OUTSIDE, assert_accessible, assert_no_overflow, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def news(settings, tmp_path, tver_rc, make_center, png):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        foreign = make_center(kind="foreign", code="MN-01", name_ru="Центр в Улан-Баторе")
        made = {}
        for slug, section, center, title_en, cover in (
            ("bortenev", Section.REGIONAL, tver_rc, "The Battle of Bortenev contest", True),
            ("ulan-bator", Section.FOREIGN, foreign, "A meeting in Ulan Bator", False),
            ("only-ru", Section.REGIONAL, tver_rc, "", False),
        ):
            article = article_save(
                actor=None,
                section=section,
                slug=slug,
                title_ru=f"Новость «{slug}» о работе центра",
                title_en=title_en,
                lead_ru="Краткое содержание новости.",
                lead_en="A short summary." if title_en else "",
                body_ru="<p>Текст новости с <a href='https://example.org'>ссылкой</a>.</p>",
                body_en="<p>The text.</p>" if title_en else "",
                centers=[center],
                cover=png() if cover else None,
            )
            made[slug] = article_publish(actor=None, article=article)
        review = article_save(
            actor=None, section=Section.REGIONAL, title_ru="На рассмотрении", centers=[tver_rc]
        )
        made["review"] = article_submit(actor=None, article=review)
        yield made


@pytest.mark.parametrize("width", [390, 1366])
def test_the_populated_pages_fit_and_pass_axe(
    browser, browser_context_args, live_server, news, admin_user, width
):
    context = browser.new_context(**browser_context_args, viewport={"width": width, "height": 900})
    review = news["review"].pk
    try:
        for user, urls in (
            (
                None,
                [
                    "/ru/news/",
                    "/en/news/?section=regional",
                    "/ru/news/bortenev/",
                    "/en/news/bortenev/",
                    "/en/news/only-ru/",
                ],
            ),
            (
                admin_user,
                [
                    "/ru/office/news/",
                    f"/ru/office/news/{review}/",
                    f"/ru/office/news/{review}/review/",
                ],
            ),
        ):
            context.clear_cookies()
            if user is not None:
                sign_in(context, live_server, user)
            for url in urls:
                page = context.new_page()
                page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                page.wait_for_load_state("networkidle")
                assert_no_overflow(page)
                assert_accessible(page)
                shot(page, f"news{url.replace('/', '-').replace('?', '-').rstrip('-')}-{width}")
                page.close()
    finally:
        context.close()
