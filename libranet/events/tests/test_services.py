import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from libranet.audit.models import AuditEntry
from libranet.events import services
from libranet.events.models import Event
from libranet.revisions import EditConflict

from .conftest import at, png_bytes


def _fields(**extra):
    fields = {
        "kind": "contest",
        "title_ru": "Конкурс",
        "title_en": "Contest",
        "starts_at": at(5),
        "ends_at": at(6),
    }
    return {**fields, **extra}


def test_an_event_ending_before_it_starts_is_refused_naming_ends_at(users, centers):
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            actor=users["tver_operator"],
            centers=[centers["tver_remote"]],
            **_fields(ends_at=at(4)),
        )
    assert "ends_at" in caught.value.message_dict
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("tver_operator", ["tver_remote"], ["tver_rc", "penza_rc", "foreign"]),
        ("tver_head", ["tver_rc", "tver_remote"], ["penza_rc", "foreign"]),
        ("international", ["foreign"], ["tver_rc", "penza_rc"]),
        ("department", ["tver_rc", "penza_rc", "foreign", "tver_remote"], []),
    ],
)
def test_organisers_only_within_the_actors_scope(users, centers, who, allowed, refused):
    for code in allowed:
        services.event_create(actor=users[who], centers=[centers[code]], **_fields())
    for code in refused:
        with pytest.raises(ValidationError) as caught:
            services.event_create(actor=users[who], centers=[centers[code]], **_fields())
        assert "centers" in caught.value.message_dict
    assert Event.objects.count() == len(allowed)


def test_no_organiser_is_refused(users):
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=users["department"], centers=[], **_fields())
    assert "centers" in caught.value.message_dict


def test_markup_is_cleaned_and_the_change_audited(users, centers):
    event = services.event_create(
        actor=users["tver_head"],
        centers=[centers["tver_rc"]],
        **_fields(
            title_ru="<b>Конкурс</b><script>alert(1)</script>",
            description_ru='<p onclick="x()">Текст</p><script>alert(1)</script>',
        ),
    )
    assert event.title_ru == "Конкурс"
    assert event.description_ru == "<p>Текст</p>"
    assert AuditEntry.objects.filter(action="event.create").count() == 1


def test_update_from_a_stale_copy_is_refused(users, make_event):
    event = make_event()
    services.event_update(actor=users["tver_head"], event=event, revision=1, title_ru="Новое")
    with pytest.raises(EditConflict):
        services.event_update(actor=users["tver_head"], event=event, revision=1, title_ru="Другое")
    event.refresh_from_db()
    assert event.title_ru == "Новое" and event.revision == 2


def test_others_cannot_edit_or_delete(users, make_event):
    event = make_event("penza_rc")
    with pytest.raises(PermissionDenied):
        services.event_update(actor=users["tver_head"], event=event, title_ru="x")
    with pytest.raises(PermissionDenied):
        services.event_delete(actor=users["tver_operator"], event=event)
    services.event_delete(actor=users["department"], event=event)
    assert not Event.objects.exists()


def test_bad_video_link_and_time_zone_refused(users, centers):
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            actor=users["department"],
            centers=[centers["tver_rc"]],
            **_fields(video_links=["javascript:alert(1)"], time_zone="Mars/Olympus"),
        )
    assert "video_links" in caught.value.message_dict
    assert not Event.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(users, make_event):
    import io

    event = make_event()
    with pytest.raises(ValidationError) as caught:
        services.event_add_photo(
            actor=users["tver_head"],
            event=event,
            upload=io.BytesIO(b"MZ\x90 not"),
            name="a.png",
            size=8,
        )
    assert "photo" in caught.value.message_dict
    assert not event.photos.exists()
    data = png_bytes()
    photo = services.event_add_photo(
        actor=users["tver_head"],
        event=event,
        upload=io.BytesIO(data),
        name="a.png",
        size=len(data),
        caption_ru="<i>Зал</i>",
    )
    assert photo.content_type == "image/png" and photo.caption_ru == "Зал"
