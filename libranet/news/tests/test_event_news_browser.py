"""The network's life end to end in a browser, as its people do it: a center's operator posts
an event with a photo; the department writes the news about it from the event's page and
publishes it; the news is in the region's feed (read by feedparser) and, with the event, on
the center's public page."""

import datetime
import io

import feedparser
import pytest
import time_machine
from PIL import Image
from playwright.sync_api import expect

from libranet.events.models import Event
from libranet.news.models import Article, ArticleState
from libranet.tests.browser import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_event_becomes_news_in_the_regional_feed_and_on_the_center_page(
    browser,
    browser_context_args,
    live_server,
    settings,
    tmp_path,
    tver_rc,
    operator_user,
    network_user,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        operator = browser.new_context(**browser_context_args)
        sign_in(operator, live_server, operator_user)
        page = operator.new_page()
        page.goto("/ru/office/events/new/")
        page.select_option("#id_kind", "contest")
        page.fill("#id_title_ru", "Конкурс к 700-летию Бортеневской битвы")
        page.fill("#id_title_en", "A contest for the 700th anniversary of the Battle of Bortenev")
        page.select_option("#id_centers", [str(tver_rc.pk)])
        page.fill("#id_starts_at", "2026-12-01T11:00")
        page.fill("#id_ends_at", "2026-12-01T14:00")
        page.fill("#id_venue_ru", "Тверь, ул. Свободный пер., 28")
        page.set_input_files(
            "#id_photo", {"name": "contest.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
        )
        page.fill("#id_photo_caption_ru", "Участники конкурса")
        page.locator("#content form button[type=submit]").first.click()
        photo = page.locator("section[aria-labelledby=event-photos] img")
        expect(photo).to_have_count(1)
        photo.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
        )
        shot(page, "event-news-1-event-saved")
        event = Event.objects.get()
        assert event.photos.count() == 1 and list(event.centers.all()) == [tver_rc]
        operator.close()

        department = browser.new_context(**browser_context_args)
        sign_in(department, live_server, network_user)
        page = department.new_page()
        page.goto(f"/ru/office/events/{event.pk}/edit/")
        page.get_by_role("link", name="Написать новость о нём").click()
        expect(page.locator("#id_events option:checked")).to_have_count(1)
        expect(page.locator("#id_centers option:checked")).to_have_text(tver_rc.name_ru)
        page.fill("#id_title_ru", "В Твери прошёл конкурс к 700-летию Бортеневской битвы")
        page.fill("#id_title_en", "Tver held a contest for the Battle of Bortenev's 700th year")
        page.fill("#id_lead_ru", "Региональный центр подвёл итоги конкурса.")
        page.locator("#content form button[type=submit]").first.click()
        article = Article.objects.get()
        assert list(article.events.all()) == [event]
        page.goto(f"/ru/office/news/{article.pk}/review/")
        page.get_by_role("button", name="Опубликовать").click()
        expect(page.locator(".messages")).to_contain_text("опубликована")
        article.refresh_from_db()
        assert article.state == ArticleState.PUBLISHED

        feed = page.request.get("/ru/news/feed.rss?region=RU-TVE")
        parsed = feedparser.parse(feed.body())
        assert not parsed.bozo, parsed.bozo_exception
        assert [e.title for e in parsed.entries] == [article.title_ru]

        page.goto(f"/ru/centers/{tver_rc.code}/")
        expect(page.locator("section[aria-labelledby=center-events]")).to_contain_text(
            event.title_ru
        )
        news = page.locator("section[aria-labelledby=center-news]")
        expect(news).to_contain_text(article.title_ru)
        shot(page, "event-news-2-center-page")
        news.get_by_role("link", name=article.title_ru).click()
        expect(page.locator("section[aria-labelledby=events-title]")).to_contain_text(
            event.title_ru
        )
        shot(page, "event-news-3-article")
        department.close()
