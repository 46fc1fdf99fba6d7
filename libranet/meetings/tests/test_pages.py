"""The pages: the public programme in both languages (published meetings only), and the back
office's pages and writes for every role (allowed, or refused with nothing saved)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.meetings.models import Meeting, Responsible, Session, Task
from libranet.meetings.services import decision_issue, meeting_publish, session_save

pytestmark = pytest.mark.django_db
D = datetime.date
ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
    "reader_user",
]
MANAGERS = {"admin_user", "network_user"}
STAFF = set(ROLES) - {"reader_user"}


@pytest.fixture
def programme(meeting, tver_rc):
    session_save(
        actor=None,
        meeting=meeting,
        title_ru="Пленарная сессия",
        title_en="Plenary session",
        date=D(2020, 10, 21),
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(13, 0),
        talks=[
            {
                "speaker_ru": "Орлов В. К.",
                "speaker_en": "V. K. Orlov",
                "title_ru": "Продвижение контента ЦУД",
                "title_en": "Promoting the centers' content",
                "center": tver_rc,
            }
        ],
    )
    return meeting


def test_the_public_programme_in_both_languages(client, programme, today):
    assert client.get("/ru/meetings/2020-penza/").status_code == 404  # not published yet
    assert "Пенза" not in client.get("/ru/meetings/").content.decode()
    meeting_publish(actor=None, meeting=programme, published=True)
    russian = client.get("/ru/meetings/2020-penza/").content.decode()
    assert "Совещание руководителей РЦ" in russian and "Пленарная сессия" in russian
    assert "Орлов В. К." in russian and "10:00–13:00" in russian and "72" in russian
    english = client.get(f"/en/meetings/{programme.pk}/").content.decode()
    assert "Meeting of regional-center heads" in english and "V. K. Orlov" in english
    assert "Promoting the centers&#x27; content" in english
    listing = client.get("/en/meetings/").content.decode()
    assert "/en/meetings/2020-penza/" in listing


@pytest.fixture
def issued(regional_centers, make_decision, programme):
    decision = make_decision(deadline=D(2020, 12, 1))
    decision_issue(actor=None, decision=decision)
    return decision


def office_pages(meeting, decision, task, session):
    return {
        "list": ("/ru/office/meetings/", STAFF),
        "new": ("/ru/office/meetings/new/", MANAGERS),
        "edit": (f"/ru/office/meetings/{meeting.pk}/", MANAGERS),
        "session": (f"/ru/office/meetings/sessions/{session.pk}/", MANAGERS),
        "session-new": (f"/ru/office/meetings/{meeting.pk}/sessions/new/", MANAGERS),
        "resolution": (f"/ru/office/meetings/{meeting.pk}/resolution/", STAFF),
        "resolution-edit": (f"/ru/office/meetings/{meeting.pk}/resolution/edit/", MANAGERS),
        "decision": (f"/ru/office/meetings/decisions/{decision.pk}/", MANAGERS),
        "decision-new": (f"/ru/office/meetings/{meeting.pk}/resolution/decisions/new/", MANAGERS),
        "late": ("/ru/office/meetings/tasks/late/", STAFF),
        "by-center": ("/ru/office/meetings/tasks/by-center/", STAFF),
        "task": (f"/ru/office/meetings/tasks/{task.pk}/", STAFF),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_page(request, client, role, issued, today):
    user = request.getfixturevalue(role)
    client.force_login(user)
    task = issued.tasks.get(center__code="RU-TVE-RC")
    pages = office_pages(issued.resolution.meeting, issued, task, Session.objects.get())
    for name, (url, allowed) in pages.items():
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), (name, status)


def test_the_resolution_page_shows_each_decisions_progress(client, network_user, issued, today):
    client.force_login(network_user)
    page = client.get(f"/en/office/meetings/{issued.resolution.meeting_id}/resolution/")
    text = page.content.decode()
    assert "0 of 3 done, 3 late, 0 open" in text and "Partnership" in text
    late = client.get("/en/office/meetings/tasks/late/").content.decode()
    assert '>Tver Region</a> <small class="code">RU-TVE-RC</small>' in late  # by its region


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_the_managers_writes(request, client, role, issued, today):
    client.force_login(request.getfixturevalue(role))
    meeting = issued.resolution.meeting
    writes = [
        (f"/ru/office/meetings/{meeting.pk}/publish/", {"published": "1"}),
        (f"/ru/office/meetings/decisions/{issued.pk}/issue/", {}),
    ]
    for url, data in writes:
        response = client.post(url, data)
        assert response.status_code == (302 if role in MANAGERS else 403), url
    meeting.refresh_from_db()
    assert meeting.published == (role in MANAGERS)
    if role in MANAGERS:
        return
    # The forms' writes: refused before anything is read, nothing saved.
    session = Session.objects.get()
    forms = [
        "/ru/office/meetings/new/",
        f"/ru/office/meetings/{meeting.pk}/",
        f"/ru/office/meetings/{meeting.pk}/sessions/new/",
        f"/ru/office/meetings/sessions/{session.pk}/",
        f"/ru/office/meetings/{meeting.pk}/resolution/edit/",
        f"/ru/office/meetings/{meeting.pk}/resolution/decisions/new/",
        f"/ru/office/meetings/decisions/{issued.pk}/",
    ]
    for url in forms:
        assert client.post(url, {"delete": "1", "number": "9"}).status_code == 403, url
    assert Session.objects.count() == 1 and Meeting.objects.count() == 1
    assert issued.resolution.decisions.count() == 1


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("head_tver", True),
        ("operator_user", True),
        ("network_user", False),
        ("admin_user", False),
        ("international_user", False),
        ("head_penza", False),
    ],
)
def test_closing_a_task_on_its_page(
    request, client, role, allowed, issued, today, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(request.getfixturevalue(role))
    task = issued.tasks.get(center__code="RU-TVE-RC")
    url = f"/en/office/meetings/tasks/{task.pk}/"
    page = client.get(url).content.decode()
    assert ("Close the task with this outcome" in page) == allowed
    report = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    response = client.post(
        url, {"report": "Сведения направлены", "link": "", "file": report, "revision": "1"}
    )
    task.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and task.done and task.file.name.endswith(".pdf")
        download = client.get(f"/en/office/meetings/tasks/{task.pk}/file/")
        assert b"".join(download.streaming_content) == b"%PDF-1.4 report"
    else:
        assert response.status_code == 403 and not task.done
        assert "Only its responsible party" in response.content.decode()


def test_a_task_closed_from_a_stale_copy_shows_the_difference(
    client, head_tver, operator_user, issued, today
):
    task = issued.tasks.get(center__code="RU-TVE-RC")
    url = f"/en/office/meetings/tasks/{task.pk}/"
    client.force_login(head_tver)
    client.post(url, {"report": "first", "revision": "1"})
    # The department reopens; a page opened before it all still says revision 1.
    task.refresh_from_db()
    assert task.revision == 2
    Task.objects.filter(pk=task.pk).update(done=False, revision=3)
    client.force_login(operator_user)
    response = client.post(url, {"report": "second", "revision": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="edit-conflict"' in text and "first" in text and "second" in text
    task.refresh_from_db()
    assert task.report == "first" and not task.done


def test_the_department_reopens_a_task(client, network_user, head_tver, issued, today):
    task = issued.tasks.get(center__code="RU-TVE-RC")
    url = f"/en/office/meetings/tasks/{task.pk}/"
    client.force_login(head_tver)
    client.post(url, {"report": "done", "revision": "1"})
    assert client.post(url, {"action": "reopen", "revision": "2"}).status_code == 403
    client.force_login(network_user)
    assert client.post(url, {"action": "reopen", "revision": "2"}).status_code == 302
    task.refresh_from_db()
    assert not task.done


def test_the_department_edits_a_meeting_and_its_sessions(client, network_user, programme, today):
    client.force_login(network_user)
    url = f"/en/office/meetings/{programme.pk}/"
    data = {
        "number": "XI",
        "slug": "2020-penza",
        "title_ru": "Совещание",
        "title_en": "Meeting",
        "starts_on": "2020-10-21",
        "ends_on": "2020-10-22",
        "city_ru": "Пенза",
        "city_en": "Penza",
        "participants_in_hall": "50",
        "attendance": "RU-PNZ 40\nRU-SPE 10",
        "regions_by_video": "18",
        "connection_points": "72",
        "points": "RU-TVE-RC\nЗакрытая трансляция",
        "revision": "1",
    }
    assert client.post(url, {**data, "attendance": "RU-XXX 4"}).status_code == 200
    assert client.post(url, {**data, "ends_on": "2020-10-01"}).status_code == 200
    programme.refresh_from_db()
    assert programme.revision == 1 and programme.title_en == "Meeting of regional-center heads"
    assert client.post(url, data).status_code == 302
    programme.refresh_from_db()
    assert programme.title_en == "Meeting" and programme.attendance.count() == 2
    assert [str(p) for p in programme.points.all()][1] == "Закрытая трансляция"
    stale = client.post(url, {**data, "title_en": "Another"})
    assert stale.status_code == 200 and 'id="edit-conflict"' in stale.content.decode()
    session = programme.sessions.get()
    response = client.post(
        f"/en/office/meetings/sessions/{session.pk}/",
        {
            "position": "1",
            "title_ru": "Пленарная",
            "date": "2020-10-21",
            "talks-TOTAL_FORMS": "2",
            "talks-INITIAL_FORMS": "0",
            "talks-0-speaker_ru": "Иванов И. И.",
            "talks-0-title_ru": "Доклад",
            "talks-1-speaker_ru": "",
            "talks-1-title_ru": "",
        },
    )
    assert response.status_code == 302
    assert [t.speaker_ru for t in session.talks.all()] == ["Иванов И. И."]


def test_the_department_writes_the_resolution_and_a_decision(client, network_user, meeting, today):
    client.force_login(network_user)
    url = f"/en/office/meetings/{meeting.pk}/resolution/edit/"
    bad = client.post(
        url, {"adopted_on": "2020-10-22", "priorities_ru": "Один\nДва", "priorities_en": "One"}
    )
    assert bad.status_code == 200 and not hasattr(meeting, "resolution_cache")
    ok = client.post(
        url, {"adopted_on": "2020-10-22", "priorities_ru": "Один\nДва", "priorities_en": "One\nTwo"}
    )
    assert ok.status_code == 302
    meeting.refresh_from_db()
    assert [p.text_en for p in meeting.resolution.priorities.all()] == ["One", "Two"]
    response = client.post(
        f"/en/office/meetings/{meeting.pk}/resolution/decisions/new/",
        {"number": "1", "text_ru": "Разослать", "responsible": Responsible.IT},
    )
    assert response.status_code == 302
    assert meeting.resolution.decisions.get().responsible == Responsible.IT


def test_the_dashboards(client, head_tver, network_user, issued, today):
    client.force_login(head_tver)
    text = client.get("/en/office/").content.decode()
    assert "Tasks of the meetings" in text and "Send the Library the figures" in text
    client.force_login(network_user)
    text = client.get("/en/office/").content.decode()
    assert "3</span>" in text and "late tasks" in text
    assert Meeting.objects.count() == 1
