"""The video pages, populated with the demo's videos, in a browser at a phone's width and a
desktop's: the public page with its players, the office's list, the decision and publication
forms. No page wider than the window, axe-core clean. (The players' hosts are outside: their
frames are refused, as everything outside is in the browser tests.)"""

from datetime import UTC, datetime

import pytest
import time_machine

from libranet.tests.browser import OUTSIDE, assert_accessible, assert_no_overflow, shot, sign_in
from libranet.videos.demo import seed_videos
from libranet.videos.models import Video, VideoState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def demo(tver_rc, penza_rc, admin_user):
    with time_machine.travel(NOW, tick=True):
        seed_videos()
        yield


@pytest.mark.parametrize("width", [390, 1366])
def test_the_populated_pages_fit_and_pass_axe(
    browser, browser_context_args, live_server, demo, admin_user, width
):
    context = browser.new_context(**browser_context_args, viewport={"width": width, "height": 900})
    submitted = Video.objects.filter(state=VideoState.SUBMITTED).first()
    accepted = Video.objects.filter(state=VideoState.ACCEPTED).first()
    try:
        for user, urls in (
            (None, ["/ru/video/", "/en/video/"]),
            (
                admin_user,
                [
                    "/ru/office/videos/",
                    f"/ru/office/videos/{submitted.pk}/",
                    f"/en/office/videos/{accepted.pk}/",
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
                shot(page, f"videos{url.replace('/', '-').rstrip('-')}-{width}")
                page.close()
    finally:
        context.close()
