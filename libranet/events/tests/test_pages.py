import json
import re

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.events.models import Event

from .conftest import png_bytes


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_public_list_filters_and_past_tab(client, make_event, centers, lang):
    make_event(title_en="Tver lecture", title_ru="Тверская лекция")
    make_event("penza_rc", kind="contest", title_en="Penza contest", title_ru="Пензенский конкурс")
    make_event(starts=-10, title_en="Old lecture", title_ru="Старая лекция")
    make_event(published=False, title_en="Hidden", title_ru="Скрытое")
    tver, penza, old = (
        ("Tver lecture", "Penza contest", "Old lecture")
        if lang == "en"
        else ("Тверская лекция", "Пензенский конкурс", "Старая лекция")
    )
    page = client.get(f"/{lang}/events/").content.decode()
    assert tver in page and penza in page and old not in page
    assert "Hidden" not in page and "Скрытое" not in page
    assert "calendar.ics" in page
    page = client.get(f"/{lang}/events/?region=RU-PNZ").content.decode()
    assert penza in page and tver not in page
    page = client.get(f"/{lang}/events/?kind=lecture&center=RU-TVE-RC").content.decode()
    assert tver in page and penza not in page
    page = client.get(f"/{lang}/events/?when=past").content.decode()
    assert old in page and tver not in page


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_event_page_json_ld_og_and_no_script(client, make_event, users, lang):
    from libranet.events.services import event_add_photo

    event = make_event(
        description_ru="<p>Описание</p><script>alert('x')</script>",
        description_en="<p>About</p><script>alert('x')</script>",
    )
    data = png_bytes()
    import io

    photo = event_add_photo(
        actor=None, event=event, upload=io.BytesIO(data), name="p.png", size=len(data)
    )
    response = client.get(f"/{lang}/events/{event.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in page
    assert 'property="og:title"' in page and 'property="og:image"' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert ld["@type"] == "Event" and ld["organizer"][0]["url"].endswith("/centers/RU-TVE-RC/")
    assert "/centers/RU-TVE-RC/" in page
    image = client.get(f"/{lang}/events/photos/{photo.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == data


def test_unpublished_event_and_its_photo_are_not_public(client, make_event, users):
    import io

    from libranet.events.services import event_add_photo

    event = make_event(published=False)
    data = png_bytes()
    photo = event_add_photo(
        actor=None, event=event, upload=io.BytesIO(data), name="p.png", size=len(data)
    )
    assert client.get(f"/en/events/{event.pk}/").status_code == 404
    assert client.get(f"/en/events/photos/{photo.pk}/").status_code == 404
    client.force_login(users["tver_head"])  # who edits it sees it in the form
    shown = client.get(f"/en/events/photos/{photo.pk}/")
    assert shown.status_code == 200 and shown["Cache-Control"] == "private"
    assert b"".join(shown.streaming_content) == data
    client.force_login(users["penza_operator"])
    assert client.get(f"/en/events/photos/{photo.pk}/").status_code == 404


def test_center_page_lists_upcoming_events(client, make_event):
    make_event(title_en="Tver lecture")
    assert "Tver lecture" in client.get("/en/centers/RU-TVE-RC/").content.decode()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_calendar_parses(client, make_event, lang):
    event = make_event(time_zone="Europe/Moscow", venue_ru="Тверь, ул. Свободы", venue_en="Tver")
    make_event("penza_rc", title_en="Penza contest")
    body = client.get(f"/{lang}/events/calendar.ics").content
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    first = [e for e in events if str(e["uid"]).startswith(f"event-{event.pk}@")][0]
    assert first.decoded("dtstart") == event.starts_at
    assert str(first["dtstart"].params["TZID"]) == "Europe/Moscow"
    assert str(first["url"]).endswith(f"/{lang}/events/{event.pk}/")
    assert str(first["location"]) == ("Tver" if lang == "en" else "Тверь, ул. Свободы")
    regional = icalendar.Calendar.from_ical(
        client.get(f"/{lang}/events/calendar.ics?region=RU-PNZ").content
    )
    assert len(regional.walk("VEVENT")) == 1
    center = icalendar.Calendar.from_ical(
        client.get(f"/{lang}/events/calendar.ics?center=RU-TVE-RC").content
    )
    assert [str(e["uid"]) for e in center.walk("VEVENT")] == [str(first["uid"])]


def _post(client, organisers, **extra):
    data = {
        "kind": "lecture",
        "title_ru": "Лекция",
        "title_en": "Lecture",
        "centers": [organisers["tver_remote"].pk],
        "starts_at": "2026-03-10T18:00",
        "ends_at": "2026-03-10T20:00",
        "time_zone": "Europe/Moscow",
        "participants_hall": "10",
        "participants_online": "0",
        "connection_points": "0",
        "published": "on",
        **extra,
    }
    return client.post("/en/office/events/new/", data)


def test_operator_posts_an_event_with_a_photo(client, users, centers):
    client.force_login(users["tver_operator"])
    assert client.get("/en/office/events/").status_code == 200
    assert client.get("/ru/office/events/new/").status_code == 200
    photo = SimpleUploadedFile("hall.png", png_bytes(), content_type="image/png")
    response = _post(client, centers, photo=photo, photo_caption_en="The hall")
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    assert event.starts_at.isoformat() == "2026-03-10T15:00:00+00:00"
    assert event.photos.get().caption_en == "The hall"
    assert client.get(f"/en/office/events/{event.pk}/edit/").status_code == 200


def test_form_refuses_bad_input_and_saves_nothing(client, users, centers):
    client.force_login(users["tver_operator"])
    bad = SimpleUploadedFile("hall.png", b"not an image", content_type="image/png")
    response = _post(client, centers, photo=bad)
    assert response.status_code == 422
    assert "not an image" in response.content.decode()
    response = _post(client, centers, ends_at="2026-03-09T20:00")
    assert response.status_code == 422
    response = _post(client, {"tver_remote": centers["penza_rc"]})
    assert response.status_code == 422
    assert not Event.objects.exists()


def test_edit_conflict_and_others_cannot_reach(client, users, centers, make_event):
    event = make_event("tver_remote")
    client.force_login(users["tver_head"])
    data = {
        "kind": "lecture",
        "title_ru": "Первое",
        "centers": [centers["tver_remote"].pk],
        "starts_at": "2026-03-10T18:00",
        "ends_at": "2026-03-10T20:00",
        "time_zone": "Europe/Moscow",
        "participants_hall": "0",
        "participants_online": "0",
        "connection_points": "0",
        "revision": "1",
    }
    assert client.post(f"/en/office/events/{event.pk}/edit/", data).status_code == 302
    response = client.post(f"/en/office/events/{event.pk}/edit/", {**data, "title_ru": "Второе"})
    assert response.status_code == 409 and "edit-conflict" in response.content.decode()
    client.force_login(users["penza_operator"])
    assert client.get(f"/en/office/events/{event.pk}/edit/").status_code == 404
    assert client.post(f"/en/office/events/{event.pk}/delete/").status_code == 404
    client.force_login(users["tver_operator"])
    assert client.post(f"/en/office/events/{event.pk}/delete/").status_code == 302
    assert not Event.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/en/office/events/").status_code == 302
