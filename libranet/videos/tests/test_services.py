import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.audit.models import AuditEntry
from libranet.revisions import EditConflict
from libranet.videos.models import Video, VideoState
from libranet.videos.services import decide_video, publish_video, submit_video

from .conftest import RUTUBE, YOUTUBE


def _mp4(name="event.mp4", body=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64):
    return SimpleUploadedFile(name, body, content_type="video/mp4")


def test_operator_submits_for_own_center_only(operator_user, tver_rc, penza_rc, now):
    video = submit_video(
        actor=operator_user, center=tver_rc, title_ru="Лекция", link=RUTUBE, consent=True
    )
    assert video.state == VideoState.SUBMITTED and video.submitted_at == now
    assert AuditEntry.objects.filter(action="video.submit").count() == 1
    with pytest.raises(PermissionDenied):
        submit_video(
            actor=operator_user, center=penza_rc, title_ru="Лекция", link=RUTUBE, consent=True
        )


def test_head_submits_for_the_region(head_tver, head_penza, tver_rc, now):
    submit_video(actor=head_tver, center=tver_rc, title_ru="Конкурс", link=YOUTUBE, consent=True)
    with pytest.raises(PermissionDenied):
        submit_video(
            actor=head_penza, center=tver_rc, title_ru="Конкурс", link=YOUTUBE, consent=True
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"link": "https://example.com/video/1"}, "link"),
        ({"link": "https://rutube.ru/channel/1/"}, "link"),
        ({"link": ""}, "link"),
        ({"consent": False}, "consent"),
        ({"title_ru": "<script>x</script>"}, "title_ru"),
    ],
)
def test_bad_input_is_refused_naming_the_field(network_user, tver_rc, fields, field):
    data = {"title_ru": "Конкурс", "link": YOUTUBE, "consent": True, **fields}
    with pytest.raises(ValidationError) as caught:
        submit_video(actor=network_user, center=tver_rc, **data)
    assert field in caught.value.message_dict
    assert not Video.objects.exists()


def test_markup_is_cleaned(make_video):
    video = make_video(
        title_ru="<b>Конкурс</b><script>alert(1)</script>",
        description_ru='<p onclick="x()">Итоги <script>alert(1)</script><em>конкурса</em></p>',
        event_name="<img src=x onerror=alert(1)>Конкурс",
    )
    assert video.title_ru == "Конкурс"
    assert video.description_ru == "<p>Итоги <em>конкурса</em></p>"
    assert video.event_name == "Конкурс"


def test_uploaded_file_checked(network_user, tver_rc, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    video = submit_video(
        actor=network_user, center=tver_rc, title_ru="Лекция", upload=_mp4(), consent=True
    )
    assert video.file.name.endswith(".mp4") and video.hosted is None
    for upload in (
        SimpleUploadedFile("event.avi", b"RIFF"),
        _mp4(body=b"<html>not a video</html>"),
    ):
        with pytest.raises(ValidationError) as caught:
            submit_video(
                actor=network_user, center=tver_rc, title_ru="Лекция", upload=upload, consent=True
            )
        assert "file" in caught.value.message_dict
    settings.LIBRANET_VIDEO_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        submit_video(
            actor=network_user, center=tver_rc, title_ru="Лекция", upload=_mp4(), consent=True
        )
    assert Video.objects.count() == 1


def test_decision_workflow(make_video, network_user, operator_user, now):
    video = make_video()
    with pytest.raises(PermissionDenied):
        decide_video(actor=operator_user, video=video, accept=True)
    with pytest.raises(ValidationError) as caught:
        publish_video(actor=network_user, video=video, published_url=RUTUBE)
    assert "state" in caught.value.message_dict
    video = decide_video(actor=network_user, video=video, accept=True, revision=1)
    assert video.state == VideoState.ACCEPTED and video.decided_by == network_user
    with pytest.raises(EditConflict):
        publish_video(actor=network_user, video=video, published_url=RUTUBE, revision=1)
    with pytest.raises(ValidationError) as caught:
        publish_video(actor=network_user, video=video, published_url="https://example.com/")
    assert "published_url" in caught.value.message_dict
    video = publish_video(actor=network_user, video=video, published_url=RUTUBE, revision=2)
    assert video.state == VideoState.PUBLISHED and video.published_at == now
    assert video.hosted.service == "rutube"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"video.submit", "video.accept", "video.publish"} <= actions


def test_decline_needs_a_comment(make_video, network_user):
    video = make_video()
    with pytest.raises(ValidationError) as caught:
        decide_video(actor=network_user, video=video, accept=False)
    assert "comment" in caught.value.message_dict
    video = decide_video(actor=network_user, video=video, accept=False, comment="Нет согласия")
    assert video.state == VideoState.DECLINED


def test_script_injection_in_every_text_field(make_video, network_user):
    script = '<script>alert("x")</script><img src=x onerror="alert(1)">'
    video = make_video(
        title_ru=f"Конкурс{script}",
        title_en=f"Contest{script}",
        description_ru=f"<p>Итоги{script}</p>",
        description_en=f"<p>Results{script}</p>",
        event_name=f"Конкурс{script}",
        consent_note=f"Согласие{script}",
    )
    video = decide_video(actor=network_user, video=video, accept=False, comment=f"Нет{script}")
    for name in (
        "title_ru",
        "title_en",
        "description_ru",
        "description_en",
        "event_name",
        "consent_note",
        "decision_comment",
    ):
        value = getattr(video, name)
        assert "<script" not in value and "onerror" not in value and "alert" not in value, name


def test_too_long_once_cleaned(network_user, tver_rc):
    with pytest.raises(ValidationError) as caught:
        submit_video(
            actor=network_user, center=tver_rc, title_ru="&" * 100, link=YOUTUBE, consent=True
        )
    assert "title_ru" in caught.value.message_dict
    assert not Video.objects.exists()


def test_a_video_films_an_event_of_its_own_center(network_user, tver_rc, penza_rc):
    import datetime

    from libranet.events.services import event_create

    start = datetime.datetime(2026, 3, 1, 21, 30, tzinfo=datetime.UTC)  # 2 March in Moscow
    contest = event_create(
        actor=None,
        centers=[tver_rc],
        kind="contest",
        title_ru="Конкурс",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    link = "https://rutube.ru/video/0123456789abcdef0123456789abcdef/"
    video = submit_video(
        actor=network_user,
        center=tver_rc,
        title_ru="Конкурс",
        link=link,
        event=contest,
        event_name="ignored: the event names itself",
        consent=True,
    )
    assert (video.event, video.event_name, video.event_title) == (contest, "", "Конкурс")
    assert video.event_date == datetime.date(2026, 3, 2)  # the venue's day
    with pytest.raises(ValidationError) as caught:
        submit_video(
            actor=network_user,
            center=penza_rc,
            title_ru="Не тот центр",
            link=link,
            event=contest,
            consent=True,
        )
    assert "event" in caught.value.message_dict
    assert Video.objects.count() == 1
