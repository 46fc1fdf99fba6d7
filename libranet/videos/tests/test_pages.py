import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.videos.models import Video, VideoState
from libranet.videos.services import decide_video, publish_video

from .conftest import RUTUBE, YOUTUBE


def _published(make_video, network_user, **fields):
    video = decide_video(actor=network_user, video=make_video(**fields), accept=True)
    return publish_video(actor=network_user, video=video, published_url=RUTUBE)


def test_office_pages_by_role(client, make_video, operator_user, head_penza, reader_user):
    video = make_video()
    client.force_login(operator_user)
    assert client.get("/en/office/videos/").status_code == 200
    assert client.get(f"/en/office/videos/{video.pk}/").status_code == 200
    client.force_login(head_penza)
    assert client.get(f"/en/office/videos/{video.pk}/").status_code == 404
    client.force_login(reader_user)
    assert client.get("/en/office/videos/").status_code == 403


def test_operator_submits_through_the_form(client, operator_user, tver_rc, penza_rc):
    client.force_login(operator_user)
    page = client.get("/ru/office/videos/new/").content.decode()
    assert penza_rc.code not in page or "RU-PNZ-RC" not in page
    response = client.post(
        "/en/office/videos/new/",
        {
            "center": tver_rc.pk,
            "title_ru": "Лекция",
            "link": "https://example.com/v",
            "consent": "on",
        },
    )
    assert response.status_code == 400 and b"YouTube, VK Video or RUTUBE" in response.content
    assert not Video.objects.exists()
    response = client.post(
        "/en/office/videos/new/",
        {"center": tver_rc.pk, "title_ru": "Лекция", "link": YOUTUBE, "consent": "on"},
    )
    assert response.status_code == 302
    assert Video.objects.get().submitted_by == operator_user


def test_department_decides_on_the_page(client, make_video, network_user, operator_user):
    video = make_video()
    client.force_login(operator_user)
    assert client.post(f"/en/office/videos/{video.pk}/", {"accept": "1"}).status_code == 403
    client.force_login(network_user)
    page = client.get(f"/en/office/videos/{video.pk}/")
    assert b"Save the decision" in page.content
    response = client.post(f"/en/office/videos/{video.pk}/", {"accept": "0", "revision": 1})
    assert response.status_code == 400
    response = client.post(f"/en/office/videos/{video.pk}/", {"accept": "1", "revision": 1})
    assert response.status_code == 302
    response = client.post(
        f"/en/office/videos/{video.pk}/", {"published_url": RUTUBE, "revision": 1}
    )
    assert response.status_code == 409
    response = client.post(
        f"/en/office/videos/{video.pk}/", {"published_url": RUTUBE, "revision": 2}
    )
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.state == VideoState.PUBLISHED


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_public_page_embeds_the_player(client, make_video, network_user, lang):
    _published(make_video, network_user, description_ru="<p>Итоги</p><script>alert(1)</script>")
    make_video(title_ru="Не опубликовано")
    page = client.get(f"/{lang}/video/").content.decode()
    iframe = re.search(r"<iframe [^>]*>", page)[0]
    assert 'src="https://rutube.ru/play/embed/0123456789abcdef0123456789abcdef"' in iframe
    assert 'loading="lazy"' in iframe and "title=" in iframe
    assert "Не опубликовано" not in page and "<script>alert" not in page


def test_uploaded_file_served_once_published(client, network_user, tver_rc, settings, tmp_path):
    from libranet.videos.services import submit_video

    settings.MEDIA_ROOT = tmp_path
    body = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    video = submit_video(
        actor=network_user,
        center=tver_rc,
        title_ru="Лекция",
        upload=SimpleUploadedFile("talk.mp4", body),
        consent=True,
    )
    assert client.get(f"/videos/{video.pk}/file").status_code == 404
    video = decide_video(actor=network_user, video=video, accept=True)
    video.state = VideoState.PUBLISHED
    video.save()
    response = client.get(f"/videos/{video.pk}/file")
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == body
    assert response["Accept-Ranges"] == "bytes"
    seek = client.get(f"/videos/{video.pk}/file", HTTP_RANGE="bytes=8-11")  # a player seeking
    assert seek.status_code == 206 and seek["Content-Range"] == f"bytes 8-11/{len(body)}"
    assert b"".join(seek.streaming_content) == b"mp42"
    page = client.get("/en/video/").content.decode()
    assert re.search(r"<video [^>]*controls", page) and f"/videos/{video.pk}/file" in page


@pytest.mark.parametrize(
    ("who", "listed", "detail", "submit", "decide"),
    [
        ("admin_user", 200, 200, 200, 302),
        ("network_user", 200, 200, 200, 302),
        ("international_user", 200, 404, 200, 404),  # the foreign centers only
        ("head_tver", 200, 200, 200, 403),
        ("head_penza", 200, 404, 200, 404),
        ("operator_user", 200, 200, 200, 403),
        ("reader_user", 403, 403, 403, 403),
    ],
)
def test_every_role_on_every_page(client, request, make_video, who, listed, detail, submit, decide):
    video = make_video()
    client.force_login(request.getfixturevalue(who))
    assert client.get("/en/office/videos/").status_code == listed
    assert client.get(f"/en/office/videos/{video.pk}/").status_code == detail
    assert client.get("/en/office/videos/new/").status_code == submit
    response = client.post(f"/en/office/videos/{video.pk}/", {"accept": "1", "revision": 1})
    assert response.status_code == decide
    video.refresh_from_db()
    assert video.state == (VideoState.ACCEPTED if decide == 302 else VideoState.SUBMITTED)


def test_listed_only_within_the_scope(client, make_video, penza_rc, head_penza, operator_user):
    make_video(title_ru="Тверское видео")
    make_video(center=penza_rc, title_ru="Пензенское видео")
    client.force_login(head_penza)
    page = client.get("/ru/office/videos/").content.decode()
    assert "Пензенское видео" in page and "Тверское видео" not in page
    client.force_login(operator_user)
    page = client.get("/ru/office/videos/").content.decode()
    assert "Тверское видео" in page and "Пензенское видео" not in page


def test_a_video_of_an_event_from_its_page_to_the_events_page(
    client, now, make_video, network_user, operator_user, tver_rc
):
    from libranet.events.services import event_create

    event = event_create(
        actor=None,
        centers=[tver_rc],
        kind="contest",
        title_ru="Конкурс чтецов",
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3, hours=-2),
    )
    client.force_login(operator_user)
    edit = client.get(f"/ru/office/events/{event.pk}/edit/").content.decode()
    assert f"/ru/office/videos/new/?event={event.pk}" in edit
    form = client.get(f"/ru/office/videos/new/?event={event.pk}").context["form"]
    assert (form.initial["event"], form.initial["center"]) == (event, tver_rc)
    assert form.initial["title_ru"] == "Конкурс чтецов"
    event.starts_at -= datetime.timedelta(days=3000)  # of any date
    event.save()
    form = client.get(f"/ru/office/videos/new/?event={event.pk}").context["form"]
    assert form.initial["event"] == event and event in form.fields["event"].queryset
    _published(make_video, network_user, event=event)
    page = client.get(f"/ru/events/{event.pk}/").content.decode()
    assert 'aria-labelledby="event-video"' in page and "<iframe" in page
    listed = client.get("/ru/video/").content.decode()
    assert f'href="/ru/events/{event.pk}/">Конкурс чтецов</a>' in listed
