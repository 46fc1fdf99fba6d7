"""The network department looks at the task worker's page in a real browser, on a phone (390
px) and a desktop (1366 px): a silent worker and the queue's age stand out, nothing is wider
than the screen. Screenshots go to /tmp/screens."""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from libranet.tests.browser import shot, sign_in_with_code
from libranet.usage.tasks import usage_ingest
from libranet.worker.services import worker_heartbeat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple-42"  # conftest's test accounts
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# The elements that reach past the screen's right edge (to name them when the page is too wide).
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_the_task_worker_page_on_a_phone_and_a_desktop(
    page: Page, settings, network_user, width, height
):
    settings.TASKS = DATABASE_QUEUE
    held = DBTaskResult.objects.get(pk=usage_ingest.enqueue().id)
    held.claim("a-worker-that-went-silent-long-ago")
    DBTaskResult.objects.filter(pk=held.pk).update(
        started_at=held.started_at - datetime.timedelta(minutes=10)
    )
    worker_heartbeat(
        worker_id="a-worker-that-went-silent-long-ago",
        host="libranet-application-server-2.example.org",
        pid=31337,
        started_at=held.started_at - datetime.timedelta(hours=3),
        task_id=held.pk,
        now=held.started_at - datetime.timedelta(minutes=9),
    )
    usage_ingest.enqueue()
    page.set_viewport_size({"width": width, "height": height})
    sign_in_with_code(page, network_user, PASSWORD)
    if width < 800:  # the back office's menu is folded behind its button on a phone
        page.locator(".office-menu-toggle").click()
    page.locator("nav.office-nav a[href='/ru/office/worker/']").click()
    expect(page.locator("h1")).to_have_text("Обработчик задач")
    row = page.locator("#workers tr[data-state='silent']")
    expect(row).to_contain_text("молчит")
    expect(row).to_contain_text("usage_ingest")
    expect(page.locator("#queue dd[data-count='ready']")).to_have_text("1")
    page.wait_for_load_state("load")  # the style sheet applied, on a busy machine too
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(WIDEST)
    assert overflow <= 0, f"the page is {overflow} px wider than the {width} px screen: {wide}"
    shot(page, f"task-worker-{width}")
