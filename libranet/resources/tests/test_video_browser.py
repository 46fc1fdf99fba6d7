"""The demo's video in a real browser (headless Chromium against the live server): the reader
page's player loads the generated WebM from its /files/ address, knows its length and seeks
(a range request), and the poster is the resource's thumbnail."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page

from libranet.resources.demo.files import card, title_video
from libranet.resources.services import resource_create, resource_file_add, resource_thumbnail_set
from libranet.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def film(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRANET_X_ACCEL_REDIRECT_PREFIX = ""
    resource = resource_create(
        actor=None,
        identifier="pl-000012",
        title_ru="Выездное совещание: видеозапись",
        type="video",
        access_level="open",
    )
    color = (30, 60, 90)
    resource_file_add(
        actor=None,
        resource=resource,
        kind="video",
        name="pl-000012.webm",
        content=title_video(resource.title_ru, "pl-000012 · 2020-10-21", color),
    )
    resource_thumbnail_set(
        actor=None,
        resource=resource,
        content=card(resource.title_ru, "pl-000012", color, (240, 320)),
    )
    return resource


def test_the_reader_plays_the_demo_video(page: Page, film):
    with translation.override("ru"):
        page.goto(reverse("public:resource_read", kwargs={"identifier": film.identifier}))
    video = page.locator("section.video video")
    assert video.get_attribute("src").startswith("/files/")
    assert video.get_attribute("poster").startswith("/files/thumbnails/")
    page.wait_for_function("document.querySelector('section.video video').readyState >= 1")
    assert video.evaluate("v => Math.round(v.duration)") == 3
    assert video.evaluate("v => [v.videoWidth, v.videoHeight]") == [320, 180]
    # Seeking asks the file door for a range of bytes.
    video.evaluate("v => { v.currentTime = 2; }")
    page.wait_for_function(
        "(v => !v.seeking && v.readyState >= 2)(document.querySelector('section.video video'))"
    )
    assert video.evaluate("v => v.error") is None
    shot(page, "reader-video")
