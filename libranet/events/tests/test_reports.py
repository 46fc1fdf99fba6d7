import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from libranet.events import services
from libranet.events.models import JointEventReport
from libranet.events.tasks import send_joint_event_reminders

TODAY = datetime.date(2026, 3, 1)


@pytest.fixture
def round_(users, centers):
    return services.round_create(
        actor=users["department"],
        title="Совместные мероприятия 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        deadline=TODAY + datetime.timedelta(days=14),
    )


def test_only_the_department_opens_a_round_with_a_report_per_regional_center(users, centers):
    with pytest.raises(PermissionDenied):
        services.round_create(
            actor=users["tver_head"],
            title="x",
            period_start=TODAY,
            period_end=TODAY,
            deadline=TODAY,
        )
    with pytest.raises(ValidationError) as caught:
        services.round_create(
            actor=users["department"],
            title="x",
            period_start=TODAY,
            period_end=TODAY - datetime.timedelta(days=1),
            deadline=TODAY,
        )
    assert "period_end" in caught.value.message_dict


def test_head_confirms_the_regions_joint_events(users, centers, round_, make_event, client):
    assert sorted(r.regional_center.code for r in round_.reports.all()) == [
        "RU-PNZ-RC",
        "RU-TVE-RC",
    ]
    joint = make_event("tver_remote", joint_with_library=True, starts=-5)
    make_event("tver_remote", starts=-4)  # not joint
    make_event("penza_rc", joint_with_library=True)  # another region
    report = round_.reports.get(regional_center=centers["tver_rc"])
    with pytest.raises(PermissionDenied):
        services.report_confirm(actor=users["penza_operator"], report=report)
    client.force_login(users["tver_head"])
    page = client.get(f"/en/office/events/reports/{report.pk}/")
    assert page.status_code == 200 and joint.title_en in page.content.decode()
    response = client.post(f"/en/office/events/reports/{report.pk}/", {"note": "Всё верно"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == JointEventReport.State.CONFIRMED
    assert list(report.events.all()) == [joint] and report.confirmed_by == users["tver_head"]
    with pytest.raises(ValidationError):
        services.report_confirm(actor=users["tver_head"], report=report)
    # The head cannot see the department's round page, nor another region's report.
    assert client.get(f"/en/office/events/reports/rounds/{round_.pk}/").status_code == 403
    other = round_.reports.get(regional_center=centers["penza_rc"])
    assert client.get(f"/en/office/events/reports/{other.pk}/").status_code == 404
    client.force_login(users["department"])
    page = client.get(f"/ru/office/events/reports/rounds/{round_.pk}/").content.decode()
    assert "Всё верно" in page
    assert client.get("/en/office/events/reports/").status_code == 200


def test_department_opens_a_round_through_the_page(client, users, centers):
    client.force_login(users["department"])
    response = client.post(
        "/en/office/events/reports/",
        {
            "title": "Joint events 2026",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "deadline": "2026-12-01",
        },
    )
    assert response.status_code == 302
    client.force_login(users["tver_operator"])
    assert client.get("/en/office/events/reports/").status_code == 403


def test_reminders_to_heads_not_confirmed_once(
    users, centers, round_, smtp_server, django_capture_on_commit_callbacks
):
    head = users["tver_head"]
    head.email, head.preferred_language = "head@tver.example", "ru"
    head.save()
    centers["penza_rc"].email = "rc@penza.example"
    centers["penza_rc"].save()
    services.report_confirm(
        actor=users["department"], report=round_.reports.get(regional_center=centers["penza_rc"])
    )
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_joint_event_reminders", "--today", "2026-03-01", stdout=out)
    assert "1 reminders queued" in out.getvalue()
    assert [m["To"] for m in smtp_server.messages] == ["head@tver.example"]
    body = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "RU-TVE-RC" in body and "/ru/office/events/reports/" in body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_joint_event_reminders.call(today="2026-03-01") == {"queued": 0, "already": 1}
        assert send_joint_event_reminders.call(today="2026-03-02") == {"queued": 0, "already": 0}
    assert len(smtp_server.messages) == 1
