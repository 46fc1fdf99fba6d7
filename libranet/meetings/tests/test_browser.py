"""The meetings' populated pages in a browser at a phone's width and a desktop's: the public
programme, the resolution with its decisions, the task page where a head closes a task. No page
wider than the window, axe-core clean."""

from datetime import UTC, datetime

import pytest
import time_machine

from libranet.meetings.demo import seed_meetings
from libranet.meetings.models import Task
from libranet.tests.browser import OUTSIDE, assert_accessible, assert_no_overflow, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def demo(regional_centers, head_tver, admin_user):
    with time_machine.travel(NOW, tick=True):
        seed_meetings()
        yield


@pytest.mark.parametrize("width", [390, 1366])
def test_the_populated_pages_fit_and_pass_axe(
    browser, browser_context_args, live_server, demo, head_tver, admin_user, width
):
    context = browser.new_context(**browser_context_args, viewport={"width": width, "height": 900})
    # The demo's spread closes Tver's tasks on this small network: open one for its head.
    task = Task.objects.filter(center__code="RU-TVE-RC", decision__number=4).get()
    Task.objects.filter(pk=task.pk).update(done=False)
    meeting_id = task.decision.resolution.meeting_id
    try:
        for user, urls in (
            (None, ["/ru/meetings/2020-penza/", "/en/meetings/2023-tyumen/"]),
            (
                admin_user,
                [
                    f"/ru/office/meetings/{meeting_id}/resolution/",
                    f"/ru/office/meetings/{meeting_id}/",
                    "/ru/office/meetings/tasks/late/",
                    "/ru/office/meetings/tasks/by-center/",
                ],
            ),
            (head_tver, [f"/ru/office/meetings/tasks/{task.pk}/", "/ru/office/"]),
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
                shot(page, f"meetings{url.replace('/', '-').rstrip('-')}-{width}")
                page.close()
    finally:
        context.close()
