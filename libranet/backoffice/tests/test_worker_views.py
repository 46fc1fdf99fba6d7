"""The task worker's page in the back office: for the network department and administrators,
in the menu for them only; it shows each worker's state and last heartbeat, the queue and the
tasks that failed last."""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult
from lxml import html

from libranet.usage.tasks import usage_ingest
from libranet.worker.services import worker_heartbeat

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 10, 15, 9, 0, tzinfo=datetime.UTC)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def queue(settings, time_machine):
    """Two workers (one alive, one silent for ten minutes holding a task), a task waiting for
    five minutes, a failed one."""
    settings.TASKS = DATABASE_QUEUE
    time_machine.move_to(NOW - datetime.timedelta(minutes=10), tick=False)
    held = DBTaskResult.objects.get(pk=usage_ingest.enqueue().id)
    held.claim("silent-one")
    worker_heartbeat(worker_id="silent-one", host="app-2", pid=7, started_at=NOW, task_id=held.pk)
    time_machine.move_to(NOW - datetime.timedelta(minutes=5), tick=False)
    usage_ingest.enqueue()
    failed = DBTaskResult.objects.get(pk=usage_ingest.enqueue().id)
    failed.set_failed(RuntimeError("the spool folder is not writable"))
    time_machine.move_to(NOW, tick=False)
    worker_heartbeat(worker_id="alive-one", host="app-1", pid=5, started_at=NOW, task_id=None)


@pytest.mark.parametrize(
    ("who", "status"),
    [("network_user", 200), ("admin_user", 200), ("head_tver", 403), ("operator_user", 403)],
)
def test_only_the_network_department_and_administrators_see_it(request, client, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/en/office/worker/").status_code == status


def test_the_menu_offers_it_to_those_who_may(client, network_user, head_tver):
    client.force_login(network_user)
    assert 'href="/en/office/worker/"' in client.get("/en/office/").content.decode()
    client.force_login(head_tver)
    assert 'href="/en/office/worker/"' not in client.get("/en/office/").content.decode()


def test_the_page_shows_workers_queue_and_failures(client, network_user, queue):
    client.force_login(network_user)
    page = html.fromstring(client.get("/en/office/worker/").content)
    states = {
        row.get("data-worker"): row.get("data-state")
        for row in page.xpath("//table[@id='workers']//tbody/tr")
    }
    assert states == {"alive-one": "alive", "silent-one": "silent"}
    silent = page.xpath("//tr[@data-worker='silent-one']")[0].text_content()
    assert "600 s ago" in silent and "usage_ingest" in silent
    counts = {
        dd.get("data-count"): dd.text for dd in page.xpath("//dl[@id='queue']/dd[@data-count]")
    }
    assert counts == {"ready": "1", "later": "0", "running": "1", "failed": "1"}
    assert page.xpath("string(//dl[@id='queue']/dd[@data-age])") == "300 s"
    [failure] = page.xpath("//table[@id='failures']//tbody/tr")
    assert "RuntimeError: the spool folder is not writable" in failure.text_content()


def test_the_page_in_russian_without_any_worker(client, network_user):
    client.force_login(network_user)
    text = client.get("/ru/office/worker/").content.decode()
    assert "Ни один обработчик" in text and "Очередь" in text
